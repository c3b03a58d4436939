// The engine-neutral schema: parsing, labels, and the comparison of what an
// engine reports about a file against what the test expected.
//
// Types are kept as small trees:
//   {kind: 'int64' | 'float64' | 'utf8' | 'bool'}
//   {kind: 'struct', fields: [{name, type, nullable}]}
//   {kind: 'list', item: {type, nullable}}
// An engine's view of a file uses the same trees plus {kind: 'other', label}
// for anything outside the grammar, and leaves `nullable` undefined where the
// engine does not model nullability.

import {readFile} from 'node:fs/promises';

import {UsageError} from './errors.mjs';

const PRIMITIVE_KINDS = new Set(['int64', 'float64', 'utf8', 'bool']);

export async function loadSchema(path) {
  let json;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read schema ${path}: ${error.message}`);
  }
  try {
    return parseSchema(json);
  } catch (error) {
    throw new UsageError(`invalid schema ${path}: ${error.message}`);
  }
}

function parseSchema(json) {
  if (!isPlainObject(json) || !Array.isArray(json.columns) || json.columns.length === 0) {
    throw new Error('expected {"columns": [...]} with at least one column');
  }
  return {columns: parseFields(json.columns, '')};
}

// A row is handled exactly like a non-null struct whose fields are the columns,
// which lets rows and structs share all value code.
export function rowType(schema) { return {kind: 'struct', fields: schema.columns}; }

function parseFields(list, parentPath) {
  const names = new Set();
  return list.map((entry, index) => {
    if (!isPlainObject(entry) || typeof entry.name !== 'string' || entry.name === '') {
      throw new Error(`field #${index} under '${parentPath || '<root>'}' needs a non-empty "name"`);
    }
    const path = joinPath(parentPath, entry.name);
    if (names.has(entry.name)) throw new Error(`duplicate field '${path}'`);
    names.add(entry.name);
    return {
      name: entry.name,
      type: parseType(entry.type, path),
      nullable: parseNullable(entry, path)
    };
  });
}

function parseType(json, path) {
  if (typeof json === 'string') {
    if (PRIMITIVE_KINDS.has(json)) return {kind: json};
    throw new Error(`unknown type "${json}" at '${path}'`);
  }
  if (isPlainObject(json) && Object.keys(json).length === 1) {
    if (Array.isArray(json.struct)) {
      // Parquet has no empty groups, so an empty struct could never round-trip.
      if (json.struct.length === 0) throw new Error(`struct at '${path}' has no fields`);
      return {kind: 'struct', fields: parseFields(json.struct, path)};
    }
    if (isPlainObject(json.list)) {
      const itemPath = `${path}[]`;
      return {
        kind: 'list',
        item: {
          type: parseType(json.list.type, itemPath),
          nullable: parseNullable(json.list, itemPath)
        }
      };
    }
  }
  const choices = `${[...PRIMITIVE_KINDS].join(', ')}, {"struct": [...]} or {"list": {...}}`;
  throw new Error(`type at '${path}' must be one of ${choices}`);
}

function parseNullable(entry, path) {
  if (typeof entry.nullable !== 'boolean')
    throw new Error(`'${path}' needs "nullable": true or false`);
  return entry.nullable;
}

function joinPath(parent, name) { return parent === '' ? name : `${parent}.${name}`; }

function typeLabel(type) {
  switch (type.kind) {
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}: ${typeLabel(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${typeLabel(type.item.type)}>`;
    case 'other':
      return type.label;
    default:
      return type.kind;
  }
}

// Returns the first difference between the expected schema and an engine's view
// of the file, as a sentence naming the column path, or null when they agree.
export function schemaDifference(expected, seen, engine) {
  return fieldsDifference(expected.columns, seen.columns, '', engine, 'column');
}

function fieldsDifference(expectedFields, seenFields, parentPath, engine, noun) {
  const expectedNames = expectedFields.map((f) => f.name);
  const seenNames = seenFields.map((f) => f.name);
  if (expectedNames.join('\0') !== seenNames.join('\0')) {
    const where = parentPath === '' ? '' : ` of '${parentPath}'`;
    const [wanted, found] = [expectedNames, seenNames].map((names) => `[${names.join(', ')}]`);
    return `${noun}s${where}: expected ${wanted}, ${engine} reads ${found}`;
  }
  for (let i = 0; i < expectedFields.length; i++) {
    const path = joinPath(parentPath, expectedFields[i].name);
    const difference = slotDifference(expectedFields[i], seenFields[i], path, engine);
    if (difference) return difference;
  }
  return null;
}

// A slot is a typed position that may or may not admit null: a field or a list item.
function slotDifference(expected, seen, path, engine) {
  if (seen.nullable !== undefined && seen.nullable !== expected.nullable) {
    const [wanted, found] = [expected, seen].map(
        (slot) => (slot.nullable ? 'nullable (OPTIONAL)' : 'non-nullable (REQUIRED)'));
    return `'${path}': expected ${wanted}, ${engine} reads ${found}`;
  }
  return typeDifference(expected.type, seen.type, path, engine);
}

function typeDifference(expected, seen, path, engine) {
  if (expected.kind !== seen.kind) {
    return `'${path}': expected ${typeLabel(expected)}, ${engine} reads ${typeLabel(seen)}`;
  }
  if (expected.kind === 'struct')
    return fieldsDifference(expected.fields, seen.fields, path, engine, 'field');
  if (expected.kind === 'list')
    return slotDifference(expected.item, seen.item, `${path}[]`, engine);
  return null;
}

// Paths that the schema declares non-nullable but the file stores as
// nullable (OPTIONAL); seen must have the same shape as expected.
export function nullableInsteadOfRequired(expected, seen) {
  const paths = [];
  const visit = (expectedSlot, seenSlot, path) => {
    if (!expectedSlot.nullable && seenSlot.nullable) paths.push(path);
    const [expectedType, seenType] = [expectedSlot.type, seenSlot.type];
    if (expectedType.kind === 'struct') {
      expectedType.fields.forEach((f, i) => visit(f, seenType.fields[i], joinPath(path, f.name)));
    }
    if (expectedType.kind === 'list') visit(expectedType.item, seenType.item, `${path}[]`);
  };
  expected.columns.forEach((c, i) => visit(c, seen.columns[i], c.name));
  return paths;
}

// The same schema with nullability left unknown, to compare types alone.
export function withoutNullability(schema) {
  const slot = (field) =>
      ({...field, nullable: undefined, type: typeWithoutNullability(field.type)});
  const typeWithoutNullability = (type) => {
    if (type.kind === 'struct') return {kind: 'struct', fields: type.fields.map(slot)};
    if (type.kind === 'list') return {kind: 'list', item: slot(type.item)};
    return type;
  };
  return {columns: schema.columns.map(slot)};
}

export function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
