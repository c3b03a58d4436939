"""Transactions: several batches committed at once, as a context manager (commit on
success, rollback on an exception) or by explicit commit and rollback."""

import threading

import numpy as np
import pandas as pd
import pytest

import crv_io
from helpers import RUN_ID, assert_same_files, holdings_columns, snapshot, table_dir


class Boom(Exception):
    pass


@pytest.fixture
def table_with_rows(dataset):
    """holdings with two committed rows, so a rollback has a manifest to leave alone."""
    dataset.append("holdings", holdings_columns([1, 2], tag="old"))
    return dataset


def test_a_transaction_block_commits_every_batch_when_it_ends_normally(table_with_rows):
    dataset = table_with_rows
    with dataset.transaction("holdings") as transaction:
        assert isinstance(transaction, crv_io.Transaction)
        transaction.add(holdings_columns([3, 150], tag="t1"))
        transaction.add(holdings_columns([151, 420, 421], tag="t2"))
        assert transaction.pending_rows == 5
        assert transaction.summary is None
        # Nothing is visible before the commit.
        assert dataset.read("holdings").num_rows == 2
    summary = transaction.summary
    assert summary["rows"] == 5
    assert summary["buckets"] == [0, 1, 4]
    assert summary["table"] == "holdings"
    assert dataset.read("holdings").column("agent_id") == ["old-0", "old-1", "t1-0", "t1-1", "t2-0", "t2-1", "t2-2"]


def test_a_transaction_block_rolls_back_when_it_raises(table_with_rows, root):
    dataset = table_with_rows
    before = snapshot(root)
    with pytest.raises(Boom):
        with dataset.transaction("holdings") as transaction:
            transaction.add(holdings_columns([3, 250]))
            transaction.add(holdings_columns([251]))
            raise Boom()
    # No part left, the manifest unchanged: every file as it was.
    assert_same_files(before, snapshot(root))
    assert transaction.summary is None
    assert dataset.read("holdings").num_rows == 2


def test_explicit_commit_returns_the_summary_of_all_batches(table_with_rows):
    dataset = table_with_rows
    transaction = dataset.transaction(crv_io.TableName.HOLDINGS)
    transaction.add(holdings_columns([10]))
    transaction.add(holdings_columns([20, 30]))
    summary = transaction.commit()
    assert summary["rows"] == 3
    assert sum(part["rows"] for part in summary["parts"]) == 3
    assert transaction.summary == summary
    assert dataset.read("holdings").column("tick") == [1, 2, 10, 20, 30]


def test_explicit_rollback_removes_every_pending_part(root):
    # One row per row group: rows reach the open parts' files as they come.
    settings = crv_io.IoSettings(root_dir=root, row_group_size=1)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([1, 2], tag="old"))
        before = snapshot(root)
        transaction = dataset.transaction("holdings")
        transaction.add(holdings_columns([5, 305]))
        # The batch's rows are on disk, in its open parts, while the transaction is pending...
        assert len(list(table_dir(root, "holdings").glob("bucket=*/part-*.parquet.tmp"))) == 2
        transaction.rollback()
        # ...and gone after the rollback.
        assert_same_files(before, snapshot(root))
        assert dataset.read("holdings").num_rows == 2


def test_an_explicit_commit_inside_a_block_is_not_undone_by_a_later_exception(table_with_rows):
    dataset = table_with_rows
    with pytest.raises(Boom):
        with dataset.transaction("holdings") as transaction:
            transaction.add(holdings_columns([7]))
            transaction.commit()
            raise Boom()
    assert dataset.read("holdings").column("tick") == [1, 2, 7]


def test_a_refused_batch_leaves_the_earlier_batches_pending(table_with_rows):
    dataset = table_with_rows
    with dataset.transaction("holdings") as transaction:
        transaction.add(holdings_columns([3]))
        with pytest.raises(crv_io.IoSchemaError):
            transaction.add(holdings_columns([-4]))
        assert transaction.pending_rows == 1
        transaction.add(holdings_columns([5]))
    assert dataset.read("holdings").column("tick") == [1, 2, 3, 5]


def test_a_transaction_on_a_new_table_commits_its_first_manifest(dataset, root):
    assert dataset.manifest("identity_edges") is None
    with dataset.transaction("identity_edges") as transaction:
        transaction.add({"tick": [1], "observer_agent_id": ["o"], "edge_kind": ["k"], "edge_weight": [1.0]})
    assert dataset.manifest("identity_edges")["partitions"]["000000"]["row_count"] == 1


def test_a_transaction_without_batches_commits_nothing(table_with_rows, root):
    before = snapshot(root)
    with table_with_rows.transaction("holdings") as transaction:
        pass
    assert transaction.summary["rows"] == 0
    assert transaction.summary["parts"] == []
    assert_same_files(before, snapshot(root))


def test_a_transaction_on_an_unknown_table_is_a_grammar_error(dataset):
    with pytest.raises(crv_io.GrammarError):
        dataset.transaction("nope")


def test_add_takes_the_validate_schema_flag(dataset):
    with dataset.transaction("holdings") as transaction:
        transaction.add(holdings_columns([1]), validate_schema=False)
    assert dataset.read("holdings").column("tick") == [1]


def test_a_transaction_dropped_while_row_groups_are_written_rolls_back(root):
    """Dropping an open transaction whose row groups are being written on other threads
    rolls it back: the table keeps its rows and no part of the transaction is left."""
    np = pytest.importorskip("numpy")
    settings = crv_io.IoSettings(root_dir=root, row_group_size=1000)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([1], tag="old"))
        for _ in range(3):
            transaction = dataset.transaction("holdings")
            rows = 20_000
            transaction.add({
                "tick": np.arange(rows, dtype=np.int64) % 100,
                "agent_id": [f"a-{i}" for i in range(rows)],
                "token_id": ["tok"] * rows,
                "quantity": np.arange(rows, dtype=np.int64),
            })
            del transaction
        assert dataset.read("holdings").num_rows == 1
    assert len(list(table_dir(root, "holdings").glob("bucket=*/*.parquet"))) == 1


def test_numpy_columns_changed_after_add_do_not_change_what_commits(dataset):
    # The transaction keeps the rows until their row group fills, after add() returned.
    ticks = np.zeros(4, dtype=np.int64)
    quantities = np.zeros(4, dtype=np.float64)
    with dataset.transaction("holdings_valuation") as transaction:
        for step in range(3):
            ticks[:] = 150 * step
            quantities[:] = step + 0.5
            transaction.add({"tick": ticks, "agent_id": [f"a{i}" for i in range(4)],
                             "token_id": ["x"] * 4, "quantity": [step] * 4,
                             "avg_unit_cost": quantities})
    rows = dataset.read("holdings_valuation", columns=["bucket", "tick", "avg_unit_cost"])
    assert rows.column("tick") == [0] * 4 + [150] * 4 + [300] * 4
    assert rows.column("bucket") == [0] * 4 + [1] * 4 + [3] * 4
    assert rows.column("avg_unit_cost") == [0.5] * 4 + [1.5] * 4 + [2.5] * 4
    assert dataset.read("holdings_valuation", where={"tick_max": 10}).column("tick") == [0] * 4


def test_a_dataframe_changed_in_place_after_add_does_not_change_what_commits(dataset):
    state = pd.DataFrame({"tick": np.zeros(3, dtype=np.int64), "agent_id": ["a", "b", "c"],
                          "token_id": ["x"] * 3, "quantity": np.array([10, 20, 30])})
    with dataset.transaction("holdings") as transaction:
        for tick in range(3):
            state["tick"] = tick
            transaction.add(state)
            state.loc[:, "quantity"] += 1
    assert dataset.read("holdings").column("quantity") == [10, 20, 30, 11, 21, 31, 12, 22, 32]


def test_threads_sharing_a_transaction_take_turns(root):
    settings = crv_io.IoSettings(root_dir=root, row_group_size=64)
    batches = [
        [{"tick": np.arange(2000, dtype=np.int64) % 500,
          "agent_id": [f"w{worker}-{batch}-{i}" for i in range(2000)],
          "token_id": ["x"] * 2000, "quantity": np.arange(2000, dtype=np.int64)}
         for batch in range(8)]
        for worker in range(2)
    ]
    errors = []
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        transaction = dataset.transaction("holdings")

        def add_all(worker):
            try:
                for batch in batches[worker]:
                    transaction.add(batch)
                    assert transaction.pending_rows > 0
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=add_all, args=(worker,)) for worker in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
        assert transaction.commit()["rows"] == 2 * 8 * 2000
        agents = dataset.read("holdings", columns=["agent_id"]).column("agent_id")
    assert sorted(agents) == sorted(agent for worker in batches for batch in worker
                                    for agent in batch["agent_id"])
