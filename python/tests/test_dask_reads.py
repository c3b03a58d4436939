"""crv_io.dask.read_table without a cluster: which runs it reads by default, and arguments
refused before any partition is planned."""

import pytest

import crv_io
import crv_io.dask
from helpers import holdings_columns

pytest.importorskip("dask.dataframe")


@pytest.fixture
def runs_root(root):
    """Three runs of holdings: "done" has its bundle, "failed" and "running" do not."""
    settings = crv_io.IoSettings(root_dir=root, tick_bucket_size=10)
    for run_id, ticks in (("done", [1, 12]), ("failed", [2]), ("running", [3, 25])):
        with crv_io.Dataset(settings, run_id) as dataset:
            dataset.append("holdings", holdings_columns(ticks, tag=run_id))
    crv_io.write_run_bundle_manifest(settings, "done")
    return root


def rows_per_run(frame) -> dict:
    return frame.compute(scheduler="sync").groupby("run_id").size().to_dict()


def test_only_runs_with_their_bundle_are_read_by_default(runs_root):
    assert rows_per_run(crv_io.dask.read_table(runs_root, "holdings")) == {"done": 2}
    assert crv_io.dask.partitions(runs_root, "holdings") == [("done", 0), ("done", 1)]


def test_incomplete_runs_are_read_when_asked_for(runs_root):
    every = crv_io.dask.read_table(runs_root, "holdings", include_incomplete=True)
    assert rows_per_run(every) == {"done": 2, "failed": 1, "running": 2}
    named = crv_io.dask.read_table(runs_root, "holdings", runs=["running"])
    assert rows_per_run(named) == {"running": 2}


@pytest.mark.parametrize("where, message", [
    ({"tick_min": "5"}, "where[\"tick_min\"] must be an int or None, not str ('5')"),
    ({"tick_max": 3.5}, "where[\"tick_max\"] must be an int or None, not float (3.5)"),
    ({"tick": 5}, "where has an unknown key 'tick' (known: tick_min, tick_max)"),
    ([("tick_min", 1)], "where must be a dict"),
])
def test_a_bad_where_is_refused_before_the_graph_is_built(runs_root, where, message):
    with pytest.raises(crv_io.IoConfigError) as caught:
        crv_io.dask.read_table(runs_root, "holdings", where=where)
    assert message in str(caught.value)
    with pytest.raises(crv_io.IoConfigError):
        crv_io.dask.partitions(runs_root, "holdings", where=where)


def test_a_str_columns_is_refused_as_dataset_read_refuses_it(runs_root):
    with pytest.raises(crv_io.IoConfigError) as caught:
        crv_io.dask.read_table(runs_root, "holdings", columns="tick")
    with crv_io.Dataset(crv_io.IoSettings(root_dir=runs_root), "done") as dataset:
        with pytest.raises(crv_io.IoConfigError) as read_error:
            dataset.read("holdings", columns="tick")
    assert str(caught.value) == str(read_error.value)
