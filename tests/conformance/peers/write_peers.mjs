#!/usr/bin/env node
// Times DuckDB and Polars writing the rows of INPUT.parquet as zstd Parquet, one file
// per bucket, for the write benchmark (bench/parquet_write_bench). Loading the input
// into memory is not timed, only the partitioned write.
//
// usage: node write_peers.mjs INPUT.parquet OUT_DIR
// prints: {"duckdb": {"seconds": s, "bytes": n, "files": k}, "polars": {...}}

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';
import pl from 'nodejs-polars';

function folderSize(folder) {
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      bytes += fs.statSync(path.join(entry.parentPath ?? entry.path, entry.name)).size;
      files += 1;
    }
  }
  return { bytes, files };
}

async function timeDuckdb(input, out) {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run(`CREATE TABLE edges AS SELECT * FROM read_parquet('${input}')`);
  const started = performance.now();
  await connection.run(
    `COPY edges TO '${out}' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (bucket))`);
  const seconds = (performance.now() - started) / 1000;
  return { seconds, ...folderSize(out) };
}

function timePolars(input, out) {
  const frame = pl.readParquet(input);
  fs.mkdirSync(out, { recursive: true });
  const started = performance.now();
  for (const part of frame.partitionBy('bucket')) {
    const bucket = String(part.getColumn('bucket').get(0)).padStart(6, '0');
    const folder = path.join(out, `bucket=${bucket}`);
    fs.mkdirSync(folder, { recursive: true });
    part.writeParquet(path.join(folder, 'part-0.parquet'), { compression: 'zstd' });
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, ...folderSize(out) };
}

const [input, outDir] = process.argv.slice(2);
if (!input || !outDir) {
  console.error('usage: node write_peers.mjs INPUT.parquet OUT_DIR');
  process.exit(2);
}
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const duckdb = await timeDuckdb(input, path.join(outDir, 'duckdb'));
const polars = timePolars(input, path.join(outDir, 'polars'));
console.log(JSON.stringify({ duckdb, polars }));
