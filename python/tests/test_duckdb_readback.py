"""DuckDB reads what crv_io writes from Python: the parts of an append and a Parquet
artifact, value for value, with crv-io's key-value metadata and codec.

DuckDB runs behind the project's Node oracle (tests/conformance/oracle.mjs, see its
README): `read duckdb FILE SCHEMA.json` prints the rows in a canonical text form, and
`meta FILE` prints the footer as DuckDB sees it.
"""

import json
import math
import pathlib
import shutil

import pytest

import crv_io
from arrow_producer import oracle_schema, read_schema_capsule
from helpers import RUN_ID, canonical, decision_rows, needs_oracle, oracle, same_float, scenario_rows

pytestmark = needs_oracle


def flat_copy(part: pathlib.Path, folder: pathlib.Path) -> pathlib.Path:
    # DuckDB detects hive partitioning in a path holding "bucket=000000" and would read
    # `bucket` from the folder name, as text: the oracle reads a copy outside it.
    copy = folder / part.name
    shutil.copyfile(part, copy)
    return copy


def duckdb_rows(parquet: pathlib.Path, table: crv_io.Table, work: pathlib.Path) -> list:
    """DuckDB's rows of `parquet`, read with the schema crv_io reports for `table`."""
    schema_file = work / "schema.json"
    schema_file.write_text(json.dumps(oracle_schema(read_schema_capsule(table.__arrow_c_schema__()))))
    return [json.loads(line) for line in oracle("read", "duckdb", str(parquet), str(schema_file)).splitlines()]


def only_part(summary) -> pathlib.Path:
    assert len(summary["parts"]) == 1, summary
    return pathlib.Path(summary["parts"][0]["path"])


VALUATIONS = {
    "tick": [1, 2, 3, 4, 5, 6],
    "agent_id": ["a", "é", "日本語", "🙂", "", "quote\"back\\slash\nnewline"],
    "token_id": ["t"] * 6,
    "quantity": [0, -1, 2**63 - 1, -(2**63), 2**53 + 1, 42],
    "avg_unit_cost": [1.5, None, -0.0, math.inf, -math.inf, math.nan],
    "mark_price": [5e-324, 1.7976931348623157e308, None, 0.1, 1e-300, -2.5],
    "price_source": ["mark", None, "last", None, "", "x"],
}


def test_duckdb_reads_a_flat_part_as_crv_io_does(dataset, tmp_path):
    part = only_part(dataset.append("holdings_valuation", VALUATIONS))
    table = dataset.read("holdings_valuation")
    assert duckdb_rows(flat_copy(part, tmp_path), table, tmp_path) == [canonical(row) for row in table.to_pylist()]
    # And both are what went in.
    for name in ("tick", "agent_id", "quantity", "price_source"):
        assert table.column(name) == VALUATIONS[name], name
    for name in ("avg_unit_cost", "mark_price"):
        assert all(same_float(a, b) for a, b in zip(table.column(name), VALUATIONS[name])), name


@pytest.mark.parametrize("table_name,rows", [("decisions", decision_rows(range(6))),
                                             ("scenarios_seen", scenario_rows(range(6)))])
def test_duckdb_reads_nested_parts_as_crv_io_does(dataset, tmp_path, table_name, rows):
    part = only_part(dataset.append(table_name, rows))
    table = dataset.read(table_name)
    assert duckdb_rows(flat_copy(part, tmp_path), table, tmp_path) == [canonical(row) for row in table.to_pylist()]


def test_duckdb_reads_a_part_of_many_row_groups(root, tmp_path):
    settings = crv_io.IoSettings(root_dir=root, row_group_size=1000, compression="snappy")
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        ticks = list(range(0, 2500))
        summary = dataset.append("holdings", {"tick": [t % 100 for t in ticks], "agent_id": [f"a{t}" for t in ticks],
                                              "token_id": ["t"] * 2500, "quantity": [t * 3 - 7 for t in ticks]})
        part = flat_copy(only_part(summary), tmp_path)
        table = dataset.read("holdings")
    assert duckdb_rows(part, table, tmp_path) == [canonical(row) for row in table.to_pylist()]
    meta = json.loads(oracle("meta", str(part)))
    assert (meta["row_groups"], meta["num_rows"]) == (3, 2500)
    assert {column["compression"] for column in meta["columns"]} == {"SNAPPY"}


def test_duckdb_sees_the_key_value_metadata_and_codec(dataset):
    part = only_part(dataset.append("holdings", {"tick": [1, 2], "agent_id": ["a", "b"], "token_id": ["t", "t"],
                                                 "quantity": [1, 2]}))
    meta = json.loads(oracle("meta", str(part)))
    assert meta["kv"] == {"crv_schema_version": "0.1@2025-09-20", "crv_table_name": "holdings",
                          "crv_run_id": RUN_ID}
    assert meta["num_rows"] == 2
    assert {column["compression"] for column in meta["columns"]} == {"ZSTD"}
    assert [c["path_in_schema"] for c in meta["columns"]] == ["bucket", "tick", "agent_id", "token_id", "quantity"]


def test_duckdb_reads_a_parquet_artifact(settings, tmp_path):
    data = {"x": [1, None, 3], "label": ["a", None, "ç"], "score": [0.5, -0.0, None],
            "detail": [{"k": 1}, None, {"k": None}]}
    path = crv_io.lab_dir(settings, RUN_ID, "tidy") / "results.parquet"
    crv_io.write_parquet_atomic(settings, path, data)
    expected = crv_io.Table.from_data(data)
    assert duckdb_rows(path, expected, tmp_path) == [canonical(row) for row in expected.to_pylist()]
