#!/usr/bin/env node
// Parts written by `crvio append` are read back by DuckDB and Polars with the expected
// rows, column order and crv_* key-value metadata.
//
// usage: node append_readback.mjs --crvio PATH/crvio --work DIR
// Prints one line per check and finally "N passed, M failed"; exits 1 on any failure.

import {execFileSync} from 'node:child_process';
import {readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {DuckDBInstance} from '@duckdb/node-api';
import pl from 'nodejs-polars';

import {Checks, scriptSetup} from './lib/script_checks.mjs';

const args = scriptSetup('append_readback.mjs');
const root = args.root;
const RUN = 'readback-run';
const checks = new Checks();
const expect = checks.expect.bind(checks);

// Rows for two tables: scalars with nulls, and nested structs and lists of structs.
const tables = {
  identity_edges: Array.from({length: 150}, (_, tick) => ({
    tick,
    observer_agent_id: `agent-${tick % 7}`,
    edge_kind: tick % 2 ? 'trust' : 'rivalry',
    subject_id: tick % 5 ? `agent-${tick % 3}` : null,
    edge_weight: tick % 4,
    edge_sign: tick % 3 ? 1 : null,
  })),
  decisions: Array.from({length: 120}, (_, tick) => ({
    tick: tick * 2,
    agent_id: `agent-${tick % 5}`,
    chosen_action: {action_type: 'buy', parameters: {qty: tick}},
    action_candidates: tick % 4 ? [{action_type: 'buy', score: 0.5, key: 'k1'},
                                   {action_type: 'hold', score: 0.25, key: 'k2'}]
                                : [],
    token_value_estimates: {gold: tick / 3, silver: 1.5},
  })),
};

const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
async function rows(sql) {
  return (await connection.runAndReadAll(sql)).getRowObjectsJson();
}

for (const [table, records] of Object.entries(tables)) {
  const input = join(args.work, `${table}.jsonl`);
  writeFileSync(input, records.map((record) => JSON.stringify(record)).join('\n') + '\n');
  const summary = JSON.parse(execFileSync(args.crvio, ['append', '--root', root, '--run', RUN,
                                                       '--table', table, input]));
  expect(summary.rows === records.length, `${table}: crvio append wrote ${records.length} rows`);

  const descriptor = JSON.parse(execFileSync(args.crvio, ['schema', table, '--json']));
  const expectedColumns = descriptor.columns.map((column) => column.name);
  const folder = join(root, 'runs', RUN, 'tables', table);
  const parts = readdirSync(folder, {recursive: true})
                    .filter((name) => String(name).endsWith('.parquet'))
                    .map((name) => join(folder, String(name)));
  expect(parts.length === summary.parts.length, `${table}: ${parts.length} part files on disk`);

  const glob = join(folder, '*', '*.parquet');
  const [count] = await rows(`SELECT count(*) AS n FROM read_parquet('${glob}')`);
  expect(Number(count.n) === records.length, `${table}: DuckDB counts ${records.length} rows`,
         `(got ${count.n})`);

  for (const part of parts) {
    const kv = Object.fromEntries(
        (await rows(`SELECT key, value FROM parquet_kv_metadata('${part}')`))
            .map((row) => [row.key, row.value]));
    expect(kv.crv_schema_version === '0.1@2025-09-20' && kv.crv_table_name === table &&
               kv.crv_run_id === RUN,
           `${table}: DuckDB sees crv_* metadata in ${part.split('/').slice(-2).join('/')}`,
           JSON.stringify(kv));
    const frame = pl.readParquet(part);
    expect(JSON.stringify(frame.columns) === JSON.stringify(expectedColumns),
           `${table}: Polars reads the descriptor's columns in order`,
           `(got ${frame.columns.join(',')})`);
  }
  const polarsRows = parts.reduce((sum, part) => sum + pl.readParquet(part).height, 0);
  expect(polarsRows === records.length, `${table}: Polars reads ${records.length} rows`,
         `(got ${polarsRows})`);
}

const [weights] = await rows(
    `SELECT sum(edge_weight) AS total, count(subject_id) AS subjects FROM read_parquet('${
        join(root, 'runs', RUN, 'tables', 'identity_edges', '*', '*.parquet')}')`);
const expectedWeight = tables.identity_edges.reduce((sum, row) => sum + row.edge_weight, 0);
const expectedSubjects = tables.identity_edges.filter((row) => row.subject_id !== null).length;
expect(Number(weights.total) === expectedWeight && Number(weights.subjects) === expectedSubjects,
       'identity_edges: values and nulls read back exactly',
       JSON.stringify(weights));
const [candidates] = await rows(`SELECT sum(len(action_candidates)) AS n FROM read_parquet('${
    join(root, 'runs', RUN, 'tables', 'decisions', '*', '*.parquet')}')`);
const expectedCandidates =
    tables.decisions.reduce((sum, row) => sum + row.action_candidates.length, 0);
expect(Number(candidates.n) === expectedCandidates,
       'decisions: lists of structs read back by DuckDB', JSON.stringify(candidates));

checks.finish();
