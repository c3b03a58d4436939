// The four writers of foreign input files: DuckDB (COPY ... TO), Polars (from Arrow IPC),
// arrow-rs (parquet-wasm, from Arrow IPC built with apache-arrow) and hyparquet-writer
// (explicit Parquet schema elements, with a hook that rewrites the footer's schema for the
// forms no writer emits by itself: legacy two-level lists, INT96).

import {writeFileSync} from 'node:fs';

import * as arrow from 'apache-arrow';
import {ByteWriter, ParquetWriter} from 'hyparquet-writer';
import pl from 'nodejs-polars';
import {Compression, Encoding, Table as WasmTable, writeParquet, WriterPropertiesBuilder, WriterVersion} from 'parquet-wasm';

export {arrow, Encoding};

// ---- DuckDB ----------------------------------------------------------------------------

export function sqlString(text) { return `'${text.replaceAll('\'', '\'\'')}'`; }

// COPY (select) TO file. options: compression (DuckDB's name), version ('V1'/'V2'),
// rowGroupSize.
export async function duckdbWrite(connection, select, file, options = {}) {
  const settings = ['FORMAT parquet'];
  if (options.version) settings.push(`PARQUET_VERSION ${options.version}`);
  settings.push(`COMPRESSION ${options.compression ?? 'zstd'}`);
  if (options.rowGroupSize) settings.push(`ROW_GROUP_SIZE ${options.rowGroupSize}`);
  await connection.run(`COPY (${select}) TO ${sqlString(file)} (${settings.join(', ')})`);
}

// SELECT over VALUES: columns [{name, sql: TYPE}], rows of SQL expressions (strings) or
// null; every value is cast to its column's type.
export function valuesSelect(columns, rows) {
  const tuples = rows.map(
      (row) => `(${
          row.map(
                 (value, index) => value === null ? `CAST(NULL AS ${columns[index].sql})` :
                                                    `CAST(${value} AS ${columns[index].sql})`)
              .join(', ')})`);
  return `SELECT * FROM (VALUES ${tuples.join(', ')}) AS t(${
      columns.map((column) => `"${column.name}"`).join(', ')})`;
}

// ---- Arrow tables (for Polars and arrow-rs) --------------------------------------------

function validity(values) {
  const bitmap = new Uint8Array(Math.ceil(values.length / 8) || 1);
  let nulls = 0;
  values.forEach((value, index) => {
    if (value === null || value === undefined)
      nulls++;
    else
      bitmap[index >> 3] |= 1 << (index & 7);
  });
  return {bitmap, nulls};
}

// Arrow Data of `type` holding JS values: structs from objects, lists from arrays, maps from
// arrays of [key, value] pairs (so a key may repeat), decimals from unscaled bigints, Float16
// from bit patterns (numbers 0..0xffff), binary from Uint8Array, other leaves through
// apache-arrow's builders.
export function arrowData(type, values) {
  if (type instanceof arrow.Float16) {
    const {bitmap, nulls} = validity(values);
    const bits = Uint16Array.from(values, (value) => value ?? 0);
    return arrow.makeData(
        {type, length: values.length, nullCount: nulls, nullBitmap: bitmap, data: bits});
  }
  if (type instanceof arrow.Decimal) {
    const {bitmap, nulls} = validity(values);
    const words = new Uint32Array(values.length * 4);
    values.forEach((value, index) => {
      if (value === null || value === undefined) return;
      let bits = BigInt.asUintN(128, value);
      for (let word = 0; word < 4; word++) {
        words[index * 4 + word] = Number(bits & 0xffffffffn);
        bits >>= 32n;
      }
    });
    return arrow.makeData(
        {type, length: values.length, nullCount: nulls, nullBitmap: bitmap, data: words});
  }
  if (type instanceof arrow.Struct) {
    const {bitmap, nulls} = validity(values);
    const children = type.children.map(
        (field) => arrowData(field.type, values.map((value) => value?.[field.name] ?? null)));
    return arrow.makeData(
        {type, length: values.length, nullCount: nulls, nullBitmap: bitmap, children});
  }
  if (type instanceof arrow.List || type instanceof arrow.Map_) {
    const {bitmap, nulls} = validity(values);
    const offsets = new Int32Array(values.length + 1);
    const items = [];
    values.forEach((value, index) => {
      for (const item of value ?? []) items.push(item);
      offsets[index + 1] = items.length;
    });
    const itemType = type.children[0].type;
    const child = type instanceof arrow.Map_ ?
        arrowData(itemType, items.map(([key, value]) => ({key, value}))) :
        arrowData(itemType, items);
    return arrow.makeData({
      type,
      length: values.length,
      nullCount: nulls,
      nullBitmap: bitmap,
      valueOffsets: offsets,
      child,
    });
  }
  const builder = arrow.makeBuilder({type, nullValues: [null, undefined]});
  for (const value of values) builder.append(value);
  return builder.finish().flush();
}

// columns: [{name, type, values, nullable}] -> an Arrow table.
export function arrowTable(columns) {
  const fields =
      columns.map((column) => new arrow.Field(column.name, column.type, column.nullable ?? true));
  const schema = new arrow.Schema(fields);
  const length = columns[0].values.length;
  const data = arrow.makeData({
    type: new arrow.Struct(fields),
    length,
    nullCount: 0,
    children: columns.map((column) => arrowData(column.type, column.values)),
  });
  return new arrow.Table(schema, new arrow.RecordBatch(schema, data));
}

export const mapOf = (valueType) => new arrow.Map_(new arrow.Field(
    'entries', new arrow.Struct([
      new arrow.Field('key', new arrow.Utf8(), false),
      new arrow.Field('value', valueType, true),
    ]),
    false));

export const structOf = (fields) => new arrow.Struct(
    Object.entries(fields).map(([name, type]) => new arrow.Field(name, type, true)));

export const listOf = (type) => new arrow.List(new arrow.Field('item', type, true));

// ---- Polars ----------------------------------------------------------------------------

export function polarsWrite(table, file, {compression = 'zstd'} = {}) {
  const frame = pl.readIPCStream(Buffer.from(arrow.tableToIPC(table, 'stream')));
  frame.writeParquet(file, {compression});
}

// ---- arrow-rs --------------------------------------------------------------------------

const WASM_CODECS = {
  uncompressed: Compression.UNCOMPRESSED,
  snappy: Compression.SNAPPY,
  gzip: Compression.GZIP,
  brotli: Compression.BROTLI,
  lz4: Compression.LZ4,  // the deprecated Hadoop-framed LZ4
  zstd: Compression.ZSTD,
  lz4_raw: Compression.LZ4_RAW,
};

// options: version ('V1' | 'V2', default V2), compression (a WASM_CODECS key, default
// zstd), dictionary (default true), plain (PLAIN pages only: no dictionary, and not the
// DELTA encodings that the V2 writer otherwise picks for integers and byte arrays),
// encoding (an Encoding name for every column), encodings {top-level column: Encoding name}
// (parquet-wasm cannot address a member of a struct or list), dataPageSize,
// dictionaryPageSize, rowGroupSize.
export function arrowRsWrite(table, file, options = {}) {
  let properties =
      new WriterPropertiesBuilder()
          .setWriterVersion(options.version === 'V1' ? WriterVersion.V1 : WriterVersion.V2)
          .setCompression(WASM_CODECS[options.compression ?? 'zstd'])
          .setDictionaryEnabled(options.plain ? false : options.dictionary ?? true);
  if (options.plain) properties = properties.setEncoding(Encoding.PLAIN);
  if (options.encoding) properties = properties.setEncoding(Encoding[options.encoding]);
  for (const [path, encoding] of Object.entries(options.encodings ?? {})) {
    properties = properties.setColumnEncoding(path, Encoding[encoding])
                     .setColumnDictionaryEnabled(path, false);
  }
  if (options.dataPageSize) properties = properties.setDataPageSizeLimit(options.dataPageSize);
  if (options.dictionaryPageSize)
    properties = properties.setDictionaryPageSizeLimit(options.dictionaryPageSize);
  if (options.rowGroupSize) properties = properties.setMaxRowGroupSize(options.rowGroupSize);
  const wasmTable = WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  writeFileSync(file, writeParquet(wasmTable, properties.build()));
}

// ---- hyparquet-writer ------------------------------------------------------------------

// schema: the Parquet schema elements (root first); columnData: [{name, data, encoding}].
// rewrite(schema, rowGroups) may replace the schema elements and fix the column chunks'
// path_in_schema and type just before the footer is written (the pages are kept).
export function hyparquetWrite(
    file, {schema, columnData, codec = 'UNCOMPRESSED', rowGroupSize, pageSize, rewrite}) {
  const writer = new ByteWriter();
  class RewritingWriter extends ParquetWriter {
    finish() {
      if (rewrite) this.schema = rewrite(this.schema, this.row_groups);
      return super.finish();
    }
  }
  const parquet = new RewritingWriter({writer, schema, codec, statistics: false});
  parquet.write({columnData, rowGroupSize: rowGroupSize ?? 100000, pageSize});
  parquet.finish();
  writeFileSync(file, withIntTypeWidthsAsBytes(new Uint8Array(writer.getBuffer())));
}

// hyparquet-writer 0.17 writes LogicalType INTEGER's bitWidth as a Thrift i32 where the
// format says i8 (a reader that checks Thrift types rightly calls that corrupt). This
// re-encodes, in the footer only, every `INTEGER {1: i32 bitWidth, 2: bool isSigned}` as
// `{1: i8 bitWidth, ...}` and fixes the footer length.
function withIntTypeWidthsAsBytes(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const footerLength = view.getUint32(bytes.length - 8, true);
  const footerStart = bytes.length - 8 - footerLength;
  const footer = [...bytes.subarray(footerStart, bytes.length - 8)];
  const widths = {0x10: 8, 0x20: 16, 0x40: 32};  // zigzag varints of 8, 16, 32 (one byte)
  const out = [];
  for (let at = 0; at < footer.length;) {
    // 0xac: field 10 (INTEGER) of LogicalType, a struct; 0x15: field 1, i32.
    if (footer[at] === 0xac && footer[at + 1] === 0x15) {
      let width;
      let length;
      if (widths[footer[at + 2]]) {
        width = widths[footer[at + 2]];
        length = 3;
      } else if (footer[at + 2] === 0x80 && footer[at + 3] === 0x01) {
        width = 64;
        length = 4;
      }
      const flag = footer[at + length];
      if (width && (flag === 0x11 || flag === 0x12) && footer[at + length + 1] === 0x00) {
        out.push(0xac, 0x13, width);  // 0x13: field 1, i8
        at += length;
        continue;
      }
    }
    out.push(footer[at++]);
  }
  const result = new Uint8Array(footerStart + out.length + 8);
  result.set(bytes.subarray(0, footerStart));
  result.set(out, footerStart);
  const resultView = new DataView(result.buffer);
  resultView.setUint32(footerStart + out.length, out.length, true);
  result.set([0x50, 0x41, 0x52, 0x31], footerStart + out.length + 4);  // PAR1
  return result;
}

// A rewrite that turns the standard three-level list `name (LIST) > list > element` (written
// by hyparquet-writer with a REQUIRED element) into a legacy form with the same levels:
//   form 'bare':  `repeated group name {fields}` (no LIST annotation)
//   form 'array': `name (LIST) > repeated group array {fields}`
//   form 'tuple': `name (LIST) > repeated group name_tuple {fields}`
//   form NAME:    `name (LIST) > repeated group NAME {fields}` (any other name; legal only
//                 with two or more fields)
export function legacyListRewrite(column, form) {
  return (schema, rowGroups) => {
    const at = schema.findIndex((element) => element.name === column);
    const [outer, repeated, element] = schema.slice(at, at + 3);
    if (outer.converted_type !== 'LIST' || repeated.repetition_type !== 'REPEATED' ||
        element.repetition_type !== 'REQUIRED') {
      throw new Error(`legacyListRewrite: ${column} is not LIST > repeated > required element`);
    }
    // A bare repeated group has one definition level less than an OPTIONAL list.
    if (form === 'bare' && outer.repetition_type !== 'REQUIRED')
      throw new Error(`legacyListRewrite: the bare form needs a REQUIRED list ${column}`);
    const fields = {num_children: element.num_children};
    const replaced = form === 'bare' ? [{name: column, repetition_type: 'REPEATED', ...fields}] : [
      {
        name: column,
        repetition_type: outer.repetition_type,
        converted_type: 'LIST',
        num_children: 1
      },
      {
        name: form === 'array' ? 'array' :
            form === 'tuple'   ? `${column}_tuple` :
                                 form,
        repetition_type: 'REPEATED',
        ...fields
      },
    ];
    for (const group of rowGroups) {
      for (const chunk of group.columns) {
        const path = chunk.meta_data.path_in_schema;
        if (path[0] !== column) continue;
        chunk.meta_data.path_in_schema = form === 'bare' ?
            [column, ...path.slice(3)] :
            [column, replaced[1].name, ...path.slice(3)];
      }
    }
    return [...schema.slice(0, at), ...replaced, ...schema.slice(at + 3)];
  };
}

// A rewrite that turns FIXED_LEN_BYTE_ARRAY(12) columns into INT96 (same PLAIN bytes).
export function int96Rewrite(column) {
  return (schema, rowGroups) => {
    const element = schema.find((candidate) => candidate.name === column);
    if (element.type !== 'FIXED_LEN_BYTE_ARRAY' || element.type_length !== 12)
      throw new Error(`int96Rewrite: ${column} is not FIXED_LEN_BYTE_ARRAY(12)`);
    element.type = 'INT96';
    delete element.type_length;
    for (const group of rowGroups) {
      for (const chunk of group.columns) {
        if (chunk.meta_data.path_in_schema[0] === column) chunk.meta_data.type = 'INT96';
      }
    }
    return schema;
  };
}
