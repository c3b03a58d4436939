// Reads a file's Parquet schema (through hyparquet's metadata decoder) into
// the engine-neutral schema grammar, keeping REQUIRED/OPTIONAL as nullability.
// It serves the hyparquet reader and the check that runs after every write.

import {parquetSchema} from 'hyparquet';

export function schemaFromParquet(metadata) {
  return {columns: parquetSchema(metadata).children.map(fieldFromNode)};
}

function fieldFromNode(node) {
  const {element} = node;
  if (element.repetition_type === 'REPEATED') {
    // A repeated field outside a LIST group is the legacy unannotated list form.
    return {
      name: element.name,
      nullable: false,
      type: {kind: 'other', label: `unannotated repeated ${describeElement(element)}`}
    };
  }
  return {
    name: element.name,
    nullable: element.repetition_type !== 'REQUIRED',
    type: typeFromNode(node)
  };
}

function typeFromNode(node) {
  const {element, children} = node;
  if (children.length === 0) return primitiveType(element);
  if (isListGroup(element)) return listType(node);
  if (element.converted_type || element.logical_type)
    return {kind: 'other', label: describeElement(element)};
  return {kind: 'struct', fields: children.map(fieldFromNode)};
}

function primitiveType(element) {
  const logical = element.logical_type?.type;
  const converted = element.converted_type;
  switch (element.type) {
    case 'INT64':
      if (isPlainSignedInt64(element)) return {kind: 'int64'};
      break;
    case 'DOUBLE':
      if (!logical && !converted) return {kind: 'float64'};
      break;
    case 'BYTE_ARRAY':
      if (logical === 'STRING' || converted === 'UTF8') return {kind: 'utf8'};
      break;
    case 'BOOLEAN':
      return {kind: 'bool'};
  }
  return {kind: 'other', label: describeElement(element)};
}

function isPlainSignedInt64(element) {
  const logical = element.logical_type;
  if (logical) return logical.type === 'INTEGER' && logical.bitWidth === 64 && logical.isSigned;
  return !element.converted_type || element.converted_type === 'INT_64';
}

function isListGroup(element) {
  return element.converted_type === 'LIST' || element.logical_type?.type === 'LIST';
}

// Follows the Parquet LIST rules, including the backward-compatible two-level
// forms, so that a legal but unusual file is described rather than rejected.
function listType(node) {
  const repeated = node.children[0];
  if (node.children.length !== 1 || repeated.element.repetition_type !== 'REPEATED') {
    return {kind: 'other', label: `malformed LIST group ${node.element.name}`};
  }
  const name = repeated.element.name;
  const isTwoLevel =
      repeated.children.length !== 1 || name === 'array' || name === `${node.element.name}_tuple`;
  if (isTwoLevel) {
    const itemType = repeated.children.length === 0 ?
        primitiveType(repeated.element) :
        {kind: 'struct', fields: repeated.children.map(fieldFromNode)};
    return {kind: 'list', item: {type: itemType, nullable: false}};
  }
  const item = fieldFromNode(repeated.children[0]);
  return {kind: 'list', item: {type: item.type, nullable: item.nullable}};
}

function describeElement(element) {
  const parts = [element.type ?? 'group'];
  if (element.logical_type) {
    const bigintAsText = (_, v) => (typeof v === 'bigint' ? v.toString() : v);
    parts.push(`logical ${JSON.stringify(element.logical_type, bigintAsText)}`);
  }
  if (element.converted_type) parts.push(`converted ${element.converted_type}`);
  return parts.join(' ');
}
