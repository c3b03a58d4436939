// Every case of the foreign-input suite, in rule order.

import {encodingAndCodecCases} from './cases_encodings.mjs';
import {nestedCases} from './cases_nested.mjs';
import {numberCases} from './cases_numbers.mjs';
import {typeCases} from './cases_types.mjs';

export function allCases() {
  const types = typeCases();
  return [
    ...numberCases(), ...types.temporal, ...types.binary, ...encodingAndCodecCases(), ...types.flba,
    ...nestedCases()
  ].sort((a, b) => a.rule - b.rule);
}
