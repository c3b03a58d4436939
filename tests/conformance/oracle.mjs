#!/usr/bin/env node
// Independent Parquet readers and writers (DuckDB, Polars, arrow-rs via
// parquet-wasm, hyparquet) behind one command line, for crv-io's tests.
// See README.md for the commands and the canonical row form.
//
// Exit codes: 0 success, 1 an engine disagrees or fails, 2 bad invocation or
// bad input (schema, canonical rows).

import {performance} from 'node:perf_hooks';
import {createInterface} from 'node:readline';
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
  node oracle.mjs sql QUERY   (DuckDB; prints one JSON object per result row)
  node oracle.mjs serve   (runs the command lines given on standard input as JSON arrays)
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

async function readCommand(args, io) {
  const {engine: engineName, file, schemaPath} =
      parseCommandLine('read', args, ['engine', 'file', 'schemaPath']);
  const schema = await loadSchema(schemaPath);
  const engine = await loadEngine(engineName, 'read');
  try {
    for await (const lines of engine.readCanonical(file, schema)) {
      if (lines.length > 0) await writeText(io.stdout, `${lines.join('\n')}\n`);
    }
  } catch (error) {
    return fail(io, `${engineName}: ${disagreementDetail(error) ?? oneLine(error)}`);
  }
  return 0;
}

async function checkCommand(args, io) {
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
    await writeText(io.stdout, `${line}\n`);
  }
  return failures === 0 ? 0 : 1;
}

async function writeCommand(args, io) {
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
    return fail(io, `${options.engine}: ${oneLine(error)}`);
  }
  const {problems, notes, summary} = await inspectWrittenFile(
      options.engine, options.out, schema, {rows: counter.rows, rowGroupSize});
  for (const note of notes) await writeText(io.stderr, `note: ${note}\n`);
  await writeText(io.stdout, `${summary}\n`);
  if (problems.length > 0) return fail(io, problems.join('\n'));
  return 0;
}

async function metaCommand(args, io) {
  const {file} = parseCommandLine('meta', args, ['file']);
  const engine = await loadEngine('duckdb', 'meta');
  let info;
  try {
    info = await engine.meta(file);
  } catch (error) {
    return fail(io, `duckdb: ${oneLine(error)}`);
  }
  await writeText(io.stdout, `${JSON.stringify(info)}\n`);
  return 0;
}

async function sqlCommand(args, io) {
  const {query} = parseCommandLine('sql', args, ['query']);
  const engine = await loadEngine('duckdb', 'sql');
  let rows;
  try {
    rows = await engine.sql(query);
  } catch (error) {
    return fail(io, `duckdb: ${oneLine(error)}`);
  }
  await writeText(io.stdout, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  return 0;
}

async function fail(io, message) {
  await writeText(io.stderr, `${message}\n`);
  return 1;
}

function oneLine(error) { return String(error?.message ?? error).replace(/\s+/g, ' ').trim(); }

const COMMANDS = {
  read: readCommand,
  check: checkCommand,
  write: writeCommand,
  meta: metaCommand,
  sql: sqlCommand
};

// Runs one command line; resolves to its exit code, having written to io.stdout and
// io.stderr what the process would print.
async function runCommand([command, ...args], io) {
  try {
    const run = COMMANDS[command];
    if (!run) throw new UsageError(USAGE);
    return await run(args, io);
  } catch (error) {
    const usage = error instanceof UsageError;
    await writeText(io.stderr, `${usage ? error.message : error.stack ?? error}\n`);
    return usage ? 2 : 1;
  }
}

// Collects what a command prints, for `serve`.
class TextSink {
  constructor() { this.chunks = []; }
  write(text) {
    this.chunks.push(text);
    return true;
  }
  text() { return this.chunks.join(''); }
}

// `serve`: runs command lines read from standard input, one JSON array of arguments per
// line, one after another, and answers each with one line {"code", "stdout", "stderr"}.
// A test suite that runs hundreds of short commands pays for starting Node and loading
// the engines' libraries once instead of every time.
async function serve() {
  const requests = createInterface({input: process.stdin, crlfDelay: Infinity});
  for await (const line of requests) {
    if (line.trim() === '') continue;
    const io = {stdout: new TextSink(), stderr: new TextSink()};
    let code;
    try {
      const args = JSON.parse(line);
      if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string'))
        throw new UsageError('serve wants one JSON array of strings per line');
      code = await runCommand(args, io);
    } catch (error) {
      await writeText(io.stderr, `${error.message}\n`);
      code = 2;
    }
    const answer = {code, stdout: io.stdout.text(), stderr: io.stderr.text()};
    await writeText(process.stdout, `${JSON.stringify(answer)}\n`);
  }
  return 0;
}

const commandLine = process.argv.slice(2);
const finished = commandLine.length === 1 && commandLine[0] === 'serve' ?
    serve() :
    runCommand(commandLine, {stdout: process.stdout, stderr: process.stderr});
finished.then((code) => (process.exitCode = code));
