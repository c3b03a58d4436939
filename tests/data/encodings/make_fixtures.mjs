// Writes the small Parquet files of this folder with DuckDB and arrow-rs (parquet-wasm),
// in the encodings and codecs that crv-io's writer does not produce, for
// tests/parquet/encoding_fixtures_test.cpp, and three smaller ones as fuzz seeds
// (fuzz/seeds/parquet_reader/encodings-*). The rows follow formulas that the test
// computes again (see the `expected` helpers there); change both together.
//
//   node tests/data/encodings/make_fixtures.mjs     (after `npm ci` in tests/conformance)
//
// The files are committed, so the C++ tests need neither Node nor these packages. Run
// this again only to change them; the output is deterministic for a given package lock,
// apart from the writer versions recorded in each file.

import {writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The packages live with the conformance oracles, from their committed lockfile.
const require = createRequire(join(here, '../../conformance/package.json'));
const arrow = await import(require.resolve('apache-arrow'));
const wasm = await import(require.resolve('parquet-wasm'));
const {DuckDBInstance} = await import(require.resolve('@duckdb/node-api'));

// --- the rows (mirrored in the C++ test) ---

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// Pseudo-random 32-bit values (deltas wrap), with both extremes now and then.
function i32(i) {
  if (i % 97 === 5) return INT32_MIN;
  if (i % 97 === 6) return INT32_MAX;
  return Math.imul(i, 2654435761 | 0);
}
function i64(i) {
  if (i % 97 === 5) return INT64_MIN;
  if (i % 97 === 6) return INT64_MAX;
  return BigInt.asIntN(64, BigInt(i) * 0x9E3779B97F4A7C15n);
}
const f64 = (i) => i / 7 - 100;
const f32 = (i) => Math.fround(i / 3);
// Shared prefixes for DELTA_BYTE_ARRAY, a two-byte character now and then, nulls.
function str(i) {
  if (i % 11 === 0) return null;
  return 'prefix/' + String(i).padStart(6, '0') + (i % 5 === 0 ? '\u00e9' : '');
}
// Lowercase letters: FIXED_LEN_BYTE_ARRAY without an annotation reads as text when UTF-8.
function fixed16(i) {
  const bytes = new Uint8Array(16);
  for (let k = 0; k < 16; ++k) bytes[k] = 0x61 + (i * 31 + k * 7) % 26;
  return bytes;
}
const list = (i) => Array.from({length: i % 4}, (_, k) => BigInt(i + k));

// --- DuckDB: its own choice of encodings for a version 2 file ---

async function duckdb(file, rows, compression) {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // The same formulas in SQL; int64 arithmetic wraps through hugeint.
    await connection.run(`COPY (SELECT
        CASE WHEN i % 97 = 5 THEN -2147483648 WHEN i % 97 = 6 THEN 2147483647
             ELSE ((i * 2654435761) % 4294967296 - CASE WHEN (i * 2654435761) % 4294967296 >= 2147483648 THEN 4294967296 ELSE 0 END)
        END::INTEGER AS i32,
        CASE WHEN i % 97 = 5 THEN CAST(-9223372036854775808 AS BIGINT) WHEN i % 97 = 6 THEN CAST(9223372036854775807 AS BIGINT)
             ELSE ((i::HUGEINT * 11400714819323198485::HUGEINT) % 18446744073709551616::HUGEINT
                   - CASE WHEN (i::HUGEINT * 11400714819323198485::HUGEINT) % 18446744073709551616::HUGEINT
                               >= 9223372036854775808::HUGEINT THEN 18446744073709551616::HUGEINT ELSE 0 END)::BIGINT
        END AS i64,
        i / 7 - 100 AS f64,
        (i / 3)::FLOAT AS f32,
        CASE WHEN i % 11 = 0 THEN NULL
             ELSE 'prefix/' || lpad(i::VARCHAR, 6, '0') || CASE WHEN i % 5 = 0 THEN '\u00e9' ELSE '' END END AS s,
        printf('%08x-0000-4000-8000-%012x', i, i * 31)::UUID AS u,
        [i + k FOR k IN range(i % 4)] AS l
      FROM range(${rows}) t(i))
      TO '${file}' (FORMAT parquet, PARQUET_VERSION V2, COMPRESSION ${compression}, ROW_GROUP_SIZE 1000)`);
  } finally {
    connection.closeSync();
  }
}

// --- arrow-rs: each column's encoding chosen ---

function arrowTable(rows) {
  const range = (f) => Array.from({length: rows}, (_, i) => f(i));
  const fixedData = () => {
    const data = new Uint8Array(16 * rows);
    for (let i = 0; i < rows; ++i) data.set(fixed16(i), 16 * i);
    return arrow.makeVector(
        arrow.makeData({type: new arrow.FixedSizeBinary(16), length: rows, data}));
  };
  const strings = () => arrow.vectorFromArray(range(str), new arrow.Utf8());
  // Each column its own vector: apache-arrow writes a vector used twice wrongly.
  return new arrow.Table({
    i32: arrow.makeVector(Int32Array.from(range(i32))),
    i64: arrow.makeVector(BigInt64Array.from(range(i64))),
    i32_split: arrow.makeVector(Int32Array.from(range(i32))),
    i64_split: arrow.makeVector(BigInt64Array.from(range(i64))),
    f64: arrow.makeVector(Float64Array.from(range(f64))),
    f32: arrow.makeVector(Float32Array.from(range(f32))),
    s_delta: strings(),
    s_length: strings(),
    fixed_delta: fixedData(),
    fixed_split: fixedData(),
    fixed_dictionary: fixedData(),
    l: arrow.vectorFromArray(range(list), new arrow.List(new arrow.Field('item', new arrow.Int64()))),
  });
}

function writeArrow(file, rows, {version, compression}) {
  const E = wasm.Encoding;
  const properties = new wasm.WriterPropertiesBuilder()
      .setWriterVersion(version)
      .setCompression(compression)
      .setDictionaryEnabled(false)
      .setDataPageSizeLimit(1024)
      .setWriteBatchSize(64)
      .setColumnEncoding('i32', E.DELTA_BINARY_PACKED)
      .setColumnEncoding('i64', E.DELTA_BINARY_PACKED)
      .setColumnEncoding('i32_split', E.BYTE_STREAM_SPLIT)
      .setColumnEncoding('i64_split', E.BYTE_STREAM_SPLIT)
      .setColumnEncoding('f64', E.BYTE_STREAM_SPLIT)
      .setColumnEncoding('f32', E.BYTE_STREAM_SPLIT)
      .setColumnEncoding('s_delta', E.DELTA_BYTE_ARRAY)
      .setColumnEncoding('s_length', E.DELTA_LENGTH_BYTE_ARRAY)
      .setColumnEncoding('fixed_delta', E.DELTA_BYTE_ARRAY)
      .setColumnEncoding('fixed_split', E.BYTE_STREAM_SPLIT)
      .setColumnDictionaryEnabled('fixed_dictionary', true)
      .setColumnEncoding('l.list.item', E.DELTA_BINARY_PACKED)
      .build();
  const table = wasm.Table.fromIPCStream(arrow.tableToIPC(arrowTable(rows), 'stream'));
  writeFileSync(file, wasm.writeParquet(table, properties));
}

// A dictionary that outgrows its limit: arrow-rs's version 2 writer falls back to
// DELTA_BYTE_ARRAY for the rest of the chunk. Row 300, in those pages, is made invalid
// UTF-8 afterwards ("value-300-ZZ" becomes "value-300-" FF FE): the STRING column is then
// corrupt, which the reader must notice although the dictionary was valid. No statistics
// and no page checksums, so the patched bytes are the only trace.
function writeFallback(file) {
  const rows = 400;
  const values = Array.from({length: rows}, (_, i) => i === 300 ? 'value-300-ZZ' : 'value-' + i);
  const properties = new wasm.WriterPropertiesBuilder()
      .setWriterVersion(wasm.WriterVersion.V2)
      .setCompression(wasm.Compression.UNCOMPRESSED)
      .setStatisticsEnabled(wasm.EnabledStatistics.None)
      .setDictionaryEnabled(true)
      .setDictionaryPageSizeLimit(256)
      .setDataPageSizeLimit(512)
      .setWriteBatchSize(32)
      .build();
  const table = new arrow.Table({b: arrow.vectorFromArray(values, new arrow.Utf8())});
  const bytes = wasm.writeParquet(wasm.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')),
                                  properties);
  const marker = Buffer.from('-ZZ');
  const at = Buffer.from(bytes).indexOf(marker);
  if (at < 0 || Buffer.from(bytes).indexOf(marker, at + 1) >= 0) {
    throw new Error('the marker of row 300 is not in the file exactly once');
  }
  bytes[at + 1] = 0xff;
  bytes[at + 2] = 0xfe;
  writeFileSync(file, bytes);
}

await duckdb(join(here, 'duckdb_v2_brotli.parquet'), 1500, 'brotli');
await duckdb(join(here, 'duckdb_v2_uncompressed.parquet'), 100, 'uncompressed');
writeArrow(join(here, 'arrow_v2_lz4.parquet'), 200,
           {version: wasm.WriterVersion.V2, compression: wasm.Compression.LZ4});
writeArrow(join(here, 'arrow_v1_uncompressed.parquet'), 80,
           {version: wasm.WriterVersion.V1, compression: wasm.Compression.UNCOMPRESSED});
writeFallback(join(here, 'arrow_dictionary_fallback.parquet'));

// Smaller ones as seeds of the parquet_reader fuzz target.
const seeds = join(here, '../../../fuzz/seeds/parquet_reader');
await duckdb(join(seeds, 'encodings-duckdb-brotli.parquet'), 60, 'brotli');
writeArrow(join(seeds, 'encodings-arrow-lz4.parquet'), 40,
           {version: wasm.WriterVersion.V2, compression: wasm.Compression.LZ4});
writeArrow(join(seeds, 'encodings-arrow-v1-none.parquet'), 40,
           {version: wasm.WriterVersion.V1, compression: wasm.Compression.UNCOMPRESSED});
