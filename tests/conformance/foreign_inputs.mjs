#!/usr/bin/env node
// `crvio append --format parquet` on Parquet files written by other engines: every input is
// taken exactly or refused clearly with nothing changed.
//
// DuckDB, Polars, arrow-rs (parquet-wasm) and hyparquet-writer write input files for the
// cases of the specification (README.md, "Foreign inputs"): unsigned integers, DECIMAL,
// date/time types, binary that is not UTF-8, the DELTA and BYTE_STREAM_SPLIT encodings,
// BROTLI and Hadoop LZ4, FIXED_LEN_BYTE_ARRAY, MAP into a struct, legacy two-level lists.
// Every generated file is first inspected (schema elements, and the type and encoding of
// every page) and a case whose file did not come out as intended fails as a generator
// problem. Then:
//   - a case that must succeed appends the file to a fresh table and reads the table back
//     with DuckDB and with `crvio read`; every value must be the one meant (int64 as
//     BigInt, doubles by their bits, strings exactly, structs field by field);
//   - a case that must be refused first appends a good batch, snapshots every file under
//     the root (sha256), appends the file, and requires the exit code, a one-line error
//     naming what the case says, and a byte-identical root.
//
// usage: node foreign_inputs.mjs --crvio PATH/crvio --work DIR [--only TEXT] [--list]
//                                [--check-inputs]
// --only TEXT runs the cases whose title holds TEXT; --list prints the titles. The work
// folder is emptied first. --check-inputs (for changing the cases; no --crvio needed) reads
// every input meant to succeed with DuckDB, or arrow-rs where DuckDB cannot, and compares it
// with the expected rows without running crvio: the generators write what the cases expect.
// Prints one line per case, a summary per rule and finally "N cases, M failed"; exits 1 when
// any case failed, 2 on a bad invocation.

import {existsSync, mkdirSync, openAsBlob, rmSync} from 'node:fs';
import {basename, join} from 'node:path';
import {parseArgs} from 'node:util';

import {DuckDBInstance} from '@duckdb/node-api';
import {tableFromIPC} from 'apache-arrow';
import {ParquetFile} from 'parquet-wasm';

import {GOOD_ROWS, RULES} from './lib/foreign/common.mjs';
import {appendArgs, crvioRows, duckdbRows, run, snapshot, snapshotDifference, writeJsonLines} from './lib/foreign/crvio.mjs';
import {allCases} from './lib/foreign/cases.mjs';
import {factProblems, fileFacts} from './lib/foreign/inspect.mjs';
import {looseFromArrow, looseFromDuckDB, reviveDoubles, rowsDifference} from './lib/foreign/values.mjs';
import {sqlString} from './lib/foreign/peers.mjs';

const USAGE = 'usage: node foreign_inputs.mjs --crvio PATH --work DIR [--only TEXT] [--list] ' +
    '[--check-inputs]';
let options;
try {
  options = parseArgs({
              options: {
                crvio: {type: 'string'},
                work: {type: 'string'},
                only: {type: 'string'},
                list: {type: 'boolean'},
                'check-inputs': {type: 'boolean'},
              }
            }).values;
} catch (error) {
  console.error(`${error.message}\n${USAGE}`);
  process.exit(2);
}

const cases = allCases().map((testCase) => ({
                               ...testCase,
                               title: `[${testCase.rule}] ${testCase.peer}: ${testCase.name}`,
                             }));
const titles = new Set();
for (const testCase of cases) {
  if (titles.has(testCase.title)) throw new Error(`two cases are called ${testCase.title}`);
  titles.add(testCase.title);
}
if (options.list) {
  for (const testCase of cases) console.log(testCase.title);
  process.exit(0);
}
if ((!options.crvio && !options['check-inputs']) || !options.work) {
  console.error(USAGE);
  process.exit(2);
}
if (options.crvio && !existsSync(options.crvio)) {
  console.error(`no crvio at ${options.crvio}`);
  process.exit(2);
}
const selected =
    options.only ? cases.filter((testCase) => testCase.title.includes(options.only)) : cases;
if (selected.length === 0) {
  console.error(`no case matches --only ${JSON.stringify(options.only)}`);
  process.exit(2);
}

rmSync(options.work, {recursive: true, force: true});
mkdirSync(join(options.work, 'inputs'), {recursive: true});
const instance = await DuckDBInstance.create(':memory:');
const duckdb = await instance.connect();
const RUN = 'foreign';

// ---- one case ----------------------------------------------------------------------------

function slug(testCase, index) {
  const words = `${testCase.rule}-${testCase.peer}-${testCase.name}`
                    .toLowerCase()
                    .replace(/[^a-z0-9]+/g, '-')
                    .replace(/^-|-$/g, '')
                    .slice(0, 60);
  return `${String(index).padStart(3, '0')}-${words}`;
}

function appendOptions(testCase) {
  return testCase.bucketSize ? ['--bucket-size', String(testCase.bucketSize)] : [];
}

// Expected rows with the bucket crvio derives from the tick.
function withBucket(testCase) {
  const size = BigInt(testCase.bucketSize ?? 100);
  return testCase.rows.map((row) => ({bucket: row.tick / size, ...row}));
}

async function expectSuccess(testCase, input, root) {
  const result = await run(
      options.crvio,
      appendArgs(root, RUN, testCase.table, input, 'parquet', appendOptions(testCase)));
  if (result.code !== 0) return `append exited ${result.code}: ${result.stderr.trim()}`;
  let summary;
  try {
    summary = JSON.parse(result.stdout);
  } catch {
    return `append printed no JSON summary: ${result.stdout.slice(0, 200)}`;
  }
  if (summary.rows !== testCase.rows.length)
    return `append reports ${summary.rows} rows, the file holds ${testCase.rows.length}`;
  const expected = withBucket(testCase);
  const viaDuckDB = await duckdbRows(duckdb, root, RUN, testCase.table, 'tick');
  const duckdbProblem = rowsDifference(expected, viaDuckDB, 'DuckDB reads back');
  if (duckdbProblem) return duckdbProblem;
  const byTick = (a, b) => (a.tick < b.tick ? -1 : a.tick > b.tick ? 1 : 0);
  const viaCrvio = (await crvioRows(options.crvio, root, RUN, testCase.table))
                       .sort(byTick)
                       .map((row, index) => reviveDoubles(expected[index], row));
  return rowsDifference(expected, viaCrvio, 'crvio read gives');
}

async function expectRefusal(testCase, input, root, work) {
  const refuse = testCase.refuse;
  const good = join(work, 'good.jsonl');
  writeJsonLines(good, testCase.good ?? GOOD_ROWS[testCase.table]);
  const first = await run(
      options.crvio, appendArgs(root, RUN, testCase.table, good, 'jsonl', appendOptions(testCase)));
  if (first.code !== 0)
    return `harness: the good batch was not appended (exit ${first.code}): ${first.stderr.trim()}`;
  const before = snapshot(root);
  const result = await run(
      options.crvio,
      appendArgs(root, RUN, testCase.table, input, 'parquet', appendOptions(testCase)));
  const problems = [];
  const stderr = result.stderr.trim();
  if (result.code !== refuse.exit) {
    problems.push(
        result.code === 0 ? `accepted (exit 0) instead of refused with exit ${refuse.exit}` :
                            `exit ${result.code}, expected ${refuse.exit}`);
  }
  if (result.code !== 0) {
    const lines = stderr.split('\n');
    if (lines.length !== 1) problems.push(`stderr has ${lines.length} lines, not one`);
    // The message is searched with the input's path taken out, so that a word of the path
    // (the case's name is in it) cannot stand in for what the message must say.
    const line = lines.at(-1).replaceAll(input, '<input>').replaceAll(basename(input), '<input>');
    if (!line.startsWith(`crvio: ${refuse.class}: `))
      problems.push(`the error is not "crvio: ${refuse.class}: ..."`);
    const missing = refuse.mentions.filter(
        (mention) => typeof mention === 'string' ? !line.includes(mention) : !mention.test(line));
    if (missing.length > 0)
      problems.push(`the message lacks ${
          missing.map((m) => typeof m === 'string' ? JSON.stringify(m) : m).join(', ')}`);
  }
  const changed = snapshotDifference(before, snapshot(root));
  if (changed) problems.push(`the root changed: ${changed}`);
  if (problems.length === 0) return null;
  return `${problems.join('; ')}${
      stderr ? ` -- stderr: ${stderr.split('\n').slice(0, 3).join(' | ')}` : ''}`;
}

// The input file's rows as DuckDB reads them against the expected rows (bucket left out);
// where DuckDB cannot read the file or reads it otherwise, arrow-rs is asked as well.
async function inputDifference(testCase, input) {
  let duckdbProblem;
  try {
    const reader = await duckdb.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(input)})`);
    const names = reader.columnNames();
    const actual = reader.getRows().map((values, row) => {
      const object = {};
      names.forEach((name, index) => {
        object[name] = looseFromDuckDB(values[index], testCase.rows[row]?.[name]);
      });
      return object;
    });
    duckdbProblem = rowsDifference(testCase.rows, actual, 'DuckDB reads the input file as');
  } catch (error) {
    duckdbProblem = `DuckDB cannot read the input file: ${error.message.split('\n')[0]}`;
  }
  if (!duckdbProblem) return null;
  let arrowProblem;
  try {
    const file = await ParquetFile.fromFile(await openAsBlob(input));
    const actual = [];
    for await (const batch of await file.stream({})) {
      const table = tableFromIPC(batch.intoIPCStream());
      for (let row = 0; row < table.numRows; row++) {
        const object = {};
        table.schema.fields.forEach((field, index) => {
          object[field.name] = looseFromArrow(
              field.type, table.getChildAt(index).get(row),
              testCase.rows[actual.length]?.[field.name]);
        });
        actual.push(object);
      }
    }
    arrowProblem = rowsDifference(testCase.rows, actual, 'arrow-rs reads the input file as');
  } catch (error) {
    arrowProblem = `arrow-rs cannot read the input file: ${error.message ?? error}`;
  }
  return arrowProblem ? `${duckdbProblem}; ${arrowProblem}` : null;
}

async function runCase(testCase, index) {
  const name = slug(testCase, index);
  const work = join(options.work, name);
  mkdirSync(work, {recursive: true});
  const input = join(options.work, 'inputs', `${name}.parquet`);
  try {
    await testCase.write(input, {duckdb});
  } catch (error) {
    return {
      generator: true,
      reason: `generator failed: ${error.stack?.split('\n').slice(0, 2).join(' ') ?? error}`
    };
  }
  let problems;
  try {
    problems = factProblems(fileFacts(input), {
      ...testCase.want,
      rows: testCase.rows ? testCase.rows.length : testCase.want?.rows,
    });
  } catch (error) {
    problems = [`cannot inspect the file: ${error.message}`];
  }
  if (problems.length > 0) {
    return {
      generator: true,
      reason: `generator problem, the file is not what the case tests: ${problems.join('; ')}`
    };
  }
  if (options['check-inputs']) {
    if (testCase.refuse) return {reason: null};
    return {reason: await inputDifference(testCase, input)};
  }
  const root = join(work, 'root');
  try {
    const reason = testCase.refuse ? await expectRefusal(testCase, input, root, work) :
                                     await expectSuccess(testCase, input, root);
    return {reason};
  } catch (error) {
    return {reason: `harness error: ${error.stack?.split('\n').slice(0, 2).join(' ') ?? error}`};
  }
}

// ---- all cases ---------------------------------------------------------------------------

const started = performance.now();
const failuresByRule = new Map();
const countByRule = new Map();
let failed = 0;
for (const [index, testCase] of selected.entries()) {
  const {reason} = await runCase(testCase, index);
  countByRule.set(testCase.rule, (countByRule.get(testCase.rule) ?? 0) + 1);
  if (reason) {
    failed++;
    failuresByRule.set(testCase.rule, (failuresByRule.get(testCase.rule) ?? 0) + 1);
    console.log(`FAIL ${testCase.title}: ${reason}`);
  } else {
    console.log(`ok   ${testCase.title}`);
  }
}
duckdb.closeSync();
instance.closeSync();

console.log('');
for (const [rule, count] of [...countByRule].sort((a, b) => a[0] - b[0])) {
  console.log(
      `rule ${rule} (${RULES[rule]}): ${count} cases, ${failuresByRule.get(rule) ?? 0} failed`);
}
console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${selected.length} cases, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
