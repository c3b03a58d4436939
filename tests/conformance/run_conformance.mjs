#!/usr/bin/env node
// crv-io's Parquet conformance suite, run by ctest (label `oracle`):
//   1. `conformance_tool generate` writes every fixture with crv-io's writer;
//   2. every fixture file is read by DuckDB, Polars, arrow-rs and hyparquet
//      (`oracle.mjs check`) and compared with the expected canonical rows;
//   3. DuckDB's view of the footer (`oracle.mjs meta`) must show crv-io's key-value
//      metadata, codec and per-row-group statistics of every flat column, recomputed
//      here from the expected rows;
//   4. reverse direction: DuckDB and Polars write each fixture's rows
//      (`oracle.mjs write`) and crv-io's reader must read them back equal
//      (`conformance_tool verify`).
// Large fixtures are checked by each engine once and written back once. Every engine
// reads every codec crv-io writes (gzip and LZ4_RAW included) and every type of the
// fixtures, so no engine is excluded anywhere: a failure is always a failure.
//
// usage: node run_conformance.mjs --tool PATH/conformance_tool --work DIR [--jobs N] [--only TEXT]
// Prints one line per check, the timings, and finally "N passed, M failed"; exits 1 when
// anything failed.

import {spawn} from 'node:child_process';
import {createReadStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ORACLE = join(HERE, 'oracle.mjs');
const READERS = ['duckdb', 'polars', 'arrow', 'hyparquet'];
// The contract's schema version, stored in every part as crv_schema_version.
const SCHEMA_VERSION = '0.1@2025-09-20';
// What the Parquet footer (as DuckDB shows it) calls each codec crv-io writes.
const CODEC_NAMES = {
  none: 'UNCOMPRESSED',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  lz4: 'LZ4_RAW',
  zstd: 'ZSTD'
};
// The reverse direction: each writer under two codecs, so crv-io's reader sees
// zstd, snappy and LZ4_RAW pages written by others. DuckDB and Polars write data pages
// v1 (DuckDB with PLAIN_DICTIONARY), arrow-rs data pages v2.
const REVERSE_WRITES = {
  duckdb: ['zstd', 'snappy'],
  polars: ['zstd', 'lz4'],
  arrow: ['zstd', 'uncompressed']
};
// crv-io leaves out the statistics of strings longer than this (they would bloat
// every footer); shorter ones must be there.
const MAX_STRING_STATISTIC = 4096;

// ---- processes -----------------------------------------------------------------

// Runs a program; resolves to {code, stdout, stderr, seconds} and never rejects.
function runProgram(program, args) {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(program, args, {stdio: ['ignore', 'pipe', 'pipe']});
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    const finish = (code, extra = '') => resolve({
      code,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8') + extra,
      seconds: (performance.now() - started) / 1000,
    });
    child.on('error', (error) => finish(-1, `cannot start ${program}: ${error.message}`));
    child.on('close', (code, signal) => finish(code ?? -1, signal ? `killed by ${signal}` : ''));
  });
}

// One `oracle.mjs serve` process: command lines in, one answer per line out, in order.
// Each pool worker keeps its own, so Node and the engines' libraries load once per worker
// rather than once per check.
class OracleServer {
  constructor() {
    this.child = spawn(process.execPath, [ORACLE, 'serve'], {stdio: ['pipe', 'pipe', 'pipe']});
    this.waiting = [];
    this.stderr = '';
    this.ended = null;  // the answer every request gets once the process is gone
    // A request written after the process died fails through `ended`, not as an EPIPE.
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    createInterface({input: this.child.stdout}).on('line', (line) => {
      const answer = JSON.parse(line);
      this.waiting.shift()?.(answer);
    });
    this.child.on('close', (code, signal) => {
      const stderr = `oracle server ended (${signal ?? `exit ${code}`}): ${this.stderr}`;
      this.ended = {code: -1, stdout: '', stderr};
      for (const resolve of this.waiting.splice(0)) resolve(this.ended);
    });
  }

  // Resolves to {code, stdout, stderr, seconds}, as runProgram does.
  run(args) {
    const started = performance.now();
    return new Promise((resolve) => {
      if (this.ended) {
        resolve({...this.ended, seconds: 0});
        return;
      }
      this.waiting.push(
          (answer) => resolve({...answer, seconds: (performance.now() - started) / 1000}));
      this.child.stdin.write(`${JSON.stringify(args)}\n`);
    });
  }

  close() { this.child.stdin.end(); }
}

function lastLines(text, count = 6) { return text.trim().split('\n').slice(-count).join(' | '); }

// ---- checks: other engines read crv-io's files ------------------------------------

async function checkJob(oracle, fixture, codec, engines) {
  const dir = fixture.dir;
  const file = join(dir, fixture.files[codec]);
  const result = await oracle.run([
    'check', file, join(dir, 'schema.json'), join(dir, 'expected.jsonl'), '--engines',
    engines.join(','), '--timings'
  ]);
  const lines = new Map();
  for (const line of result.stdout.split('\n')) {
    const match = /^(\w+) (ok|MISMATCH|ERROR) (.*?)(?: \(([\d.]+) s\))?$/.exec(line);
    if (match) lines.set(match[1], {verdict: match[2], detail: match[3], seconds: match[4]});
  }
  return engines.map((engine) => {
    const name = `check ${fixture.name}/${fixture.files[codec]} ${engine}`;
    const line = lines.get(engine);
    if (!line) {
      return {
        name,
        ok: false,
        detail: `no verdict (exit ${result.code}): ${lastLines(result.stderr)}`
      };
    }
    return {
      name,
      ok: line.verdict === 'ok',
      detail: line.verdict === 'ok' ? line.detail : `${line.verdict} ${line.detail}`,
      seconds: Number(line.seconds),
    };
  });
}

// ---- meta: DuckDB's view of crv-io's footer ---------------------------------------

// Canonical values of flat columns as comparable JS values.
const float64View = new DataView(new ArrayBuffer(8));
function decodeCanonical(kind, value) {
  if (value === null) return null;
  switch (kind) {
    case 'int64':
      return BigInt(value);
    case 'float64':
      if (value === 'f64:nan') return NaN;
      float64View.setBigUint64(0, BigInt(`0x${value.slice(4)}`));
      return float64View.getFloat64(0);
    case 'utf8':
      return value.slice(2);
    case 'bool':
      return value;
  }
  throw new Error(`not a flat type: ${kind}`);
}

// Orders like Parquet's unsigned byte-wise comparison of UTF-8 (JS compares UTF-16).
function compareValues(kind, a, b) {
  if (kind === 'utf8') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (kind === 'bool') return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

// Per row group and flat column: {nulls, min, max, longest} from the expected rows,
// leaving NaN out of min/max as Parquet's ordering rules require.
async function expectedStatistics(fixture, flatColumns) {
  const groups = [];
  const lines = createInterface({input: createReadStream(join(fixture.dir, 'expected.jsonl'))});
  let row = 0;
  for await (const line of lines) {
    if (line === '') continue;
    const group = Math.floor(row++ / fixture.row_group_size);
    groups[group] ??=
        flatColumns.map(() => ({nulls: 0, min: undefined, max: undefined, longest: 0}));
    const values = JSON.parse(line);
    flatColumns.forEach((column, index) => {
      const stats = groups[group][index];
      const value = decodeCanonical(column.type, values[column.name]);
      if (value === null) {
        stats.nulls++;
        return;
      }
      if (Number.isNaN(value)) return;
      if (column.type === 'utf8')
        stats.longest = Math.max(stats.longest, Buffer.byteLength(value, 'utf8'));
      if (stats.min === undefined || compareValues(column.type, value, stats.min) < 0)
        stats.min = value;
      if (stats.max === undefined || compareValues(column.type, value, stats.max) > 0)
        stats.max = value;
    });
  }
  return groups;
}

// DuckDB's text of a statistic against the expected value; null when they agree,
// else the problem.
function boundProblem(kind, text, expected, stats) {
  if (expected === undefined) {
    return text === null ? null : `expected no bound (no orderable value), DuckDB shows ${text}`;
  }
  if (text === null) {
    // DuckDB's parquet_metadata shows an infinite double bound as NULL.
    if (kind === 'float64' && !Number.isFinite(expected)) return null;
    if (kind === 'utf8' && stats.longest > MAX_STRING_STATISTIC) return null;
    return `missing, expected ${String(expected)}`;
  }
  let equal;
  switch (kind) {
    case 'int64':
      equal = BigInt(text) === expected;
      break;
    case 'float64':
      equal = Number(text.replace(/^(-?)inf(inity)?$/i, '$1Infinity')) === expected;
      break;
    case 'utf8':
      equal = text === expected;
      break;
    case 'bool':
      equal = text === String(expected);
      break;
  }
  return equal ? null : `DuckDB shows ${JSON.stringify(text)}, expected ${String(expected)}`;
}

async function metaJob(oracle, fixture, codec) {
  const name = `meta ${fixture.name}/${fixture.files[codec]}`;
  const result = await oracle.run(['meta', join(fixture.dir, fixture.files[codec])]);
  if (result.code !== 0) return [{name, ok: false, detail: lastLines(result.stderr)}];
  const meta = JSON.parse(result.stdout);
  const problems = [];
  const wantedKv = {
    crv_schema_version: SCHEMA_VERSION,
    crv_table_name: fixture.table,
    crv_run_id: fixture.run_id
  };
  for (const [key, value] of Object.entries(wantedKv)) {
    if (meta.kv[key] !== value)
      problems.push(`kv ${key} is ${JSON.stringify(meta.kv[key])}, expected ${value}`);
  }
  const groupCount = Math.ceil(fixture.rows / fixture.row_group_size);
  if (meta.num_rows !== fixture.rows)
    problems.push(`num_rows ${meta.num_rows}, expected ${fixture.rows}`);
  if (meta.row_groups !== groupCount)
    problems.push(`${meta.row_groups} row groups, expected ${groupCount}`);
  for (const chunk of meta.columns) {
    if (chunk.compression !== CODEC_NAMES[codec]) {
      problems.push(`${chunk.path_in_schema} in row group ${chunk.row_group} is ${
          chunk.compression}, expected ${CODEC_NAMES[codec]}`);
      break;
    }
  }
  const schema = JSON.parse(readFileSync(join(fixture.dir, 'schema.json'), 'utf8'));
  const flatColumns = schema.columns.filter((column) => typeof column.type === 'string');
  const expected = await expectedStatistics(fixture, flatColumns);
  let checked = 0;
  for (const chunk of meta.columns) {
    const index = flatColumns.findIndex((column) => column.name === chunk.path_in_schema);
    if (index < 0) continue;
    const column = flatColumns[index];
    const stats = expected[chunk.row_group]?.[index];
    const where = `${column.name} in row group ${chunk.row_group}`;
    if (!stats) {
      problems.push(`${where}: the expected rows have no such row group`);
      continue;
    }
    if (chunk.stats_null_count !== stats.nulls)
      problems.push(`${where}: null_count ${chunk.stats_null_count}, expected ${stats.nulls}`);
    for (const [bound, text] of [['min', chunk.stats_min_value], ['max', chunk.stats_max_value]]) {
      const problem = boundProblem(column.type, text, stats[bound], stats);
      if (problem) problems.push(`${where}: ${bound} ${problem}`);
    }
    checked++;
  }
  if (fixture.rows > 0 && flatColumns.length > 0 && checked === 0)
    problems.push('DuckDB shows no statistics of any flat column');
  problems.push(...forcedEncodingProblems(fixture, meta));
  return [{
    name,
    ok: problems.length === 0,
    detail: problems.length === 0 ? `kv, codec and statistics of ${checked} column chunks agree` :
                                    problems.slice(0, 5).join('; '),
    seconds: result.seconds,
  }];
}

// The physical types a forced encoding applies to (elsewhere the writer chooses).
const FORCED_ENCODING_TYPES = {
  PLAIN: ['INT64', 'DOUBLE', 'BYTE_ARRAY', 'BOOLEAN'],
  RLE_DICTIONARY: ['INT64', 'DOUBLE', 'BYTE_ARRAY'],
  BYTE_STREAM_SPLIT: ['DOUBLE'],
  DELTA_BINARY_PACKED: ['INT64'],
};

// A fixture that forces an encoding must show it in every column chunk it applies to, so
// that it cannot pass while testing another encoding.
function forcedEncodingProblems(fixture, meta) {
  const encoding = fixture.value_encoding;
  if (!encoding) return [];
  const chunks = meta.columns.filter(
      (chunk) => FORCED_ENCODING_TYPES[encoding].includes(chunk.type) && chunk.num_values > 0);
  const problems = chunks.filter((chunk) => !chunk.encodings.includes(encoding))
                       .map(
                           (chunk) => `${chunk.path_in_schema} in row group ${chunk.row_group} is ${
                               chunk.encodings.join(', ')}, not ${encoding}`);
  if (chunks.length === 0) problems.push(`no column chunk could take ${encoding}`);
  return problems;
}

// ---- reverse: crv-io reads what DuckDB and Polars write -------------------------------

// DuckDB and Polars write every position as OPTIONAL, so they get the all-nullable
// version of the schema.
function nullableSchema(schema) {
  const slot = (entry) => ({...entry, nullable: true, type: nullableType(entry.type)});
  const nullableType = (type) => {
    if (type.struct) return {struct: type.struct.map(slot)};
    if (type.list) return {list: slot(type.list)};
    return type;
  };
  return {columns: schema.columns.map(slot)};
}

async function reverseJob(oracle, fixture, writer, codec, tool, workDir) {
  const name = `reverse ${fixture.name} ${writer} ${codec}`;
  const dir = join(workDir, 'reverse', fixture.name);
  mkdirSync(dir, {recursive: true});
  const schemaPath = join(dir, 'schema-nullable.json');
  if (!existsSync(schemaPath)) {
    const schema = JSON.parse(readFileSync(join(fixture.dir, 'schema.json'), 'utf8'));
    writeFileSync(schemaPath, JSON.stringify(nullableSchema(schema)));
  }
  const expected = join(fixture.dir, 'expected.jsonl');
  const out = join(dir, `${writer}-${codec}.parquet`);
  const writeArgs = ['write', writer, schemaPath, expected, out, '--compression', codec];
  const verifyArgs = ['verify', out, schemaPath, expected];
  if (writer === 'duckdb') {
    // DuckDB stores key-value metadata, which crv-io's reader must find.
    const kv = [`crv_table_name=${fixture.table}`, `crv_run_id=${fixture.run_id}`];
    for (const entry of kv) {
      writeArgs.push('--kv', entry);
      verifyArgs.push('--kv', entry);
    }
  } else if (!fixture.large) {
    // Polars and arrow-rs cut row groups exactly: many small ones exercise the reader's
    // row group loop.
    writeArgs.push('--row-group-size', String(Math.max(1, fixture.row_group_size)));
  }
  const written = await oracle.run(writeArgs);
  if (written.code !== 0) {
    return [{name, ok: false, detail: `${writer} could not write: ${lastLines(written.stderr)}`}];
  }
  const verified = await runProgram(tool, verifyArgs);
  const output = (verified.stdout + verified.stderr).trim();
  return [{
    name,
    ok: verified.code === 0,
    detail: `${lastLines(written.stdout, 1).replace(/, to .*$/, '')}; crv-io: ${output}`,
    seconds: written.seconds + verified.seconds,
  }];
}

// ---- running -----------------------------------------------------------------------

// Each job is a function of an OracleServer.
async function runPool(jobs, concurrency, onResult) {
  let next = 0;
  const worker = async () => {
    const oracle = new OracleServer();
    try {
      while (next < jobs.length) {
        const job = jobs[next++];
        for (const result of await job(oracle)) onResult(result);
      }
    } finally {
      oracle.close();
    }
  };
  await Promise.all(Array.from({length: Math.min(concurrency, jobs.length)}, worker));
}

function planJobs(fixtures, tool, workDir) {
  const large = [];
  const small = [];
  for (const fixture of fixtures) {
    const codecs = Object.keys(fixture.files);
    const jobs = fixture.large ? large : small;
    if (fixture.large) {
      // One engine per job, so the two workers share the big reads.
      for (const engine of READERS)
        jobs.push((oracle) => checkJob(oracle, fixture, codecs[0], [engine]));
      jobs.push((oracle) => reverseJob(oracle, fixture, 'duckdb', 'zstd', tool, workDir));
    } else {
      for (const codec of codecs) jobs.push((oracle) => checkJob(oracle, fixture, codec, READERS));
      // Reverse writes test crv-io's reader on the peers' files, which forcing an encoding
      // on crv-io's writer does not change.
      const reverseWrites = fixture.value_encoding ? {} : REVERSE_WRITES;
      for (const [writer, writerCodecs] of Object.entries(reverseWrites)) {
        for (const codec of writerCodecs)
          jobs.push((oracle) => reverseJob(oracle, fixture, writer, codec, tool, workDir));
      }
    }
    jobs.push((oracle) => metaJob(oracle, fixture, codecs.includes('zstd') ? 'zstd' : codecs[0]));
  }
  // The long jobs first, so the short ones fill the gaps at the end.
  return [...large, ...small];
}

async function main() {
  const {values} = parseArgs({
    options: {
      tool: {type: 'string'},
      work: {type: 'string'},
      jobs: {type: 'string', default: '2'},
      only: {type: 'string'},
    },
  });
  if (!values.tool || !values.work) {
    process.stderr.write(
        'usage: node run_conformance.mjs --tool PATH --work DIR [--jobs N] [--only TEXT]\n');
    return 2;
  }
  if (!existsSync(join(HERE, 'node_modules'))) {
    process.stdout.write(
        `the oracles are not installed: run "npm ci" in ${HERE}\n0 passed, 1 failed\n`);
    return 1;
  }
  const started = performance.now();
  const fixtureDir = join(values.work, 'fixtures');
  rmSync(values.work, {recursive: true, force: true});
  mkdirSync(values.work, {recursive: true});

  const generated = await runProgram(values.tool, ['generate', fixtureDir]);
  process.stdout.write(generated.stdout);
  const generateSeconds = generated.seconds;
  if (generated.code !== 0) {
    process.stdout.write(`generate failed: ${generated.stderr}\n0 passed, 1 failed\n`);
    return 1;
  }
  const fixtures = JSON.parse(readFileSync(join(fixtureDir, 'fixtures.json'), 'utf8'))
                       .filter((fixture) => !values.only || fixture.name.includes(values.only))
                       .map((fixture) => ({...fixture, dir: join(fixtureDir, fixture.name)}));

  const results = [];
  const oraclesStarted = performance.now();
  await runPool(planJobs(fixtures, values.tool, values.work), Number(values.jobs), (result) => {
    results.push(result);
    const seconds = Number.isFinite(result.seconds) ? ` (${result.seconds.toFixed(2)} s)` : '';
    process.stdout.write(
        `${result.ok ? 'ok  ' : 'FAIL'} ${result.name}${seconds}: ${result.detail}\n`);
  });
  const oracleSeconds = (performance.now() - oraclesStarted) / 1000;

  const failed = results.filter((result) => !result.ok);
  const byKind = {};
  for (const result of results) {
    const kind = result.name.split(' ')[0];
    byKind[kind] = (byKind[kind] ?? 0) + (result.seconds ?? 0);
  }
  const summed = Object.entries(byKind).map(([kind, s]) => `${kind} ${s.toFixed(1)} s`).join(', ');
  process.stdout.write(
      `\ntimings: generate ${generateSeconds.toFixed(1)} s; oracle jobs ${
          oracleSeconds.toFixed(1)} s ` +
      `wall on ${values.jobs} workers (summed per kind: ${summed}); ` +
      `total ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (failed.length > 0) {
    process.stdout.write(
        `\nfailures:\n${failed.map((r) => `  ${r.name}: ${r.detail}`).join('\n')}\n`);
  }
  process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then((code) => (process.exitCode = code), (error) => {
  process.stderr.write(`${error.stack ?? error}\n0 passed, 1 failed\n`);
  process.exitCode = 1;
});
