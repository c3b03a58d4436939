// What a generated file really holds: its schema elements, and every page of every column
// chunk (type and encoding from the page headers themselves, not only the footer's summary),
// so that a case whose generator did not produce what it meant to test fails as a generator
// problem instead of silently testing something else.

import {readFileSync} from 'node:fs';

import {parquetMetadata} from 'hyparquet';
import {parquetHeader} from 'hyparquet/src/column.js';

export function fileFacts(file) {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(buffer);
  const view = new DataView(buffer);

  // Schema elements by dotted path (groups included).
  const elements = new Map();
  let index = 1;
  const walk = (prefix, count) => {
    for (let child = 0; child < count; child++) {
      const element = metadata.schema[index++];
      const path = prefix ? `${prefix}.${element.name}` : element.name;
      elements.set(path, element);
      if (element.num_children) walk(path, element.num_children);
    }
  };
  walk('', metadata.schema[0].num_children ?? 0);

  // Column chunks by dotted path_in_schema, every row group.
  const chunks = new Map();
  for (const group of metadata.row_groups) {
    for (const column of group.columns) {
      const meta = column.meta_data;
      const path = meta.path_in_schema.join('.');
      const offsets = [meta.dictionary_page_offset, meta.data_page_offset]
                          .filter((offset) => offset !== undefined && Number(offset) > 0)
                          .map(Number);
      let offset = Math.min(...offsets);
      const end = offset + Number(meta.total_compressed_size);
      const pages = [];
      while (offset < end) {
        const reader = {view, offset};
        const header = parquetHeader(reader);
        const dataHeader = header.data_page_header ?? header.data_page_header_v2;
        pages.push({
          type: header.type,
          encoding: header.dictionary_page_header?.encoding ?? dataHeader?.encoding,
        });
        offset = reader.offset + header.compressed_page_size;
      }
      if (!chunks.has(path)) chunks.set(path, []);
      chunks.get(path).push({codec: meta.codec, type: meta.type, pages});
    }
  }
  return {
    metadata,
    elements,
    chunks,
    rows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    createdBy: metadata.created_by,
  };
}

const DATA_PAGES = new Set(['DATA_PAGE', 'DATA_PAGE_V2']);

// Checks `want` against the facts; returns a list of problems (empty when the file is as
// the case intends). want:
//   schema:   {path: {type, converted, logical, length, repetition}}: type is the physical
//             type; converted/logical null means "must be absent"; logical is matched on the
//             fields given (e.g. {type: 'INTEGER', bitWidth: 32, isSigned: false})
//   codec:    every column chunk's codec
//   pages:    {path: ENCODING}: every data page of the column has this encoding
//   fallback: {path: ENCODING}: a dictionary page, dictionary-encoded data pages, and then
//             data pages in ENCODING (the writer fell back from the dictionary)
//   rows, minRowGroups, createdBy (a regular expression)
export function factProblems(facts, want) {
  const problems = [];
  for (const [path, spec] of Object.entries(want.schema ?? {})) {
    const element = facts.elements.get(path);
    if (!element) {
      problems.push(`no schema element ${path} (has ${[...facts.elements.keys()].join(', ')})`);
      continue;
    }
    if (spec.type !== undefined && (element.type ?? 'group') !== spec.type)
      problems.push(`${path} is ${element.type ?? 'a group'}, not ${spec.type}`);
    if (spec.length !== undefined && element.type_length !== spec.length)
      problems.push(`${path} has type_length ${element.type_length}, not ${spec.length}`);
    if (spec.repetition !== undefined && element.repetition_type !== spec.repetition)
      problems.push(`${path} is ${element.repetition_type}, not ${spec.repetition}`);
    if (spec.converted !== undefined && (element.converted_type ?? null) !== spec.converted) {
      problems.push(`${path} has converted type ${element.converted_type ?? 'none'}, not ${
          spec.converted ?? 'none'}`);
    }
    if (spec.logical === null && element.logical_type) {
      problems.push(`${path} has logical type ${
          JSON.stringify(element.logical_type)}, but the case needs none`);
    } else if (spec.logical) {
      const logical = element.logical_type ?? {};
      const differs = Object.entries(spec.logical).some(([key, value]) => logical[key] !== value);
      if (differs) {
        problems.push(`${path} has logical type ${
            JSON.stringify(element.logical_type ?? null)}, not ${JSON.stringify(spec.logical)}`);
      }
    }
    for (const key of ['precision', 'scale']) {
      if (spec[key] !== undefined && element[key] !== spec[key])
        problems.push(`${path} has ${key} ${element[key]}, not ${spec[key]}`);
    }
  }
  if (want.codec) {
    for (const [path, chunks] of facts.chunks) {
      for (const chunk of chunks) {
        if (chunk.codec !== want.codec) {
          problems.push(`${path} is compressed with ${chunk.codec}, not ${want.codec}`);
          break;
        }
      }
    }
  }
  const chunksOf = (path) => {
    const chunks = facts.chunks.get(path);
    if (!chunks) problems.push(`no column ${path} (has ${[...facts.chunks.keys()].join(', ')})`);
    return chunks ?? [];
  };
  for (const [path, encoding] of Object.entries(want.pages ?? {})) {
    const seen = new Set();
    for (const chunk of chunksOf(path)) {
      for (const page of chunk.pages) seen.add(`${page.type}:${page.encoding}`);
    }
    const others = [...seen].filter((text) => {
      const [type, pageEncoding] = text.split(':');
      return type !== 'DICTIONARY_PAGE' && pageEncoding !== encoding && DATA_PAGES.has(type);
    });
    const dictionary = [...seen].some((text) => text.startsWith('DICTIONARY_PAGE'));
    if (others.length > 0 || dictionary || !seen.size) {
      problems.push(`${path}: pages are ${[...seen].join(', ') || 'none'}, not all ${encoding}`);
    }
  }
  for (const [path, encoding] of Object.entries(want.fallback ?? {})) {
    const seen = new Set();
    for (const chunk of chunksOf(path)) {
      for (const page of chunk.pages) seen.add(`${page.type}:${page.encoding}`);
    }
    const types = [...seen];
    const hasDictionary = types.some((text) => text.startsWith('DICTIONARY_PAGE'));
    const hasIndexes =
        types.some((text) => /^DATA_PAGE(_V2)?:(RLE_DICTIONARY|PLAIN_DICTIONARY)$/.test(text));
    const hasFallback = types.some(
        (text) => text === `DATA_PAGE_V2:${encoding}` || text === `DATA_PAGE:${encoding}`);
    if (!hasDictionary || !hasIndexes || !hasFallback) {
      problems.push(
          `${path}: pages are ${types.join(', ')}, not a dictionary falling back to ${encoding}`);
    }
  }
  if (want.rows !== undefined && facts.rows !== want.rows)
    problems.push(`holds ${facts.rows} rows, not ${want.rows}`);
  if (want.minRowGroups !== undefined && facts.rowGroups < want.minRowGroups)
    problems.push(`has ${facts.rowGroups} row groups, fewer than ${want.minRowGroups}`);
  if (want.createdBy && !want.createdBy.test(facts.createdBy ?? ''))
    problems.push(`created_by is ${JSON.stringify(facts.createdBy)}, not ${want.createdBy}`);
  return problems;
}
