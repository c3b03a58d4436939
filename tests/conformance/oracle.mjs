#!/usr/bin/env node
// Independent Parquet readers and writers (DuckDB, Polars, arrow-rs via
// parquet-wasm, hyparquet) behind one command line, for crv-io's tests.
// See README.md for the commands and the canonical row form.
//
// Exit codes: 0 success, 1 an engine disagrees or fails, 2 bad invocation or
// bad input (schema, canonical rows).

import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';

import {compareWithExpected, disagreementDetail} from './lib/check.mjs';
import {UsageError} from './lib/errors.mjs';
import {checkEngineName, enginesWith, loadEngine} from './lib/engines/index.mjs';
import {writeText} from './lib/jsonl.mjs';
import {loadSchema} from './lib/schema.mjs';
import {decodedRowBatches, inspectWrittenFile} from './lib/write.mjs';

const COMPRESSIONS = ['zstd', 'snappy', 'lz4', 'uncompressed'];

const USAGE = `usage:
  node oracle.mjs read ENGINE FILE.parquet SCHEMA.json
  node oracle.mjs check FILE.parquet SCHEMA.json EXPECTED.jsonl [--engines E,E,...] [--timings]
  node oracle.mjs write ENGINE SCHEMA.json INPUT.jsonl OUT.parquet
      [--compression ${COMPRESSIONS.join('|')}] [--row-group-size N] [--kv KEY=VALUE]...
  node oracle.mjs meta FILE.parquet
readers: ${enginesWith('read').join(', ')}; writers: ${enginesWith('write').join(', ')}`;

function parseCommandLine(command, args, positionalNames, options = {}) {
  let parsed;
  try {
    parsed = parseArgs({args, options, allowPositionals: true, strict: true});
  } catch (error) {
    throw new UsageError(`${error.message}\n${USAGE}`);
  }
  if (parsed.positionals.length !== positionalNames.length) {
    const counts = `${positionalNames.length} arguments, got ${parsed.positionals.length}`;
    throw new UsageError(`${command} takes ${counts}\n${USAGE}`);
  }
  return {
    ...Object.fromEntries(positionalNames.map((n, i) => [n, parsed.positionals[i]])),
    ...parsed.values
  };
}

async function readCommand(args) {
  const {engine: engineName, file, schemaPath} =
      parseCommandLine('read', args, ['engine', 'file', 'schemaPath']);
  const schema = await loadSchema(schemaPath);
  const engine = await loadEngine(engineName, 'read');
  try {
    for await (const lines of engine.readCanonical(file, schema)) {
      if (lines.length > 0) await writeText(process.stdout, `${lines.join('\n')}\n`);
    }
  } catch (error) {
    return fail(`${engineName}: ${disagreementDetail(error) ?? oneLine(error)}`);
  }
  return 0;
}

async function checkCommand(args) {
  const {file, schemaPath, expectedPath, engines, timings} =
      parseCommandLine('check', args, ['file', 'schemaPath', 'expectedPath'], {
        engines: {type: 'string', default: enginesWith('read').join(',')},
        timings: {type: 'boolean', default: false},
      });
  const engineNames = engines.split(',');
  engineNames.forEach((engineName) => checkEngineName(engineName, 'read'));
  const schema = await loadSchema(schemaPath);
  let failures = 0;
  for (const engineName of engineNames) {
    const started = performance.now();
    let line;
    try {
      const outcome = await compareWithExpected(
          await loadEngine(engineName, 'read'), file, schema, expectedPath);
      line = outcome.ok ? `${engineName} ok ${outcome.rows} rows` :
                          `${engineName} MISMATCH ${outcome.detail}`;
      if (!outcome.ok) failures++;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      line = `${engineName} ERROR ${oneLine(error)}`;
      failures++;
    }
    if (timings) line += ` (${((performance.now() - started) / 1000).toFixed(2)} s)`;
    await writeText(process.stdout, `${line}\n`);
  }
  return failures === 0 ? 0 : 1;
}

async function writeCommand(args) {
  const options = parseCommandLine('write', args, ['engine', 'schemaPath', 'inputPath', 'out'], {
    compression: {type: 'string', default: 'zstd'},
    'row-group-size': {type: 'string'},
    kv: {type: 'string', multiple: true, default: []},
  });
  if (!COMPRESSIONS.includes(options.compression)) {
    throw new UsageError(`--compression must be one of ${COMPRESSIONS.join(', ')}`);
  }
  const rowGroupSize =
      options['row-group-size'] === undefined ? undefined : Number(options['row-group-size']);
  if (rowGroupSize !== undefined && !(Number.isSafeInteger(rowGroupSize) && rowGroupSize > 0)) {
    throw new UsageError('--row-group-size must be a positive integer');
  }
  const keyValueMetadata = new Map(
      options.kv.map((entry) => {
        const split = entry.indexOf('=');
        if (split <= 0) throw new UsageError(`--kv wants KEY=VALUE, got "${entry}"`);
        return [entry.slice(0, split), entry.slice(split + 1)];
      }),
  );
  const schema = await loadSchema(options.schemaPath);
  const engine = await loadEngine(options.engine, 'write');
  const counter = {rows: 0};
  const rowBatches = decodedRowBatches(schema, options.inputPath, counter);
  const settings = {compression: options.compression, rowGroupSize, keyValueMetadata};
  try {
    await engine.write(schema, rowBatches, options.out, settings);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return fail(`${options.engine}: ${oneLine(error)}`);
  }
  const {problems, notes, summary} = await inspectWrittenFile(
      options.engine, options.out, schema, {rows: counter.rows, rowGroupSize});
  for (const note of notes) process.stderr.write(`note: ${note}\n`);
  await writeText(process.stdout, `${summary}\n`);
  if (problems.length > 0) return fail(problems.join('\n'));
  return 0;
}

async function metaCommand(args) {
  const {file} = parseCommandLine('meta', args, ['file']);
  const engine = await loadEngine('duckdb', 'meta');
  let info;
  try {
    info = await engine.meta(file);
  } catch (error) {
    return fail(`duckdb: ${oneLine(error)}`);
  }
  await writeText(process.stdout, `${JSON.stringify(info)}\n`);
  return 0;
}

function fail(message) {
  process.stderr.write(`${message}\n`);
  return 1;
}

function oneLine(error) { return String(error?.message ?? error).replace(/\s+/g, ' ').trim(); }

const COMMANDS = {
  read: readCommand,
  check: checkCommand,
  write: writeCommand,
  meta: metaCommand
};

async function main([command, ...args]) {
  const run = COMMANDS[command];
  if (!run) throw new UsageError(USAGE);
  return run(args);
}

function reportCrash(error) {
  const usage = error instanceof UsageError;
  process.stderr.write(`${usage ? error.message : error.stack ?? error}\n`);
  process.exitCode = usage ? 2 : 1;
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code), reportCrash);
