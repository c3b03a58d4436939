// arrow-rs (the Rust Parquet reader and writer) through parquet-wasm. Reading streams
// batch by batch from a file-backed Blob so that large files never sit in memory whole;
// writing uses the format's version 2 writer, so its files carry data pages v2, with
// PLAIN (not the DELTA encodings) where a dictionary does not pay, since crv-io's reader
// reads PLAIN and dictionary encodings only.

import {openAsBlob, writeFileSync} from 'node:fs';
import {
  Compression,
  Encoding,
  ParquetFile,
  Table,
  WriterPropertiesBuilder,
  WriterVersion,
  writeParquet,
} from 'parquet-wasm';

import {
  arrowSchemaFor,
  compileTableEncoder,
  ipcStreamFromBatches,
  recordBatchFromRows,
  schemaFromArrow,
  tableFromIPC,
} from '../arrow.mjs';
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

const CODECS = {
  zstd: Compression.ZSTD,
  snappy: Compression.SNAPPY,
  lz4: Compression.LZ4_RAW,
  uncompressed: Compression.UNCOMPRESSED,
};

// rowBatches yields arrays of rows, each an array of JS values in column order.
export async function write(
    schema, rowBatches, out, {compression, rowGroupSize, keyValueMetadata}) {
  const arrowSchema = arrowSchemaFor(schema);
  const batches = [];
  for await (const rows of rowBatches) batches.push(recordBatchFromRows(arrowSchema, rows));
  const table = Table.fromIPCStream(ipcStreamFromBatches(arrowSchema, batches));
  let properties = new WriterPropertiesBuilder()
                       .setWriterVersion(WriterVersion.V2)
                       .setEncoding(Encoding.PLAIN)
                       .setCompression(CODECS[compression]);
  if (rowGroupSize) properties = properties.setMaxRowGroupSize(rowGroupSize);
  if (keyValueMetadata.size > 0) properties = properties.setKeyValueMetadata(keyValueMetadata);
  writeFileSync(out, writeParquet(table, properties.build()));
}
