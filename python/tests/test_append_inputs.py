"""Appending every kind of input an append accepts, and reading back exactly what went in:
Arrow streams and arrays (through the ctypes producer), pandas DataFrames (numpy and
nullable extension dtypes, dicts and lists of dicts), dicts of lists or numpy arrays,
lists of dicts, and crv_io's own Table; nested structs and lists; nulls; the summary."""

import math
import pathlib
import re

import numpy as np
import pandas as pd
import pytest

import crv_io
import crv_io.write
from arrow_producer import BOOL, FLOAT64, INT64, UTF8, Field, list_of, schema_of, struct
from helpers import (
    RUN_ID,
    assert_same_files,
    columns_to_rows,
    decision_rows,
    edge_columns,
    expected_rows,
    holdings_columns,
    rows_to_columns,
    same_float,
    scenario_rows,
    snapshot,
)

# Five holdings rows over buckets 0, 1 and 4, with int64's extremes, multi-byte and
# empty strings, so every input path is checked on values that are easy to mangle.
HOLDINGS = {
    "tick": [3, 7, 150, 151, 420],
    "agent_id": ["a-0", "a-1", "agent-é", "日本", ""],
    "token_id": ["tok-x", "tok-y", "tok-x", "tok-🙂", "tok-z"],
    "quantity": [0, -5, 2**62, -(2**63), 2**63 - 1],
}
HOLDINGS_FIELDS = schema_of(tick=INT64, agent_id=UTF8, token_id=UTF8, quantity=INT64)
HOLDINGS_SCHEMA = {"tick": "int64", "agent_id": "utf8", "token_id": "utf8", "quantity": "int64"}


def as_numpy(columns):
    return {
        name: np.array(values, dtype=np.int64 if isinstance(values[0], int) else object)
        for name, values in columns.items()
    }


# Each kind turns a dict of columns into that kind of input; the Arrow kinds need the
# producer. The stream splits the rows over two batches.
INPUT_KINDS = {
    "dict_of_lists": lambda cols, fields, producer: cols,
    "dict_of_numpy": lambda cols, fields, producer: as_numpy(cols),
    "dataframe": lambda cols, fields, producer: pd.DataFrame(cols),
    "list_of_dicts": lambda cols, fields, producer: columns_to_rows(cols),
    "arrow_stream": lambda cols, fields, producer: producer.stream(
        fields, [{k: v[:2] for k, v in cols.items()}, {k: v[2:] for k, v in cols.items()}]
    ),
    "arrow_array": lambda cols, fields, producer: producer.array(fields, cols),
    "crv_io_table": lambda cols, fields, producer: crv_io.Table.from_data(cols),
}


@pytest.fixture(params=sorted(INPUT_KINDS))
def make_input(request, producer):
    kind = INPUT_KINDS[request.param]
    return lambda cols, fields: kind(cols, fields, producer)


def test_every_input_kind_converts_to_the_same_table(make_input):
    table = crv_io.Table.from_data(make_input(HOLDINGS, HOLDINGS_FIELDS))
    assert isinstance(table, crv_io.Table)
    assert table.column_names == list(HOLDINGS)
    assert table.schema == HOLDINGS_SCHEMA
    assert table.num_rows == len(table) == 5
    assert table.num_columns == 4
    assert table.to_pydict() == HOLDINGS


def test_every_input_kind_appends_and_reads_back_exactly(dataset, make_input):
    summary = dataset.append("holdings", make_input(HOLDINGS, HOLDINGS_FIELDS))
    assert summary["rows"] == 5
    assert summary["buckets"] == [0, 1, 4]
    assert dataset.read("holdings").to_pylist() == expected_rows("holdings", columns_to_rows(HOLDINGS))


def test_the_summary_describes_every_part_written(dataset, root):
    summary = dataset.append("holdings", HOLDINGS)
    assert set(summary) == {"table", "run_id", "parts", "rows", "buckets"}
    assert (summary["table"], summary["run_id"], summary["rows"]) == ("holdings", RUN_ID, 5)
    assert summary["buckets"] == [0, 1, 4]
    parts = sorted(summary["parts"], key=lambda p: p["bucket_id"])
    assert [(p["bucket_id"], p["rows"], p["tick_min"], p["tick_max"]) for p in parts] == [
        (0, 2, 3, 7), (1, 2, 150, 151), (4, 1, 420, 420),
    ]
    for part in parts:
        assert set(part) == {"bucket_id", "path", "rows", "bytes", "tick_min", "tick_max"}
        path = pathlib.Path(part["path"])
        assert path.is_file()
        assert path.stat().st_size == part["bytes"]
        assert path.parent == root / "runs" / RUN_ID / "tables" / "holdings" / f"bucket={part['bucket_id']:06d}"
        assert re.fullmatch(r"part-[0-9a-f]{32}\.parquet", path.name)
        assert path.read_bytes()[:4] == b"PAR1"


def test_a_table_name_member_works_like_its_string(dataset):
    summary = dataset.append(crv_io.TableName.HOLDINGS, HOLDINGS)
    assert summary["table"] == "holdings"
    assert dataset.read(crv_io.TableName.HOLDINGS).num_rows == 5


def test_bucket_is_tick_floor_divided_by_the_bucket_size(root):
    settings = crv_io.IoSettings(root_dir=root, tick_bucket_size=10)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        summary = dataset.append("holdings", holdings_columns([0, 9, 10, 25, 99, 100]))
        assert summary["buckets"] == [0, 1, 2, 9, 10]
        assert dataset.read("holdings").column("bucket") == [0, 0, 1, 2, 9, 10]
    assert sorted(p.name for p in (root / "runs" / RUN_ID / "tables" / "holdings").glob("bucket=*")) == [
        "bucket=000000", "bucket=000001", "bucket=000002", "bucket=000009", "bucket=000010",
    ]


def test_a_supplied_bucket_column_that_agrees_is_accepted(dataset):
    columns = {**holdings_columns([5, 150]), "bucket": [0, 1]}
    dataset.append("holdings", columns)
    assert dataset.read("holdings").column("bucket") == [0, 1]


@pytest.mark.parametrize(
    "empty",
    [
        pd.DataFrame({"tick": pd.Series([], dtype="int64"), "agent_id": pd.Series([], dtype=object),
                      "token_id": pd.Series([], dtype=object), "quantity": pd.Series([], dtype="int64")}),
        {"tick": [], "agent_id": [], "token_id": [], "quantity": []},
    ],
    ids=["dataframe", "dict_of_lists"],
)
def test_an_empty_input_appends_nothing(dataset, root, empty):
    before = snapshot(root)
    summary = dataset.append("holdings", empty)
    assert summary == {"table": "holdings", "run_id": RUN_ID, "parts": [], "rows": 0, "buckets": []}
    assert_same_files(before, snapshot(root))
    assert dataset.manifest("holdings") is None


def test_the_module_level_appends_take_the_reference_argument_orders(root, settings):
    crv_io.write.append(settings, "run-a", "holdings", HOLDINGS)
    crv_io.append("holdings", HOLDINGS, "run-b", settings)
    crv_io.write.append(settings, "run-a", crv_io.TableName.HOLDINGS, HOLDINGS,
                        validate_schema=True, validate_rows=True)
    with crv_io.Dataset(settings, "run-a") as run_a, crv_io.Dataset(settings, "run-b") as run_b:
        assert run_a.read("holdings").num_rows == 10
        assert run_b.read("holdings").to_pylist() == expected_rows("holdings", columns_to_rows(HOLDINGS))


def test_dataset_methods_take_the_reference_argument_names_and_order(dataset):
    # .append(table, df, *, ...) and .read(table, where=None, limit=None); the other
    # parameters are keyword-only.
    dataset.append("holdings", df=HOLDINGS, validate_schema=True)
    assert dataset.read("holdings", {"tick_min": 100}, 2).column("tick") == [150, 151]
    assert dataset.read(table="holdings", where=None, limit=1).num_rows == 1
    with pytest.raises(TypeError):
        dataset.read("holdings", None, 2, ["tick"])
    with pytest.raises(TypeError):
        dataset.scan("holdings", None, ["tick"])


def test_the_module_level_append_loads_settings_when_none_are_given(tmp_path, monkeypatch):
    # IoSettings.load(): the environment names the root, crv.toml in the working
    # directory the bucket size.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "crv.toml").write_text("[io]\ntick_bucket_size = 1000\n")
    monkeypatch.setenv("CRV_IO_ROOT_DIR", str(tmp_path / "from-env"))
    summary = crv_io.append("holdings", HOLDINGS, "run-env")
    assert summary["buckets"] == [0]
    assert (tmp_path / "from-env" / "runs" / "run-env" / "tables" / "holdings" / "manifest.json").is_file()


def test_validate_rows_is_accepted_and_changes_nothing(dataset):
    dataset.append("holdings", HOLDINGS, validate_rows=True)
    assert dataset.read("holdings").num_rows == 5


def test_without_schema_validation_the_frame_is_written_as_given_with_its_bucket(dataset):
    dataset.append("holdings", HOLDINGS, validate_schema=False)
    table = dataset.read("holdings")
    assert table.column_names == ["bucket", "tick", "agent_id", "token_id", "quantity"]
    assert table.to_pylist() == expected_rows("holdings", columns_to_rows(HOLDINGS))


# --- pandas ------------------------------------------------------------------------------


def test_pandas_nullable_extension_dtypes_carry_their_nulls(dataset):
    frame = pd.DataFrame({
        "tick": pd.array([1, 2, 3], dtype="Int64"),
        "agent_id": pd.array(["a", "b", "c"], dtype="string"),
        "token_id": ["t", "t", "u"],
        "quantity": pd.array([5, -6, 7], dtype="Int64"),
        "avg_unit_cost": pd.array([1.5, pd.NA, -0.25], dtype="Float64"),
        "price_source": pd.array([pd.NA, "mark", "last"], dtype="string"),
        "accounting_method": ["fifo", None, "avg"],
    })
    dataset.append("holdings_valuation", frame)
    table = dataset.read("holdings_valuation", columns=["tick", "quantity", "avg_unit_cost", "price_source",
                                                        "accounting_method", "mark_price"])
    assert table.to_pydict() == {
        "tick": [1, 2, 3],
        "quantity": [5, -6, 7],
        "avg_unit_cost": [1.5, None, -0.25],
        "price_source": [None, "mark", "last"],
        "accounting_method": ["fifo", None, "avg"],
        "mark_price": [None, None, None],
    }


def test_pandas_int64_extension_column_with_nulls_fills_a_nullable_i64_column(dataset):
    frame = pd.DataFrame({**edge_columns([1, 2, 3]), "edge_sign": pd.array([1, pd.NA, -1], dtype="Int64")})
    dataset.append("identity_edges", frame)
    assert dataset.read("identity_edges").column("edge_sign") == [1, None, -1]


@pytest.mark.parametrize(
    "column,schema,values",
    [
        (pd.array([True, pd.NA, False], dtype="boolean"), "bool", [True, None, False]),
        (pd.Series([True, False, True]), "bool", [True, False, True]),
        (pd.array([1, pd.NA, 3], dtype="Int64"), "int64", [1, None, 3]),
        (pd.array([0.5, pd.NA, 3.0], dtype="Float64"), "float64", [0.5, None, 3.0]),
        (pd.array(["x", pd.NA, ""], dtype="string"), "utf8", ["x", None, ""]),
        (pd.Series(["x", None, "z"], dtype=object), "utf8", ["x", None, "z"]),
        (pd.Series([1.5, -2.0, 0.0]), "float64", [1.5, -2.0, 0.0]),
        (pd.Series([1, 2, 3], dtype="int64"), "int64", [1, 2, 3]),
    ],
    ids=["boolean", "bool", "Int64", "Float64", "string", "object_str", "float64", "int64"],
)
def test_pandas_column_dtypes_convert_to_their_arrow_types(column, schema, values):
    table = crv_io.Table.from_data(pd.DataFrame({"c": column}))
    assert table.schema == {"c": schema}
    assert table.to_pydict() == {"c": values}


def test_pandas_nan_is_a_null_while_a_numpy_nan_stays_a_number():
    # pandas marks missing floats with NaN (pyarrow and Polars read it as null from
    # pandas); a plain numpy array holds NaN as a value.
    from_pandas = crv_io.Table.from_data(pd.DataFrame({"f": [1.0, np.nan]}))
    assert from_pandas.column("f") == [1.0, None]
    from_numpy = crv_io.Table.from_data({"f": np.array([1.0, np.nan])}).column("f")
    assert from_numpy[0] == 1.0 and math.isnan(from_numpy[1])


@pytest.mark.parametrize("index", [[10, 20], pd.Index([10, 20], name="tick_index")], ids=["plain", "named"])
def test_a_dataframe_index_is_not_a_column(index):
    table = crv_io.Table.from_data(pd.DataFrame({"f": [1.0, 2.0]}, index=index))
    assert table.to_pydict() == {"f": [1.0, 2.0]}


def test_a_boolean_extra_column_is_kept_when_the_schema_is_not_strict(root):
    settings = crv_io.IoSettings(root_dir=root, strict_schema=False)
    frame = pd.DataFrame({**holdings_columns([1, 2, 3]), "is_marked": pd.array([True, pd.NA, False], dtype="boolean")})
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", frame)
        table = dataset.read("holdings")
    # Extra columns come after the descriptor's.
    assert table.column_names == ["bucket", "tick", "agent_id", "token_id", "quantity", "is_marked"]
    assert table.schema["is_marked"] == "bool"
    assert table.column("is_marked") == [True, None, False]


def test_pandas_dicts_and_lists_of_dicts_become_structs_and_lists_of_structs(dataset):
    rows = decision_rows([1, 2, 3, 104])
    dataset.append("decisions", pd.DataFrame(rows))
    assert dataset.read("decisions").to_pylist() == expected_rows("decisions", rows)


# --- numpy -------------------------------------------------------------------------------


def test_narrower_numpy_dtypes_widen_losslessly(dataset):
    weights = [0.1, 2.5, -3.75]
    columns = {
        "tick": np.array([1, 2, 300], dtype=np.int32),
        "observer_agent_id": np.array(["o1", "o2", "o3"]),  # a numpy unicode array, '<U2'
        "edge_kind": np.array(["k", "k", "j"], dtype=object),
        "edge_weight": np.array(weights, dtype=np.float32),
        "edge_sign": np.array([0, 255, 7], dtype=np.uint8),
        "token_id": np.array(["t", None, "u"], dtype=object),
    }
    dataset.append("identity_edges", columns)
    table = dataset.read("identity_edges")
    assert table.schema["edge_weight"] == "float64" and table.schema["edge_sign"] == "int64"
    assert table.column("tick") == [1, 2, 300]
    assert table.column("bucket") == [0, 0, 3]
    assert table.column("edge_sign") == [0, 255, 7]
    assert table.column("observer_agent_id") == ["o1", "o2", "o3"]
    assert table.column("token_id") == ["t", None, "u"]
    # float32 -> float64 is exact: the float32's own value, not the decimal it came from.
    assert table.column("edge_weight") == [float(np.float32(w)) for w in weights]


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint16, np.uint32, np.uint64])
def test_every_integer_dtype_widens_to_int64(dtype):
    info = np.iinfo(dtype)
    values = [int(info.min), 0, int(min(info.max, 2**63 - 1))]
    table = crv_io.Table.from_data({"v": np.array(values, dtype=dtype)})
    assert table.schema == {"v": "int64"}
    assert table.column("v") == values


def test_numpy_bool_and_float_arrays_convert():
    table = crv_io.Table.from_data({"b": np.array([True, False]), "f": np.array([0.5, -1e300])})
    assert table.schema == {"b": "bool", "f": "float64"}
    assert table.to_pydict() == {"b": [True, False], "f": [0.5, -1e300]}


def test_a_large_numpy_append_reads_back_exactly(dataset):
    # One test of size: 100,000 rows over 10 buckets, compared as arrays.
    n = 100_000
    rng = np.random.default_rng(7)
    ticks = np.sort(rng.integers(0, 1000, n)).astype(np.int64)
    quantities = rng.integers(-(2**62), 2**62, n, dtype=np.int64)
    agents = np.array([f"agent-{i % 997}" for i in range(n)], dtype=object)
    summary = dataset.append("holdings", {"tick": ticks, "agent_id": agents, "token_id": agents, "quantity": quantities})
    assert summary["rows"] == n
    assert summary["buckets"] == list(range(10))
    frame = dataset.read("holdings").to_pandas()
    assert len(frame) == n
    np.testing.assert_array_equal(frame["tick"].to_numpy(), ticks)
    np.testing.assert_array_equal(frame["bucket"].to_numpy(), ticks // 100)
    np.testing.assert_array_equal(frame["quantity"].to_numpy(), quantities)
    assert frame["agent_id"].tolist() == agents.tolist()


# --- values ------------------------------------------------------------------------------


def test_special_doubles_round_trip_bit_for_bit(dataset):
    weights = [-0.0, 0.0, math.inf, -math.inf, math.nan, 5e-324, 1.7976931348623157e308, 0.1]
    dataset.append("identity_edges", edge_columns(range(len(weights))) | {"edge_weight": weights})
    read = dataset.read("identity_edges").column("edge_weight")
    assert len(read) == len(weights)
    assert all(same_float(a, b) for a, b in zip(read, weights)), read


def test_lossless_casts_fill_the_columns_type(dataset):
    columns = edge_columns([1, 2]) | {
        "edge_weight": [1, -(2**53)],  # int64 into f64: exact doubles
        "edge_sign": [1.0, -1.0],  # integral doubles into i64
        "subject_id": [7, -8],  # numbers into str, in their shortest exact decimal form
        "object_id": [0.1, 2.5],
    }
    dataset.append("identity_edges", columns)
    table = dataset.read("identity_edges")
    assert table.column("edge_weight") == [1.0, -(2.0**53)]
    assert table.column("edge_sign") == [1, -1]
    assert table.column("subject_id") == ["7", "-8"]
    assert table.column("object_id") == ["0.1", "2.5"]


def test_absent_nullable_columns_read_back_as_nulls_of_their_type(dataset):
    dataset.append("identity_edges", edge_columns([1, 2]))
    table = dataset.read("identity_edges")
    assert table.column("edge_sign") == [None, None]
    assert table.schema["edge_sign"] == "int64"
    assert table.schema["subject_id"] == "utf8"


# --- nested ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["list_of_dicts", "dict_of_lists", "dataframe"])
def test_decisions_nested_values_read_back_exactly(dataset, kind):
    rows = decision_rows([1, 2, 3, 150, 151])
    data = {"list_of_dicts": rows, "dict_of_lists": rows_to_columns(rows), "dataframe": pd.DataFrame(rows)}[kind]
    dataset.append("decisions", data)
    table = dataset.read("decisions")
    assert table.to_pylist() == expected_rows("decisions", rows)
    assert table.schema["chosen_action"] == "struct<action_type: utf8, token_id: utf8, quantity: int64>"
    assert table.schema["action_candidates"].startswith("list<struct<")


def test_scenarios_seen_pairs_and_nested_snapshot_read_back_exactly(dataset):
    rows = scenario_rows([0, 1, 2, 3, 99, 100])
    dataset.append("scenarios_seen", rows)
    table = dataset.read("scenarios_seen")
    assert table.to_pylist() == expected_rows("scenarios_seen", rows)
    # An empty list stays an empty list, not a null.
    assert table.column("salient_agent_pairs")[0] == []


DECISION_FIELDS = [
    Field("tick", INT64),
    Field("agent_id", UTF8),
    Field("chosen_action", struct(Field("action_type", UTF8), Field("token_id", UTF8), Field("quantity", INT64))),
    Field("action_candidates", list_of(struct(
        Field("action_type", UTF8),
        Field("parameters", struct(Field("token_id", UTF8), Field("size", INT64))),
        Field("score", FLOAT64),
        Field("key", UTF8),
    ))),
    Field("token_value_estimates", struct(Field("tok_x", FLOAT64), Field("tok_y", FLOAT64))),
]


def test_decisions_from_an_arrow_stream_read_back_exactly(dataset, producer):
    rows = decision_rows([1, 2, 3, 150, 151])
    batches = [rows_to_columns(rows[:3]), rows_to_columns(rows[3:])]
    dataset.append("decisions", producer.stream(DECISION_FIELDS, batches))
    assert dataset.read("decisions").to_pylist() == expected_rows("decisions", rows)


def test_struct_members_that_differ_between_rows_unite_by_name(dataset):
    rows = [
        {"tick": 1, "venue_id": "v", "token_id": "t", "exchange_event_type": "trade", "additional_payload": {"a": 1}},
        {"tick": 2, "venue_id": "v", "token_id": "t", "exchange_event_type": "quote",
         "additional_payload": {"b": "x", "a": None}},
    ]
    dataset.append("exchange", rows)
    assert dataset.read("exchange").column("additional_payload") == [{"a": 1, "b": None}, {"a": None, "b": "x"}]


def test_structs_of_bools_and_lists_survive(dataset):
    rows = [{
        "tick": 4, "agent_id": "a", "engine": "e", "signature_id": "s", "persona_id": "p",
        "persona_hash": "ph", "representation_hash": "rh", "context_hash": "ch", "value_json": "{}",
        "latency_ms": 12, "cache_hit": 1, "n_tool_calls": 2,
        "tool_seq": {"ok": True, "names": ["search", "calc"], "depth": None},
    }]
    dataset.append("oracle_calls", rows)
    assert dataset.read("oracle_calls").column("tool_seq") == [{"ok": True, "names": ["search", "calc"], "depth": None}]


def test_arrow_nulls_from_validity_bitmaps_reach_nullable_columns(dataset, producer):
    fields = schema_of(tick=INT64, observer_agent_id=UTF8, edge_kind=UTF8, edge_weight=FLOAT64,
                       edge_sign=INT64, subject_id=UTF8)
    columns = edge_columns([1, 2, 3, 4]) | {"edge_sign": [None, 1, None, -1], "subject_id": ["s", None, None, "ß"]}
    dataset.append("identity_edges", producer.stream(fields, [columns]))
    table = dataset.read("identity_edges")
    assert table.column("edge_sign") == [None, 1, None, -1]
    assert table.column("subject_id") == ["s", None, None, "ß"]


def test_arrow_bool_columns_convert(producer):
    # Nine values: the bitmaps span two bytes.
    flags = [True, None, False, True, True, False, False, True, None]
    table = crv_io.Table.from_data(producer.array(schema_of(flag=BOOL), {"flag": flags}))
    assert table.schema == {"flag": "bool"}
    assert table.column("flag") == flags


def test_a_masked_arrays_mask_is_its_nulls(dataset):
    dataset.append("holdings_valuation", {
        **holdings_columns([1, 2, 3]),
        "avg_unit_cost": np.ma.array([1.5, 2.5, np.nan], mask=[False, True, False]),
        "cost_value": np.ma.array([10, 2**64 - 1, 30], dtype=np.uint64, mask=[False, True, False]),
        "price_source": np.ma.array(["book", "mark", "last"], mask=[True, False, False]),
    })
    rows = dataset.read("holdings_valuation",
                        columns=["avg_unit_cost", "cost_value", "price_source"]).to_pydict()
    assert rows["avg_unit_cost"][:2] == [1.5, None] and math.isnan(rows["avg_unit_cost"][2])
    assert rows["cost_value"] == [10.0, None, 30.0]
    assert rows["price_source"] == [None, "mark", "last"]


def test_a_masked_value_in_a_required_column_is_a_null_there(dataset, root):
    before = snapshot(root)
    masked = {**holdings_columns([1, 2]), "quantity": np.ma.array([1, 2], mask=[False, True])}
    with pytest.raises(crv_io.IoSchemaError, match="null in required column 'quantity'") as caught:
        dataset.append("holdings", masked)
    assert (caught.value.column, caught.value.row) == ("quantity", 1)
    assert_same_files(before, snapshot(root))
