// Shared pieces of the foreign-input cases: the good batch appended before every refusal,
// row builders, and the words a refusal must contain.

// The rule titles, as the suite's summary names them.
export const RULES = {
  1: 'unsigned integers',
  2: 'DECIMAL',
  3: 'DATE/TIME/TIMESTAMP/INT96/INTERVAL refused',
  4: 'binary that is not UTF-8',
  5: 'DELTA and BYTE_STREAM_SPLIT encodings',
  6: 'codecs',
  7: 'FIXED_LEN_BYTE_ARRAY (FLOAT16, UUID, plain)',
  8: 'MAP into a struct column',
  9: 'legacy two-level lists',
};

// A good batch per table, appended (as JSON lines) before a refused input so that the
// refusal is seen to leave a table with data unchanged.
export const GOOD_ROWS = {
  holdings: [{tick: 0n, agent_id: 'good', token_id: 'gold', quantity: 1n}],
  holdings_valuation:
      [{tick: 0n, agent_id: 'good', token_id: 'gold', quantity: 1n, mark_price: 1.5}],
  exchange: [{
    tick: 0n,
    venue_id: 'v',
    token_id: 'gold',
    exchange_event_type: 'trade',
    additional_payload: {note: 'good'},
  }],
  decisions: [{
    tick: 0n,
    agent_id: 'good',
    chosen_action: {action_type: 'hold'},
    action_candidates: [{action_type: 'hold', score: 0.5}],
    token_value_estimates: {gold: 1.5},
  }],
  scenarios_seen: [{
    tick: 0n,
    observer_agent_id: 'good',
    salient_agent_pairs: [{agent_a: 'a', agent_b: 'b', weight: 0.5}],
    exchange_snapshot: {price: 1.5},
    context_hash: 'h',
  }],
};

export const range = (count) => Array.from({length: count}, (_, index) => index);

// A hyparquet-writer schema element for a UTF-8 string column.
export function utf8Element(name, repetition_type) {
  return {name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type};
}

// Holdings rows 0..n-1: tick i, agent_id "agent-i", token_id "gold", quantity i; `quantity`
// (a function of the row index) replaces the quantities.
export function holdingsRows(count, quantity = (index) => BigInt(index)) {
  return range(count).map((index) => ({
                            tick: BigInt(index),
                            agent_id: `agent-${index}`,
                            token_id: 'gold',
                            quantity: quantity(index),
                          }));
}

export const utf8 = (text) => new TextEncoder().encode(text);

// A regular expression that matches "row N" as a whole word.
export const rowWord = (row) => new RegExp(`\\brow ${row}\\b`);

// What a refusal of a date/time type must say: the column, the type in words and how to
// convert it.
export function temporalMentions(column, word) {
  return [column, new RegExp(`\\b${word}\\b`), /ISO[ -]?8601/i, /\b(tick|integer)\b/i];
}

// The double a half-precision bit pattern stands for.
export function halfToDouble(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// Whether the double nearest a decimal prints back (shortest round-trip digits, as
// JavaScript's String() gives them) as the same decimal at `scale`: rule 2's test for a
// DECIMAL that may go into an f64 column.
export function printsBack(text, scale) {
  return atScale(String(Number(text)), scale) === atScale(text, scale);
}

// The double a DECIMAL(p, scale) `text` must arrive as in an f64 column; throws when the
// case asks for a value that rule 2 refuses, so a case cannot expect the wrong outcome.
export function decimalDouble(text, scale) {
  if (!printsBack(text, scale))
    throw new Error(`case error: ${text} at scale ${scale} does not print back from a double`);
  return Number(text);
}

// A decimal's text ("1e-5", "-2.5", "100") as a plain number with exactly `scale` decimals.
function atScale(text, scale) {
  let [mantissa, exponent = '0'] = text.toLowerCase().split('e');
  const negative = mantissa.startsWith('-');
  mantissa = mantissa.replace(/^[-+]/, '');
  let [whole, fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point + scale, '0');
  const wholePart = digits.slice(0, point).replace(/^0+/, '') || '0';
  const fractionPart = digits.slice(point, point + scale);
  const rest = digits.slice(point + scale);
  if (/[1-9]/.test(rest)) return `${text} has more than ${scale} decimals`;
  const zero = /^0*$/.test(wholePart + fractionPart);
  return `${negative && !zero ? '-' : ''}${wholePart}${scale ? `.${fractionPart}` : ''}`;
}

// Unscaled value of a decimal text at `scale`, e.g. ("100.5", 2) -> 10050n.
export function unscaled(text, scale) {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = text.replace('-', '').split('.');
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} decimals`);
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -digits : digits;
}
