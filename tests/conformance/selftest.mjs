#!/usr/bin/env node
// Proves the oracles before the C++ tests lean on them: fixtures with known
// canonical rows are written by DuckDB and by Polars under every codec, read
// back by all four engines through the command line, and compared with the
// rows they were written from. Special doubles are spelled as literal IEEE-754
// bit patterns here, not computed by the library under test.
//
// Usage: node selftest.mjs [--keep] [--only TEXT]
//   --keep leaves the temporary folder; --only runs the tests whose name holds TEXT.

import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const ORACLE = fileURLToPath(new URL('./oracle.mjs', import.meta.url));
const READERS = ['duckdb', 'polars', 'arrow', 'hyparquet'];
const WRITERS = ['duckdb', 'polars'];
// What DuckDB's parquet_metadata calls each codec the writers are asked for.
const CODEC_NAMES = {
  zstd: 'ZSTD',
  snappy: 'SNAPPY',
  lz4: 'LZ4_RAW',
  uncompressed: 'UNCOMPRESSED'
};

// ---- canonical literals ------------------------------------------------------

const INT64_MIN = '-9223372036854775808';
const INT64_MAX = '9223372036854775807';
const F64 = {
  positiveZero: 'f64:0000000000000000',
  negativeZero: 'f64:8000000000000000',
  one: 'f64:3ff0000000000000',
  minusTwoAndAHalf: 'f64:c004000000000000',
  oneTenth: 'f64:3fb999999999999a',
  max: 'f64:7fefffffffffffff',
  minSubnormal: 'f64:0000000000000001',
  minNormal: 'f64:0010000000000000',
  positiveInfinity: 'f64:7ff0000000000000',
  negativeInfinity: 'f64:fff0000000000000',
  nan: 'f64:nan',
};
// Over 64 KiB of UTF-8 (two-byte, four-byte and one-byte characters).
const LONG_TEXT = `s:${'é'.repeat(33000)}${'🦆'.repeat(100)}${'x'.repeat(1000)}`;

const nullable = (name, type) => ({name, type, nullable: true});
const list = (type, itemNullable = true) => ({list: {type, nullable: itemNullable}});
const struct = (...fields) => ({struct: fields});

const SCALARS = {
  schema: {
    columns: [
      nullable('i', 'int64'), nullable('f', 'float64'), nullable('s', 'utf8'), nullable('b', 'bool')
    ]
  },
  rows: [
    {i: INT64_MIN, f: F64.negativeZero, s: 's:', b: true},
    {i: INT64_MAX, f: F64.positiveZero, s: 's:😀', b: false},
    {i: '0', f: F64.nan, s: 's:中文字符', b: null},
    {i: '-1', f: F64.positiveInfinity, s: 's:naïve café', b: true},
    {
      i: '9007199254740993',
      f: F64.negativeInfinity,
      s: 's:quote " backslash \\ newline \n tab \t ctrl \u0001 del \u007f',
      b: false
    },
    {i: null, f: F64.one, s: LONG_TEXT, b: true},
    {i: '-9007199254740993', f: F64.minusTwoAndAHalf, s: null, b: null},
    {i: '123456789012345678', f: F64.oneTenth, s: 's:ℝ𝔸 𝄞', b: false},
    {i: '-123456789012345678', f: F64.max, s: 's:Ж', b: true},
    {i: '42', f: F64.minSubnormal, s: 's:🦆🦆', b: true},
    {i: null, f: F64.minNormal, s: 's:a', b: null},
    {i: '1', f: null, s: 's:\u00a0', b: false},
  ],
};

// Lists of structs holding nulls, structs holding lists, and "deep" nesting
// list > struct > struct > list, with null and empty at every level.
const NESTED = {
  schema: {
    columns: [
      nullable('tags', list('utf8')),
      nullable(
          'points',
          list(
              struct(nullable('x', 'int64'), nullable('y', 'float64'), nullable('label', 'utf8')))),
      nullable(
          'holder',
          struct(
              nullable('name', 'utf8'), nullable('values', list('float64')),
              nullable('ids', list('int64')))),
      nullable(
          'deep',
          list(struct(
              nullable('name', 'utf8'),
              nullable('inner', struct(nullable('ks', list('int64')), nullable('v', 'float64')))))),
    ],
  },
  rows: [
    {
      tags: ['s:a', null, 's:'],
      points: [{x: '1', y: F64.one, label: 's:p'}, null, {x: null, y: null, label: null}],
      holder: {name: 's:h', values: [F64.nan, null, F64.negativeZero], ids: []},
      deep: [{name: 's:d', inner: {ks: ['1', null, '-1'], v: F64.positiveInfinity}}, null],
    },
    {tags: [], points: [], holder: {name: null, values: null, ids: null}, deep: []},
    {tags: null, points: null, holder: null, deep: null},
    {
      tags: [null],
      points: [null],
      holder: {name: 's:', values: [], ids: [INT64_MIN, INT64_MAX]},
      deep: [
        {name: null, inner: null},
        {name: 's:中', inner: {ks: [], v: null}},
        {name: 's:x', inner: {ks: null, v: F64.negativeZero}},
      ],
    },
    {
      tags: ['s:😀'],
      points: [{x: INT64_MAX, y: F64.negativeInfinity, label: 's:😀'}],
      holder: {name: 's:🦆', values: [null], ids: ['0', null]},
      deep: [null, null],
    },
  ],
};

// A table shaped like crv's decisions, large enough for several row groups.
const DECISIONS = {
  schema: {
    columns: [
      nullable('bucket', 'int64'),
      nullable('tick', 'int64'),
      nullable('agent_id', 'utf8'),
      nullable(
          'chosen_action', struct(nullable('action_type', 'utf8'), nullable('score', 'float64'))),
      nullable(
          'action_candidates',
          list(struct(
              nullable('action_type', 'utf8'),
              nullable(
                  'parameters',
                  struct(nullable('quantity', 'int64'), nullable('limit', 'float64'))),
              nullable('score', 'float64'), nullable('key', 'utf8')))),
      nullable('flagged', 'bool'),
    ],
  },
  rows: decisionRows(5000),
};

const EMPTY = {
  schema: SCALARS.schema,
  rows: []
};

const FIXTURES = {
  scalars: SCALARS,
  nested: NESTED,
  decisions: DECISIONS,
  empty: EMPTY
};

function decisionRows(count) {
  const random = mulberry32(20250920);
  const rows = [];
  for (let index = 0; index < count; index++) {
    const tick = BigInt(index) * 3n;
    const candidates = Array.from(
        {length: index % 4}, (_, k) => ({
                               action_type: k % 2 === 0 ? 's:buy' : 's:sell',
                               parameters: k === 2 ? null : {
                                 quantity: String(BigInt(index) * 1_000_003n - BigInt(k)),
                                 limit: k === 1 ? null : doubleBits(random() * 200 - 100)
                               },
                               score: doubleBits(random()),
                               key: `s:${index}-${k}`,
                             }));
    rows.push({
      bucket: String(tick / 100n),
      tick: String(tick),
      agent_id: `s:agent-${index % 97}`,
      chosen_action: index % 13 === 0 ? null :
                                        {action_type: 's:hold', score: doubleBits(random() - 0.5)},
      action_candidates: index % 17 === 0 ? null : candidates,
      flagged: index % 5 === 0 ? null : index % 2 === 0,
    });
  }
  return rows;
}

// The test's own double -> bits route, independent of lib/canonical.mjs.
function doubleBits(number) {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, number);
  return `f64:${view.getBigUint64(0).toString(16).padStart(16, '0')}`;
}

function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- harness -------------------------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), 'crv-oracle-selftest-'));
const tests = [];
const test = (name, body) => tests.push({name, body});

function oracle(...args) {
  const result =
      spawnSync(process.execPath, [ORACLE, ...args], {encoding: 'utf8', maxBuffer: 1 << 28});
  if (result.error) throw result.error;
  return {status: result.status, stdout: result.stdout, stderr: result.stderr};
}

function explain(run) {
  return `exit ${run.status}\nstdout: ${run.stdout.trim()}\nstderr: ${run.stderr.trim()}`;
}

function expectStatus(run, status) { assert.equal(run.status, status, explain(run)); }

function toLines(rows) { return rows.map((row) => `${JSON.stringify(row)}\n`).join(''); }

function saveFixture(name, {schema, rows}) {
  const schemaPath = join(workDir, `${name}.schema.json`);
  const rowsPath = join(workDir, `${name}.jsonl`);
  writeFileSync(schemaPath, JSON.stringify(schema));
  writeFileSync(rowsPath, toLines(rows));
  return {schemaPath, rowsPath, rows};
}

function checkLines(file, schemaPath, rowsPath, engines = READERS) {
  return oracle('check', file, schemaPath, rowsPath, '--engines', engines.join(','));
}

function assertAllOk(run, rowCount, engines = READERS) {
  expectStatus(run, 0);
  assert.deepEqual(
      run.stdout.trim().split('\n'), engines.map((engine) => `${engine} ok ${rowCount} rows`));
}

function meta(file) {
  const run = oracle('meta', file);
  expectStatus(run, 0);
  return JSON.parse(run.stdout);
}

// ---- tests ---------------------------------------------------------------------

const saved = Object.fromEntries(
    Object.entries(FIXTURES).map(([name, fixture]) => [name, saveFixture(name, fixture)]));

for (const [name, fixture] of Object.entries(saved)) {
  for (const writer of WRITERS) {
    for (const codec of Object.keys(CODEC_NAMES)) {
      test(`${writer} writes ${name} with ${codec}; all readers agree`, () => {
        const file = join(workDir, `${name}.${writer}.${codec}.parquet`);
        expectStatus(
            oracle(
                'write', writer, fixture.schemaPath, fixture.rowsPath, file, '--compression',
                codec),
            0);
        assertAllOk(checkLines(file, fixture.schemaPath, fixture.rowsPath), fixture.rows.length);
        if (fixture.rows.length > 0) {
          const codecs = new Set(meta(file).columns.map((column) => column.compression));
          assert.deepEqual([...codecs], [CODEC_NAMES[codec]]);
        }
      });
    }
  }
}

test('read prints the compact canonical lines, byte for byte, for every engine', () => {
  const file = join(workDir, 'nested.duckdb.zstd.parquet');
  const expected = readFileSync(saved.nested.rowsPath, 'utf8');
  for (const engine of READERS) {
    const run = oracle('read', engine, file, saved.nested.schemaPath);
    expectStatus(run, 0);
    assert.equal(run.stdout, expected, `${engine} output differs`);
  }
  const scalars = oracle(
      'read', 'hyparquet', join(workDir, 'scalars.polars.zstd.parquet'), saved.scalars.schemaPath);
  assert.equal(scalars.stdout, readFileSync(saved.scalars.rowsPath, 'utf8'));
});

test('check compares values, not JSON formatting', () => {
  const spaced = join(workDir, 'scalars.spaced.jsonl');
  const asciiOnly = (text) => text.replace(
      /[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(
      spaced,
      SCALARS.rows
          .map((row) => `${asciiOnly(JSON.stringify(row, null, 1).replaceAll('\n', ' '))}\n`)
          .join(''));
  assertAllOk(
      checkLines(join(workDir, 'scalars.duckdb.snappy.parquet'), saved.scalars.schemaPath, spaced),
      SCALARS.rows.length);
});

test('check names the first differing value by row and column path', () => {
  const rows = structuredClone(NESTED.rows);
  rows[3].deep[2].inner.v = F64.positiveZero;
  const changed = join(workDir, 'nested.changed.jsonl');
  writeFileSync(changed, toLines(rows));
  const run =
      checkLines(join(workDir, 'nested.polars.lz4.parquet'), saved.nested.schemaPath, changed);
  expectStatus(run, 1);
  const values = `expected "${F64.positiveZero}", got "${F64.negativeZero}"`;
  const expectedTail = `row 3 (line 4) column deep[2].inner.v: ${values}`;
  assert.deepEqual(
      run.stdout.trim().split('\n'), READERS.map((engine) => `${engine} MISMATCH ${expectedTail}`));
});

test('check reports missing and extra rows', () => {
  const fewer = join(workDir, 'scalars.fewer.jsonl');
  writeFileSync(fewer, toLines(SCALARS.rows.slice(0, -1)));
  const file = join(workDir, 'scalars.duckdb.zstd.parquet');
  const short = checkLines(file, saved.scalars.schemaPath, fewer);
  expectStatus(short, 1);
  for (const line of short.stdout.trim().split('\n'))
    assert.match(line, /^\w+ MISMATCH row count: .* has 11 rows, \w+ reads more$/);
  const more = join(workDir, 'scalars.more.jsonl');
  writeFileSync(more, toLines([...SCALARS.rows, SCALARS.rows[0]]));
  const long = checkLines(file, saved.scalars.schemaPath, more);
  expectStatus(long, 1);
  for (const line of long.stdout.trim().split('\n'))
    assert.match(line, /^\w+ MISMATCH row count: expected 13 rows, \w+ reads 12$/);
});

test('check reports a column whose type differs from the schema', () => {
  const schema = structuredClone(SCALARS.schema);
  schema.columns[0].type = 'float64';
  const schemaPath = join(workDir, 'scalars.wrong-type.schema.json');
  writeFileSync(schemaPath, JSON.stringify(schema));
  const run =
      checkLines(join(workDir, 'scalars.polars.zstd.parquet'), schemaPath, saved.scalars.rowsPath);
  expectStatus(run, 1);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines.length, READERS.length);
  READERS.forEach(
      (engine, index) => assert.match(
          lines[index],
          new RegExp(`^${engine} MISMATCH schema 'i': expected float64, ${engine} reads int64$`)));
});

test('writers cannot store REQUIRED columns; say so, and arrow/hyparquet notice', () => {
  const schema = {
    columns: [
      {name: 'id', type: 'int64', nullable: false},
      nullable('tags', list('int64', false)),
    ],
  };
  const fixture = saveFixture(
      'required',
      {schema, rows: [{id: '1', tags: ['2']}, {id: '3', tags: null}, {id: '4', tags: []}]});
  for (const writer of WRITERS) {
    const file = join(workDir, `required.${writer}.parquet`);
    const write = oracle('write', writer, fixture.schemaPath, fixture.rowsPath, file);
    expectStatus(write, 0);
    assert.match(
        write.stderr,
        new RegExp(
            `note: ${writer} wrote these non-nullable positions as OPTIONAL: id, tags\\[\\]`));
    const run = checkLines(file, fixture.schemaPath, fixture.rowsPath);
    expectStatus(run, 1);
    assert.deepEqual(run.stdout.trim().split('\n'), [
      'duckdb ok 3 rows',
      'polars ok 3 rows',
      'arrow MISMATCH schema \'id\': expected non-nullable (REQUIRED), arrow reads nullable (OPTIONAL)',
      'hyparquet MISMATCH schema \'id\': expected non-nullable (REQUIRED), hyparquet reads nullable (OPTIONAL)',
    ]);
  }
});

test('meta shows key-value metadata, row groups and exact int64 statistics', () => {
  const file = join(workDir, 'scalars.kv.parquet');
  const write = oracle(
      'write', 'duckdb', saved.scalars.schemaPath, saved.scalars.rowsPath, file, '--kv',
      'crv_schema_version=0.1@2025-09-20', '--kv', 'crv_table_name=holdings', '--kv', 'note=a=b ü');
  expectStatus(write, 0);
  const info = meta(file);
  assert.deepEqual(
      info.kv, {crv_schema_version: '0.1@2025-09-20', crv_table_name: 'holdings', note: 'a=b ü'});
  assert.equal(info.row_groups, 1);
  assert.equal(info.num_rows, SCALARS.rows.length);
  assert.match(info.created_by, /^DuckDB/);
  assert.deepEqual(
      info.columns.map((c) => [c.path_in_schema, c.type]),
      [['i', 'INT64'], ['f', 'DOUBLE'], ['s', 'BYTE_ARRAY'], ['b', 'BOOLEAN']]);
  const ints = SCALARS.rows.map((row) => row.i).filter((i) => i !== null).map(BigInt);
  const [intColumn] = info.columns;
  assert.equal(intColumn.stats_min_value, String(ints.reduce((a, b) => (b < a ? b : a))));
  assert.equal(intColumn.stats_max_value, String(ints.reduce((a, b) => (b > a ? b : a))));
  const nullCounts = info.columns.map((c) => c.stats_null_count);
  assert.deepEqual(
      nullCounts,
      ['i', 'f', 's', 'b'].map((name) => SCALARS.rows.filter((row) => row[name] === null).length));
});

test('sql prints one JSON object per row, 64-bit integers exact', () => {
  const file = join(workDir, 'scalars.sql.parquet');
  expectStatus(
      oracle('write', 'duckdb', saved.scalars.schemaPath, saved.scalars.rowsPath, file), 0);
  const run = oracle(
      'sql',
      `SELECT count(*) AS n, max(i) AS top, 9007199254740993::BIGINT AS big FROM read_parquet('${
          file}')`);
  expectStatus(run, 0);
  const ints = SCALARS.rows.map((row) => row.i).filter((i) => i !== null).map(BigInt);
  const top = ints.reduce((a, b) => (b > a ? b : a));
  const [row, ...rest] = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.deepEqual(rest, []);
  assert.equal(row.n, SCALARS.rows.length);
  assert.equal(String(row.top), String(top));
  assert.equal(row.big, '9007199254740993');
  const bad = oracle('sql', 'SELECT * FROM no_such_table');
  expectStatus(bad, 1);
  assert.match(bad.stderr, /^duckdb: .*no_such_table/);
});

test('meta lists nested leaf columns in dotted form, one entry per row group', () => {
  const file = join(workDir, 'decisions.polars.grouped.parquet');
  expectStatus(
      oracle(
          'write', 'polars', saved.decisions.schemaPath, saved.decisions.rowsPath, file,
          '--row-group-size', '1000'),
      0);
  const info = meta(file);
  assert.equal(info.row_groups, Math.ceil(DECISIONS.rows.length / 1000));
  const groupZero = info.columns.filter((c) => c.row_group === 0).map((c) => c.path_in_schema);
  assert.deepEqual(groupZero, [
    'bucket',
    'tick',
    'agent_id',
    'chosen_action.action_type',
    'chosen_action.score',
    'action_candidates.list.element.action_type',
    'action_candidates.list.element.parameters.quantity',
    'action_candidates.list.element.parameters.limit',
    'action_candidates.list.element.score',
    'action_candidates.list.element.key',
    'flagged',
  ]);
  assert.equal(info.columns.length, groupZero.length * info.row_groups);
  assertAllOk(
      checkLines(file, saved.decisions.schemaPath, saved.decisions.rowsPath),
      DECISIONS.rows.length);
});

test('row group size: Polars cuts exactly, DuckDB rounds up and the write says so', () => {
  const file = join(workDir, 'decisions.duckdb.grouped.parquet');
  const write = oracle(
      'write', 'duckdb', saved.decisions.schemaPath, saved.decisions.rowsPath, file,
      '--row-group-size', '1000');
  expectStatus(write, 0);
  assert.match(
      write.stderr, /note: duckdb did not cut row groups of 1000 rows: got \[2048, 2048, 904\]/);
  assertAllOk(
      checkLines(file, saved.decisions.schemaPath, saved.decisions.rowsPath),
      DECISIONS.rows.length);
});

test('write rejects rows outside the canonical form, naming line and path', () => {
  const cases = [
    [
      {i: '9223372036854775808', f: null, s: null, b: null},
      'line 1 column i: int64 9223372036854775808 is out of range'
    ],
    [
      {i: '-0', f: null, s: null, b: null},
      'line 1 column i: int64 must be a JSON string of decimal digits, got "-0"'
    ],
    [
      {i: 5, f: null, s: null, b: null},
      'line 1 column i: int64 must be a JSON string of decimal digits, got 5'
    ],
    [
      {i: null, f: 'f64:7ff8000000000001', s: null, b: null},
      'line 1 column f: f64:7ff8000000000001 is a NaN; every NaN is written "f64:nan"'
    ],
    [
      {i: null, f: 'f64:3FF0000000000000', s: null, b: null},
      'line 1 column f: float64 must be "f64:" + 16 lowercase hex digits or "f64:nan"'
    ],
    [
      {i: null, f: null, s: 'plain', b: null},
      'line 1 column s: utf8 must be a JSON string starting with "s:"'
    ],
    [
      {i: null, f: null, s: 's:\ud800', b: null},
      'line 1 column s: utf8 value holds a lone UTF-16 surrogate'
    ],
    [{i: null, f: null, s: null}, 'line 1 column b: missing (write null explicitly)'],
    [{i: null, f: null, s: null, b: null, extra: null}, 'line 1: unknown field "extra"'],
  ];
  for (const [row, message] of cases) {
    const input = join(workDir, 'bad.jsonl');
    writeFileSync(input, toLines([row]));
    const run =
        oracle('write', 'duckdb', saved.scalars.schemaPath, input, join(workDir, 'bad.parquet'));
    expectStatus(run, 2);
    assert.ok(
        run.stderr.includes(`bad.jsonl ${message}`), `for ${JSON.stringify(row)}: ${run.stderr}`);
  }
  const nested = join(workDir, 'bad-nested.jsonl');
  const rows = structuredClone(NESTED.rows.slice(0, 2));
  rows[1].points = [{x: '1', y: 'f64:nan', label: 7}];
  writeFileSync(nested, toLines(rows));
  const run =
      oracle('write', 'polars', saved.nested.schemaPath, nested, join(workDir, 'bad.parquet'));
  expectStatus(run, 2);
  assert.match(
      run.stderr,
      /bad-nested\.jsonl line 2 column points\[0\]\.label: utf8 must be a JSON string starting with "s:", got 7/);
});

test('serve answers each command line in order, as the command line would', () => {
  const file = join(workDir, 'scalars.serve.parquet');
  expectStatus(
      oracle('write', 'duckdb', saved.scalars.schemaPath, saved.scalars.rowsPath, file), 0);
  const check = ['check', file, saved.scalars.schemaPath, saved.scalars.rowsPath];
  const requests = [
    ['meta', file], [...check, '--engines', 'hyparquet,duckdb'], ['check', file],
    [...check, '--engines', 'sqlite']
  ];
  const input = [...requests.map((args) => JSON.stringify(args)), '', 'not json', '[1]', ''];
  const run =
      spawnSync(process.execPath, [ORACLE, 'serve'], {input: input.join('\n'), encoding: 'utf8'});
  expectStatus(run, 0);
  const answers = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(answers.length, requests.length + 2);
  requests.forEach((args, index) => {
    const alone = oracle(...args);
    assert.deepEqual(
        answers[index], {code: alone.status, stdout: alone.stdout, stderr: alone.stderr},
        JSON.stringify(args));
  });
  assert.deepEqual(answers[0], {code: 0, stdout: oracle('meta', file).stdout, stderr: ''});
  assert.equal(
      answers[1].stdout,
      `hyparquet ok ${SCALARS.rows.length} rows\nduckdb ok ${SCALARS.rows.length} rows\n`);
  assert.equal(answers[2].code, 2);
  assert.match(answers[requests.length].stderr, /is not valid JSON/);
  assert.equal(answers[requests.length].code, 2);
  assert.deepEqual(
      answers[requests.length + 1],
      {code: 2, stdout: '', stderr: 'serve wants one JSON array of strings per line\n'});
});

test('bad invocations exit 2 with a reason', () => {
  const file = join(workDir, 'scalars.duckdb.zstd.parquet');
  const cases = [
    [['read', 'sqlite', file, saved.scalars.schemaPath], /engine "sqlite" cannot read/],
    [
      ['write', 'hyparquet', saved.scalars.schemaPath, saved.scalars.rowsPath, file],
      /engine "hyparquet" cannot write/
    ],
    [
      [
        'write', 'polars', saved.scalars.schemaPath, saved.scalars.rowsPath,
        join(workDir, 'x.parquet'), '--kv', 'a=b'
      ],
      /nodejs-polars cannot write Parquet key-value metadata/
    ],
    [
      [
        'write', 'duckdb', saved.scalars.schemaPath, saved.scalars.rowsPath,
        join(workDir, 'x.parquet'), '--compression', 'gzip'
      ],
      /--compression must be one of/
    ],
    [['check', file, saved.scalars.schemaPath], /check takes 3 arguments, got 2/],
    [['frobnicate'], /usage:/],
  ];
  for (const [args, pattern] of cases) {
    const run = oracle(...args);
    expectStatus(run, 2);
    assert.match(run.stderr, pattern);
  }
  const badSchema = join(workDir, 'bad.schema.json');
  writeFileSync(
      badSchema, JSON.stringify({columns: [{name: 'a', type: {struct: []}, nullable: true}]}));
  const run = oracle('read', 'duckdb', file, badSchema);
  expectStatus(run, 2);
  assert.match(run.stderr, /invalid schema .*: struct at 'a' has no fields/);
});

// ---- run -----------------------------------------------------------------------

const {values: flags} = parseArgs(
    {options: {keep: {type: 'boolean', default: false}, only: {type: 'string', default: ''}}});
let passed = 0;
let failed = 0;
for (const {name, body} of tests.filter((t) => t.name.includes(flags.only))) {
  const started = Date.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error.message).replaceAll('\n', '\n     ')}`);
  }
}
if (flags.keep)
  console.log(`fixtures kept in ${workDir}`);
else
  rmSync(workDir, {recursive: true, force: true});
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
