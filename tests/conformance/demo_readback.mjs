#!/usr/bin/env node
// A run written by `crvio demo` is read back by DuckDB and Polars: every table holds the
// rows its bundle counts, and column values agree with what `crvio read` prints. The
// DuckDB command the demo prints is run as printed.
//
// usage: node demo_readback.mjs --crvio PATH/crvio --work DIR
// Prints one line per check and finally "N passed, M failed"; exits 1 on any failure.

import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import {DuckDBInstance} from '@duckdb/node-api';
import pl from 'nodejs-polars';

import {Checks, scriptSetup} from './lib/script_checks.mjs';

const args = scriptSetup('demo_readback.mjs');
const root = args.root;
const RUN = 'demo-readback';
const checks = new Checks();
const expect = checks.expect.bind(checks);

// Small row groups and buckets, so tables span several buckets, parts and row groups.
const summary = execFileSync(
    args.crvio,
    ['demo', '--root', root, '--run', RUN, '--agents', '40', '--ticks', '120', '--seed', '11'], {
      encoding: 'utf8',
      env: {...process.env, CRV_IO_TICK_BUCKET_SIZE: '50', CRV_IO_ROW_GROUP_SIZE: '2000'}
    });
const bundle = JSON.parse(readFileSync(join(root, 'runs', RUN, 'bundle.manifest.json'), 'utf8'));

// What `crvio read` prints, one record per row.
function crvioRead(table) {
  const out = execFileSync(
      args.crvio, ['read', '--root', root, '--run', RUN, '--table', table],
      {encoding: 'utf8', maxBuffer: 1 << 30});
  return out.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
}

const sum = (values) => values.reduce((total, value) => total + value, 0);
const nonNull = (records, column) => records.filter((record) => record[column] !== null).length;

// Per table, one column statistic computed by DuckDB and from `crvio read`'s records.
const valueChecks = {
  exchange: {sql: 'count(price)', expected: (records) => nonNull(records, 'price')},
  identity_edges: {
    sql: 'sum(edge_sign)',
    expected: (records) => sum(records.map((record) => record.edge_sign ?? 0))
  },
  scenarios_seen: {
    sql: 'sum(len(salient_agent_pairs))',
    expected: (records) => sum(records.map((r) => r.salient_agent_pairs.length))
  },
  messages: {sql: 'count(stance_label)', expected: (records) => nonNull(records, 'stance_label')},
  decisions: {
    sql: 'sum(len(action_candidates))',
    expected: (records) => sum(records.map((r) => r.action_candidates.length))
  },
  oracle_calls: {
    sql: 'sum(latency_ms)',
    expected: (records) => sum(records.map((record) => record.latency_ms))
  },
  holdings:
      {sql: 'sum(quantity)', expected: (records) => sum(records.map((record) => record.quantity))},
  holdings_valuation:
      {sql: 'count(mark_price)', expected: (records) => nonNull(records, 'mark_price')},
};

expect(
    Object.keys(bundle.tables).sort().join() === Object.keys(valueChecks).sort().join(),
    'the bundle lists the 8 canonical tables', Object.keys(bundle.tables).join());

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
async function firstRow(sql) { return (await connection.runAndReadAll(sql)).getRowObjects()[0]; }

for (const [table, check] of Object.entries(valueChecks)) {
  const rows = bundle.tables[table]?.rows;
  const records = crvioRead(table);
  expect(
      rows > 0 && records.length === rows, `${table}: crvio read prints the bundle's ${rows} rows`,
      `(got ${records.length})`);
  const tickSum = sum(records.map((record) => record.tick));

  const glob = join(root, 'runs', RUN, 'tables', table, 'bucket=*', '*.parquet');
  // Hive partitioning off: the file's BIGINT bucket column, not the folder's text.
  const duck = await firstRow(`SELECT count(*) AS n, sum(tick) AS ticks, ${check.sql} AS value,
      sum(bucket) AS buckets FROM read_parquet('${glob}', hive_partitioning = false)`);
  expect(Number(duck.n) === rows, `${table}: DuckDB counts ${rows} rows`, `(got ${duck.n})`);
  expect(
      Number(duck.ticks) === tickSum, `${table}: DuckDB's sum of tick is crvio read's`,
      `(${duck.ticks} vs ${tickSum})`);
  expect(
      Number(duck.value) === check.expected(records),
      `${table}: DuckDB's ${check.sql} is crvio read's`,
      `(${duck.value} vs ${check.expected(records)})`);
  const bucketSum = sum(records.map((record) => record.bucket));
  expect(
      Number(duck.buckets) === bucketSum, `${table}: DuckDB's sum of bucket is crvio read's`,
      `(${duck.buckets} vs ${bucketSum})`);

  const polars = pl.scanParquet(glob)
                     .select(pl.len().alias('n'), pl.col('tick').sum().alias('ticks'))
                     .collectSync()
                     .toRecords()[0];
  expect(Number(polars.n) === rows, `${table}: Polars counts ${rows} rows`, `(got ${polars.n})`);
  expect(
      Number(polars.ticks) === tickSum, `${table}: Polars' sum of tick is crvio read's`,
      `(${polars.ticks} vs ${tickSum})`);
}

// The printed command, e.g.  duckdb -c "SELECT ... FROM read_parquet('...') ..."
const printed = summary.split('\n').find((line) => line.trimStart().startsWith('duckdb -c "'));
expect(printed !== undefined, 'the summary prints a duckdb command', summary);
if (printed !== undefined) {
  const sql = printed.trim().slice('duckdb -c "'.length, -1);
  const perToken = (await connection.runAndReadAll(sql)).getRowObjects();
  const trades = crvioRead('exchange').filter((record) => record.exchange_event_type === 'trade');
  expect(
      perToken.length > 0 && sum(perToken.map((row) => Number(row.trades))) === trades.length,
      `the printed DuckDB command counts crvio read's ${trades.length} trades`,
      JSON.stringify(
          perToken, (key, value) => (typeof value === 'bigint' ? Number(value) : value)));
}

checks.finish();
