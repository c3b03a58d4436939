"""Parts per bucket: a transaction of many batches commits one part per bucket, and
Dataset.compact merges the parts of many small appends, rows and order unchanged."""

import random

import pytest

import crv_io
from helpers import RUN_ID, holdings_columns, part_files, snapshot


def _parts_per_bucket(root, table="holdings"):
    counts = {}
    for path in part_files(root, table):
        bucket = int(path.parent.name.split("=")[1])
        counts[bucket] = counts.get(bucket, 0) + 1
    return counts


def test_a_transaction_of_shuffled_batches_writes_one_part_per_bucket(dataset, root):
    ticks = list(range(600))  # buckets 0..5
    random.Random(3).shuffle(ticks)
    with dataset.transaction("holdings") as transaction:
        for begin in range(0, len(ticks), 50):
            transaction.add(holdings_columns(ticks[begin:begin + 50], tag=f"b{begin}"))
    assert len(transaction.summary["parts"]) == 6
    assert _parts_per_bucket(root) == {bucket: 1 for bucket in range(6)}
    assert sorted(dataset.read("holdings").column("tick")) == list(range(600))


def test_compact_merges_small_appends_keeping_rows_and_their_order(dataset, root):
    for append in range(25):
        dataset.append("holdings", holdings_columns(range(append * 10, append * 10 + 10),
                                                    tag=f"a{append}"))
    before = dataset.read("holdings")
    assert _parts_per_bucket(root) == {0: 10, 1: 10, 2: 5}

    summary = dataset.compact("holdings")

    assert summary["table"] == "holdings" and summary["run_id"] == RUN_ID
    assert summary["buckets"] == [0, 1, 2]
    assert (summary["parts_before"], summary["parts_after"]) == (25, 3)
    assert summary["rows"] == 250 and summary["parts_removed"] == 25
    assert _parts_per_bucket(root) == {0: 1, 1: 1, 2: 1}
    after = dataset.read("holdings")
    for column in ("tick", "agent_id", "token_id", "quantity"):
        assert after.column(column) == before.column(column), column


def test_compact_of_chosen_buckets_leaves_the_others(dataset, root):
    for append in range(20):
        dataset.append("holdings", holdings_columns(range(append * 10, append * 10 + 10)))
    summary = dataset.compact(crv_io.TableName.HOLDINGS, buckets=[0])
    assert summary["buckets"] == [0]
    assert _parts_per_bucket(root) == {0: 1, 1: 10}


def test_compact_with_nothing_to_merge_changes_no_file(dataset, root):
    dataset.append("holdings", holdings_columns([1, 150, 299]))
    before = snapshot(root)
    summary = dataset.compact("holdings")
    assert (summary["parts_before"], summary["parts_after"]) == (0, 0)
    # The compaction lock file may be new; every other file is as it was.
    after = {path: data for path, data in snapshot(root).items() if not path.endswith(".compact.lock")}
    assert after == before


def test_compact_of_a_table_without_a_manifest_is_a_manifest_error(dataset):
    with pytest.raises(crv_io.IoManifestError, match="has no manifest"):
        dataset.compact("holdings")


def test_compact_refuses_a_table_name_that_is_not_canonical(dataset):
    with pytest.raises(crv_io.GrammarError):
        dataset.compact("no_such_table")
