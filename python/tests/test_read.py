"""Reading back: tick ranges, column selection, limits, scans batch by batch, the Table's
conversions, round trips between runs, manifests and their rebuild."""

import json
import math
import pathlib
import re
import shutil

import numpy as np
import pandas as pd
import pytest

import crv_io
from helpers import (
    RUN_ID,
    column_names,
    columns_to_rows,
    decision_rows,
    edge_columns,
    expected_rows,
    holdings_columns,
    manifest_path,
    part_files,
    scenario_rows,
    table_dir,
)

TICKS = [0, 5, 99, 100, 150, 199, 250, 420]


@pytest.fixture
def holdings(dataset):
    """A holdings table over buckets 0, 1, 2 and 4, written in two appends."""
    columns = holdings_columns(TICKS)
    rows = columns_to_rows(columns)
    dataset.append("holdings", rows[:4])
    dataset.append("holdings", rows[4:])
    return dataset


@pytest.mark.parametrize(
    "where,ticks",
    [
        (None, TICKS),
        ({}, TICKS),
        ({"tick_min": 99, "tick_max": 150}, [99, 100, 150]),
        ({"tick_min": 100, "tick_max": 100}, [100]),
        ({"tick_min": 150}, [150, 199, 250, 420]),
        ({"tick_max": 5}, [0, 5]),
        ({"tick_min": None, "tick_max": 99}, [0, 5, 99]),
        ({"tick_min": 200, "tick_max": None}, [250, 420]),
        ({"tick_min": 300, "tick_max": 400}, []),
        ({"tick_min": 150, "tick_max": 100}, []),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, (dict, type(None))) else None,
)
def test_where_selects_an_inclusive_tick_range(holdings, where, ticks):
    table = holdings.read("holdings", where=where)
    assert table.column("tick") == ticks
    assert table.column_names == column_names("holdings")
    # Every row keeps its own values.
    by_tick = {row["tick"]: row for row in expected_rows("holdings", columns_to_rows(holdings_columns(TICKS)))}
    assert table.to_pylist() == [by_tick[t] for t in ticks]


def test_an_unknown_where_key_is_refused_rather_than_ignored(holdings):
    # A typo must not silently read every row.
    with pytest.raises((crv_io.IoConfigError, KeyError, TypeError, ValueError)):
        holdings.read("holdings", where={"tick_from": 100})


def test_columns_select_and_order_the_result(holdings):
    table = holdings.read("holdings", columns=["quantity", "tick"], where={"tick_max": 99})
    assert table.column_names == ["quantity", "tick"]
    assert table.schema == {"quantity": "int64", "tick": "int64"}
    assert table.to_pydict() == {"quantity": [-5, 5, 15], "tick": [0, 5, 99]}


def test_an_unknown_column_is_a_schema_error_listing_the_tables_columns(holdings):
    with pytest.raises(crv_io.IoSchemaError) as caught:
        holdings.read("holdings", columns=["tick", "qty"])
    assert "qty" in str(caught.value)
    assert "quantity" in str(caught.value)


def test_a_repeated_column_is_a_schema_error(holdings):
    with pytest.raises(crv_io.IoSchemaError):
        holdings.read("holdings", columns=["tick", "tick"])


@pytest.mark.parametrize("limit,rows", [(0, 0), (1, 1), (3, 3), (5, 5), (8, 8), (100, 8)])
def test_limit_caps_the_rows_read(holdings, limit, rows):
    table = holdings.read("holdings", limit=limit)
    assert table.num_rows == rows
    assert table.column("tick") == TICKS[:rows]
    assert table.column_names == column_names("holdings")


def test_limit_combines_with_where_and_columns(holdings):
    table = holdings.read("holdings", where={"tick_min": 100}, columns=["tick"], limit=2)
    assert table.to_pydict() == {"tick": [100, 150]}


# --- scans -------------------------------------------------------------------------------


@pytest.fixture
def row_groups_of_four(root):
    """A dataset whose parts hold row groups of 4 rows."""
    settings = crv_io.IoSettings(root_dir=root, row_group_size=4)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns(range(20)))  # bucket 0: five row groups
        yield dataset


def test_a_scan_yields_one_table_per_row_group(row_groups_of_four):
    scan = row_groups_of_four.scan("holdings")
    assert isinstance(scan, crv_io.Scan)
    assert scan.column_names == column_names("holdings")
    assert scan.schema == {"bucket": "int64", "tick": "int64", "agent_id": "utf8", "token_id": "utf8",
                           "quantity": "int64"}
    batches = list(scan)
    assert all(isinstance(batch, crv_io.Table) for batch in batches)
    assert [batch.num_rows for batch in batches] == [4, 4, 4, 4, 4]
    assert [t for batch in batches for t in batch.column("tick")] == list(range(20))
    assert scan.stats["rows_yielded"] == 20
    assert scan.stats["parts_selected"] == 1
    assert scan.stats["row_groups_selected"] == 5


def test_a_scan_prunes_row_groups_outside_the_range(row_groups_of_four):
    scan = row_groups_of_four.scan("holdings", where={"tick_min": 5, "tick_max": 9})
    batches = [batch.column("tick") for batch in scan]
    assert batches == [[5, 6, 7], [8, 9]]
    stats = scan.stats
    assert set(stats) == {"parts_selected", "row_groups_selected", "row_groups_pruned",
                          "row_groups_filtered", "rows_yielded"}
    assert (stats["row_groups_selected"], stats["row_groups_pruned"], stats["rows_yielded"]) == (2, 3, 5)


def test_a_scan_with_columns_yields_only_those(row_groups_of_four):
    batches = list(row_groups_of_four.scan("holdings", columns=["agent_id"], where={"tick_max": 5}))
    assert [batch.column_names for batch in batches] == [["agent_id"], ["agent_id"]]
    assert [a for batch in batches for a in batch.column("agent_id")] == [f"a-{i}" for i in range(6)]


def test_a_scan_is_one_pass(row_groups_of_four):
    scan = row_groups_of_four.scan("holdings")
    assert sum(batch.num_rows for batch in scan) == 20
    assert list(scan) == []
    with pytest.raises(StopIteration):
        next(scan)


def test_a_scan_over_no_matching_rows_yields_nothing(row_groups_of_four):
    scan = row_groups_of_four.scan("holdings", where={"tick_min": 1000})
    assert list(scan) == []
    assert scan.stats["parts_selected"] == 0


# --- the Table -------------------------------------------------------------------------


@pytest.fixture
def mixed_table():
    """A Table of every column type, with and without nulls."""
    return crv_io.Table.from_data({
        "i": [1, 2, 3],
        "i_null": [1, None, 3],
        "f": [0.5, -1.0, 2.0],
        "f_null": [0.5, None, 2.0],
        "b": [True, False, True],
        "b_null": [True, None, False],
        "s": ["x", "", "é"],
        "s_null": ["x", None, "z"],
        "st": [{"a": 1, "b": "u"}, {"a": None, "b": "v"}, {"a": 3, "b": None}],
        "ls": [[{"k": 1}], [], [{"k": 2}, {"k": None}]],
    })


def test_a_table_describes_itself(mixed_table):
    assert mixed_table.num_rows == len(mixed_table) == 3
    assert mixed_table.num_columns == 10
    assert mixed_table.column_names == ["i", "i_null", "f", "f_null", "b", "b_null", "s", "s_null", "st", "ls"]
    assert mixed_table.schema == {
        "i": "int64", "i_null": "int64", "f": "float64", "f_null": "float64", "b": "bool", "b_null": "bool",
        "s": "utf8", "s_null": "utf8", "st": "struct<a: int64, b: utf8>", "ls": "list<struct<k: int64>>",
    }


def test_to_pylist_gives_one_dict_per_row_in_column_order(mixed_table):
    rows = mixed_table.to_pylist()
    assert rows[1] == {"i": 2, "i_null": None, "f": -1.0, "f_null": None, "b": False, "b_null": None,
                       "s": "", "s_null": None, "st": {"a": None, "b": "v"}, "ls": []}
    assert list(rows[0]) == mixed_table.column_names
    assert rows == columns_to_rows(mixed_table.to_pydict())


def test_to_pandas_uses_numpy_dtypes_without_nulls_and_nullable_dtypes_with_them(mixed_table):
    frame = mixed_table.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == mixed_table.column_names
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == {
        "i": "int64", "i_null": "Int64", "f": "float64", "f_null": "Float64", "b": "bool", "b_null": "boolean",
        "s": "object", "s_null": "object", "st": "object", "ls": "object",
    }
    assert frame["i_null"].isna().tolist() == [False, True, False]
    assert frame["i_null"][2] == 3
    assert frame["f"].tolist() == [0.5, -1.0, 2.0]
    assert frame["s_null"].tolist() == ["x", None, "z"]
    assert frame["st"][0] == {"a": 1, "b": "u"}
    assert frame["ls"][2] == [{"k": 2}, {"k": None}]


def test_to_pandas_round_trips_through_append(dataset):
    rows = decision_rows([1, 2, 3])
    dataset.append("decisions", rows)
    frame = dataset.read("decisions").to_pandas()
    with crv_io.Dataset(dataset.settings, "again") as again:
        again.append("decisions", frame)
        assert again.read("decisions") == dataset.read("decisions")


def test_an_empty_read_converts_to_an_empty_frame_with_the_columns(holdings):
    table = holdings.read("holdings", where={"tick_min": 1000})
    assert table.num_rows == 0
    assert table.to_pylist() == []
    assert table.to_pydict() == {name: [] for name in column_names("holdings")}
    frame = table.to_pandas()
    assert list(frame.columns) == column_names("holdings") and len(frame) == 0


def test_column_returns_the_values_of_one_column(mixed_table):
    assert mixed_table.column("s_null") == ["x", None, "z"]
    with pytest.raises(KeyError):
        mixed_table.column("missing")


def test_tables_compare_by_value():
    a = crv_io.Table.from_data({"x": [1, 2], "y": ["p", None]})
    assert a == crv_io.Table.from_data({"x": [1, 2], "y": ["p", None]})
    assert a != crv_io.Table.from_data({"x": [1, 3], "y": ["p", None]})
    assert a != crv_io.Table.from_data({"y": ["p", None], "x": [1, 2]})
    assert a != {"x": [1, 2], "y": ["p", None]}


def test_a_read_appended_into_another_run_equals_the_original(dataset, settings):
    # Every column type the tables use, nested ones included, with nulls.
    dataset.append("scenarios_seen", scenario_rows(range(0, 300, 7)))
    dataset.append("identity_edges", edge_columns([3, 4, 5]) | {"edge_sign": [None, 1, -1],
                                                               "subject_id": ["s", None, "ü"]})
    with crv_io.Dataset(settings, "copy") as copy:
        for table in ("scenarios_seen", "identity_edges"):
            original = dataset.read(table)
            copy.append(table, original)
            again = copy.read(table)
            assert again == original
            assert again.to_pydict() == original.to_pydict()


def test_a_scan_is_an_input_too(holdings, settings):
    # A scan streams straight into another run's append, a row group at a time.
    assert crv_io.Table.from_data(holdings.scan("holdings")) == holdings.read("holdings")
    with crv_io.Dataset(settings, "copy") as copy:
        copy.append("holdings", holdings.scan("holdings", where={"tick_min": 100}))
        assert copy.read("holdings") == holdings.read("holdings", where={"tick_min": 100})


def test_nan_survives_a_read(dataset):
    dataset.append("identity_edges", edge_columns([1]) | {"edge_weight": [math.nan]})
    assert math.isnan(dataset.read("identity_edges").column("edge_weight")[0])


# --- manifests ----------------------------------------------------------------------------


def test_the_manifest_is_none_before_the_first_append(dataset):
    assert dataset.manifest("holdings") is None
    assert dataset.manifest(crv_io.TableName.DECISIONS) is None


def test_the_manifest_has_the_references_shape_and_matches_the_disk(holdings, root):
    manifest = holdings.manifest("holdings")
    assert set(manifest) == {"table", "version", "created_at", "updated_at", "partitions"}
    assert manifest["table"] == "holdings"
    assert manifest["version"] == 1
    timestamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)"
    assert re.fullmatch(timestamp, manifest["created_at"])
    assert re.fullmatch(timestamp, manifest["updated_at"])
    assert sorted(manifest["partitions"]) == ["000000", "000001", "000002", "000004"]
    bucket_one = manifest["partitions"]["000001"]
    assert {k: bucket_one[k] for k in ("bucket_id", "state", "tick_min", "tick_max", "row_count")} == {
        "bucket_id": 1, "state": "ready", "tick_min": 100, "tick_max": 199, "row_count": 3,
    }
    # Bucket 1 got rows from both appends, so it has two parts.
    assert len(manifest["partitions"]["000001"]["parts"]) == 2
    assert len(manifest["partitions"]["000000"]["parts"]) == 1
    for key, partition in manifest["partitions"].items():
        folder = table_dir(root, "holdings") / f"bucket={key}"
        assert partition["row_count"] == sum(p["rows"] for p in partition["parts"])
        assert partition["byte_size"] == sum(p["bytes"] for p in partition["parts"])
        for part in partition["parts"]:
            assert set(part) >= {"path", "rows", "bytes", "tick_min", "tick_max", "created_at"}
            assert re.fullmatch(r"part-[0-9a-f]{32}\.parquet", part["path"])
            assert (folder / part["path"]).stat().st_size == part["bytes"]
    # The dict is the file's content.
    holdings.flush()  # manifest.json follows the commit log at flush() and close()
    assert manifest == json.loads(manifest_path(root, "holdings").read_text())


def without_timestamps(manifest):
    """The manifest's partitions without timestamps, parts in path order."""
    return {
        key: {**{k: v for k, v in p.items() if k != "parts"},
              "parts": sorted(({k: v for k, v in part.items() if k != "created_at"} for part in p["parts"]),
                              key=lambda part: part["path"])}
        for key, p in manifest["partitions"].items()
    }


def test_without_its_manifest_a_table_points_to_rebuild_manifest_which_restores_it(holdings, root):
    original = holdings.manifest("holdings")
    rows = holdings.read("holdings")
    # Everything but the parts is lost: the commit log and manifest.json.
    shutil.rmtree(table_dir(root, "holdings") / "_log")
    manifest_path(root, "holdings").unlink(missing_ok=True)

    assert holdings.manifest("holdings") is None
    with pytest.raises(crv_io.IoManifestError) as caught:
        holdings.read("holdings")
    assert "rebuild_manifest" in str(caught.value)
    with pytest.raises(crv_io.IoManifestError):
        holdings.scan("holdings")

    rebuilt = holdings.rebuild_manifest("holdings")
    assert isinstance(rebuilt, dict)
    assert without_timestamps(rebuilt) == without_timestamps(original)
    assert json.loads(manifest_path(root, "holdings").read_text()) == rebuilt
    assert sorted(holdings.read("holdings").to_pylist(), key=lambda r: r["tick"]) == rows.to_pylist()


def test_a_corrupt_commit_log_is_a_manifest_error_naming_the_file(holdings, root):
    path = table_dir(root, "holdings") / "_log" / f"{0:020d}.checkpoint"
    path.write_text("CRVLOG 1 900 0badf00d\n{not json")
    with pytest.raises(crv_io.IoManifestError) as caught:
        holdings.read("holdings")
    assert caught.value.path == str(path)


def test_a_missing_part_is_a_manifest_error_naming_it(holdings, root):
    victim = part_files(root, "holdings")[-1]  # bucket 4's only part
    victim.unlink()
    with pytest.raises(crv_io.IoManifestError) as caught:
        holdings.read("holdings")
    assert victim.name in str(caught.value)
    # A range that does not reach the missing part still reads.
    assert holdings.read("holdings", where={"tick_max": 300}).num_rows == 7


def test_a_damaged_page_is_a_format_error_naming_part_column_and_offset(root):
    # Uncompressed, so the page holding the marker string can be found and damaged.
    settings = crv_io.IoSettings(root_dir=root, compression="none")
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        summary = dataset.append("holdings", holdings_columns([1, 2]) | {"agent_id": ["MARKER-1", "other"]})
        part = pathlib.Path(summary["parts"][0]["path"])
        data = bytearray(part.read_bytes())
        data[data.index(b"MARKER-1")] ^= 0x01  # the first copy is the data page's
        part.write_bytes(bytes(data))
        with pytest.raises(crv_io.IoFormatError) as caught:
            dataset.read("holdings")
        assert (caught.value.path, caught.value.column) == (str(part), "agent_id")
        assert isinstance(caught.value.offset, int) and 0 < caught.value.offset < len(data)
        assert "checksum" in str(caught.value)
        # The other columns do not read the damaged page.
        assert dataset.read("holdings", columns=["tick", "quantity"]).to_pydict() == {"tick": [1, 2],
                                                                                      "quantity": [-5, 5]}


def test_batched_manifest_commits_appear_at_flush(root):
    settings = crv_io.IoSettings(root_dir=root, write_manifest_every_n=3)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([1, 2]))
        dataset.append("holdings", holdings_columns([3]))
        # The parts are on disk, but no manifest names them yet.
        assert len(part_files(root, "holdings")) == 2
        assert dataset.manifest("holdings") is None
        dataset.append("holdings", holdings_columns([4]))  # the third append commits
        assert dataset.read("holdings").column("tick") == [1, 2, 3, 4]
        dataset.append("holdings", holdings_columns([5]))
        assert dataset.read("holdings").num_rows == 4
        dataset.flush()
        assert dataset.read("holdings").column("tick") == [1, 2, 3, 4, 5]
    # Closing flushes too.
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([6]))
    with crv_io.Dataset(crv_io.IoSettings(root_dir=root), RUN_ID) as reader:
        assert reader.read("holdings").column("tick") == [1, 2, 3, 4, 5, 6]


def test_read_returns_numpy_friendly_columns_for_large_tables(dataset):
    ticks = np.arange(0, 2000, dtype=np.int64)
    dataset.append("identity_edges", {"tick": ticks, "observer_agent_id": np.array(["o"] * 2000, dtype=object),
                                      "edge_kind": np.array(["k"] * 2000, dtype=object),
                                      "edge_weight": ticks.astype(np.float64) / 4})
    frame = dataset.read("identity_edges", where={"tick_min": 500, "tick_max": 1499}).to_pandas()
    np.testing.assert_array_equal(frame["tick"].to_numpy(), np.arange(500, 1500))
    np.testing.assert_array_equal(frame["edge_weight"].to_numpy(), np.arange(500, 1500) / 4)
    assert frame["edge_sign"].isna().all()


def test_an_append_with_a_writer_and_sequence_is_stored_once(dataset):
    rows = {"tick": [1, 150], "agent_id": ["a", "b"], "token_id": ["t", "t"], "quantity": [1, 2]}
    assert dataset.last_sequence("holdings", "sim-1") is None
    first = dataset.append("holdings", rows, writer="sim-1", sequence=10)
    assert "duplicate" not in first
    assert dataset.last_sequence("holdings", "sim-1") == 10
    again = dataset.append("holdings", rows, writer="sim-1", sequence=10)
    assert again["duplicate"] is True
    assert again["parts"] == first["parts"]
    assert dataset.read("holdings").num_rows == 2
    dataset.append("holdings", rows, writer="sim-1", sequence=11)
    assert dataset.read("holdings").num_rows == 4

    with pytest.raises(crv_io.IoConfigError, match="go together"):
        dataset.append("holdings", rows, writer="sim-1")
    with pytest.raises(TypeError):
        dataset.append("holdings", rows, writer="sim-1", sequence="12")
    with pytest.raises(crv_io.IoConfigError, match="0 or more"):
        dataset.append("holdings", rows, writer="sim-1", sequence=-1)
    assert dataset.read("holdings").num_rows == 4
