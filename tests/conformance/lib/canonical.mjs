// The canonical value form shared with the C++ tests (see README.md):
//   null -> null, int64 -> "123", float64 -> "f64:<16 hex digits of the bits>"
//   or "f64:nan", utf8 -> "s:<text>", bool -> true/false, struct -> object,
//   list -> array.
// Here engines' JS values become canonical JSON text, canonical values become
// JS values for the engine writers, and canonical values are compared.

import {CanonicalFormatError, EngineValueError} from './errors.mjs';
import {isPlainObject, rowType} from './schema.mjs';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_TEXT = /^(0|-?[1-9][0-9]*)$/;
const FLOAT64_TEXT = /^f64:(nan|[0-9a-f]{16})$/;
const NAN_TEXT = 'f64:nan';

// One shared 8-byte buffer seen as a double and as its unsigned bit pattern.
const float64Slot = new Float64Array(1);
const float64Bits = new BigUint64Array(float64Slot.buffer);

function float64ToCanonical(number) {
  // Engines may rewrite NaN payloads, so every NaN has the same canonical form.
  if (Number.isNaN(number)) return NAN_TEXT;
  float64Slot[0] = number;
  return `f64:${float64Bits[0].toString(16).padStart(16, '0')}`;
}

// ---- engine JS values -> canonical text ------------------------------------
//
// Engines' values are encoded straight to the compact canonical JSON text:
// building canonical objects first and stringifying them doubles the garbage
// for a million rows. The encoders are compiled once per schema.

// Compiles a function that encodes one non-null JS value of the type.
export function compileValueEncoder(type) {
  switch (type.kind) {
    case 'int64':
      return (value) => {
        if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX)
          return `"${value}"`;
        throw unexpectedValue(type, value);
      };
    case 'float64':
      return (value) => {
        if (typeof value === 'number') return `"${float64ToCanonical(value)}"`;
        throw unexpectedValue(type, value);
      };
    case 'utf8':
      return (value) => {
        if (typeof value === 'string') return JSON.stringify(`s:${value}`);
        throw unexpectedValue(type, value);
      };
    case 'bool':
      return (value) => {
        if (typeof value === 'boolean') return value ? 'true' : 'false';
        throw unexpectedValue(type, value);
      };
    case 'struct': {
      // Plain objects (DuckDB, hyparquet) expose fields as properties.
      const encodeFields = compileFieldsEncoder(type.fields);
      return (value) => {
        if (typeof value !== 'object' || Array.isArray(value)) throw unexpectedValue(type, value);
        return encodeFields((field) => value[field.name]);
      };
    }
    case 'list': {
      const encodeItem = compileValueEncoder(type.item.type);
      return (value) => {
        // Arrays and typed arrays are iterable, strings are excluded by typeof.
        if (typeof value !== 'object' || typeof value[Symbol.iterator] !== 'function')
          throw unexpectedValue(type, value);
        let text = '[';
        let index = 0;
        for (const item of value) {
          if (index > 0) text += ',';
          text += encodeSlot(encodeItem, item, index);
          index++;
        }
        return `${text}]`;
      };
    }
  }
  throw new Error(`unhandled type ${type.kind}`);
}

// Compiles fields -> function(valueOf) giving the JSON object text, where
// valueOf(field, fieldIndex) returns that field's JS value.
function compileFieldsEncoder(fields) {
  const encoders = fields.map((field) => compileValueEncoder(field.type));
  const keyTexts = objectKeyTexts(fields);
  return (valueOf) => {
    let text = '';
    for (let index = 0; index < fields.length; index++) {
      text += keyTexts[index] +
          encodeSlot(encoders[index], valueOf(fields[index], index), fields[index].name);
    }
    return `${text}}`;
  };
}

// '{"a":', ',"b":', ... : what precedes each field's value in the object text.
export function objectKeyTexts(fields) {
  return fields.map((field, index) => `${index === 0 ? '{' : ','}${JSON.stringify(field.name)}:`);
}

function encodeSlot(encode, value, segment) {
  if (value === null) return 'null';
  try {
    if (value === undefined) throw new EngineValueError('no value delivered');
    return encode(value);
  } catch (error) {
    throw error instanceof EngineValueError ? error.at(segment) : error;
  }
}

// Encodes rowCount engine rows as canonical lines (without newline);
// valueOf(rowIndex, column, columnIndex) reads one engine value. firstRow
// numbers the rows in errors.
export function compileRowsEncoder(schema) {
  const encodeRow = compileFieldsEncoder(schema.columns);
  return (rowCount, firstRow, valueOf) => {
    const lines = new Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      try {
        lines[row] = encodeRow((column, index) => valueOf(row, column, index));
      } catch (error) {
        if (error instanceof EngineValueError) error.row = firstRow + row;
        throw error;
      }
    }
    return lines;
  };
}

function unexpectedValue(type, value) {
  let description;
  if (value === undefined || value === null)
    description = String(value);
  else if (typeof value !== 'object')
    description = `JS ${typeof value} ${truncate(String(value))}`;
  else
    description = `JS ${value.constructor?.name ?? 'object'}`;
  return new EngineValueError(`${type.kind} value arrived as ${description}`);
}

// ---- canonical -> JS values for the writers (and validation) ----------------

// Decodes one canonical row into JS values in column order, rejecting anything
// outside the canonical grammar or the schema.
export function decodeCanonicalRow(schema, row) {
  if (!isPlainObject(row)) throw new CanonicalFormatError('a row must be a JSON object');
  const decoded = decodeStruct(rowType(schema).fields, row);
  return schema.columns.map((column) => decoded[column.name]);
}

function decodeSlot(slot, value) {
  if (value === null) {
    if (!slot.nullable) throw new CanonicalFormatError('null in a non-nullable position');
    return null;
  }
  return decodeValue(slot.type, value);
}

function decodeValue(type, value) {
  switch (type.kind) {
    case 'int64':
      if (typeof value === 'string' && INT64_TEXT.test(value)) {
        const number = BigInt(value);
        if (number >= INT64_MIN && number <= INT64_MAX) return number;
        throw new CanonicalFormatError(`int64 ${value} is out of range`);
      }
      throw new CanonicalFormatError(
          `int64 must be a JSON string of decimal digits, got ${formatValue(value)}`);
    case 'float64':
      return decodeFloat64(value);
    case 'utf8':
      if (typeof value !== 'string' || !value.startsWith('s:')) {
        throw new CanonicalFormatError(
            `utf8 must be a JSON string starting with "s:", got ${formatValue(value)}`);
      }
      // A lone surrogate has no UTF-8 encoding, so no Parquet file can hold it.
      if (!value.isWellFormed())
        throw new CanonicalFormatError('utf8 value holds a lone UTF-16 surrogate');
      return value.slice(2);
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw new CanonicalFormatError(`bool must be true or false, got ${formatValue(value)}`);
    case 'struct':
      if (!isPlainObject(value)) throw new CanonicalFormatError('struct must be a JSON object');
      return decodeStruct(type.fields, value);
    case 'list':
      if (!Array.isArray(value)) throw new CanonicalFormatError('list must be a JSON array');
      return value.map((item, index) => {
        try {
          return decodeSlot(type.item, item);
        } catch (error) {
          throw error instanceof CanonicalFormatError ? error.at(index) : error;
        }
      });
  }
  throw new Error(`unhandled type ${type.kind}`);
}

function decodeStruct(fields, object) {
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(object)) {
    if (!known.has(key)) throw new CanonicalFormatError(`unknown field "${key}"`);
  }
  const result = {};
  for (const field of fields) {
    try {
      if (!(field.name in object))
        throw new CanonicalFormatError('missing (write null explicitly)');
      result[field.name] = decodeSlot(field, object[field.name]);
    } catch (error) {
      throw error instanceof CanonicalFormatError ? error.at(field.name) : error;
    }
  }
  return result;
}

function decodeFloat64(value) {
  const match = typeof value === 'string' ? FLOAT64_TEXT.exec(value) : null;
  if (!match) {
    const rule = 'float64 must be "f64:" + 16 lowercase hex digits or "f64:nan"';
    throw new CanonicalFormatError(`${rule}, got ${formatValue(value)}`);
  }
  if (value === NAN_TEXT) return NaN;
  float64Bits[0] = BigInt(`0x${match[1]}`);
  const number = float64Slot[0];
  if (Number.isNaN(number))
    throw new CanonicalFormatError(`${value} is a NaN; every NaN is written "f64:nan"`);
  return number;
}

// ---- comparison ------------------------------------------------------------

// The first place where an expected canonical value and an engine's canonical
// value differ: {segments, expected, actual, note?}, or null when equal.
export function firstDifference(type, expected, actual) {
  if (expected === actual) return null;
  if (expected === null || actual === null || typeof expected !== 'object' ||
      typeof actual !== 'object') {
    return {segments: [], expected, actual};
  }
  if (type.kind === 'struct') return structDifference(type.fields, expected, actual);
  if (type.kind === 'list') return listDifference(type.item.type, expected, actual);
  return {segments: [], expected, actual};
}

function structDifference(fields, expected, actual) {
  if (!isPlainObject(expected))
    return {segments: [], expected, actual, note: 'expected value is not an object'};
  for (const field of fields) {
    const difference = firstDifference(field.type, expected[field.name], actual[field.name]);
    if (difference) {
      difference.segments.unshift(field.name);
      return difference;
    }
  }
  if (Object.keys(expected).length !== fields.length) {
    return {segments: [], expected, actual, note: 'expected value has fields outside the schema'};
  }
  return null;
}

function listDifference(itemType, expected, actual) {
  if (!Array.isArray(expected))
    return {segments: [], expected, actual, note: 'expected value is not an array'};
  const common = Math.min(expected.length, actual.length);
  for (let index = 0; index < common; index++) {
    const difference = firstDifference(itemType, expected[index], actual[index]);
    if (difference) {
      difference.segments.unshift(index);
      return difference;
    }
  }
  if (expected.length !== actual.length) {
    return {
      segments: [],
      expected,
      actual,
      note: `expected ${expected.length} items, got ${actual.length}`
    };
  }
  return null;
}

export function formatValue(value) {
  return value === undefined ? '<missing>' : truncate(JSON.stringify(value));
}

function truncate(text, limit = 160) {
  return text.length <= limit ? text : `${text.slice(0, limit)}... (${text.length} chars)`;
}
