// Polars through nodejs-polars. Data crosses between Polars and JS as Arrow
// IPC, which is exact for every type here (see lib/arrow.mjs for why JSON is not).

import pl from 'nodejs-polars';

import {arrowSchemaFor, compileTableEncoder, ipcStreamFromBatches, recordBatchFromRows, schemaFromArrow, tableFromIPC} from '../arrow.mjs';
import {SchemaMismatchError, UsageError} from '../errors.mjs';
import {schemaDifference} from '../schema.mjs';

export const name = 'polars';

// Rows handed to JS at a time; the frame itself stays in Polars' memory.
const SLICE_ROWS = 65536;

export async function* readCanonical(file, schema) {
  const frame = pl.readParquet(file);
  const height = frame.height;
  const encodeTable = compileTableEncoder(schema);
  let offset = 0;
  do {
    const table = tableFromIPC(frame.slice(offset, SLICE_ROWS).writeIPCStream());
    if (offset === 0) {
      const difference = schemaDifference(schema, schemaFromArrow(table.schema, false), name);
      if (difference) throw new SchemaMismatchError(difference);
    }
    yield encodeTable(table);
    offset += SLICE_ROWS;
  } while (offset < height);
}

// rowBatches yields arrays of rows, each an array of JS values in column order.
export async function write(
    schema, rowBatches, out, {compression, rowGroupSize, keyValueMetadata}) {
  if (keyValueMetadata.size > 0)
    throw new UsageError('nodejs-polars cannot write Parquet key-value metadata (--kv)');
  const arrowSchema = arrowSchemaFor(schema);
  const batches = [];
  for await (const rows of rowBatches) batches.push(recordBatchFromRows(arrowSchema, rows));
  const frame = pl.readIPCStream(Buffer.from(ipcStreamFromBatches(arrowSchema, batches)));
  // Only the lazy sink exposes the row group size.
  await frame.lazy().sinkParquet(out, {compression, rowGroupSize, maintainOrder: true}).collect();
}
