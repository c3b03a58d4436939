// The input side and the after-the-fact inspection of the write command.

import {asyncBufferFromFile, parquetMetadataAsync} from 'hyparquet';

import {decodeCanonicalRow} from './canonical.mjs';
import {CanonicalFormatError, UsageError} from './errors.mjs';
import {lineBatches, parseLine} from './jsonl.mjs';
import {schemaFromParquet} from './parquet-schema.mjs';
import {nullableInsteadOfRequired, schemaDifference, withoutNullability} from './schema.mjs';

// Yields batches of rows as JS values in column order, rejecting any line
// that is not a canonical row of the schema. counter.rows tracks the total.
export async function* decodedRowBatches(schema, inputPath, counter) {
  for await (const lines of lineBatches(inputPath)) {
    const rows = lines.map((line) => {
      try {
        return decodeCanonicalRow(schema, parseLine(inputPath, line));
      } catch (error) {
        if (!(error instanceof CanonicalFormatError)) throw error;
        const where = error.path ? ` column ${error.path}` : '';
        throw new UsageError(`${inputPath} line ${line.number}${where}: ${error.message}`);
      }
    });
    counter.rows += rows.length;
    yield rows;
  }
}

// Reads back what an engine wrote. Returns {problems, notes, summary}:
// problems mean the file does not hold what was asked (wrong types or row
// count); notes name requests the engine could not honour.
export async function inspectWrittenFile(engineName, out, schema, requested) {
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(out));
  const fileSchema = schemaFromParquet(metadata);
  const problems = [];
  const notes = [];
  const typeDifference =
      schemaDifference(schema, withoutNullability(fileSchema), `the file written by ${engineName}`);
  if (typeDifference) problems.push(typeDifference);
  const fileRows = Number(metadata.num_rows);
  if (fileRows !== requested.rows)
    problems.push(`the file holds ${fileRows} rows, the input ${requested.rows}`);
  if (!typeDifference) {
    const downgraded = nullableInsteadOfRequired(schema, fileSchema);
    if (downgraded.length > 0) {
      notes.push(
          `${engineName} wrote these non-nullable positions as OPTIONAL: ${downgraded.join(', ')}`);
    }
  }
  const groupSizes = metadata.row_groups.map((group) => Number(group.num_rows));
  const sizes = listSizes(groupSizes);
  const wanted = requested.rowGroupSize;
  if (wanted !== undefined && !rowGroupsHonour(groupSizes, wanted)) {
    notes.push(`${engineName} did not cut row groups of ${wanted} rows: got ${sizes}`);
  }
  const codecs = new Set(
      metadata.row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data.codec)));
  const codecText = [...codecs].join('/') || 'none';
  const summary =
      `${engineName} wrote ${fileRows} rows, row groups ${sizes}, codec ${codecText}, to ${out}`;
  return {problems, notes, summary};
}

function rowGroupsHonour(sizes, wanted) {
  return sizes.every(
      (size, index) => (index === sizes.length - 1 ? size > 0 && size <= wanted : size === wanted));
}

function listSizes(sizes) {
  const shown = sizes.slice(0, 8).join(', ');
  return sizes.length > 8 ? `[${shown}, ... ${sizes.length - 8} more]` : `[${shown}]`;
}
