// Apache Arrow (JS) glue shared by the engines whose data reaches JS as Arrow
// IPC: arrow-rs through parquet-wasm, and Polars. Polars is read this way
// because its JSON writer turns NaN and infinities into null.

import * as arrow from 'apache-arrow';

import {compileValueEncoder, objectKeyTexts} from './canonical.mjs';
import {EngineValueError} from './errors.mjs';

// ---- an engine's Arrow schema -> schema grammar ----------------------------

// withNullability is false for engines whose Arrow output marks every field
// nullable whatever the file says (Polars has no notion of non-null columns).
export function schemaFromArrow(arrowSchema, withNullability) {
  const field = (f) => ({
    name: f.name,
    nullable: withNullability ? f.nullable : undefined,
    type: typeFromArrow(f.type, withNullability)
  });
  return {columns: arrowSchema.fields.map(field)};
}

function typeFromArrow(type, withNullability) {
  switch (type.typeId) {
    case arrow.Type.Int:
      if (type.bitWidth === 64 && type.isSigned) return {kind: 'int64'};
      break;
    case arrow.Type.Float:
      if (type.precision === arrow.Precision.DOUBLE) return {kind: 'float64'};
      break;
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
    case arrow.Type.Utf8View:
      return {kind: 'utf8'};
    case arrow.Type.Bool:
      return {kind: 'bool'};
    case arrow.Type.Struct:
      return {
        kind: 'struct',
        fields: schemaFromArrow({fields: type.children}, withNullability).columns
      };
    case arrow.Type.List:
    case arrow.Type.LargeList: {
      const [item] = type.children;
      return {
        kind: 'list',
        item: {
          type: typeFromArrow(item.type, withNullability),
          nullable: withNullability ? item.nullable : undefined
        }
      };
    }
  }
  return {kind: 'other', label: `Arrow ${type}`};
}

// ---- Arrow tables -> canonical lines -----------------------------------------
//
// Columnar: each column is encoded whole, walking struct children and list
// offsets directly; reading rows through Arrow's StructRow proxies and list
// sub-vectors cost several times more for nested columns.

// Compiles schema -> function(table) giving one canonical line per row.
export function compileTableEncoder(schema) {
  const columnEncoders = schema.columns.map((column) => compileColumnEncoder(column.type));
  const keyTexts = objectKeyTexts(schema.columns);
  return (table) => {
    const columnTexts = schema.columns.map((column, index) => {
      try {
        return table.getChildAt(index).data.flatMap((chunk) => columnEncoders[index](chunk));
      } catch (error) {
        throw error instanceof EngineValueError ? error.at(column.name) : error;
      }
    });
    const lines = new Array(table.numRows);
    for (let row = 0; row < table.numRows; row++) {
      let text = '';
      for (let index = 0; index < columnTexts.length; index++)
        text += keyTexts[index] + columnTexts[index][row];
      lines[row] = `${text}}`;
    }
    return lines;
  };
}

// Compiles type -> function(data) giving the canonical text of every element
// of an Arrow Data chunk, "null" for null slots.
function compileColumnEncoder(type) {
  if (type.kind === 'struct') {
    const childEncoders = type.fields.map((field) => compileColumnEncoder(field.type));
    const keyTexts = objectKeyTexts(type.fields);
    return (data) => {
      const childTexts = data.children.map((child, index) => childEncoders[index](child));
      return mapSlots(data, (slot) => {
        let text = '';
        for (let index = 0; index < childTexts.length; index++)
          text += keyTexts[index] + childTexts[index][slot];
        return `${text}}`;
      });
    };
  }
  if (type.kind === 'list') {
    const itemEncoder = compileColumnEncoder(type.item.type);
    return (data) => {
      // Offsets index the child data (as Arrow's own list accessor does);
      // LargeList offsets are bigints.
      const itemTexts = itemEncoder(data.children[0]);
      const offsets = data.valueOffsets;
      return mapSlots(data, (slot) => {
        const begin = Number(offsets[slot]);
        const end = Number(offsets[slot + 1]);
        let text = '[';
        for (let item = begin; item < end; item++)
          text += (item > begin ? ',' : '') + itemTexts[item];
        return `${text}]`;
      });
    };
  }
  const encode = compileValueEncoder(type);
  return (data) => {
    const vector = arrow.makeVector(data);
    return mapSlots(data, (slot) => encode(vector.get(slot)));
  };
}

function mapSlots(data, encodeValid) {
  const texts = new Array(data.length);
  for (let slot = 0; slot < data.length; slot++)
    texts[slot] = data.getValid(slot) ? encodeValid(slot) : 'null';
  return texts;
}

// ---- canonical schema + decoded JS rows -> Arrow ----------------------------

export function arrowSchemaFor(schema) { return new arrow.Schema(schema.columns.map(arrowField)); }

function arrowField(field) {
  return new arrow.Field(field.name, arrowType(field.type), field.nullable);
}

function arrowType(type) {
  switch (type.kind) {
    case 'int64':
      return new arrow.Int64();
    case 'float64':
      return new arrow.Float64();
    case 'utf8':
      return new arrow.Utf8();
    case 'bool':
      return new arrow.Bool();
    case 'struct':
      return new arrow.Struct(type.fields.map(arrowField));
    case 'list':
      return new arrow.List(new arrow.Field('item', arrowType(type.item.type), type.item.nullable));
  }
  throw new Error(`unhandled type ${type.kind}`);
}

// rows are arrays of JS values in column order (see decodeCanonicalRow).
export function recordBatchFromRows(arrowSchema, rows) {
  const columns = arrowSchema.fields.map((field, index) => {
    // Only null marks a missing value; NaN must stay a value.
    const builder = arrow.makeBuilder({type: field.type, nullValues: [null]});
    for (const row of rows) builder.append(row[index]);
    return builder.finish().flush();
  });
  const data = arrow.makeData({
    type: new arrow.Struct(arrowSchema.fields),
    length: rows.length,
    nullCount: 0,
    children: columns
  });
  return new arrow.RecordBatch(arrowSchema, data);
}

export function ipcStreamFromBatches(arrowSchema, batches) {
  return arrow.tableToIPC(new arrow.Table(arrowSchema, batches), 'stream');
}

export {tableFromIPC} from 'apache-arrow';
