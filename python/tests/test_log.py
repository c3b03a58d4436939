"""The commit log from Python: history(), reads as of a version, exactly-once appends and
rewind() for a simulation restarted from a checkpoint."""

import pytest

import crv_io
from helpers import holdings_columns


def _ticks(dataset, **options):
    return sorted(dataset.read("holdings", **options).column("tick"))


def test_history_lists_the_commits_and_as_of_reads_each_version(dataset):
    dataset.append("holdings", holdings_columns(range(0, 10)))
    dataset.append("holdings", holdings_columns(range(10, 25)), writer="sim", sequence=24)
    history = dataset.history("holdings")
    assert [commit["version"] for commit in history] == [1, 2]
    assert [commit["operation"] for commit in history] == ["append", "append"]
    assert history[0]["writer"] is None and history[1]["writer"] == "sim"
    assert history[1]["sequence"] == 24 and history[1]["rows_added"] == 15

    assert _ticks(dataset, as_of=1) == list(range(10))
    assert _ticks(dataset, as_of=2) == list(range(25))
    assert [len(batch) for batch in dataset.scan("holdings", as_of=1)] == [10]
    with pytest.raises(crv_io.IoConfigError, match="no version 7"):
        dataset.read("holdings", as_of=7)
    with pytest.raises(crv_io.IoConfigError, match="as_of"):
        dataset.read("holdings", as_of="2")


def test_rewind_removes_later_ticks_and_the_writer_appends_them_again(dataset):
    for first in range(0, 300, 50):
        dataset.append("holdings", holdings_columns(range(first, first + 50)),
                       writer="sim", sequence=first + 49)
    summary = dataset.rewind("holdings", 120)
    assert summary["rows_removed"] == 179
    assert summary["parts_rewritten"] == 1
    assert summary["writers"] == {"sim": 99}
    assert dataset.history("holdings")[-1]["operation"] == "rewind"
    assert _ticks(dataset) == list(range(121))
    assert dataset.last_sequence("holdings", "sim") == 99

    # The restarted simulation: ticks 121..149 under the sequence the rewound commit had.
    again = dataset.append("holdings", holdings_columns(range(121, 150)),
                           writer="sim", sequence=149)
    assert "duplicate" not in again
    assert _ticks(dataset) == list(range(150))


def test_rewind_refuses_a_negative_tick(dataset):
    dataset.append("holdings", holdings_columns(range(5)))
    with pytest.raises(crv_io.IoConfigError, match="tick -1"):
        dataset.rewind("holdings", -1)
    assert _ticks(dataset) == list(range(5))
