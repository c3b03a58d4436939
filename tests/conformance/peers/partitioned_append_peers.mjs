#!/usr/bin/env node
// The peers of bench/partitioned_append_bench.py: DuckDB and Polars doing, one process per
// measurement, what `crvio append --format parquet FILE` does for a user: read a Parquet
// file and write its rows as zstd Parquet, one folder per bucket, made durable.
//
// usage:
//   node partitioned_append_peers.mjs input duckdb CODES_DIR OUT.parquet sorted|shuffled
//       DuckDB turns the harness's rows (CODES_DIR, below) into an input file with its
//       defaults (snappy, row groups of 122,880 rows, pages v1), in the harness's order
//       (sorted by tick) or in the order of the shuffle_key column (rows in random order).
//   node partitioned_append_peers.mjs input polars IN.parquet OUT.parquet
//       Polars reads IN and writes it again with its own defaults (its codec, row groups
//       and encodings), so that an input written by Polars is measured too.
//   node partitioned_append_peers.mjs duckdb INPUT.parquet OUT_DIR
//       COPY (SELECT * FROM read_parquet(INPUT)) TO OUT_DIR (FORMAT parquet,
//       COMPRESSION zstd, PARTITION_BY (bucket)) in a fresh in-memory database.
//   node partitioned_append_peers.mjs polars INPUT.parquet OUT_DIR
//       readParquet(INPUT), partitionBy('bucket'), writeParquet(zstd) of each part to
//       OUT_DIR/bucket=N/part-0.parquet.
//
// Both writers then fsync every file they wrote, every folder and OUT_DIR itself (crvio
// fsyncs its parts, their folders and the manifest). OUT_DIR must not exist.
//
// prints one JSON object: {"ready_seconds": s, "work_seconds": s, ...}
//   ready_seconds  from the process's time origin (Node's start) to the moment the modules
//                  are loaded (and, for DuckDB, the database is open): startup
//   work_seconds   from then to the end of the last fsync: the measured work
//   read_seconds   (polars) of which reading the input into a DataFrame
//   files, bytes   the Parquet files written and their total size

import fs from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';

import {DuckDBInstance} from '@duckdb/node-api';
import pl from 'nodejs-polars';

const USAGE = `usage:
  node partitioned_append_peers.mjs input duckdb CODES_DIR OUT.parquet sorted|shuffled
  node partitioned_append_peers.mjs input polars IN.parquet OUT.parquet
  node partitioned_append_peers.mjs duckdb|polars INPUT.parquet OUT_DIR`;

// The harness's rows come as one file of little-endian int32 codes per column, named
// COLUMN.i32; DuckDB turns the codes into identity_edges values (-1 is null, and 0 for
// edge_sign; edge_weight is in millionths).
const CODE_COLUMNS = [
  'tick', 'observer', 'edge_kind', 'subject', 'object', 'related', 'token', 'weight', 'sign',
  'shuffle_key'
];
const EDGE_KINDS = ['observed', 'trusts', 'distrusts', 'traded_with', 'follows'];
const VALUES = `(tick::BIGINT // 100) AS bucket, tick::BIGINT AS tick,
    'agent-' || lpad(observer::VARCHAR, 6, '0') AS observer_agent_id,
    [${EDGE_KINDS.map((kind) => `'${kind}'`).join(', ')}][edge_kind + 1] AS edge_kind,
    'agent-' || lpad(nullif(subject, -1)::VARCHAR, 6, '0') AS subject_id,
    'object-' || nullif(object, -1)::VARCHAR AS object_id,
    'agent-' || lpad(nullif(related, -1)::VARCHAR, 6, '0') AS related_agent_id,
    'token-' || lpad(nullif(token, -1)::VARCHAR, 2, '0') AS token_id,
    weight::DOUBLE / 1e6 AS edge_weight,
    nullif(sign, 0)::BIGINT AS edge_sign`;

// Gathers the code files into an uncompressed Parquet file (through Polars, which takes
// typed arrays as they are), once per folder.
function codesFile(folder) {
  const file = path.join(folder, 'codes.parquet');
  if (!fs.existsSync(file)) {
    const columns = CODE_COLUMNS.map((name) => {
      const bytes = fs.readFileSync(path.join(folder, `${name}.i32`));
      const aligned = new Uint8Array(bytes.length);
      aligned.set(bytes);
      return pl.Series(name, new Int32Array(aligned.buffer));
    });
    pl.DataFrame(columns).writeParquet(file, {compression: 'uncompressed'});
  }
  return file;
}

function sqlString(text) { return `'${text.replaceAll('\'', '\'\'')}'`; }

function fsyncPath(file) {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// Fsyncs every file under folder, every folder below it and folder itself (children
// first, so a folder is synced after the entries it names); counts the Parquet files.
function fsyncTree(folder) {
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(folder, {withFileTypes: true})) {
    const child = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      const below = fsyncTree(child);
      files += below.files;
      bytes += below.bytes;
    } else if (entry.isFile()) {
      fsyncPath(child);
      if (entry.name.endsWith('.parquet')) {
        files += 1;
        bytes += fs.statSync(child).size;
      }
    }
  }
  fsyncPath(folder);
  return {files, bytes};
}

async function openDuckdb() { return (await DuckDBInstance.create(':memory:')).connect(); }

async function writeInput(writer, source, out, order) {
  if (writer === 'duckdb') {
    if (order !== 'sorted' && order !== 'shuffled') throw new Error(USAGE);
    const codes = sqlString(codesFile(source));
    const connection = await openDuckdb();
    // DuckDB keeps the order of the query's rows in the file (preserve_insertion_order).
    await connection.run(
        `COPY (SELECT ${VALUES} FROM read_parquet(${codes})` +
        `${order === 'shuffled' ? ' ORDER BY shuffle_key' : ''}) ` +
        `TO ${sqlString(out)} (FORMAT parquet)`);
  } else if (writer === 'polars') {
    pl.readParquet(source).writeParquet(out, {compression: 'zstd'});
  } else {
    throw new Error(USAGE);
  }
  fsyncPath(out);
  console.log(JSON.stringify({bytes: fs.statSync(out).size}));
}

async function timeDuckdb(input, out) {
  const connection = await openDuckdb();
  const ready = performance.now();
  await connection.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(input)})) TO ` +
      `${sqlString(out)} (FORMAT parquet, COMPRESSION zstd, ` +
      `PARTITION_BY (bucket))`);
  const written = fsyncTree(out);
  const done = performance.now();
  return {ready_seconds: ready / 1000, work_seconds: (done - ready) / 1000, ...written};
}

function timePolars(input, out) {
  const ready = performance.now();
  const frame = pl.readParquet(input);
  const read = performance.now();
  fs.mkdirSync(out);
  for (const part of frame.partitionBy('bucket')) {
    const folder = path.join(out, `bucket=${part.getColumn('bucket').get(0)}`);
    fs.mkdirSync(folder);
    part.writeParquet(path.join(folder, 'part-0.parquet'), {compression: 'zstd'});
  }
  const written = fsyncTree(out);
  const done = performance.now();
  return {
    ready_seconds: ready / 1000,
    work_seconds: (done - ready) / 1000,
    read_seconds: (read - ready) / 1000,
    ...written
  };
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'input' && (args.length === 4 || args.length === 3)) {
    await writeInput(...args);
  } else if ((command === 'duckdb' || command === 'polars') && args.length === 2) {
    const [input, out] = args;
    if (fs.existsSync(out)) throw new Error(`${out} exists; the harness removes it first`);
    const result = command === 'duckdb' ? await timeDuckdb(input, out) : timePolars(input, out);
    console.log(JSON.stringify(result));
  } else {
    console.error(USAGE);
    process.exit(2);
  }
} catch (error) {
  console.error(`partitioned_append_peers.mjs: ${error.message}`);
  process.exit(1);
}
