#!/usr/bin/env node
// The whole cost of taking another engine's Parquet file into a table, against the peers
// doing the same job in the same run: DuckDB writes a holdings-shaped input (sorted ticks,
// 5,000 agent ids, 4 tokens, random quantities) as V2 pages (DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY) with brotli, and as V1 with snappy. Then, fastest of 3 runs:
//   crvio     the `crvio append` process from the input file: read, check, partition into
//             buckets, zstd parts, every fsync and the manifest commit;
//   duckdb    read_parquet of the input, the bucket column derived, one zstd file written
//             and fsynced (in-process: no process start);
//   polars    readParquet, the bucket column derived, writeParquet zstd, fsync.
// The peers write one file and no commit, so they do less than crvio does.
//
// usage: node foreign_append_peers.mjs CRVIO WORK_DIR [ROWS]

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';

const [crvio, work, rowsArgument] = process.argv.slice(2);
if (!crvio || !work) {
  console.error('usage: node foreign_append_peers.mjs CRVIO WORK_DIR [ROWS]');
  process.exit(2);
}
const rows = Number(rowsArgument ?? 2_000_000);
fs.mkdirSync(work, { recursive: true });

function fsyncFile(file) {
  const fd = fs.openSync(file, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

function timed(action) {
  const start = performance.now();
  action();
  return performance.now() - start;
}

const connection = await (await DuckDBInstance.create(':memory:')).connect();
const inputs = { 'V2 brotli': 'PARQUET_VERSION V2, COMPRESSION brotli', 'V1 snappy': 'COMPRESSION snappy' };
for (const [name, options] of Object.entries(inputs)) {
  const input = `${work}/input-${name.replace(' ', '-')}.parquet`;
  await connection.run(`COPY (SELECT (i // 1000)::BIGINT AS tick,
      'agent-' || (hash(i) % 5000)::VARCHAR AS agent_id,
      ['gold', 'silver', 'bronze', 'iron'][(i % 4) + 1] AS token_id,
      (hash(i * 7) % 1000000)::BIGINT AS quantity
    FROM range(${rows}) t(i)) TO '${input}' (FORMAT parquet, ${options})`);
  const best = { crvio: Infinity, duckdb: Infinity, polars: Infinity };
  for (let run = 0; run < 3; ++run) {
    const root = `${work}/root`;
    fs.rmSync(root, { recursive: true, force: true });
    best.crvio = Math.min(best.crvio, timed(() => execFileSync(
        crvio, ['append', '--root', root, '--run', 'r', '--table', 'holdings', '-q', input],
        { stdio: ['ignore', 'ignore', 'inherit'] })));

    const duckdbOut = `${work}/duckdb.parquet`;
    const start = performance.now();
    await connection.run(`COPY (SELECT tick // 100 AS bucket, * FROM read_parquet('${input}'))
      TO '${duckdbOut}' (FORMAT parquet, COMPRESSION zstd)`);
    fsyncFile(duckdbOut);
    best.duckdb = Math.min(best.duckdb, performance.now() - start);

    const polarsOut = `${work}/polars.parquet`;
    best.polars = Math.min(best.polars, timed(() => {
      pl.readParquet(input)
          .withColumns(pl.col('tick').div(100).floor().cast(pl.Int64).alias('bucket'))
          .writeParquet(polarsOut, { compression: 'zstd' });
      fsyncFile(polarsOut);
    }));
  }
  console.log(`${name}: ${rows} rows; crvio append ${best.crvio.toFixed(0)} ms, ` +
              `DuckDB ${best.duckdb.toFixed(0)} ms (crv-io ${(best.duckdb / best.crvio).toFixed(2)}x its speed), ` +
              `Polars ${best.polars.toFixed(0)} ms (${(best.polars / best.crvio).toFixed(2)}x)`);
}
