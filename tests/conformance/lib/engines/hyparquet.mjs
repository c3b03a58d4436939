// hyparquet, a pure-JS Parquet reader, one row group at a time.

import {asyncBufferFromFile, parquetMetadataAsync, parquetRead} from 'hyparquet';
import {compressors} from 'hyparquet-compressors';

import {compileRowsEncoder} from '../canonical.mjs';
import {SchemaMismatchError} from '../errors.mjs';
import {schemaFromParquet} from '../parquet-schema.mjs';
import {schemaDifference} from '../schema.mjs';

export const name = 'hyparquet';

export async function* readCanonical(file, schema) {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  const difference = schemaDifference(schema, schemaFromParquet(metadata), name);
  if (difference) throw new SchemaMismatchError(difference);
  const encodeRows = compileRowsEncoder(schema);
  let firstRow = 0;
  for (const rowGroup of metadata.row_groups) {
    const rowEnd = firstRow + Number(rowGroup.num_rows);
    if (rowEnd === firstRow) continue;
    const rows = await readRows(
        {file: buffer, metadata, compressors, rowStart: firstRow, rowEnd, rowFormat: 'array'});
    yield encodeRows(rows.length, firstRow, (row, _column, index) => rows[row][index]);
    firstRow = rowEnd;
  }
}

function readRows(options) {
  return new Promise((resolve, reject) => {
    parquetRead({...options, onComplete: resolve}).catch(reject);
  });
}
