// Rules 1 (unsigned integers) and 2 (DECIMAL).

import {decimalDouble, holdingsRows, printsBack, range, rowWord, unscaled, utf8Element} from './common.mjs';
import {arrow, arrowRsWrite, arrowTable, duckdbWrite, hyparquetWrite, polarsWrite, structOf, valuesSelect} from './peers.mjs';

const HOLDINGS_SQL = [
  {name: 'tick', sql: 'BIGINT'},
  {name: 'agent_id', sql: 'VARCHAR'},
  {name: 'token_id', sql: 'VARCHAR'},
  {name: 'quantity', sql: 'BIGINT'},
];

// DuckDB holdings rows 0..n-1 whose quantity is `quantities` (SQL literals) as `sqlType`.
function duckdbHoldings(sqlType, quantities, {tickType = 'BIGINT'} = {}) {
  const columns = HOLDINGS_SQL.map(
      (column) => column.name === 'quantity' ? {...column, sql: sqlType} :
          column.name === 'tick'             ? {...column, sql: tickType} :
                                               column);
  return valuesSelect(
      columns,
      quantities.map((quantity, index) => [`${index}`, `'agent-${index}'`, `'gold'`, quantity]));
}

// An Arrow holdings table 0..n-1 whose quantity column is `quantity` ({type, values}).
function arrowHoldings(quantity, {tick = null} = {}) {
  const count = quantity.values.length;
  return arrowTable([
    tick ? {name: 'tick', ...tick} :
           {name: 'tick', type: new arrow.Int64(), values: range(count).map(BigInt)},
    {name: 'agent_id', type: new arrow.Utf8(), values: range(count).map((i) => `agent-${i}`)},
    {name: 'token_id', type: new arrow.Utf8(), values: range(count).map(() => 'gold')},
    {name: 'quantity', ...quantity},
  ]);
}

// The four holdings columns 0..n-1 as arrowTable() takes them.
function arrowHoldingsBase(count) {
  return [
    {name: 'tick', type: new arrow.Int64(), values: range(count).map(BigInt)},
    {name: 'agent_id', type: new arrow.Utf8(), values: range(count).map((i) => `agent-${i}`)},
    {name: 'token_id', type: new arrow.Utf8(), values: range(count).map(() => 'gold')},
    {name: 'quantity', type: new arrow.Int64(), values: range(count).map(BigInt)},
  ];
}

// hyparquet-writer holdings 0..n-1 with `element` as the quantity's schema element.
function hyparquetHoldings(file, element, quantities, options = {}) {
  const count = quantities.length;
  hyparquetWrite(file, {
    schema: [
      {name: 'root', num_children: 4},
      options.tickElement ?? {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
      utf8Element('agent_id', 'REQUIRED'),
      utf8Element('token_id', 'REQUIRED'),
      {name: 'quantity', repetition_type: 'REQUIRED', ...element},
    ],
    columnData: [
      {name: 'tick', data: options.ticks ?? range(count).map(BigInt)},
      {name: 'agent_id', data: range(count).map((i) => `agent-${i}`)},
      {name: 'token_id', data: range(count).map(() => 'gold')},
      {name: 'quantity', data: quantities},
    ],
    rowGroupSize: options.rowGroupSize,
  });
}

const UINT = (bits) => ({type: 'INTEGER', bitWidth: bits, isSigned: false});

// ---- rule 1: unsigned integers ----------------------------------------------------------

function unsignedCases() {
  const cases = [];
  const add = (peer, name, fields) =>
      cases.push({rule: 1, peer, name, table: 'holdings', ...fields});
  const tooBig = (row, value) =>
      ({exit: 6, class: 'IoSchemaError', mentions: ['quantity', rowWord(row), value]});

  add('duckdb', 'USMALLINT tick and UTINYINT quantity 0..255 into i64', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('UTINYINT', ['0', '1', '200', '255'], {tickType: 'USMALLINT'}),
        file),
    want: {
      schema: {
        tick: {type: 'INT32', converted: 'UINT_16'},
        quantity: {type: 'INT32', converted: 'UINT_8'}
      }
    },
    rows: holdingsRows(4, (i) => [0n, 1n, 200n, 255n][i]),
  });
  add('duckdb', 'USMALLINT 65535 and UINTEGER up to 4294967295 into i64', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb,
        duckdbHoldings(
            'UINTEGER', ['0', '2147483648', '4000000000', '4294967295'], {tickType: 'USMALLINT'}),
        file),
    want: {schema: {quantity: {type: 'INT32', converted: 'UINT_32'}}},
    rows: holdingsRows(4, (i) => [0n, 2147483648n, 4000000000n, 4294967295n][i]),
  });
  add('duckdb', 'UBIGINT up to 2^63-1 into i64', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb,
        duckdbHoldings('UBIGINT', ['0', '4000000000', '9223372036854775807', '18446744073']), file),
    want: {schema: {quantity: {type: 'INT64', converted: 'UINT_64'}}},
    rows: holdingsRows(4, (i) => [0n, 4000000000n, 9223372036854775807n, 18446744073n][i]),
  });
  add('duckdb', 'UBIGINT 2^63 (row 2) refused', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('UBIGINT', ['0', '1', '9223372036854775808', '3']), file),
    want: {schema: {quantity: {type: 'INT64', converted: 'UINT_64'}}},
    refuse: tooBig(2, '9223372036854775808'),
  });
  add('duckdb', 'UBIGINT 2^64-1 (row 4100, third row group) refused', {
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `SELECT i::BIGINT AS tick, 'agent-' || i AS agent_id, 'gold' AS token_id,
                (CASE WHEN i = 4100 THEN 18446744073709551615 ELSE i END)::UBIGINT AS quantity
         FROM range(5000) t(i)`,
        file, {rowGroupSize: 2048}),
    want: {schema: {quantity: {type: 'INT64', converted: 'UINT_64'}}, minRowGroups: 3},
    refuse: tooBig(4100, '18446744073709551615'),
  });
  add('duckdb', 'UINTEGER 4000000000 inside a struct (exchange.additional_payload)', {
    table: 'exchange',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `SELECT i::BIGINT AS tick, 'v' AS venue_id, 'gold' AS token_id,
                'trade' AS exchange_event_type,
                {'n': (CASE WHEN i = 0 THEN 4000000000 ELSE 4294967295 END)::UINTEGER,
                 'm': 65535::USMALLINT} AS additional_payload
         FROM range(2) t(i)`,
        file),
    want: {schema: {'additional_payload.n': {type: 'INT32', converted: 'UINT_32'}}},
    rows:
        [0n, 1n].map((tick) => ({
                       tick,
                       venue_id: 'v',
                       token_id: 'gold',
                       exchange_event_type: 'trade',
                       additional_payload: {n: tick === 0n ? 4000000000n : 4294967295n, m: 65535n},
                     })),
  });
  add('duckdb', 'UBIGINT 2^63 inside a struct (row 1) refused', {
    table: 'exchange',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `SELECT i::BIGINT AS tick, 'v' AS venue_id, 'gold' AS token_id,
                'trade' AS exchange_event_type,
                {'n': (CASE WHEN i = 1 THEN 9223372036854775808 ELSE 5 END)::UBIGINT}
                    AS additional_payload
         FROM range(3) t(i)`,
        file),
    want: {schema: {'additional_payload.n': {type: 'INT64', converted: 'UINT_64'}}},
    refuse: {
      exit: 6,
      class: 'IoSchemaError',
      mentions: ['additional_payload', rowWord(1), '9223372036854775808']
    },
  });

  add('polars', 'UInt16 tick and UInt32 quantity up to 4294967295', {
    write: (file) => polarsWrite(
        arrowHoldings(
            {type: new arrow.Uint32(), values: [0, 4294967295, 3000000000, 7]},
            {tick: {type: new arrow.Uint16(), values: [0, 1, 2, 3]}}),
        file),
    want: {
      schema:
          {tick: {type: 'INT32', logical: UINT(16)}, quantity: {type: 'INT32', logical: UINT(32)}}
    },
    rows: holdingsRows(4, (i) => [0n, 4294967295n, 3000000000n, 7n][i]),
  });
  add('polars', 'UInt8 tick and UInt64 quantity up to 2^63-1', {
    write: (file) => polarsWrite(
        arrowHoldings(
            {type: new arrow.Uint64(), values: [0n, 9223372036854775807n, 4000000000n]},
            {tick: {type: new arrow.Uint8(), values: [0, 1, 2]}}),
        file),
    want: {
      schema:
          {tick: {type: 'INT32', logical: UINT(8)}, quantity: {type: 'INT64', logical: UINT(64)}}
    },
    rows: holdingsRows(3, (i) => [0n, 9223372036854775807n, 4000000000n][i]),
  });
  add('polars', 'UInt64 2^64-1 (row 1) refused', {
    write: (file) => polarsWrite(
        arrowHoldings({type: new arrow.Uint64(), values: [0n, 18446744073709551615n, 2n]}), file),
    want: {schema: {quantity: {type: 'INT64', logical: UINT(64)}}},
    refuse: tooBig(1, '18446744073709551615'),
  });

  add('arrow-rs', 'UInt64 tick and UInt32 quantity up to 4294967295', {
    write: (file) => arrowRsWrite(
        arrowHoldings(
            {type: new arrow.Uint32(), values: [4294967295, 0, 2147483648, 4000000000]},
            {tick: {type: new arrow.Uint64(), values: [0n, 1n, 2n, 3n]}}),
        file),
    want: {
      schema: {
        tick: {type: 'INT64', logical: UINT(64), converted: 'UINT_64'},
        quantity: {type: 'INT32', logical: UINT(32), converted: 'UINT_32'}
      }
    },
    rows: holdingsRows(4, (i) => [4294967295n, 0n, 2147483648n, 4000000000n][i]),
  });
  add('arrow-rs', 'UInt16 quantity 65535 and UInt64 9223372036854775807', {
    write: (file) => arrowRsWrite(
        arrowHoldings(
            {type: new arrow.Uint64(), values: [9223372036854775807n, 65535n, 0n]},
            {tick: {type: new arrow.Uint16(), values: [0, 1, 2]}}),
        file, {plain: true}),
    want: {
      schema:
          {tick: {type: 'INT32', logical: UINT(16)}, quantity: {type: 'INT64', logical: UINT(64)}}
    },
    rows: holdingsRows(3, (i) => [9223372036854775807n, 65535n, 0n][i]),
  });
  add('arrow-rs', 'UInt64 2^63 (row 1500, second row group) refused', {
    write: (file) => arrowRsWrite(
        arrowHoldings({
          type: new arrow.Uint64(),
          values: range(2000).map((i) => i === 1500 ? 9223372036854775808n : BigInt(i))
        }),
        file, {rowGroupSize: 1000}),
    want: {schema: {quantity: {type: 'INT64', logical: UINT(64)}}, minRowGroups: 2},
    refuse: tooBig(1500, '9223372036854775808'),
  });

  add('hyparquet-writer', 'legacy UINT_64 / UINT_32 without a logical type', {
    write: (file) => hyparquetHoldings(
        file, {type: 'INT64', converted_type: 'UINT_64'}, [0n, 9223372036854775807n, 4000000000n], {
          tickElement:
              {name: 'tick', type: 'INT32', converted_type: 'UINT_32', repetition_type: 'REQUIRED'},
          ticks: [0, 1, 2]
        }),
    want: {
      schema: {
        tick: {type: 'INT32', converted: 'UINT_32', logical: null},
        quantity: {type: 'INT64', converted: 'UINT_64', logical: null}
      }
    },
    rows: holdingsRows(3, (i) => [0n, 9223372036854775807n, 4000000000n][i]),
  });
  add('hyparquet-writer', 'logical INT(32, unsigned) without a converted type', {
    write: (file) => hyparquetHoldings(
        file, {type: 'INT32', logical_type: UINT(32)}, [4294967295, 4000000000, 1]),
    want: {schema: {quantity: {type: 'INT32', converted: null, logical: UINT(32)}}},
    rows: holdingsRows(3, (i) => [4294967295n, 4000000000n, 1n][i]),
  });
  add('hyparquet-writer', 'legacy UINT_8 / UINT_16 without a logical type', {
    write: (file) =>
        hyparquetHoldings(file, {type: 'INT32', converted_type: 'UINT_16'}, [65535, 0, 40000], {
          tickElement:
              {name: 'tick', type: 'INT32', converted_type: 'UINT_8', repetition_type: 'REQUIRED'},
          ticks: [0, 1, 2]
        }),
    want: {
      schema: {
        tick: {type: 'INT32', converted: 'UINT_8', logical: null},
        quantity: {type: 'INT32', converted: 'UINT_16', logical: null}
      }
    },
    rows: holdingsRows(3, (i) => [65535n, 0n, 40000n][i]),
  });
  add('hyparquet-writer', 'legacy UINT_64 2^64-1 (row 0) refused', {
    write: (file) => hyparquetHoldings(
        file, {type: 'INT64', converted_type: 'UINT_64'}, [18446744073709551615n, 1n]),
    want: {schema: {quantity: {type: 'INT64', converted: 'UINT_64', logical: null}}},
    refuse: tooBig(0, '18446744073709551615'),
  });
  add('hyparquet-writer', 'logical INT(64, unsigned) 2^63 (row 3) refused', {
    write: (file) => hyparquetHoldings(
        file, {type: 'INT64', logical_type: UINT(64)}, [0n, 1n, 2n, 9223372036854775808n]),
    want: {schema: {quantity: {type: 'INT64', converted: null, logical: UINT(64)}}},
    refuse: tooBig(3, '9223372036854775808'),
  });
  return cases;
}

// ---- rule 2: DECIMAL --------------------------------------------------------------------

const VALUATION_COLUMNS =
    ['avg_unit_cost', 'cost_value', 'mark_price', 'mark_value', 'realized_pnl', 'unrealized_pnl'];

// holdings_valuation rows 0..n-1 whose f64 columns hold `doubles` ({column: [numbers]}).
function valuationRows(count, doubles) {
  return holdingsRows(count).map((row, index) => {
    const result = {...row};
    for (const [column, values] of Object.entries(doubles)) result[column] = values[index];
    return result;
  });
}

// `values` are decimal texts (or null): SQL literals for DuckDB, doubles for the expectation.
const decimalSql = (values) => values.map((value) => value === null ? null : `'${value}'`);
const nearestAll = (values, scale) =>
    values.map((value) => value === null ? null : decimalDouble(value, scale));

function decimalCases() {
  const cases = [];
  const add = (peer, name, fields) => cases.push({rule: 2, peer, name, ...fields});
  const refuse = (column, row, value) =>
      ({exit: 6, class: 'IoSchemaError', mentions: [column, rowWord(row), value]});

  // DuckDB: every storage (INT32 for precision <= 9, INT64 <= 18, FIXED_LEN_BYTE_ARRAY above).
  const duckdbDecimals = {
    avg_unit_cost: ['DECIMAL(12,3)', ['2.5', '-0.001', '999999999.999', null]],
    cost_value: ['DECIMAL(10,2)', ['100.5', '-100.5', '0.01', '99999999.99']],
    mark_price: ['DECIMAL(8,4)', ['0.148', '-0.0001', '9999.9999', '0']],
    mark_value: ['DECIMAL(4,1)', ['-999.9', '0.1', '1', null]],
    realized_pnl: ['DECIMAL(30,10)', ['12345.6789', '-0.0000000001', '12345678901234.5', null]],
    unrealized_pnl:
        ['DECIMAL(38,18)', ['0.1', '3.14159', '-0.000000000000000001', '123456789.125']],
  };
  add('duckdb', 'DECIMAL(12,3)/(10,2)/(8,4)/(4,1)/(30,10)/(38,18) into f64 (INT32, INT64, FLBA)', {
    table: 'holdings_valuation',
    write: (file, {duckdb}) => {
      const columns = [
        ...duckdbHoldingsColumns(),
        ...VALUATION_COLUMNS.map((name) => ({name, sql: duckdbDecimals[name][0]}))
      ];
      const rows = range(4).map(
          (i) =>
              [`${i}`, `'agent-${i}'`, `'gold'`, `${i}`,
               ...VALUATION_COLUMNS.map((name) => decimalSql(duckdbDecimals[name][1])[i])]);
      return duckdbWrite(duckdb, valuesSelect(columns, rows), file);
    },
    want: {
      schema: {
        avg_unit_cost: {type: 'INT64', converted: 'DECIMAL', precision: 12, scale: 3},
        cost_value: {type: 'INT64', converted: 'DECIMAL', precision: 10, scale: 2},
        mark_price: {type: 'INT32', converted: 'DECIMAL', precision: 8, scale: 4},
        mark_value: {type: 'INT32', converted: 'DECIMAL', precision: 4, scale: 1},
        realized_pnl:
            {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', precision: 30, scale: 10},
        unrealized_pnl:
            {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', precision: 38, scale: 18},
      }
    },
    rows: valuationRows(
        4,
        Object.fromEntries(VALUATION_COLUMNS.map(
            (name) =>
                [name, nearestAll(duckdbDecimals[name][1], scaleOf(duckdbDecimals[name][0]))]))),
  });
  const duckdbOneDecimal = (column, sqlType, values) => (file, {duckdb}) => duckdbWrite(
      duckdb,
      valuesSelect(
          [...duckdbHoldingsColumns(), {name: column, sql: sqlType}],
          values.map(
              (value, i) =>
                  [`${i}`, `'agent-${i}'`, `'gold'`, `${i}`,
                   value === null ? null : `'${value}'`])),
      file);
  add('duckdb', 'DECIMAL(18,3) 123456789012345.678 into f64 (no double prints it back) refused', {
    table: 'holdings_valuation',
    write: duckdbOneDecimal('mark_price', 'DECIMAL(18,3)', ['1.5', '123456789012345.678']),
    want: {schema: {mark_price: {type: 'INT64', converted: 'DECIMAL'}}},
    refuse: refuse('mark_price', 1, refusedAsDouble('123456789012345.678', 3)),
  });
  add('duckdb', 'DECIMAL(18,0) 9007199254740993 (2^53+1) into f64 refused', {
    table: 'holdings_valuation',
    write: duckdbOneDecimal('cost_value', 'DECIMAL(18,0)', ['9007199254740993', '2']),
    want: {schema: {cost_value: {type: 'INT64', converted: 'DECIMAL'}}},
    refuse: refuse('cost_value', 0, refusedAsDouble('9007199254740993', 0)),
  });
  add('duckdb', 'DECIMAL(38,20) 0.12345678901234567891 (FLBA) into f64 refused', {
    table: 'holdings_valuation',
    write: duckdbOneDecimal(
        'realized_pnl', 'DECIMAL(38,20)', ['0.5', '0.25', '0.12345678901234567891']),
    want: {schema: {realized_pnl: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'}}},
    refuse: refuse('realized_pnl', 2, refusedAsDouble('0.12345678901234567891', 20)),
  });
  add('duckdb', 'DECIMAL(10,2) 100.00, -5.00 into i64 (INT64 storage)', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('DECIMAL(10,2)', [`'100.00'`, `'-5.00'`, `'0.00'`, `'99999999.00'`]),
        file),
    want: {schema: {quantity: {type: 'INT64', converted: 'DECIMAL', scale: 2}}},
    rows: holdingsRows(4, (i) => [100n, -5n, 0n, 99999999n][i]),
  });
  add('duckdb', 'DECIMAL(8,3) 7.000 into i64 (INT32 storage)', {
    table: 'holdings',
    write: (file, {duckdb}) =>
        duckdbWrite(duckdb, duckdbHoldings('DECIMAL(8,3)', [`'7.000'`, `'-99999'`]), file),
    want: {schema: {quantity: {type: 'INT32', converted: 'DECIMAL', scale: 3}}},
    rows: holdingsRows(2, (i) => [7n, -99999n][i]),
  });
  add('duckdb', 'DECIMAL(38,0) int64 limits (FLBA storage) into i64', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb,
        duckdbHoldings(
            'DECIMAL(38,0)',
            [`'123456789012345678'`, `'-9223372036854775808'`, `'9223372036854775807'`, `'0'`]),
        file),
    want: {schema: {quantity: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'}}},
    rows: holdingsRows(
        4, (i) => [123456789012345678n, -9223372036854775808n, 9223372036854775807n, 0n][i]),
  });
  add('duckdb', 'DECIMAL(18,0) 2^53+1 into i64 (INT64 storage)', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('DECIMAL(18,0)', [`'9007199254740993'`, `'-999999999999999999'`]),
        file),
    want: {schema: {quantity: {type: 'INT64', converted: 'DECIMAL', scale: 0}}},
    rows: holdingsRows(2, (i) => [9007199254740993n, -999999999999999999n][i]),
  });
  add('duckdb', 'DECIMAL(10,2) 100.50 into i64 (row 1) refused', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('DECIMAL(10,2)', [`'100.00'`, `'100.50'`, `'3.00'`]), file),
    want: {schema: {quantity: {type: 'INT64', converted: 'DECIMAL'}}},
    refuse: refuse('quantity', 1, /100\.50?\b/),
  });
  add('duckdb', 'DECIMAL(38,0) 10^20 (beyond int64) into i64 (row 2) refused', {
    table: 'holdings',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, duckdbHoldings('DECIMAL(38,0)', [`'1'`, `'2'`, `'100000000000000000000'`]), file),
    want: {schema: {quantity: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'}}},
    refuse: refuse('quantity', 2, '100000000000000000000'),
  });
  add('duckdb', 'DECIMAL members of a struct become float64 members (0.148, not 1480)', {
    table: 'exchange',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `SELECT * FROM (VALUES
           (0::BIGINT, 'v', 'gold', 'fee', {'fee': '0.148'::DECIMAL(8,4), 'big': '2.5'::DECIMAL(30,10),
                                            'qty': '100.50'::DECIMAL(10,2)}),
           (1::BIGINT, 'v', 'gold', 'fee', {'fee': '-0.0001'::DECIMAL(8,4), 'big': NULL::DECIMAL(30,10),
                                            'qty': '-7.25'::DECIMAL(10,2)})
         ) t(tick, venue_id, token_id, exchange_event_type, additional_payload)`,
        file),
    want: {
      schema: {
        'additional_payload.fee': {type: 'INT32', converted: 'DECIMAL', scale: 4},
        'additional_payload.big': {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'},
        'additional_payload.qty': {type: 'INT64', converted: 'DECIMAL'},
      }
    },
    rows: [
      {
        tick: 0n,
        venue_id: 'v',
        token_id: 'gold',
        exchange_event_type: 'fee',
        additional_payload: {fee: 0.148, big: 2.5, qty: 100.5}
      },
      {
        tick: 1n,
        venue_id: 'v',
        token_id: 'gold',
        exchange_event_type: 'fee',
        additional_payload: {fee: -0.0001, big: null, qty: -7.25}
      },
    ],
  });
  add('duckdb', 'DECIMAL(18,3) 123456789012345.678 in a struct (row 1) refused', {
    table: 'exchange',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb,
        `SELECT i::BIGINT AS tick, 'v' AS venue_id, 'gold' AS token_id, 'fee' AS exchange_event_type,
                {'fee': (CASE WHEN i = 1 THEN '123456789012345.678' ELSE '1.5' END)::DECIMAL(18,3)}
                    AS additional_payload
         FROM range(2) t(i)`,
        file),
    want: {schema: {'additional_payload.fee': {type: 'INT64', converted: 'DECIMAL'}}},
    refuse: {
      exit: 6,
      class: 'IoSchemaError',
      mentions: ['additional_payload', rowWord(1), refusedAsDouble('123456789012345.678', 3)]
    },
  });

  // arrow-rs: Decimal128 with the storage arrow-rs picks by precision.
  const arrowDecimals = {
    mark_price: [5, 2, ['100.5', '-0.01', null, '999.99']],
    cost_value: [15, 3, ['2.5', '0.001', '-123456789012.345', null]],
    avg_unit_cost: [30, 5, ['12345678.90123', '-2.5', '0', '1e-5']],
  };
  add('arrow-rs', 'Decimal128(5,2)/(15,3)/(30,5) into f64 (INT32, INT64, FLBA) and (12,2) into i64',
      {
        table: 'holdings_valuation',
        write: (file) => {
          const columns = [
            {name: 'tick', type: new arrow.Int64(), values: range(4).map(BigInt)},
            {name: 'agent_id', type: new arrow.Utf8(), values: range(4).map((i) => `agent-${i}`)},
            {name: 'token_id', type: new arrow.Utf8(), values: range(4).map(() => 'gold')},
            {
              name: 'quantity',
              type: new arrow.Decimal(2, 12, 128),
              values: ['100', '-5', '0', '1234567890'].map((v) => unscaled(v, 2))
            },
          ];
          for (const [name, [precision, scale, values]] of Object.entries(arrowDecimals)) {
            columns.push({
              name,
              type: new arrow.Decimal(scale, precision, 128),
              values: values.map((v) => v === null ? null : unscaled(expand(v), scale))
            });
          }
          arrowRsWrite(arrowTable(columns), file);
        },
        want: {
          schema: {
            quantity: {type: 'INT64', converted: 'DECIMAL', precision: 12, scale: 2},
            mark_price: {type: 'INT32', converted: 'DECIMAL', precision: 5, scale: 2},
            cost_value: {type: 'INT64', converted: 'DECIMAL', precision: 15, scale: 3},
            avg_unit_cost:
                {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', precision: 30, scale: 5},
          }
        },
        rows: valuationRows(
                  4,
                  Object.fromEntries(
                      Object.entries(arrowDecimals)
                          .map(([name, [, scale, values]]) => [name, nearestAll(values, scale)])))
                  .map((row, i) => ({...row, quantity: [100n, -5n, 0n, 1234567890n][i]})),
      });
  add('arrow-rs', 'Decimal128(38,20) 0.12345678901234567891 (FLBA) into f64 (row 1) refused', {
    table: 'holdings_valuation',
    write: (file) => arrowRsWrite(
        arrowTable([
          ...arrowHoldingsBase(2),
          {
            name: 'unrealized_pnl',
            type: new arrow.Decimal(20, 38, 128),
            values: ['0.5', '0.12345678901234567891'].map((v) => unscaled(v, 20))
          },
        ]),
        file),
    want: {schema: {unrealized_pnl: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'}}},
    refuse: refuse('unrealized_pnl', 1, refusedAsDouble('0.12345678901234567891', 20)),
  });
  add('arrow-rs', 'Decimal128(12,2) 100.50 into i64 (row 2) refused', {
    table: 'holdings',
    write: (file) => arrowRsWrite(
        arrowHoldings({type: new arrow.Decimal(2, 12, 128), values: [10000n, 200n, 10050n]}), file),
    want: {schema: {quantity: {type: 'INT64', converted: 'DECIMAL'}}},
    refuse: refuse('quantity', 2, /100\.50?\b/),
  });
  add('arrow-rs', 'Decimal128(8,4) member of a struct becomes a float64 member', {
    table: 'exchange',
    write: (file) => arrowRsWrite(
        arrowTable([
          {name: 'tick', type: new arrow.Int64(), values: [0n, 1n, 2n]},
          {name: 'venue_id', type: new arrow.Utf8(), values: ['v', 'v', 'v']},
          {name: 'token_id', type: new arrow.Utf8(), values: ['gold', 'gold', 'gold']},
          {name: 'exchange_event_type', type: new arrow.Utf8(), values: ['fee', 'fee', 'fee']},
          {
            name: 'additional_payload',
            type:
                structOf({fee: new arrow.Decimal(4, 8, 128), wide: new arrow.Decimal(3, 25, 128)}),
            values: [{fee: 1480n, wide: 2500n}, {fee: -1n, wide: null}, {fee: null, wide: -1n}]
          },
        ]),
        file),
    want: {
      schema: {
        'additional_payload.fee': {type: 'INT32', converted: 'DECIMAL', scale: 4},
        'additional_payload.wide': {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', scale: 3},
      }
    },
    rows: [[0.148, 2.5], [-0.0001, null], [null, -0.001]].map(([fee, wide], i) => ({
                                                                tick: BigInt(i),
                                                                venue_id: 'v',
                                                                token_id: 'gold',
                                                                exchange_event_type: 'fee',
                                                                additional_payload: {fee, wide},
                                                              })),
  });

  // Polars: Decimal from Arrow (INT64 up to precision 18, FLBA above).
  add('polars', 'Decimal(10,2) and Decimal(30,4) into f64, Decimal(12,2) 100.00 into i64', {
    table: 'holdings_valuation',
    write: (file) => polarsWrite(
        arrowTable([
          ...arrowHoldingsBase(3).slice(0, 3),
          {
            name: 'quantity',
            type: new arrow.Decimal(2, 12, 128),
            values: ['100', '-5', '9999999999'].map((v) => unscaled(v, 2))
          },
          {
            name: 'mark_price',
            type: new arrow.Decimal(2, 10, 128),
            values: ['100.5', '-0.01', null].map((v) => v === null ? null : unscaled(v, 2))
          },
          {
            name: 'avg_unit_cost',
            type: new arrow.Decimal(4, 30, 128),
            values: ['0.148', '-12345678901.2345', '0'].map((v) => unscaled(v, 4))
          },
        ]),
        file),
    want: {
      schema: {
        quantity: {converted: 'DECIMAL', precision: 12, scale: 2},
        mark_price: {type: 'INT64', converted: 'DECIMAL', precision: 10, scale: 2},
        avg_unit_cost:
            {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', precision: 30, scale: 4},
      }
    },
    rows: valuationRows(
              3, {mark_price: [100.5, -0.01, null], avg_unit_cost: [0.148, -12345678901.2345, 0]})
              .map((row, i) => ({...row, quantity: [100n, -5n, 9999999999n][i]})),
  });
  add('polars', 'Decimal(12,2) 100.50 into i64 (row 1) refused', {
    table: 'holdings',
    write: (file) => polarsWrite(
        arrowHoldings({type: new arrow.Decimal(2, 12, 128), values: [10000n, 10050n]}), file),
    want: {schema: {quantity: {converted: 'DECIMAL'}}},
    refuse: refuse('quantity', 1, /100\.50?\b/),
  });

  // hyparquet-writer: BYTE_ARRAY storage (no other peer writes it) and the legacy
  // converted-type-only form.
  const byteArrayDecimal = (precision, scale, logical = true) => ({
    type: 'BYTE_ARRAY',
    converted_type: 'DECIMAL',
    precision,
    scale,
    ...(logical ? {logical_type: {type: 'DECIMAL', precision, scale}} : {}),
  });
  add('hyparquet-writer',
      'BYTE_ARRAY DECIMAL(20,4) into f64, BYTE_ARRAY DECIMAL(25,2) into i64, ' +
          'legacy INT32 DECIMAL(6,2)',
      {
        table: 'holdings_valuation',
        write: (file) => hyparquetWrite(file, {
          schema: [
            {name: 'root', num_children: 6},
            {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
            utf8Element('agent_id', 'REQUIRED'),
            utf8Element('token_id', 'REQUIRED'),
            {name: 'quantity', repetition_type: 'REQUIRED', ...byteArrayDecimal(25, 2)},
            {name: 'mark_price', repetition_type: 'OPTIONAL', ...byteArrayDecimal(20, 4)},
            {
              name: 'cost_value',
              repetition_type: 'OPTIONAL',
              type: 'INT32',
              converted_type: 'DECIMAL',
              precision: 6,
              scale: 2
            },
          ],
          columnData: [
            {name: 'tick', data: [0n, 1n, 2n, 3n]},
            {name: 'agent_id', data: ['agent-0', 'agent-1', 'agent-2', 'agent-3']},
            {name: 'token_id', data: ['gold', 'gold', 'gold', 'gold']},
            // (hyparquet-writer writes 0 as a BYTE_ARRAY of no bytes, which is no valid
            // two's-complement number, so no value here is 0)
            {name: 'quantity', data: [10000n, -700n, 100n, 922337203685477580700n]},
            {name: 'mark_price', data: [25000n, -1480n, null, 1234567891234n]},
            {name: 'cost_value', data: [10050n, null, -1n, 999999n]},
          ],
        }),
        want: {
          schema: {
            quantity: {
              type: 'BYTE_ARRAY',
              converted: 'DECIMAL',
              precision: 25,
              scale: 2,
              logical: {type: 'DECIMAL'}
            },
            mark_price: {type: 'BYTE_ARRAY', converted: 'DECIMAL', precision: 20, scale: 4},
            cost_value: {type: 'INT32', converted: 'DECIMAL', logical: null},
          }
        },
        rows: valuationRows(4, {
                mark_price: [2.5, -0.148, null, 123456789.1234],
                cost_value: [100.5, null, -0.01, 9999.99],
              }).map((row, i) => ({...row, quantity: [100n, -7n, 1n, 9223372036854775807n][i]})),
      });
  add('hyparquet-writer', 'BYTE_ARRAY DECIMAL(25,2) 100.50 into i64 (row 1) refused', {
    table: 'holdings',
    write: (file) => hyparquetHoldings(file, byteArrayDecimal(25, 2), [10000n, 10050n]),
    want: {schema: {quantity: {type: 'BYTE_ARRAY', converted: 'DECIMAL'}}},
    refuse: refuse('quantity', 1, /100\.50?\b/),
  });
  add('hyparquet-writer', 'BYTE_ARRAY DECIMAL(30,3) 123456789012345.678 into f64 refused', {
    table: 'holdings_valuation',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 5},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        utf8Element('agent_id', 'REQUIRED'),
        utf8Element('token_id', 'REQUIRED'),
        {name: 'quantity', type: 'INT64', repetition_type: 'REQUIRED'},
        {name: 'mark_value', repetition_type: 'OPTIONAL', ...byteArrayDecimal(30, 3)},
      ],
      columnData: [
        {name: 'tick', data: [0n]},
        {name: 'agent_id', data: ['agent-0']},
        {name: 'token_id', data: ['gold']},
        {name: 'quantity', data: [1n]},
        {name: 'mark_value', data: [123456789012345678n]},
      ],
    }),
    want: {schema: {mark_value: {type: 'BYTE_ARRAY', converted: 'DECIMAL'}}},
    refuse: refuse('mark_value', 0, refusedAsDouble('123456789012345.678', 3)),
  });
  return cases;
}

function duckdbHoldingsColumns() { return HOLDINGS_SQL; }

// A decimal that rule 2 refuses in an f64 column (throws when it would not be refused).
function refusedAsDouble(text, scale) {
  if (printsBack(text, scale)) throw new Error(`case error: ${text} prints back from a double`);
  return text;
}

// The scale of an SQL type "DECIMAL(p,s)".
const scaleOf = (sqlType) => Number(/,(\d+)\)/.exec(sqlType)[1]);

// "1e-5" -> "0.00001" (decimal text for unscaled()).
function expand(text) {
  const match = /^(-?)(\d+)e-(\d+)$/.exec(text);
  if (!match) return text;
  return `${match[1]}0.${'0'.repeat(Number(match[3]) - 1)}${match[2]}`;
}

export function numberCases() { return [...unsignedCases(), ...decimalCases()]; }
export {arrowHoldings, duckdbHoldings, hyparquetHoldings, valuationRows};
