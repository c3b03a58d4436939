// arrow-rs (the Rust Parquet reader) through parquet-wasm, streamed batch by
// batch from a file-backed Blob so that large files never sit in memory whole.

import {openAsBlob} from 'node:fs';
import {ParquetFile} from 'parquet-wasm';

import {compileTableEncoder, schemaFromArrow, tableFromIPC} from '../arrow.mjs';
import {SchemaMismatchError} from '../errors.mjs';
import {schemaDifference} from '../schema.mjs';

export const name = 'arrow';

const BATCH_ROWS = 65536;

export async function* readCanonical(file, schema) {
  const parquetFile = await ParquetFile.fromFile(await openAsBlob(file));
  try {
    // arrow-rs maps REQUIRED/OPTIONAL to Arrow nullability, so it is compared.
    const fileSchema = tableFromIPC(parquetFile.schema().intoIPCStream()).schema;
    const difference = schemaDifference(schema, schemaFromArrow(fileSchema, true), name);
    if (difference) throw new SchemaMismatchError(difference);
    const encodeTable = compileTableEncoder(schema);
    for await (const wasmBatch of await parquetFile.stream({batchSize: BATCH_ROWS})) {
      yield encodeTable(tableFromIPC(wasmBatch.intoIPCStream()));
    }
  } finally {
    parquetFile.free();
  }
}
