#!/usr/bin/env node
// Times DuckDB scanning a crv-io table's part files, for the scan benchmark
// (bench/scan_bench): a tick range and the whole table, all columns. Results are
// streamed and their chunks fetched, not converted to JavaScript values, so the time is
// DuckDB's own reading. Each scan runs REPEAT times; the fastest is reported.
//
// usage: node scan_peers.mjs TABLE_DIR TICK_MIN TICK_MAX REPEAT
// prints: {"range": {"seconds": s, "rows": n}, "full": {"seconds": s, "rows": n}}

import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';

async function timeQuery(connection, sql, repeat) {
  let best = { seconds: Infinity, rows: 0 };
  for (let run = 0; run < repeat; run += 1) {
    const started = performance.now();
    const result = await connection.stream(sql);
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      rows += chunk.rowCount;
    }
    const seconds = (performance.now() - started) / 1000;
    if (seconds < best.seconds) best = { seconds, rows };
  }
  return best;
}

const [tableDir, tickMin, tickMax, repeatText] = process.argv.slice(2);
if (!tableDir || tickMin === undefined || tickMax === undefined) {
  console.error('usage: node scan_peers.mjs TABLE_DIR TICK_MIN TICK_MAX REPEAT');
  process.exit(2);
}
const repeat = Math.max(1, Number(repeatText ?? 3));
const files = path.join(tableDir, 'bucket=*', 'part-*.parquet');
const source = `read_parquet('${files}', hive_partitioning = false)`;

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const range = await timeQuery(
  connection,
  `SELECT * FROM ${source} WHERE tick BETWEEN ${Number(tickMin)} AND ${Number(tickMax)}`,
  repeat);
const full = await timeQuery(connection, `SELECT * FROM ${source}`, repeat);
console.log(JSON.stringify({ range, full }));
