// Rules 3 (date and time types refused), 4 (binary that is not UTF-8) and 7
// (FIXED_LEN_BYTE_ARRAY: FLOAT16, UUID, plain).

import {valuationRows} from './cases_numbers.mjs';
import {halfToDouble, holdingsRows, range, rowWord, temporalMentions, utf8, utf8Element} from './common.mjs';
import {arrow, arrowRsWrite, arrowTable, duckdbWrite, hyparquetWrite, int96Rewrite, polarsWrite, valuesSelect} from './peers.mjs';

// ---- holdings with one column replaced, for every peer ------------------------------------

const DEFAULT_SQL = {
  tick: 'BIGINT',
  agent_id: 'VARCHAR',
  token_id: 'VARCHAR',
  quantity: 'BIGINT'
};
const defaultLiteral = {
  tick: (i) => `${i}`,
  agent_id: (i) => `'agent-${i}'`,
  token_id: () => `'gold'`,
  quantity: (i) => `${i}`,
};

// DuckDB holdings of `literals.length` rows whose `column` is `literals` (SQL) as `sqlType`.
export function duckdbReplaced(column, sqlType, literals) {
  const names = Object.keys(DEFAULT_SQL);
  return valuesSelect(
      names.map((name) => ({name, sql: name === column ? sqlType : DEFAULT_SQL[name]})),
      literals.map(
          (literal, i) =>
              names.map((name) => name === column ? literal : defaultLiteral[name](i))));
}

const DEFAULT_ARROW = {
  tick: () => ({type: new arrow.Int64(), values: (n) => range(n).map(BigInt)}),
  agent_id: () => ({type: new arrow.Utf8(), values: (n) => range(n).map((i) => `agent-${i}`)}),
  token_id: () => ({type: new arrow.Utf8(), values: (n) => range(n).map(() => 'gold')}),
  quantity: () => ({type: new arrow.Int64(), values: (n) => range(n).map(BigInt)}),
};

// The four holdings columns of an Arrow table of `count` rows, as arrowTable() takes them.
export function arrowHoldingsColumns(count) {
  return Object.keys(DEFAULT_ARROW).map((name) => {
    const {type, values} = DEFAULT_ARROW[name]();
    return {name, type, values: values(count)};
  });
}

// An Arrow holdings table whose `column` is {type, values}.
export function arrowReplaced(column, replacement) {
  const count = replacement.values.length;
  return arrowTable(Object.keys(DEFAULT_ARROW).map((name) => {
    if (name === column) return {name, ...replacement};
    const {type, values} = DEFAULT_ARROW[name]();
    return {name, type, values: values(count)};
  }));
}

const DEFAULT_ELEMENT = {
  tick: {type: 'INT64'},
  agent_id: {type: 'BYTE_ARRAY', converted_type: 'UTF8'},
  token_id: {type: 'BYTE_ARRAY', converted_type: 'UTF8'},
  quantity: {type: 'INT64'},
};
const DEFAULT_DATA = {
  tick: (n) => range(n).map(BigInt),
  agent_id: (n) => range(n).map((i) => `agent-${i}`),
  token_id: (n) => range(n).map(() => 'gold'),
  quantity: (n) => range(n).map(BigInt),
};

// hyparquet-writer holdings whose `column` has schema `element` and values `data`.
export function hyparquetReplaced(file, column, element, data, options = {}) {
  const names = Object.keys(DEFAULT_ELEMENT);
  hyparquetWrite(file, {
    schema: [
      {name: 'root', num_children: names.length},
      ...names.map((name) => ({
                     name,
                     repetition_type: 'REQUIRED',
                     ...(name === column ? element : DEFAULT_ELEMENT[name])
                   })),
    ],
    columnData: names.map(
        (name) => ({name, data: name === column ? data : DEFAULT_DATA[name](data.length)})),
    ...options,
  });
}

// ---- rule 3: date and time types are refused ---------------------------------------------

function temporalCases() {
  const cases = [];
  const add = (peer, name, column, word, fields) => cases.push({
    rule: 3,
    peer,
    name,
    table: 'holdings',
    ...fields,
    refuse: {exit: 6, class: 'IoSchemaError', mentions: temporalMentions(column, word)},
  });
  const duckdb = (column, sqlType, literals) => (file, {duckdb: connection}) =>
      duckdbWrite(connection, duckdbReplaced(column, sqlType, literals), file);

  add('duckdb', 'DATE into i64 quantity', 'quantity', 'DATE', {
    write: duckdb('quantity', 'DATE', [`'2024-02-29'`, `'1970-01-01'`]),
    want: {schema: {quantity: {type: 'INT32', converted: 'DATE'}}},
  });
  add('duckdb', 'TIME into i64 quantity', 'quantity', 'TIME', {
    write: duckdb('quantity', 'TIME', [`'12:34:56'`, `'00:00:00'`]),
    want: {schema: {quantity: {type: 'INT64', converted: 'TIME_MICROS'}}},
  });
  add('duckdb', 'TIMESTAMP (micros) into i64 tick', 'tick', 'TIMESTAMP', {
    write: duckdb('tick', 'TIMESTAMP', [`'2024-01-01 00:00:00'`, `'2024-01-01 00:00:01'`]),
    want: {schema: {tick: {type: 'INT64', converted: 'TIMESTAMP_MICROS'}}},
  });
  add('duckdb', 'TIMESTAMP_MS into i64 quantity', 'quantity', 'TIMESTAMP', {
    write: duckdb('quantity', 'TIMESTAMP_MS', [`'2024-01-01 00:00:00.123'`]),
    want: {schema: {quantity: {type: 'INT64', converted: 'TIMESTAMP_MILLIS'}}},
  });
  add('duckdb', 'TIMESTAMP_NS (logical type only) into i64 quantity', 'quantity', 'TIMESTAMP', {
    write: duckdb('quantity', 'TIMESTAMP_NS', [`'2024-01-01 00:00:00.123456789'`]),
    want: {
      schema:
          {quantity: {type: 'INT64', converted: null, logical: {type: 'TIMESTAMP', unit: 'NANOS'}}}
    },
  });
  add('duckdb', 'TIMESTAMPTZ into str token_id', 'token_id', 'TIMESTAMP', {
    write: duckdb('token_id', 'TIMESTAMPTZ', [`'2024-01-01 00:00:00+00'`]),
    want:
        {schema: {token_id: {type: 'INT64', logical: {type: 'TIMESTAMP', isAdjustedToUTC: true}}}},
  });
  add('duckdb', 'INTERVAL into i64 quantity', 'quantity', 'INTERVAL', {
    write: duckdb('quantity', 'INTERVAL', [`INTERVAL 3 DAY`]),
    want: {schema: {quantity: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'INTERVAL', length: 12}}},
  });
  cases.push({
    rule: 3,
    peer: 'duckdb',
    name: 'DATE into f64 mark_price',
    table: 'holdings_valuation',
    write: (file, {duckdb: connection}) => duckdbWrite(
        connection, `SELECT 0::BIGINT AS tick,
        'a' AS agent_id, 'gold' AS token_id, 1::BIGINT AS quantity, DATE '2024-03-01' AS mark_price`,
        file),
    want: {schema: {mark_price: {type: 'INT32', converted: 'DATE'}}},
    refuse: {exit: 6, class: 'IoSchemaError', mentions: temporalMentions('mark_price', 'DATE')},
  });
  cases.push({
    rule: 3,
    peer: 'duckdb',
    name: 'TIMESTAMP member of a struct',
    table: 'exchange',
    write: (file, {duckdb: connection}) => duckdbWrite(
        connection, `SELECT 0::BIGINT AS tick,
        'v' AS venue_id, 'gold' AS token_id, 'trade' AS exchange_event_type,
        {'at': TIMESTAMP '2024-01-01 10:00:00', 'n': 1::BIGINT} AS additional_payload`,
        file),
    want: {schema: {'additional_payload.at': {type: 'INT64', converted: 'TIMESTAMP_MICROS'}}},
    refuse: {
      exit: 6,
      class: 'IoSchemaError',
      mentions: temporalMentions('additional_payload', 'TIMESTAMP')
    },
  });

  add('polars', 'Date into i64 quantity', 'quantity', 'DATE', {
    write: (file) => polarsWrite(
        arrowReplaced(
            'quantity',
            {type: new arrow.DateDay(), values: [new Date(Date.UTC(2024, 1, 29)), new Date(0)]}),
        file),
    want: {schema: {quantity: {type: 'INT32', converted: 'DATE'}}},
  });
  add('polars', 'Datetime(ms) into i64 tick', 'tick', 'TIMESTAMP', {
    write: (file) => polarsWrite(
        arrowReplaced(
            'tick',
            {type: new arrow.TimestampMillisecond(), values: [1700000000000, 1700000000001]}),
        file),
    want: {schema: {tick: {type: 'INT64', logical: {type: 'TIMESTAMP', unit: 'MILLIS'}}}},
  });
  add('polars', 'Time into i64 quantity', 'quantity', 'TIME', {
    write: (file) => polarsWrite(
        arrowReplaced('quantity', {type: new arrow.TimeNanosecond(), values: [3600000000000n, 0n]}),
        file),
    want: {schema: {quantity: {type: 'INT64', logical: {type: 'TIME'}}}},
  });

  add('arrow-rs', 'Date32 into i64 quantity', 'quantity', 'DATE', {
    write: (file) => arrowRsWrite(
        arrowReplaced(
            'quantity', {type: new arrow.DateDay(), values: [new Date(Date.UTC(2024, 1, 29))]}),
        file),
    want: {schema: {quantity: {type: 'INT32', converted: 'DATE'}}},
  });
  add('arrow-rs', 'Timestamp(ms, UTC) into i64 tick', 'tick', 'TIMESTAMP', {
    write: (file) => arrowRsWrite(
        arrowReplaced(
            'tick',
            {type: new arrow.Timestamp(arrow.TimeUnit.MILLISECOND, 'UTC'), values: [0, 1000]}),
        file),
    want: {
      schema: {
        tick: {
          type: 'INT64',
          converted: 'TIMESTAMP_MILLIS',
          logical: {type: 'TIMESTAMP', isAdjustedToUTC: true}
        }
      }
    },
  });
  add('arrow-rs', 'Time32(ms) into i64 quantity', 'quantity', 'TIME', {
    write: (file) => arrowRsWrite(
        arrowReplaced('quantity', {type: new arrow.TimeMillisecond(), values: [1000, 86399999]}),
        file),
    want: {schema: {quantity: {type: 'INT32', converted: 'TIME_MILLIS'}}},
  });
  add('arrow-rs', 'Interval(DayTime) into i64 quantity', 'quantity', 'INTERVAL', {
    write: (file) => arrowRsWrite(
        arrowReplaced(
            'quantity', {type: new arrow.IntervalDayTime(), values: [new Int32Array([3, 1000])]}),
        file),
    want: {schema: {quantity: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'INTERVAL'}}},
  });

  // INT96 is written by no peer here; hyparquet-writer writes FIXED_LEN_BYTE_ARRAY(12) and
  // the footer is rewritten to INT96 (PLAIN pages of both are 12 bytes a value).
  const int96 = (nanos, julianDay) => {
    const bytes = new Uint8Array(12);
    const view = new DataView(bytes.buffer);
    view.setBigInt64(0, nanos, true);
    view.setInt32(8, julianDay, true);
    return bytes;
  };
  add('hyparquet-writer', 'INT96 into i64 tick', 'tick', 'INT96', {
    write: (file) => hyparquetReplaced(
        file, 'tick', {type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12},
        [int96(0n, 2460311), int96(3600000000000n, 2440588)], {rewrite: int96Rewrite('tick')}),
    want: {schema: {tick: {type: 'INT96'}}},
  });
  add('hyparquet-writer', 'INT96 into str token_id', 'token_id', 'INT96', {
    write: (file) => hyparquetReplaced(
        file, 'token_id', {type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12}, [int96(0n, 2460311)],
        {rewrite: int96Rewrite('token_id')}),
    want: {schema: {token_id: {type: 'INT96'}}},
  });
  add('hyparquet-writer', 'legacy converted TIMESTAMP_MILLIS (no logical type) into quantity',
      'quantity', 'TIMESTAMP', {
        write: (file) => hyparquetReplaced(
            file, 'quantity', {type: 'INT64', converted_type: 'TIMESTAMP_MILLIS'},
            [1700000000000n, 0n]),
        want: {schema: {quantity: {type: 'INT64', converted: 'TIMESTAMP_MILLIS', logical: null}}},
      });
  add('hyparquet-writer', 'legacy converted DATE (no logical type) into quantity', 'quantity',
      'DATE', {
        write: (file) => hyparquetReplaced(
            file, 'quantity', {type: 'INT32', converted_type: 'DATE'}, [19782, 0]),
        want: {schema: {quantity: {type: 'INT32', converted: 'DATE', logical: null}}},
      });
  add('hyparquet-writer', 'legacy converted TIME_MICROS (no logical type) into quantity',
      'quantity', 'TIME', {
        write: (file) => hyparquetReplaced(
            file, 'quantity', {type: 'INT64', converted_type: 'TIME_MICROS'}, [1000000n]),
        want: {schema: {quantity: {type: 'INT64', converted: 'TIME_MICROS', logical: null}}},
      });
  return cases;
}

// ---- rule 4: binary that is not UTF-8 ------------------------------------------------------

function binaryCases() {
  const cases = [];
  const add = (peer, name, fields) =>
      cases.push({rule: 4, peer, name, table: 'holdings', ...fields});
  const unannotated = {type: 'BYTE_ARRAY', converted: null, logical: null};
  const notUtf8 = (column, row) =>
      ({exit: 6, class: 'IoSchemaError', mentions: [column, rowWord(row)]});
  const texts = ['abc', 'été', '', '日本語 ✓', 'agent-4'];
  const withAgents = (names) =>
      holdingsRows(names.length).map((row, i) => ({...row, agent_id: names[i]}));

  add('duckdb', 'BLOB holding UTF-8 into str agent_id', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbReplaced('agent_id', 'BLOB', texts.map((text) => `'${blobLiteral(text)}'`)),
        file),
    want: {schema: {agent_id: unannotated}},
    rows: withAgents(texts),
  });
  add('duckdb', 'BLOB \\xFF\\xFE (row 2) into str agent_id refused', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbReplaced('agent_id', 'BLOB', [`'ok'`, `'fine'`, `'\\xFF\\xFE'`, `'x'`]),
        file),
    want: {schema: {agent_id: unannotated}},
    refuse: notUtf8('agent_id', 2),
  });
  add('polars', 'Binary holding UTF-8 into str token_id', {
    write: (file) => polarsWrite(
        arrowReplaced('token_id', {type: new arrow.Binary(), values: texts.map(utf8)}), file),
    want: {schema: {token_id: unannotated}},
    rows: holdingsRows(texts.length).map((row, i) => ({...row, token_id: texts[i]})),
  });
  add('polars', 'Binary with a truncated sequence \\xE2\\x82 (row 1) refused', {
    write: (file) => polarsWrite(
        arrowReplaced(
            'token_id',
            {type: new arrow.Binary(), values: [utf8('ok'), new Uint8Array([0x61, 0xe2, 0x82])]}),
        file),
    want: {schema: {token_id: unannotated}},
    refuse: notUtf8('token_id', 1),
  });
  add('arrow-rs', 'LargeBinary holding UTF-8 into str agent_id', {
    write: (file) => arrowRsWrite(
        arrowReplaced('agent_id', {type: new arrow.LargeBinary(), values: texts.map(utf8)}), file),
    want: {schema: {agent_id: unannotated}},
    rows: withAgents(texts),
  });
  add('arrow-rs',
      'Binary with a UTF-16 surrogate \\xED\\xA0\\x80 (row 1200, second row group) refused', {
        write: (file) => arrowRsWrite(
            arrowReplaced('agent_id', {
              type: new arrow.Binary(),
              values: range(1500).map(
                  (i) => i === 1200 ? new Uint8Array([0xed, 0xa0, 0x80]) : utf8(`agent-${i}`)),
            }),
            file, {rowGroupSize: 1000}),
        want: {schema: {agent_id: unannotated}, minRowGroups: 2},
        refuse: notUtf8('agent_id', 1200),
      });
  add('hyparquet-writer', 'BYTE_ARRAY without annotation holding UTF-8 into str', {
    write: (file) => hyparquetReplaced(file, 'agent_id', {type: 'BYTE_ARRAY'}, texts.map(utf8)),
    want: {schema: {agent_id: unannotated}},
    rows: withAgents(texts),
  });
  add('hyparquet-writer', 'BYTE_ARRAY without annotation \\xFF (row 0) refused', {
    write: (file) => hyparquetReplaced(
        file, 'agent_id', {type: 'BYTE_ARRAY'}, [new Uint8Array([0xff]), utf8('ok')]),
    want: {schema: {agent_id: unannotated}},
    refuse: notUtf8('agent_id', 0),
  });
  add('hyparquet-writer', 'STRING column holding overlong \\xC0\\x80 (row 1) is a corrupt file', {
    write: (file) => hyparquetReplaced(
        file, 'agent_id',
        {type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: {type: 'STRING'}},
        [utf8('ok'), new Uint8Array([0x61, 0xc0, 0x80]), utf8('fine')]),
    want: {schema: {agent_id: {type: 'BYTE_ARRAY', converted: 'UTF8', logical: {type: 'STRING'}}}},
    refuse: {exit: 9, class: 'IoFormatError', mentions: ['agent_id', rowWord(1)]},
  });
  return cases;
}

// DuckDB's BLOB literal of a text: every byte as \xHH.
function blobLiteral(text) {
  return [...utf8(text)]
      .map((byte) => `\\x${byte.toString(16).padStart(2, '0').toUpperCase()}`)
      .join('');
}

// ---- rule 7: FIXED_LEN_BYTE_ARRAY --------------------------------------------------------

// Half-precision bit patterns: 1.5, -0.0, the largest and smallest normal and the smallest
// subnormal, 0.1 rounded, 1 + 2^-10, the infinities, NaN and a null.
const HALVES =
    [0x3e00, 0x8000, 0x7bff, 0xfbff, 0x0400, 0x0001, 0x2e66, 0x3c01, 0x7c00, 0xfc00, 0x7e00, null];
const UUIDS = [
  '6BA7B810-9DAD-11D1-80B4-00C04FD430C8', '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '7fffffff-0000-4000-8000-000000000001',
  '80000000-0000-0000-0000-000000000000'
];

function uuidBytes(text) {
  const hex = text.replaceAll('-', '');
  return Uint8Array.from(range(16), (i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function flbaCases() {
  const cases = [];
  const add = (peer, name, fields) => cases.push({rule: 7, peer, name, ...fields});
  const halfRows = valuationRows(HALVES.length, {
    mark_price: HALVES.map((bits) => bits === null ? null : halfToDouble(bits)),
  });
  const float16 = {type: 'FIXED_LEN_BYTE_ARRAY', length: 2, logical: {type: 'FLOAT16'}};

  add('arrow-rs', 'Float16 into f64 mark_price (±0, ±inf, NaN, subnormal, max)', {
    table: 'holdings_valuation',
    write: (file) => arrowRsWrite(
        arrowTable([
          ...arrowHoldingsColumns(HALVES.length),
          {name: 'mark_price', type: new arrow.Float16(), values: HALVES},
        ]),
        file, {plain: true}),
    want: {schema: {mark_price: float16}},
    rows: halfRows,
  });
  add('hyparquet-writer', 'FLOAT16 into f64 mark_price (±0, ±inf, NaN, subnormal, max)', {
    table: 'holdings_valuation',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 5},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        utf8Element('agent_id', 'REQUIRED'),
        utf8Element('token_id', 'REQUIRED'),
        {name: 'quantity', type: 'INT64', repetition_type: 'REQUIRED'},
        {
          name: 'mark_price',
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 2,
          logical_type: {type: 'FLOAT16'},
          repetition_type: 'OPTIONAL'
        },
      ],
      columnData: [
        {name: 'tick', data: range(HALVES.length).map(BigInt)},
        {name: 'agent_id', data: range(HALVES.length).map((i) => `agent-${i}`)},
        {name: 'token_id', data: range(HALVES.length).map(() => 'gold')},
        {name: 'quantity', data: range(HALVES.length).map(BigInt)},
        {name: 'mark_price', data: HALVES.map((bits) => bits === null ? null : halfToDouble(bits))},
      ],
    }),
    want: {schema: {mark_price: float16}},
    rows: halfRows,
  });
  const uuidRows =
      holdingsRows(UUIDS.length).map((row, i) => ({...row, agent_id: UUIDS[i].toLowerCase()}));
  add('duckdb', 'UUID into str agent_id as lowercase 8-4-4-4-12', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbReplaced('agent_id', 'UUID', UUIDS.map((uuid) => `'${uuid}'`)), file),
    want: {schema: {agent_id: {type: 'FIXED_LEN_BYTE_ARRAY', length: 16, logical: {type: 'UUID'}}}},
    rows: uuidRows,
  });
  add('hyparquet-writer', 'UUID into str agent_id as lowercase 8-4-4-4-12', {
    table: 'holdings',
    write: (file) => hyparquetReplaced(
        file, 'agent_id',
        {type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: {type: 'UUID'}},
        UUIDS.map(uuidBytes)),
    want: {schema: {agent_id: {type: 'FIXED_LEN_BYTE_ARRAY', length: 16, logical: {type: 'UUID'}}}},
    rows: uuidRows,
  });
  const fixed4 = ['abcd', 'abé', '€!', '0000'];
  const plainFlba = (length) =>
      ({type: 'FIXED_LEN_BYTE_ARRAY', length, converted: null, logical: null});
  add('arrow-rs', 'FixedSizeBinary(4) holding UTF-8 into str agent_id', {
    table: 'holdings',
    write: (file) => arrowRsWrite(
        arrowReplaced('agent_id', {type: new arrow.FixedSizeBinary(4), values: fixed4.map(utf8)}),
        file),
    want: {schema: {agent_id: plainFlba(4)}},
    rows: holdingsRows(4).map((row, i) => ({...row, agent_id: fixed4[i]})),
  });
  add('arrow-rs', 'FixedSizeBinary(4) \\x80abc (row 2) into str refused', {
    table: 'holdings',
    write: (file) => arrowRsWrite(
        arrowReplaced('agent_id', {
          type: new arrow.FixedSizeBinary(4),
          values: [utf8('abcd'), utf8('efgh'), new Uint8Array([0x80, 0x61, 0x62, 0x63])]
        }),
        file),
    want: {schema: {agent_id: plainFlba(4)}},
    refuse: {exit: 6, class: 'IoSchemaError', mentions: ['agent_id', rowWord(2)]},
  });
  add('hyparquet-writer', 'FIXED_LEN_BYTE_ARRAY(3) holding UTF-8 into str token_id', {
    table: 'holdings',
    write: (file) => hyparquetReplaced(
        file, 'token_id', {type: 'FIXED_LEN_BYTE_ARRAY', type_length: 3},
        ['abc', '€', 'xyz'].map(utf8)),
    want: {schema: {token_id: plainFlba(3)}},
    rows: holdingsRows(3).map((row, i) => ({...row, token_id: ['abc', '€', 'xyz'][i]})),
  });
  add('hyparquet-writer', 'FIXED_LEN_BYTE_ARRAY(3) \\xE2\\x82\\x41 (row 1) into str refused', {
    table: 'holdings',
    write: (file) => hyparquetReplaced(
        file, 'token_id', {type: 'FIXED_LEN_BYTE_ARRAY', type_length: 3},
        [utf8('abc'), new Uint8Array([0xe2, 0x82, 0x41])]),
    want: {schema: {token_id: plainFlba(3)}},
    refuse: {exit: 6, class: 'IoSchemaError', mentions: ['token_id', rowWord(1)]},
  });
  return cases;
}

export function typeCases() {
  return {temporal: temporalCases(), binary: binaryCases(), flba: flbaCases()};
}
