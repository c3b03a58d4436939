// Rules 8 (MAP into a struct column) and 9 (legacy two-level lists into list[struct]).

import {range, rowWord, utf8Element} from './common.mjs';
import {arrow, arrowRsWrite, arrowTable, duckdbWrite, hyparquetWrite, legacyListRewrite, listOf, mapOf, structOf} from './peers.mjs';

// ---- rule 8: MAP<string, T> into a struct column ----------------------------------------

// Maps as [key, value] pairs: two keys, -0.0, a huge value, a key seen only once, an empty
// map, a null value.
const MAPS = [
  [['gold', 1.5], ['silver', 2.25]],
  [['gold', -0]],
  [['silver', 1e300], ['bronze', 3.5]],
  [],
  [['gold', null]],
];
const MAP_KEYS = ['gold', 'silver', 'bronze'];

// The struct each map becomes: every key of the column, null where the row lacks it.
function asStruct(pairs, keys) {
  const struct = Object.fromEntries(keys.map((key) => [key, null]));
  for (const [key, value] of pairs) struct[key] = value;
  return struct;
}

const decisionsRow = (i, estimates) => ({
  tick: BigInt(i),
  agent_id: `agent-${i}`,
  chosen_action: {action_type: 'buy'},
  action_candidates: [{action_type: 'buy', score: 0.5}],
  token_value_estimates: estimates,
});

const doubleLiteral = (value) => value === null ? 'NULL::DOUBLE' :
    Object.is(value, -0)                        ? `'-0.0'::DOUBLE` :
                                                  `'${value}'::DOUBLE`;

// DuckDB decisions rows whose token_value_estimates are `maps` as MAP(VARCHAR, DOUBLE).
function duckdbDecisions(maps) {
  const rows = maps.map((pairs, i) => {
    const map = pairs.length === 0 ?
        `MAP {}::MAP(VARCHAR, DOUBLE)` :
        `MAP {${pairs.map(([key, value]) => `'${key}': ${doubleLiteral(value)}`).join(', ')}}`;
    return `(${i}::BIGINT, 'agent-${i}', {'action_type': 'buy'},
             [{'action_type': 'buy', 'score': 0.5::DOUBLE}], ${map}::MAP(VARCHAR, DOUBLE))`;
  });
  return `SELECT * FROM (VALUES ${rows.join(', ')})
          t(tick, agent_id, chosen_action, action_candidates, token_value_estimates)`;
}

const DECISIONS_ARROW = (count, maps) =>
    [{name: 'tick', type: new arrow.Int64(), values: range(count).map(BigInt)},
     {name: 'agent_id', type: new arrow.Utf8(), values: range(count).map((i) => `agent-${i}`)},
     {
       name: 'chosen_action',
       type: structOf({action_type: new arrow.Utf8()}),
       values: range(count).map(() => ({action_type: 'buy'}))
     },
     {
       name: 'action_candidates',
       type: listOf(structOf({action_type: new arrow.Utf8(), score: new arrow.Float64()})),
       values: range(count).map(() => [{action_type: 'buy', score: 0.5}])
     },
     {name: 'token_value_estimates', type: mapOf(new arrow.Float64()), values: maps},
];

// hyparquet-writer decisions whose token_value_estimates is a MAP group; `keyValue` may
// annotate the repeated group (MAP_KEY_VALUE, as older writers did).
function hyparquetDecisions(file, maps, {keyValue, rowGroupSize} = {}) {
  hyparquetWrite(file, {
    schema: [
      {name: 'root', num_children: 5},
      {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
      utf8Element('agent_id', 'REQUIRED'),
      {name: 'chosen_action', repetition_type: 'REQUIRED', num_children: 1},
      utf8Element('action_type', 'OPTIONAL'),
      {
        name: 'action_candidates',
        repetition_type: 'REQUIRED',
        converted_type: 'LIST',
        num_children: 1
      },
      {name: 'list', repetition_type: 'REPEATED', num_children: 1},
      {name: 'element', repetition_type: 'OPTIONAL', num_children: 2},
      utf8Element('action_type', 'OPTIONAL'),
      {name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
      {
        name: 'token_value_estimates',
        repetition_type: 'REQUIRED',
        converted_type: 'MAP',
        num_children: 1
      },
      {
        name: 'key_value',
        repetition_type: 'REPEATED',
        num_children: 2,
        ...(keyValue ? {converted_type: 'MAP_KEY_VALUE'} : {})
      },
      utf8Element('key', 'REQUIRED'),
      {name: 'value', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
    ],
    columnData: [
      {name: 'tick', data: range(maps.length).map(BigInt)},
      {name: 'agent_id', data: range(maps.length).map((i) => `agent-${i}`)},
      {name: 'chosen_action', data: maps.map(() => ({action_type: 'buy'}))},
      {name: 'action_candidates', data: maps.map(() => [{action_type: 'buy', score: 0.5}])},
      {
        name: 'token_value_estimates',
        data: maps.map((pairs) => pairs.map(([key, value]) => ({key, value})))
      },
    ],
    rowGroupSize,
  });
}

function mapCases() {
  const cases = [];
  const add = (peer, name, fields) =>
      cases.push({rule: 8, peer, name, table: 'decisions', ...fields});
  const expectedRows = MAPS.map((pairs, i) => decisionsRow(i, asStruct(pairs, MAP_KEYS)));
  const duplicate = (row) => (
      {exit: 6, class: 'IoSchemaError', mentions: ['token_value_estimates', rowWord(row), 'gold']});
  const isMap = {'token_value_estimates': {converted: 'MAP'}};

  add('duckdb', 'MAP(VARCHAR, DOUBLE) into token_value_estimates: keys become members', {
    write: (file, {duckdb}) => duckdbWrite(duckdb, duckdbDecisions(MAPS), file),
    want: {schema: isMap},
    rows: expectedRows,
  });
  add('duckdb', 'MAP(VARCHAR, BIGINT) into exchange.additional_payload', {
    table: 'exchange',
    write: (file, {duckdb}) => duckdbWrite(
        duckdb, `SELECT * FROM (VALUES
        (0::BIGINT, 'v', 'gold', 'trade', MAP {'qty': 5::BIGINT, 'fee_bp': -3::BIGINT}),
        (1::BIGINT, 'v', 'gold', 'trade', MAP {'qty': 9223372036854775807::BIGINT}))
        t(tick, venue_id, token_id, exchange_event_type, additional_payload)`,
        file),
    want: {schema: {additional_payload: {converted: 'MAP'}}},
    rows: [
      {
        tick: 0n,
        venue_id: 'v',
        token_id: 'gold',
        exchange_event_type: 'trade',
        additional_payload: {qty: 5n, fee_bp: -3n}
      },
      {
        tick: 1n,
        venue_id: 'v',
        token_id: 'gold',
        exchange_event_type: 'trade',
        additional_payload: {qty: 9223372036854775807n, fee_bp: null}
      },
    ],
  });
  add('arrow-rs', 'Map<Utf8, Float64> into token_value_estimates: keys become members', {
    write: (file) => arrowRsWrite(arrowTable(DECISIONS_ARROW(MAPS.length, MAPS)), file),
    want: {schema: isMap},
    rows: expectedRows,
  });
  add('arrow-rs', 'Map with key "gold" twice in row 2 refused', {
    write: (file) => arrowRsWrite(arrowTable(DECISIONS_ARROW(4, [
      [['gold', 1]], [['silver', 2], ['gold', 3]], [['gold', 1], ['silver', 2], ['gold', 2]],
      [['gold', 4]],
    ])), file),
    want: {schema: isMap},
    refuse: duplicate(2),
  });
  add('hyparquet-writer', 'MAP group into token_value_estimates: keys become members', {
    write: (file) => hyparquetDecisions(file, MAPS),
    want: {schema: isMap},
    rows: expectedRows,
  });
  add('hyparquet-writer', 'legacy MAP / MAP_KEY_VALUE group into token_value_estimates', {
    write: (file) => hyparquetDecisions(file, MAPS, {keyValue: true}),
    want: {schema: {...isMap, 'token_value_estimates.key_value': {converted: 'MAP_KEY_VALUE'}}},
    rows: expectedRows,
  });
  add('hyparquet-writer', 'MAP with key "gold" twice in row 1 (second row group) refused', {
    write: (file) =>
        hyparquetDecisions(file, [[['gold', 1]], [['gold', 2], ['gold', 2]]], {rowGroupSize: 1}),
    want: {schema: isMap, minRowGroups: 2},
    refuse: duplicate(1),
  });
  return cases;
}

// ---- rule 9: legacy two-level lists ------------------------------------------------------

const candidate = (i, k) => ({
  action_type: `a${i}-${k}`,
  score: k % 2 ? null : i + k / 4,
  key: `k${k}`,
  parameters: {qty: i * k + 0.5},
});
const LIST_ROWS = 9;

// The fields of a list item, as Parquet schema elements (REQUIRED unless said otherwise).
const ITEM_ELEMENTS = {
  action_type: [
    utf8Element('action_type', 'REQUIRED')
  ],
  score: [{name: 'score', type: 'DOUBLE', repetition_type: 'OPTIONAL'}],
  key: [utf8Element('key', 'REQUIRED')],
  parameters: [
    {name: 'parameters', repetition_type: 'REQUIRED', num_children: 1},
    {name: 'qty', type: 'DOUBLE', repetition_type: 'REQUIRED'}
  ],
};

// decisions rows with `fields` of each candidate, 0..3 candidates a row, written by
// hyparquet-writer as a three-level list and turned into the legacy `form`.
function legacyDecisions(form, fields, {outer = 'REQUIRED'} = {}) {
  const items = (i) => range(i % 4).map((k) => {
    const full = candidate(i, k);
    return Object.fromEntries(fields.map((field) => [field, full[field]]));
  });
  return {
    table: 'decisions',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 5},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        utf8Element('agent_id', 'REQUIRED'),
        {name: 'chosen_action', repetition_type: 'REQUIRED', num_children: 1},
        utf8Element('action_type', 'OPTIONAL'),
        {
          name: 'action_candidates',
          repetition_type: outer,
          converted_type: 'LIST',
          num_children: 1
        },
        {name: 'list', repetition_type: 'REPEATED', num_children: 1},
        {name: 'element', repetition_type: 'REQUIRED', num_children: fields.length},
        ...fields.flatMap((field) => ITEM_ELEMENTS[field]),
        {name: 'token_value_estimates', repetition_type: 'REQUIRED', num_children: 1},
        {name: 'gold', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
      ],
      columnData: [
        {name: 'tick', data: range(LIST_ROWS).map(BigInt)},
        {name: 'agent_id', data: range(LIST_ROWS).map((i) => `agent-${i}`)},
        {name: 'chosen_action', data: range(LIST_ROWS).map(() => ({action_type: 'hold'}))},
        {name: 'action_candidates', data: range(LIST_ROWS).map(items)},
        {name: 'token_value_estimates', data: range(LIST_ROWS).map((i) => ({gold: i * 0.5}))},
      ],
      rewrite: legacyListRewrite('action_candidates', form),
    }),
    want: {
      schema: form === 'bare' ? {action_candidates: {repetition: 'REPEATED', converted: null}} : {
        action_candidates: {converted: 'LIST', repetition: outer},
        [`action_candidates.${
            form === 'array'     ? 'array' :
                form === 'tuple' ? 'action_candidates_tuple' :
                                   form}`]: {repetition: 'REPEATED'}
      }
    },
    rows: range(LIST_ROWS).map((i) => ({
                                 tick: BigInt(i),
                                 agent_id: `agent-${i}`,
                                 chosen_action: {action_type: 'hold'},
                                 action_candidates: items(i),
                                 token_value_estimates: {gold: i * 0.5},
                               })),
  };
}

function legacyListCases() {
  const cases = [];
  const add = (name, fields) => cases.push({rule: 9, peer: 'hyparquet-writer', name, ...fields});
  const all = ['action_type', 'score', 'key', 'parameters'];
  add('repeated group without LIST annotation (items with a nested struct)',
      legacyDecisions('bare', all));
  add('LIST > repeated group "array" with four fields',
      legacyDecisions('array', all, {outer: 'OPTIONAL'}));
  add('LIST > repeated group "action_candidates_tuple" with four fields',
      legacyDecisions('tuple', all));
  add('LIST > repeated group "record" with two fields (two-level by its field count)',
      legacyDecisions('record', ['action_type', 'score'], {outer: 'OPTIONAL'}));
  add('LIST > repeated group "array" with one field: a list of one-field structs',
      legacyDecisions('array', ['key']));
  add('LIST > repeated group "action_candidates_tuple" with one field',
      legacyDecisions('tuple', ['action_type'], {outer: 'OPTIONAL'}));

  const pairs = (i) => range(i % 3).map(
      (k) => ({agent_a: `a${i}`, agent_b: `b${k}`, weight: k === 1 ? null : i - k / 8}));
  add('scenarios_seen.salient_agent_pairs as a repeated group without LIST annotation', {
    table: 'scenarios_seen',
    write: (file) => hyparquetWrite(file, {
      schema: [
        {name: 'root', num_children: 5},
        {name: 'tick', type: 'INT64', repetition_type: 'REQUIRED'},
        utf8Element('observer_agent_id', 'REQUIRED'),
        {
          name: 'salient_agent_pairs',
          repetition_type: 'REQUIRED',
          converted_type: 'LIST',
          num_children: 1
        },
        {name: 'list', repetition_type: 'REPEATED', num_children: 1},
        {name: 'element', repetition_type: 'REQUIRED', num_children: 3},
        utf8Element('agent_a', 'REQUIRED'),
        utf8Element('agent_b', 'REQUIRED'),
        {name: 'weight', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        {name: 'exchange_snapshot', repetition_type: 'REQUIRED', num_children: 1},
        {name: 'price', type: 'DOUBLE', repetition_type: 'OPTIONAL'},
        utf8Element('context_hash', 'REQUIRED'),
      ],
      columnData: [
        {name: 'tick', data: range(LIST_ROWS).map(BigInt)},
        {name: 'observer_agent_id', data: range(LIST_ROWS).map((i) => `agent-${i}`)},
        {name: 'salient_agent_pairs', data: range(LIST_ROWS).map(pairs)},
        {name: 'exchange_snapshot', data: range(LIST_ROWS).map((i) => ({price: i * 1.25}))},
        {name: 'context_hash', data: range(LIST_ROWS).map((i) => `h${i}`)},
      ],
      rewrite: legacyListRewrite('salient_agent_pairs', 'bare'),
    }),
    want: {schema: {salient_agent_pairs: {repetition: 'REPEATED', converted: null}}},
    rows: range(LIST_ROWS).map((i) => ({
                                 tick: BigInt(i),
                                 observer_agent_id: `agent-${i}`,
                                 salient_agent_pairs: pairs(i),
                                 exchange_snapshot: {price: i * 1.25},
                                 context_hash: `h${i}`,
                               })),
  });
  return cases;
}

export function nestedCases() { return [...mapCases(), ...legacyListCases()]; }
