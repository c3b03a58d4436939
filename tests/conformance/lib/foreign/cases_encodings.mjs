// Rules 5 (DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT,
// and the DELTA fallback of arrow-rs' dictionaries) and 6 (codecs).

import {arrowHoldingsColumns} from './cases_types.mjs';
import {halfToDouble, holdingsRows, range, utf8, utf8Element} from './common.mjs';
import {arrow, arrowRsWrite, arrowTable, duckdbWrite, hyparquetWrite, listOf, polarsWrite, structOf, valuesSelect} from './peers.mjs';

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

// Full-range int64 values with the extremes next to each other, so that DELTA_BINARY_PACKED
// deltas overflow int64 and wrap.
const wideInt64 = (i) => i % 7 === 0 ? INT64_MIN :
    i % 7 === 1                      ? INT64_MAX :
                                       BigInt.asIntN(64, BigInt(i) * 0x9e3779b97f4a7c15n);
// Distinct for every i (an odd multiplier is invertible modulo 2^64), spread over int64.
const uniqueInt64 = (i) => BigInt.asIntN(64, BigInt(i) * 0x9e3779b97f4a7c15n);
const wideInt32 = (i) => i % 5 === 0 ? -2147483648 :
    i % 5 === 1                      ? 2147483647 :
                                       Math.imul(i, 0x9e3779b1);
// Strings with shared prefixes, empty and multi-byte ones.
const agentText = (i) => i % 11 === 0 ? '' :
    i % 13 === 0                      ? `é${                     '日'.repeat(i % 5)}-${i}` :
                                        `agent-${i}`;
const tokenText = (i) => `token-${Math.floor(i / 10)}-${'x'.repeat(i % 4)}`;
// Doubles with every special value and nulls.
const SPECIAL_DOUBLES = [
  0, -0, Infinity, -Infinity, NaN, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MIN_VALUE,
  2.2250738585072014e-308, 0.1, 1 / 3
];
const wideDouble = (i) => i % 17 === 3 ? null :
    i < SPECIAL_DOUBLES.length         ? SPECIAL_DOUBLES[i] :
                                         (i * 1.000001) ** 3 * (i % 2 ? -1 : 1);
const wideFloat = (i) => i % 19 === 4 ? null : Math.fround(i % 3 ? i / 7 : -i * 1e30);

function encodingCases() {
  const cases = [];
  const add = (peer, name, fields) => cases.push({rule: 5, peer, name, ...fields});

  // ---- arrow-rs, encodings chosen per column, dictionary off ----
  const flat = 5000;
  add('arrow-rs',
      'DELTA_BINARY_PACKED int64 (full range), DELTA_LENGTH_BYTE_ARRAY, ' +
          'DELTA_BYTE_ARRAY, small pages',
      {
        table: 'holdings',
        write: (file) => arrowRsWrite(
            arrowTable([
              {name: 'tick', type: new arrow.Int64(), values: range(flat).map(BigInt)},
              {name: 'agent_id', type: new arrow.Utf8(), values: range(flat).map(agentText)},
              {name: 'token_id', type: new arrow.Utf8(), values: range(flat).map(tokenText)},
              {name: 'quantity', type: new arrow.Int64(), values: range(flat).map(wideInt64)},
            ]),
            file, {
              encodings: {
                tick: 'DELTA_BINARY_PACKED',
                quantity: 'DELTA_BINARY_PACKED',
                agent_id: 'DELTA_LENGTH_BYTE_ARRAY',
                token_id: 'DELTA_BYTE_ARRAY'
              },
              dataPageSize: 4096,
            }),
        want: {
          pages: {
            tick: 'DELTA_BINARY_PACKED',
            quantity: 'DELTA_BINARY_PACKED',
            agent_id: 'DELTA_LENGTH_BYTE_ARRAY',
            token_id: 'DELTA_BYTE_ARRAY'
          }
        },
        rows: holdingsRows(flat, wideInt64)
                  .map((row, i) => ({...row, agent_id: agentText(i), token_id: tokenText(i)})),
      });

  const bss = 2000;
  const halfBits = (i) => i % 23 === 5 ? null : (i * 2654435761) & 0xffff;
  const decimalText = (i) => `${i % 2 ? '-' : ''}${i * 37}.${String(i % 10000).padStart(4, '0')}`;
  add('arrow-rs',
      'BYTE_STREAM_SPLIT DOUBLE, FLOAT, INT32, INT64, FLBA (binary, FLOAT16, DECIMAL); ' +
          'DELTA byte arrays with nulls',
      {
        table: 'holdings_valuation',
        write: (file) => arrowRsWrite(
            arrowTable([
              {name: 'tick', type: new arrow.Int64(), values: range(bss).map(BigInt)},
              {
                name: 'agent_id',
                type: new arrow.FixedSizeBinary(8),
                values: range(bss).map((i) => utf8(`ag${String(i).padStart(6, '0')}`))
              },
              {name: 'token_id', type: new arrow.Utf8(), values: range(bss).map(() => 'gold')},
              {name: 'quantity', type: new arrow.Int32(), values: range(bss).map(wideInt32)},
              {name: 'avg_unit_cost', type: new arrow.Float32(), values: range(bss).map(wideFloat)},
              {name: 'cost_value', type: new arrow.Float16(), values: range(bss).map(halfBits)},
              {name: 'mark_price', type: new arrow.Float64(), values: range(bss).map(wideDouble)},
              {
                name: 'realized_pnl',
                type: new arrow.Float64(),
                values: range(bss).map((i) => wideDouble(i + 7))
              },
              {
                name: 'unrealized_pnl',
                type: new arrow.Decimal(4, 30, 128),
                values: range(bss).map((i) => BigInt(decimalText(i).replace('.', '')))
              },
              {
                name: 'price_source',
                type: new arrow.Utf8(),
                values: range(bss).map((i) => i % 4 === 0 ? null : tokenText(i))
              },
              {
                name: 'accounting_method',
                type: new arrow.Utf8(),
                values: range(bss).map((i) => i % 5 === 0 ? null : agentText(i))
              },
            ]),
            file, {
              encodings: {
                tick: 'BYTE_STREAM_SPLIT',
                agent_id: 'BYTE_STREAM_SPLIT',
                quantity: 'BYTE_STREAM_SPLIT',
                avg_unit_cost: 'BYTE_STREAM_SPLIT',
                cost_value: 'BYTE_STREAM_SPLIT',
                mark_price: 'BYTE_STREAM_SPLIT',
                realized_pnl: 'BYTE_STREAM_SPLIT',
                unrealized_pnl: 'BYTE_STREAM_SPLIT',
                price_source: 'DELTA_BYTE_ARRAY',
                accounting_method: 'DELTA_LENGTH_BYTE_ARRAY'
              },
              dataPageSize: 2048,
            }),
        want: {
          schema: {
            quantity: {type: 'INT32'},
            cost_value: {logical: {type: 'FLOAT16'}},
            unrealized_pnl: {type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL'}
          },
          pages: {
            tick: 'BYTE_STREAM_SPLIT',
            agent_id: 'BYTE_STREAM_SPLIT',
            quantity: 'BYTE_STREAM_SPLIT',
            avg_unit_cost: 'BYTE_STREAM_SPLIT',
            cost_value: 'BYTE_STREAM_SPLIT',
            mark_price: 'BYTE_STREAM_SPLIT',
            realized_pnl: 'BYTE_STREAM_SPLIT',
            unrealized_pnl: 'BYTE_STREAM_SPLIT',
            price_source: 'DELTA_BYTE_ARRAY',
            accounting_method: 'DELTA_LENGTH_BYTE_ARRAY'
          },
        },
        rows: range(bss).map((i) => ({
                               tick: BigInt(i),
                               agent_id: `ag${String(i).padStart(6, '0')}`,
                               token_id: 'gold',
                               quantity: BigInt(wideInt32(i)),
                               avg_unit_cost: wideFloat(i),
                               cost_value: halfBits(i) === null ? null : halfToDouble(halfBits(i)),
                               mark_price: wideDouble(i),
                               realized_pnl: wideDouble(i + 7),
                               unrealized_pnl: Number(decimalText(i)),
                               price_source: i % 4 === 0 ? null : tokenText(i),
                               accounting_method: i % 5 === 0 ? null : agentText(i),
                             })),
      });

  // parquet-wasm addresses a column's encoding by its top-level name only, so members of
  // structs and lists get theirs from the writer's defaults: with the dictionary off the V2
  // writer picks DELTA_BINARY_PACKED for integers and DELTA_BYTE_ARRAY for byte arrays, and a
  // global BYTE_STREAM_SPLIT serves numeric members (top-level strings get their own).
  const nested = 1000;
  const deltaPayload = (i) => ({
    n: i % 9 === 0 ? null : wideInt64(i),
    s: i % 6 === 0 ? null : tokenText(i),
    j: i % 8 === 0 ? null : wideInt32(i + 1),
    l: agentText(i),
  });
  add('arrow-rs', 'DELTA_BINARY_PACKED (INT64, INT32) and DELTA_BYTE_ARRAY members of a struct', {
    table: 'exchange',
    write: (file) => arrowRsWrite(
        arrowTable([
          {name: 'tick', type: new arrow.Int64(), values: range(nested).map(BigInt)},
          {name: 'venue_id', type: new arrow.Utf8(), values: range(nested).map(tokenText)},
          {name: 'token_id', type: new arrow.Utf8(), values: range(nested).map(() => 'gold')},
          {
            name: 'exchange_event_type',
            type: new arrow.Utf8(),
            values: range(nested).map(() => 'trade')
          },
          {
            name: 'additional_payload',
            type: structOf({
              n: new arrow.Int64(),
              s: new arrow.Utf8(),
              j: new arrow.Int32(),
              l: new arrow.Utf8()
            }),
            values: range(nested).map(deltaPayload)
          },
        ]),
        file, {dictionary: false, dataPageSize: 2048}),
    want: {
      pages: {
        'additional_payload.n': 'DELTA_BINARY_PACKED',
        'additional_payload.s': 'DELTA_BYTE_ARRAY',
        'additional_payload.j': 'DELTA_BINARY_PACKED',
        'additional_payload.l': 'DELTA_BYTE_ARRAY'
      }
    },
    rows: range(nested).map((i) => {
      const member = deltaPayload(i);
      return {
        tick: BigInt(i),
        venue_id: tokenText(i),
        token_id: 'gold',
        exchange_event_type: 'trade',
        additional_payload: {...member, j: member.j === null ? null : BigInt(member.j)}
      };
    }),
  });
  const splitPayload = (i) => ({
    x: wideDouble(i),
    f: wideFloat(i),
    i: i % 8 === 0 ? null : wideInt32(i),
    n: wideInt64(i),
    h: (i * 40503) & 0x7bff,
    d: BigInt(i * 1000 + 1) * (i % 2 ? -1n : 1n),
  });
  const STRING_COLUMNS = {
    venue_id: 'DELTA_LENGTH_BYTE_ARRAY',
    token_id: 'DELTA_BYTE_ARRAY',
    exchange_event_type: 'PLAIN'
  };
  add('arrow-rs',
      'BYTE_STREAM_SPLIT members of a struct (DOUBLE, FLOAT, INT32, INT64, FLOAT16, ' +
          'DECIMAL)',
      {
        table: 'exchange',
        write: (file) => arrowRsWrite(
            arrowTable([
              {name: 'tick', type: new arrow.Int64(), values: range(nested).map(BigInt)},
              {name: 'venue_id', type: new arrow.Utf8(), values: range(nested).map(tokenText)},
              {name: 'token_id', type: new arrow.Utf8(), values: range(nested).map(() => 'gold')},
              {
                name: 'exchange_event_type',
                type: new arrow.Utf8(),
                values: range(nested).map(() => 'trade')
              },
              {name: 'price', type: new arrow.Float64(), values: range(nested).map(wideDouble)},
              {
                name: 'additional_payload',
                type: structOf({
                  x: new arrow.Float64(),
                  f: new arrow.Float32(),
                  i: new arrow.Int32(),
                  n: new arrow.Int64(),
                  h: new arrow.Float16(),
                  d: new arrow.Decimal(3, 20, 128)
                }),
                values: range(nested).map(splitPayload)
              },
            ]),
            file, {
              dictionary: false,
              encoding: 'BYTE_STREAM_SPLIT',
              encodings: {tick: 'DELTA_BINARY_PACKED', ...STRING_COLUMNS},
              dataPageSize: 2048
            }),
        want: {
          pages: {
            'additional_payload.x': 'BYTE_STREAM_SPLIT',
            'additional_payload.f': 'BYTE_STREAM_SPLIT',
            'additional_payload.i': 'BYTE_STREAM_SPLIT',
            'additional_payload.n': 'BYTE_STREAM_SPLIT',
            'additional_payload.h': 'BYTE_STREAM_SPLIT',
            'additional_payload.d': 'BYTE_STREAM_SPLIT',
            price: 'BYTE_STREAM_SPLIT',
            venue_id: 'DELTA_LENGTH_BYTE_ARRAY',
            token_id: 'DELTA_BYTE_ARRAY'
          }
        },
        rows: range(nested).map((i) => {
          const member = splitPayload(i);
          return {
            tick: BigInt(i),
            venue_id: tokenText(i),
            token_id: 'gold',
            exchange_event_type: 'trade',
            price: wideDouble(i),
            additional_payload: {
              ...member,
              i: member.i === null ? null : BigInt(member.i),
              h: halfToDouble(member.h),
              d: Number(member.d) / 1000
            }
          };
        }),
      });

  const deltaCandidates = (i) => range(i % 5).map((k) => ({
                                                    action_type: tokenText(i + k),
                                                    key: k % 3 ? agentText(i + k) : null,
                                                    rank: wideInt64(i * 5 + k),
                                                  }));
  add('arrow-rs', 'DELTA_BINARY_PACKED and DELTA_BYTE_ARRAY inside lists of structs and structs', {
    table: 'decisions',
    write: (file) => arrowRsWrite(
        arrowTable([
          {name: 'tick', type: new arrow.Int64(), values: range(nested).map(BigInt)},
          {name: 'agent_id', type: new arrow.Utf8(), values: range(nested).map(agentText)},
          {
            name: 'chosen_action',
            type: structOf({action_type: new arrow.Utf8(), qty: new arrow.Int64()}),
            values: range(nested).map((i) => ({action_type: tokenText(i), qty: wideInt64(i)}))
          },
          {
            name: 'action_candidates',
            type: listOf(structOf(
                {action_type: new arrow.Utf8(), key: new arrow.Utf8(), rank: new arrow.Int64()})),
            values: range(nested).map(deltaCandidates)
          },
          {
            name: 'token_value_estimates',
            type: structOf({gold: new arrow.Float64()}),
            values: range(nested).map((i) => ({gold: wideDouble(i)}))
          },
        ]),
        file, {dictionary: false, dataPageSize: 2048}),
    want: {
      pages: {
        'chosen_action.action_type': 'DELTA_BYTE_ARRAY',
        'chosen_action.qty': 'DELTA_BINARY_PACKED',
        'action_candidates.list.item.action_type': 'DELTA_BYTE_ARRAY',
        'action_candidates.list.item.key': 'DELTA_BYTE_ARRAY',
        'action_candidates.list.item.rank': 'DELTA_BINARY_PACKED',
      }
    },
    rows: range(nested).map((i) => ({
                              tick: BigInt(i),
                              agent_id: agentText(i),
                              chosen_action: {action_type: tokenText(i), qty: wideInt64(i)},
                              action_candidates: deltaCandidates(i),
                              token_value_estimates: {gold: wideDouble(i)},
                            })),
  });
  const splitCandidates = (i) => range(i % 5).map((k) => ({
                                                    score: wideDouble(i * 5 + k),
                                                    rank: wideInt64(i * 5 + k),
                                                    weight: wideFloat(i + k),
                                                  }));
  add('arrow-rs', 'BYTE_STREAM_SPLIT inside lists of structs and structs', {
    table: 'decisions',
    write: (file) => arrowRsWrite(
        arrowTable([
          {name: 'tick', type: new arrow.Int64(), values: range(nested).map(BigInt)},
          {name: 'agent_id', type: new arrow.Utf8(), values: range(nested).map(agentText)},
          {
            name: 'chosen_action',
            type: structOf({qty: new arrow.Int64(), w: new arrow.Float64()}),
            values: range(nested).map((i) => ({qty: wideInt64(i), w: wideDouble(i + 3)}))
          },
          {
            name: 'action_candidates',
            type: listOf(structOf({
              score: new arrow.Float64(),
              rank: new arrow.Int64(),
              weight: new arrow.Float32()
            })),
            values: range(nested).map(splitCandidates)
          },
          {
            name: 'token_value_estimates',
            type: structOf({gold: new arrow.Float64(), silver: new arrow.Float64()}),
            values: range(nested).map((i) => ({gold: wideDouble(i), silver: wideDouble(i + 1)}))
          },
        ]),
        file, {
          dictionary: false,
          encoding: 'BYTE_STREAM_SPLIT',
          encodings: {agent_id: 'DELTA_LENGTH_BYTE_ARRAY'},
          dataPageSize: 2048
        }),
    want: {
      pages: {
        tick: 'BYTE_STREAM_SPLIT',
        agent_id: 'DELTA_LENGTH_BYTE_ARRAY',
        'chosen_action.qty': 'BYTE_STREAM_SPLIT',
        'chosen_action.w': 'BYTE_STREAM_SPLIT',
        'action_candidates.list.item.score': 'BYTE_STREAM_SPLIT',
        'action_candidates.list.item.rank': 'BYTE_STREAM_SPLIT',
        'action_candidates.list.item.weight': 'BYTE_STREAM_SPLIT',
        'token_value_estimates.gold': 'BYTE_STREAM_SPLIT',
      }
    },
    rows:
        range(nested).map((i) => ({
                            tick: BigInt(i),
                            agent_id: agentText(i),
                            chosen_action: {qty: wideInt64(i), w: wideDouble(i + 3)},
                            action_candidates: splitCandidates(i),
                            token_value_estimates: {gold: wideDouble(i), silver: wideDouble(i + 1)},
                          })),
  });

  // arrow-rs' default writer: dictionaries that outgrow their page limit (1 MiB) fall back
  // to DELTA_BINARY_PACKED / DELTA_BYTE_ARRAY (the V2 writer's fallback encodings).
  const large = 160000;
  const largeAgent = (i) => `agent-${String(i).padStart(7, '0')}`;
  add('arrow-rs', `${large} rows whose dictionaries overflow and fall back to DELTA encodings`, {
    table: 'holdings',
    bucketSize: 1000000,
    write: (file) => arrowRsWrite(
        arrowTable([
          {name: 'tick', type: new arrow.Int64(), values: range(large).map(BigInt)},
          {name: 'agent_id', type: new arrow.Utf8(), values: range(large).map(largeAgent)},
          {name: 'token_id', type: new arrow.Utf8(), values: range(large).map((i) => `t${i % 3}`)},
          {name: 'quantity', type: new arrow.Int64(), values: range(large).map(uniqueInt64)},
        ]),
        file),
    want: {
      fallback: {
        tick: 'DELTA_BINARY_PACKED',
        agent_id: 'DELTA_BYTE_ARRAY',
        quantity: 'DELTA_BINARY_PACKED'
      }
    },
    rows: range(large).map((i) => ({
                             tick: BigInt(i),
                             agent_id: largeAgent(i),
                             token_id: `t${i % 3}`,
                             quantity: uniqueInt64(i)
                           })),
  });

  // ---- DuckDB: PARQUET_VERSION V2 picks DELTA and BYTE_STREAM_SPLIT itself ----
  const duck = 5000;
  add('duckdb',
      'PARQUET_VERSION V2: DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, ' +
          'BYTE_STREAM_SPLIT (DOUBLE, FLOAT)',
      {
        table: 'holdings_valuation',
        write: (file, {duckdb}) => duckdbWrite(
            duckdb, `
        SELECT i::BIGINT AS tick, 'agent-' || i AS agent_id, 'gold' AS token_id,
               (i * 7919 - 1000000)::BIGINT AS quantity, i::DOUBLE * 0.25 AS mark_price,
               (CASE WHEN i % 3 = 0 THEN NULL ELSE -i::DOUBLE / 8 END) AS cost_value,
               (CASE WHEN i % 3 = 0 THEN NULL ELSE 'src-' || i END) AS price_source,
               (i::FLOAT / 7)::FLOAT AS avg_unit_cost
        FROM range(${duck}) t(i)`,
            file, {version: 'V2'}),
        want: {
          pages: {
            tick: 'DELTA_BINARY_PACKED',
            quantity: 'DELTA_BINARY_PACKED',
            agent_id: 'DELTA_LENGTH_BYTE_ARRAY',
            mark_price: 'BYTE_STREAM_SPLIT',
            avg_unit_cost: 'BYTE_STREAM_SPLIT',
            cost_value: 'BYTE_STREAM_SPLIT',
            price_source: 'DELTA_LENGTH_BYTE_ARRAY'
          }
        },
        rows: range(duck).map((i) => ({
                                tick: BigInt(i),
                                agent_id: `agent-${i}`,
                                token_id: 'gold',
                                quantity: BigInt(i * 7919 - 1000000),
                                mark_price: i * 0.25,
                                cost_value: i % 3 === 0 ? null : -i / 8,
                                price_source: i % 3 === 0 ? null : `src-${i}`,
                                avg_unit_cost: Math.fround(Math.fround(i) / 7),
                              })),
      });
  const duckNested = 3000;
  add('duckdb', 'PARQUET_VERSION V2 inside lists of structs and structs', {
    table: 'decisions',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `
        SELECT i::BIGINT AS tick, 'agent-' || i AS agent_id,
               {'action_type': 'buy-' || i, 'qty': (i * 31)::BIGINT} AS chosen_action,
               [{'action_type': 'a-' || i, 'score': i::DOUBLE * 0.5, 'rank': (i * 3)::BIGINT},
                {'action_type': 'b-' || i, 'score': i::DOUBLE * -0.125, 'rank': (-i)::BIGINT}]
                   AS action_candidates,
               {'gold': i::DOUBLE * 1.5} AS token_value_estimates
        FROM range(${duckNested}) t(i)`,
        file, {version: 'V2'}),
    want: {
      pages: {
        'chosen_action.action_type': 'DELTA_LENGTH_BYTE_ARRAY',
        'chosen_action.qty': 'DELTA_BINARY_PACKED',
        'action_candidates.list.element.action_type': 'DELTA_LENGTH_BYTE_ARRAY',
        'action_candidates.list.element.score': 'BYTE_STREAM_SPLIT',
        'action_candidates.list.element.rank': 'DELTA_BINARY_PACKED',
        'token_value_estimates.gold': 'BYTE_STREAM_SPLIT',
      }
    },
    rows: range(duckNested).map((i) => ({
                                  tick: BigInt(i),
                                  agent_id: `agent-${i}`,
                                  chosen_action: {action_type: `buy-${i}`, qty: BigInt(i * 31)},
                                  action_candidates: [
                                    {action_type: `a-${i}`, score: i * 0.5, rank: BigInt(i * 3)},
                                    {action_type: `b-${i}`, score: i * -0.125, rank: BigInt(-i)}
                                  ],
                                  token_value_estimates: {gold: i * 1.5},
                                })),
  });

  // ---- hyparquet-writer: its own DELTA and BYTE_STREAM_SPLIT encoders ----
  const hyp = 3000;
  add('hyparquet-writer',
      'DELTA_BINARY_PACKED (INT64, INT32), DELTA_LENGTH_BYTE_ARRAY, ' +
          'DELTA_BYTE_ARRAY, small pages',
      {
        table: 'holdings',
        write: (file) => hyparquetWrite(file, {
          schema: [
            {name: 'root', num_children: 4},
            {name: 'tick', type: 'INT32', repetition_type: 'REQUIRED'},
            utf8Element('agent_id', 'REQUIRED'),
            utf8Element('token_id', 'REQUIRED'),
            {name: 'quantity', type: 'INT64', repetition_type: 'REQUIRED'},
          ],
          columnData: [
            {name: 'tick', data: range(hyp), encoding: 'DELTA_BINARY_PACKED'},
            {
              name: 'agent_id',
              data: range(hyp).map(agentText),
              encoding: 'DELTA_LENGTH_BYTE_ARRAY'
            },
            {name: 'token_id', data: range(hyp).map(tokenText), encoding: 'DELTA_BYTE_ARRAY'},
            {name: 'quantity', data: range(hyp).map(wideInt64), encoding: 'DELTA_BINARY_PACKED'},
          ],
          pageSize: 4096,
        }),
        want: {
          schema: {tick: {type: 'INT32'}},
          pages: {
            tick: 'DELTA_BINARY_PACKED',
            quantity: 'DELTA_BINARY_PACKED',
            agent_id: 'DELTA_LENGTH_BYTE_ARRAY',
            token_id: 'DELTA_BYTE_ARRAY'
          }
        },
        rows: holdingsRows(hyp, wideInt64)
                  .map((row, i) => ({...row, agent_id: agentText(i), token_id: tokenText(i)})),
      });
  const hypHalf = (i) => i % 23 === 5 ? null : halfToDouble((i * 2654435761) & 0x7bff);
  add('hyparquet-writer', 'BYTE_STREAM_SPLIT DOUBLE, FLOAT, INT32, INT64, FLBA (binary, FLOAT16)', {
    table: 'holdings_valuation',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 7},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        {
          name: 'agent_id',
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 8,
          repetition_type: 'REQUIRED'
        },
        utf8Element('token_id', 'REQUIRED'),
        {name: 'quantity', type: 'INT32', repetition_type: 'REQUIRED'},
        {name: 'mark_price', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        {name: 'avg_unit_cost', type: 'FLOAT', repetition_type: 'OPTIONAL'},
        {
          name: 'cost_value',
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 2,
          logical_type: {type: 'FLOAT16'},
          repetition_type: 'OPTIONAL'
        },
      ],
      columnData: [
        {name: 'tick', data: range(hyp).map(BigInt), encoding: 'BYTE_STREAM_SPLIT'},
        {
          name: 'agent_id',
          data: range(hyp).map((i) => utf8(`ag${String(i).padStart(6, '0')}`)),
          encoding: 'BYTE_STREAM_SPLIT'
        },
        {name: 'token_id', data: range(hyp).map(() => 'gold')},
        {name: 'quantity', data: range(hyp).map(wideInt32), encoding: 'BYTE_STREAM_SPLIT'},
        {name: 'mark_price', data: range(hyp).map(wideDouble), encoding: 'BYTE_STREAM_SPLIT'},
        {name: 'avg_unit_cost', data: range(hyp).map(wideFloat), encoding: 'BYTE_STREAM_SPLIT'},
        {name: 'cost_value', data: range(hyp).map(hypHalf), encoding: 'BYTE_STREAM_SPLIT'},
      ],
      pageSize: 4096,
    }),
    want: {
      pages: {
        tick: 'BYTE_STREAM_SPLIT',
        agent_id: 'BYTE_STREAM_SPLIT',
        quantity: 'BYTE_STREAM_SPLIT',
        mark_price: 'BYTE_STREAM_SPLIT',
        avg_unit_cost: 'BYTE_STREAM_SPLIT',
        cost_value: 'BYTE_STREAM_SPLIT'
      }
    },
    rows: range(hyp).map((i) => ({
                           tick: BigInt(i),
                           agent_id: `ag${String(i).padStart(6, '0')}`,
                           token_id: 'gold',
                           quantity: BigInt(wideInt32(i)),
                           mark_price: wideDouble(i),
                           avg_unit_cost: wideFloat(i),
                           cost_value: hypHalf(i),
                         })),
  });
  const scores = (i) =>
      range(i % 4).map((k) => ({score: wideDouble(i + k), weight: wideDouble(k)}));
  add('hyparquet-writer', 'DELTA and BYTE_STREAM_SPLIT inside lists of structs and structs', {
    table: 'decisions',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 5},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        utf8Element('agent_id', 'REQUIRED'),
        {name: 'chosen_action', repetition_type: 'REQUIRED', num_children: 2},
        utf8Element('action_type', 'OPTIONAL'),
        utf8Element('key', 'OPTIONAL'),
        {
          name: 'action_candidates',
          repetition_type: 'REQUIRED',
          converted_type: 'LIST',
          num_children: 1
        },
        {name: 'list', repetition_type: 'REPEATED', num_children: 1},
        {name: 'element', repetition_type: 'OPTIONAL', num_children: 2},
        {name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        {name: 'weight', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        {name: 'token_value_estimates', repetition_type: 'REQUIRED', num_children: 2},
        {name: 'gold', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        {name: 'silver', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
      ],
      columnData: [
        {name: 'tick', data: range(hyp).map(BigInt), encoding: 'DELTA_BINARY_PACKED'},
        {name: 'agent_id', data: range(hyp).map(agentText), encoding: 'DELTA_BYTE_ARRAY'},
        {
          name: 'chosen_action',
          data: range(hyp).map(
              (i) => ({action_type: tokenText(i), key: i % 3 ? agentText(i) : null})),
          encoding: 'DELTA_LENGTH_BYTE_ARRAY'
        },
        {name: 'action_candidates', data: range(hyp).map(scores), encoding: 'BYTE_STREAM_SPLIT'},
        {
          name: 'token_value_estimates',
          data: range(hyp).map((i) => ({gold: wideDouble(i), silver: i % 2 ? null : 2.5})),
          encoding: 'BYTE_STREAM_SPLIT'
        },
      ],
      pageSize: 4096,
    }),
    want: {
      pages: {
        'chosen_action.action_type': 'DELTA_LENGTH_BYTE_ARRAY',
        'chosen_action.key': 'DELTA_LENGTH_BYTE_ARRAY',
        'action_candidates.list.element.score': 'BYTE_STREAM_SPLIT',
        'action_candidates.list.element.weight': 'BYTE_STREAM_SPLIT',
        'token_value_estimates.gold': 'BYTE_STREAM_SPLIT'
      }
    },
    rows: range(hyp).map(
        (i) => ({
          tick: BigInt(i),
          agent_id: agentText(i),
          chosen_action: {action_type: tokenText(i), key: i % 3 ? agentText(i) : null},
          action_candidates: scores(i),
          token_value_estimates: {gold: wideDouble(i), silver: i % 2 ? null : 2.5},
        })),
  });
  return cases;
}

// ---- rule 6: codecs ----------------------------------------------------------------------

const CODEC_ROWS = 3000;
// holdings_valuation rows with nulls, doubles that are not exact decimals, repeated and
// unique strings.
const codecRows = range(CODEC_ROWS).map((i) => ({
                                          tick: BigInt(i),
                                          agent_id: `agent-${i % 97}`,
                                          token_id: i % 2 ? 'gold' : 'silver',
                                          quantity: BigInt(i * 1009 - 50000),
                                          mark_price: i % 10 === 0 ? null : i * 0.1,
                                          cost_value: -i / 3,
                                          price_source: i % 7 === 0 ? null : `source-${i}`,
                                        }));

function codecTable() {
  return arrowTable([
    {name: 'tick', type: new arrow.Int64(), values: codecRows.map((row) => row.tick)},
    {name: 'agent_id', type: new arrow.Utf8(), values: codecRows.map((row) => row.agent_id)},
    {name: 'token_id', type: new arrow.Utf8(), values: codecRows.map((row) => row.token_id)},
    {name: 'quantity', type: new arrow.Int64(), values: codecRows.map((row) => row.quantity)},
    {name: 'mark_price', type: new arrow.Float64(), values: codecRows.map((row) => row.mark_price)},
    {name: 'cost_value', type: new arrow.Float64(), values: codecRows.map((row) => row.cost_value)},
    {
      name: 'price_source',
      type: new arrow.Utf8(),
      values: codecRows.map((row) => row.price_source)
    },
  ]);
}

function codecSelect() {
  const columns = [
    {name: 'tick', sql: 'BIGINT'},
    {name: 'agent_id', sql: 'VARCHAR'},
    {name: 'token_id', sql: 'VARCHAR'},
    {name: 'quantity', sql: 'BIGINT'},
    {name: 'mark_price', sql: 'DOUBLE'},
    {name: 'cost_value', sql: 'DOUBLE'},
    {name: 'price_source', sql: 'VARCHAR'},
  ];
  // (String(-0) is "0", so -0.0 is spelled out)
  const literal = (value) => value === null ? null :
      typeof value === 'string'             ? `'${value}'` :
                  Object.is(value, -0) ? `'-0.0'` :
                                         `'${String(value)}'`;
  return valuesSelect(
      columns, codecRows.map((row) => columns.map((column) => literal(row[column.name]))));
}

function codecCases() {
  const cases = [];
  const add = (peer, name, codec, write) => cases.push(
      {rule: 6, peer, name, table: 'holdings_valuation', write, want: {codec}, rows: codecRows});
  for (const [duckdbName, codec, version] of [
           ['brotli', 'BROTLI', 'V1'], ['brotli', 'BROTLI', 'V2'], ['zstd', 'ZSTD', 'V1'],
           ['snappy', 'SNAPPY', 'V1'], ['gzip', 'GZIP', 'V1'], ['lz4', 'LZ4_RAW', 'V1']]) {
    add('duckdb', `COMPRESSION ${duckdbName}, PARQUET_VERSION ${version} (${codec})`, codec,
        (file, {duckdb}) =>
            duckdbWrite(duckdb, codecSelect(), file, {compression: duckdbName, version}));
  }
  for (const [polarsName, codec] of [
           ['brotli', 'BROTLI'], ['zstd', 'ZSTD'], ['snappy', 'SNAPPY'], ['gzip', 'GZIP'],
           ['lz4', 'LZ4_RAW']]) {
    add('polars', `compression ${polarsName} (${codec})`, codec,
        (file) => polarsWrite(codecTable(), file, {compression: polarsName}));
  }
  for (const [wasmName, codec, label] of [
           ['brotli', 'BROTLI', 'BROTLI'], ['lz4', 'LZ4', 'LZ4 with Hadoop framing'],
           ['zstd', 'ZSTD', 'ZSTD'], ['snappy', 'SNAPPY', 'SNAPPY'], ['gzip', 'GZIP', 'GZIP'],
           ['lz4_raw', 'LZ4_RAW', 'LZ4_RAW']]) {
    add('arrow-rs', `Compression.${wasmName.toUpperCase()} (${label}), data pages v2`, codec,
        (file) => arrowRsWrite(codecTable(), file, {compression: wasmName}));
  }
  add('arrow-rs', 'Compression.LZ4 (Hadoop framing), data pages v1, 3 row groups', 'LZ4',
      (file) => arrowRsWrite(
          codecTable(), file, {compression: 'lz4', version: 'V1', rowGroupSize: 1000}));
  add('arrow-rs', 'Compression.BROTLI, data pages v1, plain', 'BROTLI',
      (file) =>
          arrowRsWrite(codecTable(), file, {compression: 'brotli', version: 'V1', plain: true}));
  add('hyparquet-writer', 'SNAPPY (its own compressor)', 'SNAPPY',
      (file) => hyparquetWrite(file, {
        schema: [
          {name: 'root', num_children: 7},
          {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
          utf8Element('agent_id', 'REQUIRED'),
          utf8Element('token_id', 'REQUIRED'),
          {name: 'quantity', type: 'INT64', repetition_type: 'REQUIRED'},
          {name: 'mark_price', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
          {name: 'cost_value', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
          utf8Element('price_source', 'OPTIONAL'),
        ],
        columnData: Object.keys(codecRows[0])
                        .map((name) => ({name, data: codecRows.map((row) => row[name])})),
        codec: 'SNAPPY',
      }));
  return cases;
}

export function encodingAndCodecCases() { return [...encodingCases(), ...codecCases()]; }
