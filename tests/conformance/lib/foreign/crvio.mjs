// Running `crvio append` / `crvio read`, snapshotting a dataset root, and reading a table
// back with DuckDB, for the foreign-input suite.

import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

import {sqlString} from './peers.mjs';
import {parseJsonExact, typedFromDuckDB} from './values.mjs';

// Runs a program; resolves to {code, stdout, stderr}; never rejects.
export function run(program, args) {
  return new Promise((resolve) => {
    const child = spawn(program, args, {stdio: ['ignore', 'pipe', 'pipe']});
    const out = [];
    const err = [];
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    const finish = (code, extra = '') => resolve({
      code,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8') + extra,
    });
    child.on('error', (error) => finish(-1, `cannot start ${program}: ${error.message}`));
    child.on('close', (code, signal) => finish(code ?? -1, signal ? `killed by ${signal}` : ''));
  });
}

export function appendArgs(root, runId, table, input, format, extra = []) {
  return [
    'append', '--root', root, '--run', runId, '--table', table, '--format', format, ...extra, input
  ];
}

// JSON text of a row for a JSON-lines input: bigint as an integer, numbers as doubles.
export function jsonLine(row) {
  const encode = (value) => {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`JSON has no ${value}`);
      return Number.isInteger(value) ? `${value}.0` : String(value);
    }
    if (typeof value === 'string') return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
    return `{${
        Object.entries(value)
            .map(([key, inner]) => `${JSON.stringify(key)}:${encode(inner)}`)
            .join(',')}}`;
  };
  return encode(row);
}

export function writeJsonLines(file, rows) {
  writeFileSync(file, rows.map((row) => `${jsonLine(row)}\n`).join(''));
}

// Every file under root: relative path -> sha256 of its bytes.
export function snapshot(root) {
  const files = new Map();
  for (const entry of readdirSync(root, {recursive: true, withFileTypes: true})) {
    if (entry.isDirectory()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const digest = entry.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') :
                                    `not a regular file`;
    files.set(path.slice(root.length + 1), digest);
  }
  return files;
}

// null when equal, else what changed.
export function snapshotDifference(before, after) {
  const changes = [];
  for (const [path, digest] of after) {
    if (!before.has(path))
      changes.push(`new file ${path}`);
    else if (before.get(path) !== digest)
      changes.push(`${path} changed`);
  }
  for (const path of before.keys()) {
    if (!after.has(path)) changes.push(`${path} removed`);
  }
  if (changes.length === 0) return null;
  return changes.slice(0, 4).join('; ') +
      (changes.length > 4 ? ` (${changes.length} changes)` : '');
}

// The table's rows as DuckDB reads its part files, typed, ordered by `orderBy`.
export async function duckdbRows(connection, root, runId, table, orderBy) {
  const glob = join(root, 'runs', runId, 'tables', table, 'bucket=*', '*.parquet');
  const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet(${
      sqlString(glob)}, hive_partitioning = false, union_by_name = true) ORDER BY ${orderBy}`);
  const types = reader.columnTypes();
  const names = reader.columnNames();
  return reader.getRowsJS().map((values) => {
    const row = {};
    names.forEach((name, index) => {
      row[name] = typedFromDuckDB(types[index], values[index]);
    });
    return row;
  });
}

// The table's rows as `crvio read` prints them, typed (integers as bigint).
export async function crvioRows(crvio, root, runId, table) {
  const result = await run(crvio, ['read', '--root', root, '--run', runId, '--table', table]);
  if (result.code !== 0)
    throw new Error(`crvio read exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout.split('\n').filter((line) => line !== '').map(parseJsonExact);
}
