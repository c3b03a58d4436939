// Reading and writing JSON lines in large blocks: a million rows one await
// per line would spend most of the time in the event loop.

import {createReadStream} from 'node:fs';

import {UsageError} from './errors.mjs';

// Yields arrays of {number, text}, one entry per line of the file. A final
// newline and trailing empty lines are fine; an empty line before a non-empty
// one is an error because it would silently shift the row numbering.
export async function* lineBatches(path) {
  let pending = '';
  let lineNumber = 0;
  let sawEmptyLine = 0;
  const stream = createReadStream(path, {encoding: 'utf8', highWaterMark: 1 << 20});
  try {
    for await (const chunk of stream) {
      const pieces = (pending + chunk).split('\n');
      pending = pieces.pop();
      const batch = [];
      for (const piece of pieces) {
        lineNumber++;
        const text = piece.endsWith('\r') ? piece.slice(0, -1) : piece;
        if (text === '') {
          sawEmptyLine ||= lineNumber;
          continue;
        }
        if (sawEmptyLine) throw new UsageError(`${path} line ${sawEmptyLine} is empty`);
        batch.push({number: lineNumber, text});
      }
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${path}: ${error.message}`);
  }
  if (pending !== '') {
    if (sawEmptyLine) throw new UsageError(`${path} line ${sawEmptyLine} is empty`);
    yield [{number: lineNumber + 1, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending}];
  }
}

export function parseLine(path, line) {
  try {
    return JSON.parse(line.text);
  } catch (error) {
    throw new UsageError(`${path} line ${line.number}: invalid JSON (${error.message})`);
  }
}

// Pulls lines one at a time out of lineBatches without an await per line.
export class LineCursor {
  constructor(path) {
    this.batches = lineBatches(path);
    this.lines = [];
    this.index = 0;
  }

  // Resolves to true once a line is buffered, or false at the end of the file.
  async refill() {
    while (this.index >= this.lines.length) {
      const {value, done} = await this.batches.next();
      if (done) return false;
      this.lines = value;
      this.index = 0;
    }
    return true;
  }

  hasBuffered() { return this.index < this.lines.length; }

  take() { return this.lines[this.index++]; }

  async close() { await this.batches.return(); }
}

// Writes text to a stream and waits when its buffer is full.
export async function writeText(stream, text) {
  if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
}
