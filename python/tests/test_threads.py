"""One Dataset shared by several threads: appends to one table and to several, and reads
while others append. Every row lands exactly once and the manifest names exactly the
parts on disk."""

import collections
import threading

import crv_io
from helpers import edge_columns, holdings_columns, part_files, table_dir

THREADS = 4
APPENDS = 8
ROWS = 10


def run_threads(target):
    """Runs target(index) on THREADS threads released together; re-raises their errors."""
    barrier = threading.Barrier(THREADS)
    errors = []

    def body(index):
        try:
            barrier.wait()
            target(index)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert not errors, errors


def rows_of(worker, append):
    """The rows one append of one worker writes: unique agent ids, ticks over 3 buckets."""
    ticks = [(append * ROWS + row) * 7 % 300 for row in range(ROWS)]
    return holdings_columns(ticks, tag=f"w{worker}-{append}")


def assert_manifest_matches_disk(dataset, root, table, rows):
    manifest = dataset.manifest(table)
    assert sum(p["row_count"] for p in manifest["partitions"].values()) == rows
    named = {f"bucket={key}/{part['path']}" for key, p in manifest["partitions"].items() for part in p["parts"]}
    on_disk = {path.relative_to(table_dir(root, table)).as_posix() for path in part_files(root, table)}
    assert named == on_disk


def test_four_threads_appending_to_one_table_lose_no_row(dataset, root):
    run_threads(lambda w: [dataset.append("holdings", rows_of(w, a)) for a in range(APPENDS)])

    table = dataset.read("holdings")
    expected = [agent for w in range(THREADS) for a in range(APPENDS) for agent in rows_of(w, a)["agent_id"]]
    assert sorted(table.column("agent_id")) == sorted(expected)
    assert collections.Counter(table.column("agent_id")).most_common(1)[0][1] == 1
    # Each row kept its own tick.
    ticks = {agent: tick for w in range(THREADS) for a in range(APPENDS)
             for agent, tick in zip(rows_of(w, a)["agent_id"], rows_of(w, a)["tick"])}
    assert all(ticks[agent] == tick for agent, tick in zip(table.column("agent_id"), table.column("tick")))
    assert_manifest_matches_disk(dataset, root, "holdings", THREADS * APPENDS * ROWS)


def test_four_threads_appending_to_four_tables_lose_no_row(dataset, root):
    tables = ["holdings", "identity_edges", "holdings_valuation", "exchange"]

    def rows_for(table, append):
        ticks = [append * ROWS + row for row in range(ROWS)]
        if table == "identity_edges":
            return edge_columns(ticks)
        columns = holdings_columns(ticks, tag=f"{table}-{append}")
        if table == "exchange":
            return {"tick": ticks, "venue_id": columns["agent_id"], "token_id": columns["token_id"],
                    "exchange_event_type": ["trade"] * ROWS,
                    "additional_payload": [{"n": i} for i in range(ROWS)]}
        return columns

    run_threads(lambda w: [dataset.append(tables[w], rows_for(tables[w], a)) for a in range(APPENDS)])

    for table in tables:
        assert dataset.read(table).column("tick") == sorted(
            t for a in range(APPENDS) for t in rows_for(table, a)["tick"])
        assert_manifest_matches_disk(dataset, root, table, APPENDS * ROWS)


def test_readers_see_whole_appends_only(dataset, root):
    # Appends of ROWS rows each, committed atomically: a concurrent reader sees a
    # multiple of ROWS, never part of an append.
    dataset.append("holdings", rows_of(9, 0))
    seen = []

    def work(index):
        if index == 0:
            for _ in range(APPENDS * 2):
                seen.append(dataset.read("holdings").num_rows)
        else:
            for a in range(APPENDS):
                dataset.append("holdings", rows_of(index, a))

    run_threads(work)
    assert all(count % ROWS == 0 for count in seen), seen
    assert seen == sorted(seen)
    assert dataset.read("holdings").num_rows == ROWS * (1 + (THREADS - 1) * APPENDS)


def test_transactions_on_several_threads_commit_independently(dataset, root):
    def work(index):
        with dataset.transaction("holdings") as transaction:
            for a in range(3):
                transaction.add(rows_of(index, a))

    run_threads(work)
    assert dataset.read("holdings").num_rows == THREADS * 3 * ROWS
    assert_manifest_matches_disk(dataset, root, "holdings", THREADS * 3 * ROWS)


def test_separate_datasets_of_one_run_do_not_lose_updates(settings, root):
    # One handle per thread, as separate processes would have: the per-table lock, not
    # the handle, keeps the manifest whole.
    def work(index):
        with crv_io.Dataset(settings, "run-1") as own:
            for a in range(APPENDS):
                own.append("holdings", rows_of(index, a))

    run_threads(work)
    with crv_io.Dataset(settings, "run-1") as reader:
        assert reader.read("holdings").num_rows == THREADS * APPENDS * ROWS
        assert_manifest_matches_disk(reader, root, "holdings", THREADS * APPENDS * ROWS)


def test_flush_and_close_commit_appends_held_back_while_a_scan_or_transaction_lives(settings, root):
    batching = crv_io.IoSettings(root_dir=root, write_manifest_every_n=10)

    def rows_seen_by_another_reader():
        with crv_io.Dataset(settings, "run-1") as reader:
            return reader.read("holdings").num_rows

    dataset = crv_io.Dataset(batching, "run-1")
    dataset.append("holdings", rows_of(0, 0))
    dataset.flush()
    dataset.append("holdings", rows_of(0, 1))
    scan = dataset.scan("holdings")
    transaction = dataset.transaction("holdings")
    dataset.flush()
    assert rows_seen_by_another_reader() == 2 * ROWS
    dataset.append("holdings", rows_of(0, 2))
    dataset.close()
    assert rows_seen_by_another_reader() == 3 * ROWS
    # Both keep working on their own handle after the close; the scan reads the table as
    # it was when the scan began.
    assert sum(batch.num_rows for batch in scan) == ROWS
    transaction.add(rows_of(0, 3))
    transaction.commit()
    assert rows_seen_by_another_reader() == 4 * ROWS


def test_flush_commits_the_appends_of_threads_appending_meanwhile(settings, root):
    batching = crv_io.IoSettings(root_dir=root, write_manifest_every_n=1000)
    with crv_io.Dataset(batching, "run-1") as dataset, crv_io.Dataset(settings, "run-1") as reader:
        def work(index):
            for a in range(APPENDS):
                dataset.append("holdings", rows_of(index, a))
                # Another thread may be appending through the handle that holds this append.
                dataset.flush()
                committed = set(reader.read("holdings", columns=["agent_id"]).column("agent_id"))
                assert committed.issuperset(rows_of(index, a)["agent_id"])

        run_threads(work)
