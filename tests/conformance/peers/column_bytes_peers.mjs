#!/usr/bin/env node
// For the column bytes benchmark (bench/column_bytes_bench): DuckDB and Polars write the
// rows of INPUT.parquet as zstd Parquet with their defaults, and DuckDB reads the footers
// of their files and of crv-io's: every column's total_compressed_size summed over the row
// groups, and the encodings its chunks list.
//
// usage: node column_bytes_peers.mjs CRV.parquet INPUT.parquet OUT_DIR
// prints: {"crv-io": {"file_bytes": n, "columns": [{"column": "a", "bytes": n,
//          "encodings": "..."}, ...]}, "duckdb": {...}, "polars": {...}}, columns in file order

import fs from 'node:fs';
import path from 'node:path';

import {DuckDBInstance} from '@duckdb/node-api';
import pl from 'nodejs-polars';

const sqlString = (text) => `'${text.replaceAll('\'', '\'\'')}'`;

async function columnBytes(connection, file) {
  const reader = await connection.runAndReadAll(`
      SELECT path_in_schema, sum(total_compressed_size) AS bytes,
             string_agg(DISTINCT encodings, ' | ' ORDER BY encodings) AS encodings
      FROM parquet_metadata(${sqlString(file)})
      GROUP BY path_in_schema ORDER BY min(column_id)`);
  const columns = reader.getRowObjectsJS().map((row) => ({
                                                 column: row.path_in_schema.split(', ').join('.'),
                                                 bytes: Number(row.bytes),
                                                 encodings: row.encodings,
                                               }));
  return {file_bytes: fs.statSync(file).size, columns};
}

const [crvFile, input, outDir] = process.argv.slice(2);
if (!crvFile || !input || !outDir) {
  console.error('usage: node column_bytes_peers.mjs CRV.parquet INPUT.parquet OUT_DIR');
  process.exit(2);
}
fs.rmSync(outDir, {recursive: true, force: true});
fs.mkdirSync(outDir, {recursive: true});
const duckdbFile = path.join(outDir, 'duckdb.parquet');
const polarsFile = path.join(outDir, 'polars.parquet');

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
await connection.run(`COPY (SELECT * FROM read_parquet(${sqlString(input)})) TO ${
    sqlString(duckdbFile)} (FORMAT parquet, COMPRESSION zstd)`);
pl.readParquet(input).writeParquet(polarsFile, {compression: 'zstd'});

const result = {};
for (const [writer, file] of [['crv-io', crvFile], ['duckdb', duckdbFile], ['polars', polarsFile]])
  result[writer] = await columnBytes(connection, file);
console.log(JSON.stringify(result));
