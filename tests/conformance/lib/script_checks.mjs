// The frame of a Node check script run by ctest: `--crvio PATH --work DIR` arguments, a
// fresh work folder, one line per check and a final count that sets the exit status.

import {mkdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {parseArgs} from 'node:util';

// {crvio, work, root}: the work folder is emptied and `root` (a dataset root inside it)
// is where the script writes. Exits 2 with a usage line when an argument is missing.
export function scriptSetup(scriptName) {
  const {values} = parseArgs({options: {crvio: {type: 'string'}, work: {type: 'string'}}});
  if (!values.crvio || !values.work) {
    console.error(`usage: node ${scriptName} --crvio PATH --work DIR`);
    process.exit(2);
  }
  rmSync(values.work, {recursive: true, force: true});
  mkdirSync(values.work, {recursive: true});
  return {crvio: values.crvio, work: values.work, root: join(values.work, 'data')};
}

export class Checks {
  passed = 0;
  failed = 0;

  expect(condition, what, detail = '') {
    if (condition) {
      this.passed++;
      console.log(`ok   ${what}`);
    } else {
      this.failed++;
      console.log(`FAIL ${what} ${detail}`);
    }
  }

  // Prints "N passed, M failed" and exits 1 on any failure.
  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 ? 0 : 1);
  }
}
