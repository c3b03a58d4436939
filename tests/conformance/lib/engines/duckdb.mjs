// DuckDB through @duckdb/node-api: reader, writer and metadata inspector.

import {DuckDBDataChunkWriter, DuckDBInstance, DuckDBTypeId, JSToDuckDBValueConverter} from '@duckdb/node-api';

import {compileRowsEncoder} from '../canonical.mjs';
import {SchemaMismatchError} from '../errors.mjs';
import {schemaDifference} from '../schema.mjs';

export const name = 'duckdb';

async function openConnection() {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

function sqlString(text) { return `'${text.replaceAll('\'', '\'\'')}'`; }

function sqlIdentifier(text) { return `"${text.replaceAll('"', '""')}"`; }

// ---- reading ---------------------------------------------------------------

export async function* readCanonical(file, schema) {
  const {connection, close} = await openConnection();
  try {
    // Streaming keeps memory flat; DuckDB keeps file order because
    // preserve_insertion_order is on by default.
    const result = await connection.stream(`SELECT * FROM read_parquet(${sqlString(file)})`);
    const seen = {
      columns: result.columnNames().map(
          (columnName, index) =>
              ({name: columnName, type: typeFromDuckDB(result.columnTypes()[index])})),
    };
    const difference = schemaDifference(schema, seen, name);
    if (difference) throw new SchemaMismatchError(difference);
    const encodeRows = compileRowsEncoder(schema);
    let firstRow = 0;
    for await (const rows of result.yieldRowsJs()) {
      yield encodeRows(rows.length, firstRow, (row, _column, index) => rows[row][index]);
      firstRow += rows.length;
    }
  } finally {
    close();
  }
}

// DuckDB result types carry no nullability, so none is reported.
function typeFromDuckDB(type) {
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
      return {kind: 'int64'};
    case DuckDBTypeId.DOUBLE:
      return {kind: 'float64'};
    case DuckDBTypeId.VARCHAR:
      return {kind: 'utf8'};
    case DuckDBTypeId.BOOLEAN:
      return {kind: 'bool'};
    case DuckDBTypeId.STRUCT:
      return {
        kind: 'struct',
        fields: type.entryNames.map(
            (entryName, index) => ({name: entryName, type: typeFromDuckDB(type.entryTypes[index])}))
      };
    case DuckDBTypeId.LIST:
      return {kind: 'list', item: {type: typeFromDuckDB(type.valueType)}};
  }
  return {kind: 'other', label: `DuckDB ${type}`};
}

// ---- writing ---------------------------------------------------------------

function duckdbType(type) {
  switch (type.kind) {
    case 'int64':
      return 'BIGINT';
    case 'float64':
      return 'DOUBLE';
    case 'utf8':
      return 'VARCHAR';
    case 'bool':
      return 'BOOLEAN';
    case 'struct': {
      const members = type.fields.map((f) => `${sqlIdentifier(f.name)} ${duckdbType(f.type)}`);
      return `STRUCT(${members.join(', ')})`;
    }
    case 'list':
      return `${duckdbType(type.item.type)}[]`;
  }
  throw new Error(`unhandled type ${type.kind}`);
}

// rowBatches yields arrays of rows, each an array of JS values in column order.
// options: {compression, rowGroupSize, keyValueMetadata: Map}
export async function write(schema, rowBatches, out, options) {
  const {connection, close} = await openConnection();
  try {
    // NOT NULL only guards the input: DuckDB still writes such columns as OPTIONAL.
    const columns = schema.columns.map(
        (c) => `${sqlIdentifier(c.name)} ${duckdbType(c.type)}${c.nullable ? '' : ' NOT NULL'}`);
    await connection.run(`CREATE TABLE fixture (${columns.join(', ')})`);
    const appender = await connection.createAppender('fixture');
    const writer =
        DuckDBDataChunkWriter.forAppender(appender, {converter: JSToDuckDBValueConverter});
    for await (const rows of rowBatches) {
      for (const row of rows) writer.appendRow(row);
    }
    writer.flush();
    appender.closeSync();
    await connection.run(`COPY fixture TO ${sqlString(out)} (${copyOptions(options).join(', ')})`);
  } finally {
    close();
  }
}

function copyOptions({compression, rowGroupSize, keyValueMetadata}) {
  const copy = ['FORMAT parquet', `COMPRESSION ${sqlString(compression)}`];
  if (rowGroupSize !== undefined) copy.push(`ROW_GROUP_SIZE ${rowGroupSize}`);
  if (keyValueMetadata.size > 0) {
    const entries =
        [...keyValueMetadata].map(([key, value]) => `${sqlString(key)}: ${sqlString(value)}`);
    copy.push(`KV_METADATA {${entries.join(', ')}}`);
  }
  return copy;
}

// ---- metadata ----------------------------------------------------------------

const utf8 = new TextDecoder('utf-8', {fatal: true});

export async function meta(file) {
  const {connection, close} = await openConnection();
  try {
    const query = async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS();
    const source = sqlString(file);
    const [fileMeta] = await query(
        `SELECT created_by, num_rows, num_row_groups FROM parquet_file_metadata(${source})`);
    const kvRows = await query(`SELECT key, value FROM parquet_kv_metadata(${source})`);
    const columnRows = await query(`
        SELECT row_group_id, column_id, path_in_schema, type, num_values, stats_min, stats_max,
               stats_null_count, stats_min_value, stats_max_value, compression, encodings,
               total_compressed_size
        FROM parquet_metadata(${source}) ORDER BY row_group_id, column_id`);
    const keyValuePair = (row) => {
      const key = decodeBlob(row.key, 'a key');
      return [key, decodeBlob(row.value, `the value of ${key}`)];
    };
    return {
      kv: Object.fromEntries(kvRows.map(keyValuePair)),
      row_groups: Number(fileMeta.num_row_groups),
      num_rows: Number(fileMeta.num_rows),
      created_by: fileMeta.created_by,
      columns: columnRows.map(
          (row) => ({
            row_group: Number(row.row_group_id),
            // DuckDB joins the path with ", "; the dotted form is the usual Parquet spelling.
            path_in_schema: row.path_in_schema.split(', ').join('.'),
            type: row.type,
            num_values: Number(row.num_values),
            stats_min: row.stats_min,
            stats_max: row.stats_max,
            stats_min_value: row.stats_min_value,
            stats_max_value: row.stats_max_value,
            stats_null_count: row.stats_null_count === null ? null : Number(row.stats_null_count),
            compression: row.compression,
            encodings: row.encodings.split(', '),
            total_compressed_size: Number(row.total_compressed_size),
          })),
    };
  } finally {
    close();
  }
}

function decodeBlob(bytes, what) {
  try {
    return typeof bytes === 'string' ? bytes : utf8.decode(bytes);
  } catch {
    throw new Error(`in the key-value metadata, ${what} is not valid UTF-8`);
  }
}

// ---- queries ---------------------------------------------------------------

// JSON has no 64-bit integers: BIGINT and HUGEINT values become numbers when exact, text
// otherwise, so a caller comparing counts and sums sees the true value either way.
function jsonSafe(value) {
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

// The rows of one SQL query, as plain objects.
export async function sql(text) {
  const {connection, close} = await openConnection();
  try {
    return (await connection.runAndReadAll(text)).getRowObjectsJS().map(jsonSafe);
  } finally {
    close();
  }
}
