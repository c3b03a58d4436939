// Typed JS values for the foreign-input suite and their exact comparison.
//
// A value's JS type is its crv type: bigint is i64, number is f64, string is str, a plain
// object is a struct, an array a list, null is null. Comparing doubles is by bits (-0.0
// differs from 0.0; every NaN equals every NaN), int64 as BigInt, strings exactly, structs
// field by field.

import {DuckDBTypeId} from '@duckdb/node-api';
import {Type as ArrowType} from 'apache-arrow';

// Text of a value for messages: i64 and f64 are told apart ("5" vs "5.0 f64").
export function show(value, limit = 160) {
  const text = showFull(value);
  return text.length > limit ? `${text.slice(0, limit)}...` : text;
}

function showFull(value) {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return `${value}`;
    case 'number':
      if (Object.is(value, -0)) return '-0.0';
      if (Number.isInteger(value)) return `${value}.0`;
      return String(value);
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(showFull).join(', ')}]`;
  if (value.duckdbType) return `<DuckDB ${value.duckdbType} ${value.text}>`;
  return `{${
      Object.entries(value).map(([key, inner]) => `${key}: ${showFull(inner)}`).join(', ')}}`;
}

function kindOf(value) {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return 'i64';
  if (typeof value === 'number') return 'f64';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return 'list';
  if (value.duckdbType) return value.duckdbType;
  return 'struct';
}

// null when actual equals expected, else the first difference as text, naming its path.
export function difference(expected, actual, path) {
  const expectedKind = kindOf(expected);
  const actualKind = kindOf(actual);
  if (expectedKind !== actualKind) {
    return `${path}: expected ${expectedKind} ${show(expected)}, got ${actualKind} ${show(actual)}`;
  }
  switch (expectedKind) {
    case 'null':
      return null;
    case 'f64':
      if (Number.isNaN(expected) && Number.isNaN(actual)) return null;
      return Object.is(expected, actual) ?
          null :
          `${path}: expected ${show(expected)}, got ${show(actual)}`;
    case 'i64':
    case 'str':
    case 'bool':
      return expected === actual ? null :
                                   `${path}: expected ${show(expected)}, got ${show(actual)}`;
    case 'list':
      if (expected.length !== actual.length) {
        return `${path}: expected ${expected.length} items ${show(expected)}, got ${
            actual.length} ${show(actual)}`;
      }
      for (let index = 0; index < expected.length; index++) {
        const found = difference(expected[index], actual[index], `${path}[${index}]`);
        if (found) return found;
      }
      return null;
  }
  // struct: every expected field, and no other field that is not null
  for (const [name, value] of Object.entries(expected)) {
    const found = difference(value, actual[name] ?? null, `${path}.${name}`);
    if (found) return found;
  }
  for (const [name, value] of Object.entries(actual)) {
    if (!(name in expected) && value !== null && value !== undefined)
      return `${path}: unexpected field ${name} = ${show(value)}`;
  }
  return null;
}

// Compares rows; null when equal, else the first difference.
export function rowsDifference(expectedRows, actualRows, what) {
  if (expectedRows.length !== actualRows.length)
    return `${what}: expected ${expectedRows.length} rows, got ${actualRows.length}`;
  for (let row = 0; row < expectedRows.length; row++) {
    const found = difference(expectedRows[row], actualRows[row], `row ${row}`);
    if (found) return `${what}: ${found}`;
  }
  return null;
}

// ---- DuckDB results as typed values --------------------------------------------------

// A DuckDB value (as @duckdb/node-api's JS conversion gives it) of a column of `type`,
// typed as above. Types crv-io does not write (DECIMAL, FLOAT, INTEGER, ...) come out as
// {duckdbType, text}, which equals no expected value.
export function typedFromDuckDB(type, value) {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
      return BigInt(value);
    case DuckDBTypeId.DOUBLE:
      return Number(value);
    case DuckDBTypeId.VARCHAR:
      return String(value);
    case DuckDBTypeId.BOOLEAN:
      return Boolean(value);
    case DuckDBTypeId.STRUCT: {
      const struct = {};
      type.entryNames.forEach((name, index) => {
        struct[name] = typedFromDuckDB(type.entryTypes[index], value[name]);
      });
      return struct;
    }
    case DuckDBTypeId.LIST:
      return value.map((item) => typedFromDuckDB(type.valueType, item));
  }
  return {duckdbType: type.toString(), text: String(value)};
}

// ---- JSON lines with exact integers ---------------------------------------------------

// Parses one JSON text: integer literals become bigint, other numbers number, so that the
// i64/f64 distinction of `crvio read` (doubles always carry "." or an exponent) survives.
export function parseJsonExact(text) {
  let at = 0;
  const fail = (what) => {
    throw new Error(`bad JSON at ${at}: ${what}: ${text.slice(at, at + 40)}`);
  };
  const space = () => {
    while (at < text.length && ' \t\r\n'.includes(text[at])) at++;
  };
  const value = () => {
    space();
    const char = text[at];
    if (char === '{') {
      at++;
      const object = {};
      space();
      if (text[at] === '}') {
        at++;
        return object;
      }
      for (;;) {
        space();
        const key = string();
        space();
        if (text[at++] !== ':') fail('expected :');
        object[key] = value();
        space();
        const next = text[at++];
        if (next === '}') return object;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (char === '[') {
      at++;
      const array = [];
      space();
      if (text[at] === ']') {
        at++;
        return array;
      }
      for (;;) {
        array.push(value());
        space();
        const next = text[at++];
        if (next === ']') return array;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (char === '"') return string();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]]) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    const match = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail('expected a value');
    at += match[0].length;
    return match[1] === undefined && match[2] === undefined ? BigInt(match[0]) : Number(match[0]);
  };
  const string = () => {
    if (text[at] !== '"') fail('expected a string');
    const start = at;
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at));
  };
  const result = value();
  space();
  if (at !== text.length) fail('trailing text');
  return result;
}

// `crvio read` prints NaN and the infinities as strings; where a double is expected they
// are turned back into numbers.
export function reviveDoubles(expected, actual) {
  if (typeof expected === 'number' && typeof actual === 'string') {
    const special = {NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity}[actual];
    return special === undefined ? actual : special;
  }
  if (Array.isArray(expected) && Array.isArray(actual))
    return actual.map((item, index) => reviveDoubles(expected[index], item));
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' &&
      !Array.isArray(expected) && !Array.isArray(actual)) {
    const revived = {};
    for (const [name, inner] of Object.entries(actual))
      revived[name] = reviveDoubles(expected[name], inner);
    return revived;
  }
  return actual;
}

// ---- the generated file's own values, as DuckDB reads them --------------------------------

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

// A DuckDB value of the *input* file (any type DuckDB has) converted towards the crv type
// that `expected` has, so that a generator's file can be checked to hold the values the
// case means before crvio reads it: integers of any width, decimals (exactly, from their
// unscaled value), blobs (as UTF-8), UUIDs, maps (as structs) and floats.
export function looseFromDuckDB(value, expected) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return typeof expected === 'number' ? Number(value) : value;
  if (typeof value === 'number') {
    return typeof expected === 'bigint' && Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  const kind = value.constructor?.name;
  if (kind === 'DuckDBDecimalValue') {
    if (typeof expected === 'bigint') {
      const unit = 10n ** BigInt(value.scale);
      return value.value % unit === 0n ? value.value / unit :
                                         {duckdbType: 'DECIMAL', text: value.toString()};
    }
    return Number(value.toString());
  }
  if (kind === 'DuckDBBlobValue') {
    try {
      return strictUtf8.decode(value.bytes);
    } catch {
      return {duckdbType: 'BLOB (not UTF-8)', text: value.toString()};
    }
  }
  if (kind === 'DuckDBUUIDValue') return value.toString();
  if (kind === 'DuckDBListValue' || kind === 'DuckDBArrayValue')
    return value.items.map((item, index) => looseFromDuckDB(item, expected?.[index]));
  if (kind === 'DuckDBStructValue') {
    const struct = {};
    for (const [name, inner] of Object.entries(value.entries))
      struct[name] = looseFromDuckDB(inner, expected?.[name]);
    return struct;
  }
  if (kind === 'DuckDBMapValue') {
    const struct = {};
    for (const {key, value: inner} of value.entries)
      struct[String(key)] = looseFromDuckDB(inner, expected?.[String(key)]);
    return struct;
  }
  return {duckdbType: kind ?? typeof value, text: String(value)};
}

// The same for a value read by arrow-rs (as apache-arrow hands it over), which reads what
// DuckDB does not (BYTE_STREAM_SPLIT integers and fixed-length bytes, Hadoop LZ4, logical
// unsigned types without a converted type).
export function looseFromArrow(type, value, expected) {
  if (value === null || value === undefined) return null;
  switch (type.typeId) {
    case ArrowType.Int:
    case ArrowType.Float:
      if (typeof value === 'bigint') return typeof expected === 'number' ? Number(value) : value;
      return typeof expected === 'bigint' && Number.isInteger(value) ? BigInt(value) : value;
    case ArrowType.Decimal: {
      let unscaled = 0n;
      for (let word = 3; word >= 0; word--) unscaled = (unscaled << 32n) | BigInt(value[word]);
      unscaled = BigInt.asIntN(128, unscaled);
      const unit = 10n ** BigInt(type.scale);
      if (typeof expected === 'bigint') {
        return unscaled % unit === 0n ? unscaled / unit :
                                        {duckdbType: 'Decimal', text: `${unscaled}e-${type.scale}`};
      }
      const negative = unscaled < 0n;
      const digits = (negative ? -unscaled : unscaled).toString().padStart(type.scale + 1, '0');
      const text = `${negative ? '-' : ''}${digits.slice(0, digits.length - type.scale)}.${
          digits.slice(digits.length - type.scale)}`;
      return Number(text);
    }
    case ArrowType.Binary:
    case ArrowType.LargeBinary:
    case ArrowType.FixedSizeBinary:
      try {
        return strictUtf8.decode(value);
      } catch {
        return {duckdbType: 'binary (not UTF-8)', text: String(value)};
      }
    case ArrowType.Utf8:
    case ArrowType.LargeUtf8:
      return value;
    case ArrowType.Struct: {
      const struct = {};
      for (const field of type.children)
        struct[field.name] = looseFromArrow(field.type, value[field.name], expected?.[field.name]);
      return struct;
    }
    case ArrowType.List:
      return [...value].map(
          (item, index) => looseFromArrow(type.children[0].type, item, expected?.[index]));
    case ArrowType.Map: {
      const struct = {};
      const entry = type.children[0].type;
      for (const [key, inner] of value)
        struct[key] = looseFromArrow(entry.children[1].type, inner, expected?.[key]);
      return struct;
    }
  }
  return {duckdbType: `Arrow ${type}`, text: String(value)};
}
