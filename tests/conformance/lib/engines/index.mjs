// The engines and what each can do. Modules load on first use because each
// engine brings a large native or WebAssembly library.

import {UsageError} from '../errors.mjs';

const ENGINES = {
  duckdb: {load: () => import('./duckdb.mjs'), abilities: ['read', 'write', 'meta', 'sql']},
  polars: {load: () => import('./polars.mjs'), abilities: ['read', 'write']},
  arrow: {load: () => import('./arrow.mjs'), abilities: ['read', 'write']},
  hyparquet: {load: () => import('./hyparquet.mjs'), abilities: ['read']},
};

export function enginesWith(ability) {
  return Object.keys(ENGINES).filter((engine) => ENGINES[engine].abilities.includes(ability));
}

export function checkEngineName(engine, ability) {
  if (!enginesWith(ability).includes(engine)) {
    throw new UsageError(
        `engine "${engine}" cannot ${ability}; choose one of ${enginesWith(ability).join(', ')}`);
  }
}

export async function loadEngine(engine, ability) {
  checkEngineName(engine, ability);
  return ENGINES[engine].load();
}
