#!/usr/bin/env node
// DuckDB's side of the decode benchmark (bench/decode_bench): it writes the input files,
// so their data and encodings are a peer's and not crv-io's, reports what each file holds
// (encodings from parquet_metadata, row groups, a checksum of its values as DuckDB reads
// them), and times DuckDB decoding them.
//
// usage:
//   node decode_peers.mjs write OUT_DIR ROWS ENCODINGS COMPRESSION ROW_GROUP_SIZE TYPES SHAPES
//     ENCODINGS: v2 (PARQUET_VERSION V2, no dictionary: DELTA_BINARY_PACKED for integers,
//     BYTE_STREAM_SPLIT for floating point), plain (V1, no dictionary: PLAIN) or dictionary
//     (V1 with DuckDB's own choice of dictionary); TYPES and SHAPES are comma-separated.
//     prints {"duckdb": version, "files": [{"name", "type", "shape", "path", "bytes", "rows",
//             "nulls", "row_groups", "physical_type", "encodings": [...],
//             "checksum": {"xor": hex, "weighted": hex}}]}
//   node decode_peers.mjs time REPEAT THREADS FILE...
//     prints {"threads": n, "files": [{"path", "single": {"seconds", "cpu_seconds"},
//             "multi": {...}}]} ("multi" only when THREADS is above 1)
//
// The checksum of a column, over its values' 64-bit patterns in file order (integers as
// int64, FLOAT widened to DOUBLE, as crv-io reads them), each split in its low and high
// 32-bit halves lo and hi, with row i counted from 0 and w = 2i + 1 (mod 2^32):
//   xor      = (xor of all hi) : (xor of all lo)
//   weighted = (sum of hi * w) : (sum of lo * w), both sums mod 2^32
// written as 16 hexadecimal digits each. The order is checked with file_row_number.
//
// Timing: `SELECT bit_xor(v) FROM read_parquet(FILE)` for integers, `SELECT sum(v) ...`
// for DOUBLE and FLOAT, which must decode every value (min and max would be answered from
// the footer's statistics, count from its row counts), the fastest of REPEAT runs,
// measured around the query only; the files take turns in each round, after a round that is
// not timed. Once with `SET threads = 1` and once with THREADS threads (DuckDB's default is
// one per hardware thread). Also the least CPU time (the process's, user and system, all
// threads) of a run, which other processes' load disturbs far less than elapsed time.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { DuckDBInstance } from '@duckdb/node-api';

const INTEGER_TYPES = new Set(['BIGINT', 'INTEGER']);
const FLOAT_TYPES = new Set(['DOUBLE', 'FLOAT']);

// The values of each shape, over i in [0, rows) with h = hash(i) (a UBIGINT). `rows` is
// the file's row count.
function shapeSql(shape, type, rows) {
  const integer = INTEGER_TYPES.has(type);
  const big = type === 'BIGINT';
  switch (shape) {
    case 'random':
      // Integers over the type's whole range; doubles uniform in [0, 1) with 53 random bits.
      if (integer) {
        return big ? '(h::HUGEINT - 9223372036854775808)::BIGINT'
                   : '((h % 4294967296)::BIGINT - 2147483648)::INTEGER';
      }
      return '(h >> 11)::DOUBLE / 9007199254740992.0';
    case 'sorted':
      // Strictly increasing with jittered steps: microsecond timestamps about 1 ms apart
      // (BIGINT), counters 16 apart (INTEGER), a clock in steps of about 1 ms (floats).
      if (integer) {
        return big ? '1700000000000000 + i * 1000 + (h % 1000)::BIGINT'
                   : '(i * 16 + (h % 16)::BIGINT)::INTEGER';
      }
      return 'i * 0.001 + (h % 1000)::DOUBLE * 1e-7';
    case 'periodic':
      // A sine wave of period 1000 rows.
      return integer ? `round(1000000 * sin(2 * pi() * (i % 1000) / 1000))::${type}`
                     : 'sin(2 * pi() * (i % 1000) / 1000)';
    case 'lowcard':
      // 16 distinct values at random.
      return integer ? `(1000 + h % 16)::${type}` : '100 + (h % 16)::DOUBLE * 0.25';
    case 'highcard':
      // Values drawn from `rows` distinct ones (about 63% of rows distinct): ids, and
      // amounts in hundredths.
      return integer ? `(h % ${rows})::${type}` : `(h % ${rows})::DOUBLE / 100`;
    default:
      throw new Error(`unknown shape ${shape}`);
  }
}

const ENCODING_OPTIONS = {
  v2: 'PARQUET_VERSION V2, DICTIONARY_SIZE_LIMIT 0',
  plain: 'PARQUET_VERSION V1, DICTIONARY_SIZE_LIMIT 0',
  dictionary: 'PARQUET_VERSION V1',
};

async function rowsOf(connection, sql) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

function hex32(high, low) {
  return (high >>> 0).toString(16).padStart(8, '0') + (low >>> 0).toString(16).padStart(8, '0');
}

// The checksum above, of column v read by DuckDB on one thread.
async function checksum(connection, file, integer) {
  const cast = integer ? 'BIGINT' : 'DOUBLE';
  const result = await connection.stream(
    `SELECT v::${cast} AS v, file_row_number FROM read_parquet('${file}', file_row_number = true)`);
  let row = 0;
  let xorLo = 0;
  let xorHi = 0;
  let sumLo = 0;
  let sumHi = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const items = chunk.getColumnVector(0).items;
    const numbers = chunk.getColumnVector(1).items;
    const words = new Uint32Array(items.buffer, items.byteOffset, items.length * 2);
    if (Number(numbers[0]) !== row || Number(numbers[items.length - 1]) !== row + items.length - 1) {
      throw new Error(`${file}: DuckDB returned rows out of file order at row ${row}`);
    }
    for (let k = 0; k < items.length; k += 1, row += 1) {
      const lo = words[2 * k];
      const hi = words[2 * k + 1];
      const w = (2 * row + 1) >>> 0;
      xorLo ^= lo;
      xorHi ^= hi;
      sumLo = (sumLo + Math.imul(lo, w)) >>> 0;
      sumHi = (sumHi + Math.imul(hi, w)) >>> 0;
    }
  }
  return { rows: row, xor: hex32(xorHi, xorLo), weighted: hex32(sumHi, sumLo) };
}

async function write(outDir, rows, encodings, compression, rowGroupSize, types, shapes) {
  if (!(encodings in ENCODING_OPTIONS)) throw new Error(`unknown encodings ${encodings}`);
  fs.mkdirSync(outDir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  await connection.run('SET threads = 1');  // the checksum reads rows in file order
  const [{ version }] = await rowsOf(connection, 'SELECT version() AS version');
  const files = [];
  for (const type of types) {
    if (!INTEGER_TYPES.has(type) && !FLOAT_TYPES.has(type)) throw new Error(`unknown type ${type}`);
    for (const shape of shapes) {
      const name = `${type.toLowerCase()}_${shape}`;
      const file = path.join(outDir, `${name}.parquet`);
      const values = `(${shapeSql(shape, type, rows)})::${type}`;
      await connection.run(
        `COPY (SELECT ${values} AS v FROM (SELECT i, hash(i) AS h FROM range(${rows}) t(i)))
         TO '${file}' (FORMAT parquet, COMPRESSION ${compression},
                       ROW_GROUP_SIZE ${rowGroupSize}, ${ENCODING_OPTIONS[encodings]})`);
      const chunks = await rowsOf(connection,
        `SELECT encodings, type FROM parquet_metadata('${file}') WHERE path_in_schema = 'v'`);
      const found = new Set();
      for (const chunk of chunks) {
        for (const encoding of chunk.encodings.split(',')) found.add(encoding.trim());
      }
      const [counts] = await rowsOf(connection,
        `SELECT count(*) AS rows, count(*) - count(v) AS nulls FROM read_parquet('${file}')`);
      const sum = await checksum(connection, file, INTEGER_TYPES.has(type));
      if (sum.rows !== Number(counts.rows)) throw new Error(`${file}: row counts disagree`);
      files.push({
        name, type, shape, path: file, bytes: fs.statSync(file).size, rows: Number(counts.rows),
        nulls: Number(counts.nulls), row_groups: chunks.length, physical_type: chunks[0].type,
        encodings: [...found].sort(), checksum: { xor: sum.xor, weighted: sum.weighted },
      });
    }
  }
  return { duckdb: version, files };
}

// A query that needs every value of the file's column decoded, and little else: bit_xor
// for integers (sum would add 128-bit sums once the values may overflow 64 bits), sum for
// floating point (min and max compare slowly there, and are answered from statistics).
async function decodingQuery(connection, file) {
  const [{ type }] = await rowsOf(connection,
    `SELECT type FROM parquet_metadata('${file}') WHERE path_in_schema = 'v' LIMIT 1`);
  const aggregate = type === 'INT64' || type === 'INT32' ? 'bit_xor' : 'sum';
  return `SELECT ${aggregate}(v) FROM read_parquet('${file}')`;
}

// The fastest of `repeat` runs of each file's query, in rounds that take every file in
// turn, after a round that is not timed (the first queries of a process, and the first
// read of a file by it, cost more).
async function time(repeat, threads, files) {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const timings = [];
  for (const file of files) {
    timings.push({ path: file, query: await decodingQuery(connection, file) });
  }
  const modes = threads > 1 ? [['single', 1], ['multi', threads]] : [['single', 1]];
  for (const [key, count] of modes) {
    await connection.run(`SET threads = ${count}`);
    for (const timing of timings) timing[key] = { seconds: Infinity, cpu_seconds: Infinity };
    for (let run = -1; run < repeat; run += 1) {
      for (const timing of timings) {
        const cpuStarted = process.cpuUsage();
        const started = performance.now();
        await connection.runAndReadAll(timing.query);
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStarted);
        if (run < 0) continue;
        const best = timing[key];
        best.seconds = Math.min(best.seconds, seconds);
        best.cpu_seconds = Math.min(best.cpu_seconds, (cpu.user + cpu.system) / 1e6);
      }
    }
  }
  return { threads, files: timings.map(({ query, ...timing }) => timing) };
}

const [command, ...args] = process.argv.slice(2);
if (command === 'write' && args.length === 7) {
  const [outDir, rows, encodings, compression, rowGroupSize, types, shapes] = args;
  console.log(JSON.stringify(await write(outDir, Number(rows), encodings, compression,
                                         Number(rowGroupSize), types.split(','),
                                         shapes.split(','))));
} else if (command === 'time' && args.length >= 3) {
  const [repeat, threads, ...files] = args;
  console.log(JSON.stringify(await time(Math.max(1, Number(repeat)), Number(threads), files)));
} else {
  console.error('usage: node decode_peers.mjs write OUT_DIR ROWS ENCODINGS COMPRESSION ' +
                'ROW_GROUP_SIZE TYPES SHAPES\n       node decode_peers.mjs time REPEAT THREADS FILE...');
  process.exit(2);
}
