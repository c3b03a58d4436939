#!/usr/bin/env node
// A run written by `crvio demo` and published with `crvio export iceberg` is read through
// its Iceberg metadata by icebird, an Iceberg reader written independently of crv-io:
// every table's rows equal what `crvio read` prints. The snapshot's manifests list exactly
// the committed parts, with their record counts, sizes and tick bounds as DuckDB finds
// them in the files, and each file's Parquet field ids are those the schema gives. Then the table changes (an append, a compaction, a rewind, a moved
// root) and each new version is read again.
//
// usage: node iceberg_readback.mjs --crvio PATH/crvio --work DIR
// Prints one line per check and finally "N passed, M failed"; exits 1 on any failure.

import {execFileSync} from 'node:child_process';
import {cpSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {DuckDBInstance} from '@duckdb/node-api';
import {icebergManifests, icebergMetadata, icebergRead} from 'icebird';

import {Checks, scriptSetup} from './lib/script_checks.mjs';

// icebird reads through fetch, which has no file:// scheme: answer those from the disk.
const webFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const text = String(url);
  if (!text.startsWith('file://')) return webFetch(url, init);
  try {
    return new Response(readFileSync(fileURLToPath(text)), {status: 200});
  } catch {
    return new Response(null, {status: 404, statusText: `no file ${text}`});
  }
};

const args = scriptSetup('iceberg_readback.mjs');
const RUN = 'iceberg';
const checks = new Checks();
const expect = checks.expect.bind(checks);

function crvioWith(env, argv) {
  return execFileSync(args.crvio, argv, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: {...process.env, CRV_IO_TICK_BUCKET_SIZE: '50', CRV_IO_ROW_GROUP_SIZE: '2000', ...env}
  });
}
const crvio = (...argv) => crvioWith({}, argv);
const jsonLines = (text) => text.split('\n').filter((line) => line !== '').map((l) => JSON.parse(l));

// One comparable text per row: 64-bit integers as numbers, keys sorted, null members left
// out (a member a part lacks reads as absent in one reader and null in the other).
function canonical(value) {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) {
      if (value[key] !== null && value[key] !== undefined) out[key] = canonical(value[key]);
    }
    return out;
  }
  return value;
}
const rowTexts = (rows) => rows.map((row) => JSON.stringify(canonical(row))).sort();

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const sqlRows = async (sql) => (await connection.runAndReadAll(sql)).getRowObjects();
const longBound = (bytes) => Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true));

const REQUIRED_V2 = [
  'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms',
  'last-column-id', 'schemas', 'current-schema-id', 'partition-specs', 'default-spec-id',
  'last-partition-id', 'sort-orders', 'default-sort-order-id'
];

// The field ids of an Iceberg schema's fields, by dotted path (a list's element as
// "element").
function schemaFieldIds(fields, prefix = [], ids = new Map()) {
  for (const field of fields) {
    const path = [...prefix, field.name];
    ids.set(path.join('.'), field.id);
    typeFieldIds(field.type, path, ids);
  }
  return ids;
}
function typeFieldIds(type, path, ids) {
  if (type.type === 'struct') schemaFieldIds(type.fields, path, ids);
  if (type.type === 'list') {
    const element = [...path, 'element'];
    ids.set(element.join('.'), type['element-id']);
    typeFieldIds(type.element, element, ids);
  }
}

// The field ids of a Parquet file's schema elements, by the same paths (a LIST group's
// repeated group left out), as DuckDB's parquet_schema reports them, and the paths of
// elements that store values (all but always-null leaves and groups of nothing else) yet
// carry no id.
async function fileFieldIds(file) {
  const elements = await sqlRows(`SELECT name, num_children, converted_type, logical_type,
      field_id FROM parquet_schema('${file}')`);
  const ids = new Map();
  const missing = [];
  let next = 1;
  // Walks `count` elements under `prefix`; whether any of them stores values.
  const walk = (prefix, count, insideList) => {
    let stores = false;
    for (let i = 0; i < count; i++) {
      const element = elements[next++];
      const children = Number(element.num_children ?? 0);
      if (insideList) {
        stores = walk(prefix, children, false) || stores;
        continue;
      }
      const path = [...prefix, element.name];
      const storesValues = children > 0 ?
          walk(path, children, element.converted_type === 'LIST') :
          !/null|unknown/i.test(String(element.logical_type ?? ''));
      if (element.field_id !== null) {
        ids.set(path.join('.'), Number(element.field_id));
      } else if (storesValues) {
        missing.push(path.join('.'));
      }
      stores = stores || storesValues;
    }
    return stores;
  };
  walk([], Number(elements[0].num_children), false);
  return {ids, missing};
}

// Reads `table` of `root` through Iceberg and checks it against crvio's own view.
async function checkTable(root, table, label) {
  const tableDir = join(root, 'runs', RUN, 'tables', table);
  const tableUrl = `file://${tableDir}`;
  const metadata = await icebergMetadata({tableUrl});
  const missing = REQUIRED_V2.filter((key) => !(key in metadata));
  expect(
      missing.length === 0 && metadata['format-version'] === 2,
      `${label} ${table}: the metadata has every field format version 2 requires`,
      missing.join());
  expect(
      metadata.location === tableUrl, `${label} ${table}: its location is the table's folder`,
      metadata.location);

  const records = jsonLines(crvio('read', '--root', root, '--run', RUN, '--table', table));
  const iceberg = await icebergRead({tableUrl, metadata});
  const expected = rowTexts(records);
  const got = rowTexts(iceberg);
  const firstDiff = expected.findIndex((text, i) => text !== got[i]);
  expect(
      got.length === expected.length && firstDiff === -1,
      `${label} ${table}: icebird reads the ${records.length} rows crvio read prints`,
      `(got ${got.length}; first difference:\n  crvio   ${expected[firstDiff]}\n  icebird ${
          got[firstDiff]})`);

  // The snapshot lists exactly the committed parts.
  const manifest = JSON.parse(crvio('manifest', '--root', root, '--run', RUN, '--table', table));
  const parts = new Map();
  for (const partition of Object.values(manifest.partitions)) {
    for (const part of partition.parts) {
      const folder = `bucket=${String(partition.bucket_id).padStart(6, '0')}`;
      parts.set(`${tableUrl}/${folder}/${part.path}`, {...part, bucket: partition.bucket_id});
    }
  }
  const entries = (await icebergManifests(metadata))
                      .flatMap((listed) => listed.entries)
                      .filter((entry) => entry.status !== 2);
  const listed = entries.map((entry) => entry.data_file.file_path).sort();
  expect(
      listed.join() === [...parts.keys()].sort().join(),
      `${label} ${table}: the snapshot lists the ${parts.size} committed parts and no other file`,
      `(lists ${listed.length})`);
  let counted = 0;
  let agree = 0;
  let idsAgree = 0;
  const schemaIds =
      schemaFieldIds(metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']).fields);
  for (const entry of entries) {
    const file = entry.data_file;
    const part = parts.get(file.file_path);
    if (!part) continue;
    counted += Number(file.record_count);
    const fileIds = await fileFieldIds(fileURLToPath(file.file_path));
    if (fileIds.missing.length === 0 && fileIds.ids.has('tick') &&
        [...fileIds.ids].every(([path, id]) => schemaIds.get(path) === id)) {
      idsAgree++;
    }
    const ticks = (await sqlRows(`SELECT min(tick) AS lo, max(tick) AS hi, count(*) AS n
        FROM read_parquet('${fileURLToPath(file.file_path)}')`))[0];
    const tickId = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])
                       .fields.find((field) => field.name === 'tick').id;
    const lower = file.lower_bounds.find((bound) => bound.key === tickId);
    const upper = file.upper_bounds.find((bound) => bound.key === tickId);
    if (Number(file.record_count) === part.rows && Number(ticks.n) === part.rows &&
        Number(file.file_size_in_bytes) === part.bytes && Number(file.partition.bucket) === part.bucket &&
        longBound(lower.value) === Number(ticks.lo) && longBound(upper.value) === Number(ticks.hi)) {
      agree++;
    }
  }
  expect(
      agree === entries.length,
      `${label} ${table}: each data file's count, size, bucket and tick bounds are the file's`,
      `(${agree} of ${entries.length} agree)`);
  expect(
      idsAgree === entries.length,
      `${label} ${table}: every column a data file stores has the field id the schema gives it`,
      `(${idsAgree} of ${entries.length} agree)`);
  expect(
      counted === records.length, `${label} ${table}: the manifests count crvio read's rows`,
      `(${counted} vs ${records.length})`);
  return metadata;
}

const root = args.root;
// The demo with the automatic updates off, so that the export writes every first version.
crvioWith(
    {CRV_IO_ICEBERG_METADATA: 'false'},
    ['demo', '--root', root, '--run', RUN, '--agents', '40', '--ticks', '120', '--seed', '11']);
const exported = jsonLines(crvio('export', 'iceberg', '--root', root, '--run', RUN));
expect(
    exported.length === 8 && exported.every((summary) => summary.updated),
    'crvio export iceberg publishes the 8 tables', `(${exported.length})`);
for (const summary of exported) await checkTable(root, summary.table, 'demo');

const again = jsonLines(crvio('export', 'iceberg', '--root', root, '--run', RUN));
expect(
    again.every((summary) => !summary.updated && summary.metadata_version === 1),
    'exporting unchanged tables again writes no version');

// The newest snapshot's summary, as the table's metadata says.
async function lastSnapshot(table) {
  const tableUrl = `file://${join(root, 'runs', RUN, 'tables', table)}`;
  return (await icebergMetadata({tableUrl})).snapshots.at(-1).summary;
}

// An append, then a compaction, then a rewind, each publishing its own version (the
// setting iceberg_metadata is on by default) that icebird reads as crvio does.
const input = join(args.work, 'more.jsonl');
writeFileSync(
    input,
    [130, 131, 135].map((tick, i) => JSON.stringify({
      tick, observer_agent_id: `late-${i}`, edge_kind: 'trust', edge_weight: i / 4,
      edge_sign: i % 2 ? -1 : null
    })).join('\n') + '\n');
crvio('append', '--root', root, '--run', RUN, '--table', 'identity_edges', input);
let summary = await lastSnapshot('identity_edges');
expect(
    summary.operation === 'append' && summary['added-data-files'] === '1',
    'an append publishes a snapshot adding one data file', JSON.stringify(summary));
await checkTable(root, 'identity_edges', 'append');

crvio('compact', '--root', root, '--run', RUN, '--table', 'identity_edges');
summary = await lastSnapshot('identity_edges');
expect(
    summary.operation === 'replace' && summary['added-records'] === summary['deleted-records'],
    'a compaction publishes a replace snapshot of the same rows', JSON.stringify(summary));
await checkTable(root, 'identity_edges', 'compact');

crvio('rewind', '--root', root, '--run', RUN, '--table', 'identity_edges', '--after-tick', '100');
summary = await lastSnapshot('identity_edges');
expect(
    Number(summary['deleted-data-files']) > 0,
    'a rewind publishes a snapshot that removes data files', JSON.stringify(summary));
await checkTable(root, 'identity_edges', 'rewind');

// The root moved: the export writes the metadata for the new place.
const moved = join(args.work, 'moved root');  // a space, as file:// URIs keep it
cpSync(root, moved, {recursive: true});
const relocated = jsonLines(
    crvio('export', 'iceberg', '--root', moved, '--run', RUN, '--table', 'identity_edges'))[0];
expect(relocated.updated, 'a moved root gets a new version', JSON.stringify(relocated));
await checkTable(moved, 'identity_edges', 'moved');

// One table over every run: a second and third run, then decisions of all three as one
// Iceberg table. icebird 0.3.1 cannot read it: it takes every column of the schema to be
// in each data file unless the file's footer holds an "iceberg.schema", so it asks the
// parts for run_id, which only the manifests hold. Its manifests are read here instead, and
// DuckDB reads the files they list.
for (const [run, seed] of [['sweep-b', '12'], ['sweep-c', '13']]) {
  crvio('demo', '--root', root, '--run', run, '--agents', '30', '--ticks', '60', '--seed', seed);
}
const sweepDir = join(args.work, 'sweep', 'decisions');
const sweep = jsonLines(crvio(
    'export', 'iceberg', '--root', root, '--all-runs', '--table', 'decisions', '--to', sweepDir))[0];
const sweepUrl = `file://${sweepDir}`;
const sweepMetadata = await icebergMetadata({tableUrl: sweepUrl});
const spec = sweepMetadata['partition-specs'][0].fields.map((field) => field.name);
expect(spec.join() === 'bucket,run_id', 'the table over every run is partitioned by bucket and run_id', spec.join());
const entries = (await icebergManifests(sweepMetadata)).flatMap((listed) => listed.entries);
const expectedFiles = new Map();
let expectedRows = 0;
for (const run of [RUN, 'sweep-b', 'sweep-c']) {
  const manifest = JSON.parse(crvio('manifest', '--root', root, '--run', run, '--table', 'decisions'));
  for (const partition of Object.values(manifest.partitions)) {
    for (const part of partition.parts) {
      const folder = `bucket=${String(partition.bucket_id).padStart(6, '0')}`;
      expectedFiles.set(
          `file://${join(root, 'runs', run, 'tables', 'decisions', folder, part.path)}`,
          `${run}/${partition.bucket_id}`);
      expectedRows += part.rows;
    }
  }
}
const listedFiles = new Map(entries.map((entry) => [
  entry.data_file.file_path, `${entry.data_file.partition.run_id}/${entry.data_file.partition.bucket}`
]));
expect(
    listedFiles.size === expectedFiles.size &&
        [...expectedFiles].every(([file, key]) => listedFiles.get(file) === key),
    `the table over every run lists the ${expectedFiles.size} parts of the 3 runs under their run and bucket`,
    JSON.stringify([...listedFiles]));
const paths = [...listedFiles.keys()].map((uri) => `'${fileURLToPath(uri)}'`).join(', ');
const counted = (await sqlRows(`SELECT count(*) AS n FROM read_parquet([${paths}])`))[0];
expect(
    Number(counted.n) === expectedRows && sweep.rows === expectedRows,
    `DuckDB counts the ${expectedRows} rows of the files it lists`, `(${counted.n}, ${sweep.rows})`);

checks.finish();
