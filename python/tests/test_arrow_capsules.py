"""The Arrow PyCapsule contract, both ways, against a producer and consumer that share no
code with crv_io (arrow_producer.py):

- importing: capsule names are checked; every structure handed over is released exactly
  once, never while crv_io still reads its buffers; a consumed capsule cannot be
  imported again; a failing stream is reported and changes nothing;
- exporting: Table.__arrow_c_stream__ (with or without a requested schema),
  Table.__arrow_c_schema__ and Scan.__arrow_c_stream__ read by a foreign consumer.
"""

import gc
import re
import threading

import pytest

import crv_io
from arrow_producer import (
    ARRAY_CAPSULE,
    FLOAT64,
    INT64,
    SCHEMA_CAPSULE,
    UTF8,
    capsule_name,
    consume_stream_capsule,
    field_from_imported,
    is_capsule,
    read_schema_capsule,
    schema_of,
)
from helpers import (
    RUN_ID,
    assert_same_files,
    columns_to_rows,
    decision_rows,
    edge_columns,
    expected_rows,
    holdings_columns,
    rows_to_columns,
    snapshot,
)

HOLDINGS_FIELDS = schema_of(tick=INT64, agent_id=UTF8, token_id=UTF8, quantity=INT64)


def split(columns, *sizes):
    """The rows of `columns` as consecutive batches of the given sizes."""
    batches, start = [], 0
    for size in sizes:
        batches.append({name: values[start : start + size] for name, values in columns.items()})
        start += size
    return batches


def collect():
    # Capsules and crv_io's imported arrays go away with their last reference; the
    # collector runs so that reference cycles cannot hide a missing release.
    gc.collect()
    gc.collect()


# --- importing -----------------------------------------------------------------------


def test_a_stream_of_several_batches_is_appended_and_each_structure_released_once(dataset, producer):
    columns = holdings_columns([1, 2, 3, 150, 151, 152, 420])
    source = producer.stream(HOLDINGS_FIELDS, split(columns, 3, 2, 2))
    summary = dataset.append("holdings", source)
    assert summary["rows"] == 7
    assert dataset.read("holdings").to_pylist() == expected_rows("holdings", columns_to_rows(columns))
    del source
    collect()
    assert producer.structures("stream") == 1
    assert producer.get_next_calls >= 4  # three batches and the end of the stream
    producer.assert_released_once()


def test_an_array_pair_is_appended_and_each_structure_released_once(dataset, producer):
    columns = holdings_columns([1, 2, 3])
    source = producer.array(HOLDINGS_FIELDS, columns)
    dataset.append("holdings", source)
    assert dataset.read("holdings").to_pylist() == expected_rows("holdings", columns_to_rows(columns))
    assert source.calls == 1
    del source
    collect()
    producer.assert_released_once()


@pytest.mark.parametrize("kind", ["array", "stream_of_one_batch", "stream_of_two_batches"])
def test_imported_buffers_stay_valid_until_the_table_is_dropped(producer, kind):
    # The producer poisons a buffer's values when it is released: a consumer that
    # imported without copying (crv_io does, for one batch), released early and kept
    # reading would see "ZZZ" strings and wrong numbers here.
    columns = holdings_columns([1, 2, 3, 4])
    source = {
        "array": lambda: producer.array(HOLDINGS_FIELDS, columns),
        "stream_of_one_batch": lambda: producer.stream(HOLDINGS_FIELDS, [columns]),
        "stream_of_two_batches": lambda: producer.stream(HOLDINGS_FIELDS, split(columns, 2, 2)),
    }[kind]()
    table = crv_io.Table.from_data(source)
    del source
    collect()
    producer.assert_never_released_twice()
    assert table.to_pydict() == columns
    del table
    collect()
    producer.assert_released_once()


def test_the_requested_schema_the_consumer_passes_is_none_or_a_schema_capsule(dataset, producer):
    stream = producer.stream(HOLDINGS_FIELDS, [holdings_columns([1])])
    array = producer.array(HOLDINGS_FIELDS, holdings_columns([2]))
    dataset.append("holdings", stream)
    dataset.append("holdings", array)
    # One export per append, and whatever crv_io requested is a valid request.
    assert (stream.calls, array.calls) == (1, 1)
    assert len(producer.requested_schemas) == 2
    for requested in producer.requested_schemas:
        assert requested is None or (is_capsule(requested) and capsule_name(requested) == "arrow_schema")


@pytest.mark.parametrize("name", [ARRAY_CAPSULE, SCHEMA_CAPSULE, b"arrow_array_stream_v2"])
def test_a_stream_capsule_with_another_name_is_refused_and_still_released(dataset, root, producer, name):
    dataset.append("holdings", holdings_columns([1]))
    source = producer.stream(HOLDINGS_FIELDS, [holdings_columns([2])], capsule_name=name)
    before = snapshot(root)
    with pytest.raises((TypeError, ValueError)) as caught:
        dataset.append("holdings", source)
    assert "arrow_array_stream" in str(caught.value)
    assert_same_files(before, snapshot(root))
    del source, caught
    collect()
    # Never imported, the stream is released by its capsule's destructor, once.
    producer.assert_released_once()


@pytest.mark.parametrize(
    "schema_name,array_name,expected",
    [
        (ARRAY_CAPSULE, SCHEMA_CAPSULE, "arrow_schema"),
        (SCHEMA_CAPSULE, b"arrow_array_x", "arrow_array"),
        (b"schema", ARRAY_CAPSULE, "arrow_schema"),
    ],
    ids=["swapped", "bad_array_name", "bad_schema_name"],
)
def test_an_array_pair_with_a_wrong_name_is_refused_and_still_released(
    dataset, root, producer, schema_name, array_name, expected
):
    dataset.append("holdings", holdings_columns([1]))
    source = producer.array(HOLDINGS_FIELDS, holdings_columns([2]), schema_capsule_name=schema_name,
                            array_capsule_name=array_name)
    before = snapshot(root)
    with pytest.raises((TypeError, ValueError)) as caught:
        dataset.append("holdings", source)
    assert expected in str(caught.value)
    assert_same_files(before, snapshot(root))
    del source, caught
    collect()
    producer.assert_released_once()


def test_a_consumed_stream_capsule_cannot_be_imported_twice(dataset, root, producer):
    source = producer.stream(HOLDINGS_FIELDS, [holdings_columns([1, 2])], reuse_capsule=True)
    dataset.append("holdings", source)
    before = snapshot(root)
    with pytest.raises((ValueError, TypeError, crv_io.CrvError)) as caught:
        dataset.append("holdings", source)  # the same capsule, already moved out
    assert re.search(r"releas|consum|moved", str(caught.value)), str(caught.value)
    assert_same_files(before, snapshot(root))
    assert dataset.read("holdings").num_rows == 2
    del source, caught
    collect()
    producer.assert_released_once()


def test_a_stream_that_fails_midway_is_reported_and_changes_nothing(dataset, root, producer):
    dataset.append("holdings", holdings_columns([1]))
    columns = holdings_columns([2, 3, 150, 151])
    source = producer.stream(HOLDINGS_FIELDS, split(columns, 2, 2), fail_at_batch=1,
                             error_message="upstream went away at batch 1")
    before = snapshot(root)
    with pytest.raises(Exception) as caught:
        dataset.append("holdings", source)
    assert "upstream went away at batch 1" in str(caught.value)
    assert_same_files(before, snapshot(root))
    del source, caught
    collect()
    producer.assert_released_once()


def test_an_empty_batch_inside_a_stream_is_skipped(dataset, producer):
    columns = holdings_columns([1, 2, 3])
    batches = split(columns, 1, 0, 2)
    dataset.append("holdings", producer.stream(HOLDINGS_FIELDS, batches))
    assert dataset.read("holdings").column("tick") == [1, 2, 3]


def test_a_stream_without_batches_appends_nothing(dataset, root, producer):
    before = snapshot(root)
    summary = dataset.append("holdings", producer.stream(HOLDINGS_FIELDS, []))
    assert (summary["rows"], summary["parts"]) == (0, [])
    assert_same_files(before, snapshot(root))


def test_sliced_arrays_are_read_from_their_offset(dataset, producer):
    fields = schema_of(tick=INT64, observer_agent_id=UTF8, edge_kind=UTF8, edge_weight=FLOAT64, edge_sign=INT64)
    columns = edge_columns([4, 5, 6]) | {"edge_sign": [None, 2, -3]}
    dataset.append("identity_edges", producer.stream(fields, [columns], offset=5))
    assert dataset.read("identity_edges", columns=list(columns)).to_pydict() == columns


def test_an_unknown_null_count_is_computed_from_the_bitmap(dataset, producer):
    fields = schema_of(tick=INT64, observer_agent_id=UTF8, edge_kind=UTF8, edge_weight=FLOAT64, edge_sign=INT64)
    columns = edge_columns([4, 5, 6]) | {"edge_sign": [None, 2, None]}
    dataset.append("identity_edges", producer.array(fields, columns, unknown_null_count=True))
    assert dataset.read("identity_edges").column("edge_sign") == [None, 2, None]


def test_a_null_in_a_required_arrow_column_is_refused_with_its_row(dataset, root, producer):
    dataset.append("holdings", holdings_columns([1]))
    columns = holdings_columns([2, 3, 4]) | {"agent_id": ["a", "b", None]}
    before = snapshot(root)
    with pytest.raises(crv_io.IoSchemaError) as caught:
        dataset.append("holdings", producer.stream(HOLDINGS_FIELDS, split(columns, 1, 2)))
    # Rows count across batches: the third row of the input.
    assert (caught.value.column, caught.value.row) == ("agent_id", 2)
    assert_same_files(before, snapshot(root))


def test_a_lossy_arrow_value_is_refused_with_its_row_and_every_structure_released(dataset, root, producer):
    dataset.append("holdings", holdings_columns([1]))
    fields = schema_of(tick=INT64, agent_id=UTF8, token_id=UTF8, quantity=FLOAT64)
    columns = holdings_columns([2, 3, 4]) | {"quantity": [1.0, 2.5, 3.0]}
    before = snapshot(root)
    with pytest.raises(crv_io.IoSchemaError) as caught:
        dataset.append("holdings", producer.array(fields, columns))
    assert (caught.value.column, caught.value.row) == ("quantity", 1)
    assert "2.5" in str(caught.value)
    assert_same_files(before, snapshot(root))
    del caught
    collect()
    producer.assert_released_once()


# --- exporting -------------------------------------------------------------------------


def written_table(dataset, table, data):
    dataset.append(table, data)
    return dataset.read(table)


def test_a_tables_stream_is_read_by_a_foreign_consumer(dataset):
    table = written_table(dataset, "holdings", holdings_columns([1, 2, 150]))
    capsule = table.__arrow_c_stream__()
    assert capsule_name(capsule) == "arrow_array_stream"
    consumed = consume_stream_capsule(capsule)
    assert consumed.schema.describe() == (
        "+s", [("bucket", "l"), ("tick", "l"), ("agent_id", "u"), ("token_id", "u"), ("quantity", "l")],
    )
    assert consumed.to_pydict() == table.to_pydict()


def test_nested_columns_are_exported_as_structs_and_lists(dataset):
    rows = decision_rows([1, 2, 3])
    table = written_table(dataset, "decisions", rows)
    consumed = consume_stream_capsule(table.__arrow_c_stream__())
    formats = dict(consumed.schema.describe()[1])
    assert formats["chosen_action"] == ("+s", [("action_type", "u"), ("token_id", "u"), ("quantity", "l")])
    assert formats["action_candidates"][0] == "+l"
    assert formats["action_candidates"][1][0][1][0] == "+s"
    assert consumed.to_pydict() == rows_to_columns(expected_rows("decisions", rows))


def test_a_table_can_be_exported_many_times(dataset):
    table = written_table(dataset, "holdings", holdings_columns([1, 2]))
    first = consume_stream_capsule(table.__arrow_c_stream__())
    second = consume_stream_capsule(table.__arrow_c_stream__())
    assert first.to_pydict() == second.to_pydict() == table.to_pydict()


def test_an_exported_stream_outlives_its_table(dataset):
    expected = written_table(dataset, "decisions", decision_rows([1, 2, 150])).to_pydict()
    capsule = dataset.read("decisions").__arrow_c_stream__()  # the Table is dropped at once
    collect()
    assert consume_stream_capsule(capsule).to_pydict() == expected


def test_exported_arrays_outlive_their_stream(root):
    settings = crv_io.IoSettings(root_dir=root, row_group_size=3)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        rows = decision_rows(range(8))
        dataset.append("decisions", rows)
        for make in (lambda: dataset.read("decisions"), lambda: dataset.scan("decisions")):
            consumed = consume_stream_capsule(make().__arrow_c_stream__(), arrays_outlive_stream=True)
            assert consumed.to_pydict() == rows_to_columns(expected_rows("decisions", rows))


def test_unconsumed_export_capsules_are_released_by_their_destructors(dataset):
    # Nothing to observe but the absence of a crash or leak warning: each capsule
    # releases what it owns when dropped unconsumed.
    table = written_table(dataset, "holdings", holdings_columns([1, 2]))
    for _ in range(3):
        table.__arrow_c_stream__()
        table.__arrow_c_schema__()
        dataset.scan("holdings").__arrow_c_stream__()
    collect()
    assert table.num_rows == 2


def test_the_tables_schema_capsule_describes_its_columns(dataset):
    table = written_table(dataset, "holdings", holdings_columns([1]))
    capsule = table.__arrow_c_schema__()
    assert capsule_name(capsule) == "arrow_schema"
    schema = read_schema_capsule(capsule)
    assert schema.format == "+s"
    assert [child.name for child in schema.children] == table.column_names
    assert [child.format for child in schema.children] == ["l", "l", "u", "u", "l"]


def test_a_requested_schema_from_crv_io_itself_is_honoured(dataset):
    table = written_table(dataset, "holdings", holdings_columns([1, 2, 3]))
    consumed = consume_stream_capsule(table.__arrow_c_stream__(requested_schema=table.__arrow_c_schema__()))
    assert consumed.to_pydict() == table.to_pydict()


def test_a_requested_schema_from_a_foreign_producer_is_honoured(dataset, producer):
    table = written_table(dataset, "decisions", decision_rows([1, 2]))
    own = read_schema_capsule(table.__arrow_c_schema__())
    requested = producer.schema_capsule([field_from_imported(child) for child in own.children])
    consumed = consume_stream_capsule(table.__arrow_c_stream__(requested))
    assert consumed.schema.describe() == own.describe()
    assert consumed.to_pydict() == table.to_pydict()
    del requested
    collect()
    producer.assert_released_once()


def test_a_scan_streams_one_batch_per_row_group(root):
    settings = crv_io.IoSettings(root_dir=root, row_group_size=4)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns(range(10)))
        scan = dataset.scan("holdings")
        consumed = consume_stream_capsule(scan.__arrow_c_stream__())
        assert [len(batch["tick"]) for batch in consumed.batches] == [4, 4, 2]
        # The export consumed the scan.
        assert list(scan) == []
        assert consumed.column("tick") == list(range(10))
        assert consumed.to_pydict() == dataset.read("holdings").to_pydict()


def test_a_crv_io_table_is_appended_through_its_own_stream(dataset, settings):
    table = written_table(dataset, "decisions", decision_rows([1, 2, 150]))
    with crv_io.Dataset(settings, "copy") as copy:
        copy.append("decisions", table)
        assert copy.read("decisions") == table


def test_foreign_consumers_may_read_exports_on_other_threads(dataset):
    # DuckDB and Polars pull streams on their own threads, without the GIL.
    table = written_table(dataset, "holdings", holdings_columns(range(50)))
    capsules = [table.__arrow_c_stream__() for _ in range(4)]
    results = [None] * 4

    def consume(index):
        results[index] = consume_stream_capsule(capsules[index]).to_pydict()

    threads = [threading.Thread(target=consume, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [table.to_pydict()] * 4
