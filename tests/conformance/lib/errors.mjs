// Error classes that let the command line tell bad invocations and bad input
// (exit 2) apart from engines disagreeing with the expectation (exit 1).

export class UsageError extends Error {}

// An engine's file does not have the schema the test expected.
export class SchemaMismatchError extends Error {}

// An error about one value inside a row. The location is collected while the
// error unwinds through the nested value (field names and list indexes), so the
// hot path never builds path strings for values that are fine.
class ValueError extends Error {
  constructor(message) {
    super(message);
    this.segments = [];
  }

  at(segment) {
    this.segments.unshift(segment);
    return this;
  }

  get path() { return formatPath(this.segments); }
}

// A canonical JSON value that breaks the canonical grammar (bad input file).
export class CanonicalFormatError extends ValueError {}

// An engine handed over a JS value that does not fit the column type.
export class EngineValueError extends ValueError {}

export function formatPath(segments) {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number')
      path += `[${segment}]`;
    else
      path += path === '' ? segment : `.${segment}`;
  }
  return path;
}
