// Compares what one engine reads from a Parquet file with an expected
// canonical JSON-lines file, streaming both sides.

import {decodeCanonicalRow, firstDifference, formatValue} from './canonical.mjs';
import {CanonicalFormatError, EngineValueError, formatPath, SchemaMismatchError} from './errors.mjs';
import {LineCursor, parseLine} from './jsonl.mjs';
import {rowType} from './schema.mjs';

// Resolves to {ok: true, rows} or {ok: false, detail}. Bad expectation files
// and bad invocations are thrown as UsageError instead: no engine is at fault.
export async function compareWithExpected(engine, file, schema, expectedPath) {
  const type = rowType(schema);
  const cursor = new LineCursor(expectedPath);
  let row = 0;
  try {
    for await (const batch of engine.readCanonical(file, schema)) {
      for (const actualText of batch) {
        if (!cursor.hasBuffered() && !(await cursor.refill())) {
          return {
            ok: false,
            detail: `row count: ${expectedPath} has ${row} rows, ${engine.name} reads more`
          };
        }
        const line = cursor.take();
        // Equal text is the common case when both sides write the compact
        // form; otherwise compare values, which ignores formatting.
        if (line.text !== actualText) {
          const expected = parseLine(expectedPath, line);
          const difference = firstDifference(type, expected, JSON.parse(actualText));
          if (difference)
            return {ok: false, detail: describeDifference(schema, row, line, expected, difference)};
        }
        row++;
      }
    }
    let expectedRows = row;
    while (cursor.hasBuffered() || (await cursor.refill())) {
      cursor.take();
      expectedRows++;
    }
    if (expectedRows !== row)
      return {
        ok: false,
        detail: `row count: expected ${expectedRows} rows, ${engine.name} reads ${row}`
      };
    return {ok: true, rows: row};
  } catch (error) {
    const detail = disagreementDetail(error);
    if (detail) return {ok: false, detail};
    throw error;
  } finally {
    await cursor.close();
  }
}

// Describes an error that means the file disagrees with the schema, or
// undefined for any other failure.
export function disagreementDetail(error) {
  if (error instanceof SchemaMismatchError) return `schema ${error.message}`;
  if (error instanceof EngineValueError) {
    const row = error.row === undefined ? '' : `row ${error.row} `;
    return `${row}column ${error.path}: ${error.message}`;
  }
  return undefined;
}

function describeDifference(schema, row, line, expected, difference) {
  const where =
      difference.segments.length === 0 ? 'whole row' : `column ${formatPath(difference.segments)}`;
  const values =
      `expected ${formatValue(difference.expected)}, got ${formatValue(difference.actual)}`;
  let detail = `row ${row} (line ${line.number}) ${where}: ${values}`;
  if (difference.note) detail += ` (${difference.note})`;
  // An engine always produces canonical values, so a malformed expectation
  // can only show up as a difference; name the real cause when that is it.
  try {
    decodeCanonicalRow(schema, expected);
  } catch (error) {
    if (!(error instanceof CanonicalFormatError)) throw error;
    const at = error.path || 'the row';
    detail += `; the expected row itself is not canonical at ${at}: ${error.message}`;
  }
  return detail;
}
