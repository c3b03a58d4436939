"""Every refusal: the right error class, naming the column and row where the input has
them, and a dataset left byte-identical, whether through Dataset.append, a transaction
or the module-level append."""

import dataclasses
import gc
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

import crv_io
from arrow_producer import INT64, TIMESTAMP_US, UTF8, schema_of
from helpers import (
    RUN_ID,
    UNSET,
    decision_rows,
    edge_columns,
    expect_refusal,
    holdings_columns,
    rows_to_columns,
    snapshot,
)


def holdings_with(**replaced: Any) -> dict[str, Any]:
    """Three valid holdings rows (ticks 5, 6, 7) with some columns replaced; a value of
    None drops the column."""
    columns = holdings_columns([5, 6, 7])
    for name, values in replaced.items():
        if values is None:
            del columns[name]
        else:
            columns[name] = values
    return columns


def edges_with(**replaced: Any) -> dict[str, Any]:
    return {**edge_columns([5, 6, 7]), **replaced}


def decisions_with(**replaced: Any) -> dict[str, Any]:
    return {**rows_to_columns(decision_rows([5, 6])), **replaced}


@dataclasses.dataclass
class Refusal:
    id: str
    table: str
    make: Callable[[], Any]
    column: Any = UNSET  # the error's column attribute, when the case pins it
    row: Any = UNSET
    message_has: tuple = ()
    error: Any = crv_io.IoSchemaError


REFUSALS = [
    Refusal("negative_tick", "holdings", lambda: holdings_with(tick=[5, -1, 7]), "tick", 1, ("-1", "negative")),
    Refusal("fractional_tick", "holdings", lambda: holdings_with(tick=[5.0, 1.5, 7.0]), "tick", 1, ("1.5",)),
    Refusal("null_tick", "holdings", lambda: holdings_with(tick=[5, None, 7]), "tick", 1, ("null",)),
    Refusal("missing_tick", "holdings", lambda: holdings_with(tick=None), "tick", None, ("missing",)),
    Refusal("fraction_into_i64", "holdings", lambda: holdings_with(quantity=[1, 1.5, 2]), "quantity", 1, ("1.5",)),
    Refusal("string_into_i64", "holdings", lambda: holdings_with(quantity=["1", "2", "x"]), "quantity",
            message_has=("quantity",)),
    Refusal("string_into_f64", "identity_edges", lambda: edges_with(edge_weight=["a", "b", "c"]), "edge_weight",
            message_has=("edge_weight",)),
    Refusal("int_without_exact_double_into_f64", "identity_edges",
            lambda: edges_with(edge_weight=[1, 2**53 + 1, 2]), "edge_weight", 1, ("9007199254740993",)),
    Refusal("bool_into_str", "holdings", lambda: holdings_with(agent_id=[True, False, True]), "agent_id",
            message_has=("agent_id",)),
    Refusal("null_in_required", "holdings", lambda: holdings_with(agent_id=["a", None, "c"]), "agent_id", 1,
            ("null",)),
    Refusal("pandas_na_in_required", "holdings",
            lambda: pd.DataFrame(holdings_with(quantity=pd.array([1, pd.NA, 3], dtype="Int64"))), "quantity", 1,
            ("null",)),
    Refusal("missing_required_column", "holdings", lambda: holdings_with(token_id=None), "token_id", None,
            ("missing", "holdings")),
    Refusal("unknown_column_in_strict_mode", "holdings", lambda: holdings_with(debug_note=["a", "b", "c"]),
            "debug_note", None, ("strict",)),
    Refusal("bucket_disagrees_with_tick", "holdings",
            lambda: holdings_with(tick=[5, 150, 7], bucket=[0, 2, 0]), "bucket", 1, ("150",)),
    Refusal("numpy_uint64_above_int64", "holdings",
            lambda: holdings_with(quantity=np.array([1, 2**63, 3], dtype=np.uint64)), "quantity", 1,
            ("9223372036854775808",)),
    Refusal("python_int_above_int64", "holdings", lambda: holdings_with(quantity=[1, 2, 2**64]), "quantity", 2,
            ("18446744073709551616",)),
    Refusal("string_into_struct", "decisions", lambda: decisions_with(chosen_action=["{}", "{}"]),
            "chosen_action", message_has=("struct",)),
    Refusal("strings_into_list_of_struct", "decisions",
            lambda: decisions_with(action_candidates=[["a"], ["b", "c"]]), "action_candidates",
            message_has=("list[struct]",)),
    Refusal("struct_without_fields", "decisions", lambda: decisions_with(chosen_action=[{}, {}]),
            "chosen_action", message_has=("without fields",)),
    Refusal("null_struct_in_required", "decisions",
            lambda: decisions_with(token_value_estimates=[{"tok_x": 1.0}, None]), "token_value_estimates", 1,
            ("null",)),
    # A lone surrogate has no UTF-8 form: it cannot be stored as a str value.
    Refusal("lone_surrogate_in_string", "holdings", lambda: holdings_with(agent_id=["a", "b\ud800", "c"]),
            "agent_id", 1),
    # Strings and numbers in one Python list have no common type: the input's own
    # rule is broken (SchemaError), before any table is involved.
    Refusal("mixed_strings_and_numbers", "holdings", lambda: holdings_with(agent_id=["a", 1, "c"]), "agent_id", 1,
            error=(crv_io.SchemaError, crv_io.IoSchemaError)),
]


def valid_input(table: str):
    return {"holdings": holdings_columns([1, 2]), "identity_edges": edge_columns([1, 2]),
            "decisions": decision_rows([1, 2])}[table]


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.id)
def test_a_refused_append_names_the_problem_and_changes_nothing(dataset, root, refusal):
    # A valid append first, so there is a manifest and a bucket folder to disturb.
    dataset.append(refusal.table, valid_input(refusal.table))
    expect_refusal(root, refusal.error, lambda: dataset.append(refusal.table, refusal.make()),
                   column=refusal.column, row=refusal.row, message_has=refusal.message_has)
    dataset.flush()
    assert dataset.read(refusal.table).num_rows == 2


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.id)
def test_a_transaction_refuses_the_batch_the_same_way_and_stays_usable(dataset, root, refusal):
    dataset.append(refusal.table, valid_input(refusal.table))
    before = snapshot(root)
    transaction = dataset.transaction(refusal.table)
    expect_refusal(root, refusal.error, lambda: transaction.add(refusal.make()),
                   column=refusal.column, row=refusal.row)
    assert transaction.pending_rows == 0
    assert transaction.commit()["parts"] == []
    assert snapshot(root) == before


def test_the_module_level_append_refuses_without_writing(settings, root):
    crv_io.append("holdings", holdings_columns([1]), RUN_ID, settings)
    expect_refusal(root, crv_io.IoSchemaError,
                   lambda: crv_io.append("holdings", holdings_with(tick=[5, -1, 7]), RUN_ID, settings),
                   column="tick", row=1)


def test_without_schema_validation_a_negative_tick_is_still_refused(dataset, root):
    # validate_schema=False skips the descriptor, not the partitioning rules.
    dataset.append("holdings", holdings_columns([1]))
    expect_refusal(root, crv_io.IoSchemaError,
                   lambda: dataset.append("holdings", holdings_with(tick=[5, -1, 7]), validate_schema=False),
                   column="tick", row=1, message_has=("negative",))


def test_an_extra_column_that_is_not_lower_snake_is_refused_even_when_not_strict(root):
    settings = crv_io.IoSettings(root_dir=root, strict_schema=False)
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([1]))
        expect_refusal(root, crv_io.IoSchemaError,
                       lambda: dataset.append("holdings", holdings_with(DebugNote=["a", "b", "c"])),
                       column="DebugNote", message_has=("lower_snake",))


def test_an_error_carries_its_message_and_context_separately(dataset):
    with pytest.raises(crv_io.IoSchemaError) as caught:
        dataset.append("holdings", holdings_with(quantity=[1, 1.5, 2]))
    error = caught.value
    assert isinstance(error.message, str) and error.message
    # str() is the message followed by its context.
    assert str(error).startswith(error.message)
    assert (error.column, error.row) == ("quantity", 1)
    assert error.path is None and error.offset is None


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize("table", ["nope", "Holdings", "holdings/../decisions", ""])
def test_an_unknown_table_is_a_grammar_error(dataset, root, table):
    dataset.append("holdings", holdings_columns([1]))
    error = expect_refusal(root, crv_io.GrammarError, lambda: dataset.append(table, holdings_columns([2])))
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("run_id", ["", ".", "..", "a/b", "../escape", "run id", "run\x00id", "rün"])
def test_a_bad_run_id_is_a_grammar_error_before_anything_is_written(settings, root, run_id):
    expect_refusal(root, crv_io.GrammarError, lambda: crv_io.Dataset(settings, run_id))
    expect_refusal(root, crv_io.GrammarError,
                   lambda: crv_io.append("holdings", holdings_columns([1]), run_id, settings))
    assert not root.exists()


@pytest.mark.parametrize("run_id", ["run-1", "2025.01.01", "a:b", "A_b-c.d"])
def test_run_ids_of_the_allowed_characters_are_accepted(settings, run_id):
    with crv_io.Dataset(settings, run_id) as dataset:
        assert dataset.append("holdings", holdings_columns([1]))["run_id"] == run_id


# --- input types -------------------------------------------------------------------------


@pytest.mark.parametrize("data", [42, "tick,agent_id", b"bytes", None, object(), {1, 2}],
                         ids=["int", "str", "bytes", "None", "object", "set"])
def test_an_input_of_the_wrong_type_is_a_type_error(dataset, root, data):
    dataset.append("holdings", holdings_columns([1]))
    expect_refusal(root, TypeError, lambda: dataset.append("holdings", data))
    with pytest.raises(TypeError):
        crv_io.Table.from_data(data)


@pytest.mark.parametrize(
    "data",
    [
        [1, 2, 3],
        [{"tick": 1, "agent_id": "a", "token_id": "t", "quantity": 1}, 5],
        {"tick": [1, 2], "agent_id": ["a"], "token_id": ["t", "u"], "quantity": [1, 2]},
    ],
    ids=["list_of_ints", "list_with_a_non_dict_row", "columns_of_unequal_lengths"],
)
def test_malformed_rows_or_columns_are_refused(dataset, root, data):
    dataset.append("holdings", holdings_columns([1]))
    expect_refusal(root, (TypeError, ValueError, crv_io.CrvError), lambda: dataset.append("holdings", data))


def test_a_timestamp_arrow_column_is_refused_naming_its_format_and_field(dataset, root, producer):
    fields = schema_of(tick=INT64, agent_id=UTF8, token_id=UTF8, quantity=TIMESTAMP_US)
    source = producer.array(fields, holdings_columns([1, 2]))
    dataset.append("holdings", holdings_columns([1]))
    error = expect_refusal(root, (crv_io.SchemaError, crv_io.IoSchemaError), lambda: dataset.append("holdings", source))
    assert "tsu" in str(error) or "timestamp" in str(error).lower()
    assert "quantity" in str(error)
    gc.collect()
    producer.assert_released_once()


def test_a_closed_dataset_refuses_further_calls(settings, root):
    dataset = crv_io.Dataset(settings, RUN_ID)
    dataset.append("holdings", holdings_columns([1]))
    dataset.close()
    expect_refusal(root, crv_io.IoError, lambda: dataset.append("holdings", holdings_columns([2])))
    with pytest.raises(crv_io.IoError):
        dataset.read("holdings")


def test_a_dataset_used_as_a_context_manager_is_closed_at_the_end(settings):
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns([1]))
    with pytest.raises(crv_io.IoError):
        dataset.append("holdings", holdings_columns([2]))


def test_a_negative_limit_is_a_config_error(dataset):
    dataset.append("holdings", holdings_columns([1]))
    with pytest.raises(crv_io.IoConfigError):
        dataset.read("holdings", limit=-1)


@pytest.mark.parametrize("arguments, message", [
    ({"limit": "5"}, "limit must be an int or None, not str ('5')"),
    ({"limit": 2.0}, "limit must be an int or None, not float (2.0)"),
    ({"limit": True}, "limit must be an int or None, not bool (True)"),
    ({"limit": 2**70}, "limit is 1180591620717411303424, beyond the 64-bit integers"),
    ({"buckets": 1}, "buckets must be a list of bucket ids (ints) or None, not int (1)"),
    ({"buckets": ["1"]}, "buckets[0] must be a bucket id (an int), not str ('1')"),
    ({"columns": "tick"}, "columns must be a list of column names (str) or None, not str ('tick')"),
    ({"columns": ["tick", 1]}, "columns[1] must be a column name (a str), not int (1)"),
    ({"where": {"tick_min": "5"}}, "where[\"tick_min\"] must be an int or None, not str ('5')"),
    ({"where": {"tick_max": np.True_}}, "where[\"tick_max\"] must be an int or None, not bool_"),
    ({"as_of": 1.0}, "as_of must be a version of the commit log (an int) or None, not float"),
])
def test_read_arguments_of_the_wrong_type_are_config_errors_naming_them(dataset, arguments, message):
    dataset.append("holdings", holdings_columns([1, 150]))
    with pytest.raises(crv_io.IoConfigError) as caught:
        dataset.read("holdings", **arguments)
    assert message in str(caught.value)


def test_numpy_integers_are_accepted_where_ints_are(dataset):
    dataset.append("holdings", holdings_columns([1, 150, 250]))
    rows = dataset.read("holdings", where={"tick_min": np.int64(100)}, limit=np.int32(5),
                        columns=pd.Index(["tick"]), buckets=np.array([1, 2]))
    assert rows.to_pydict() == {"tick": [150, 250]}


@pytest.mark.parametrize("meta", [{"x": float("nan")}, {"x": [float("-inf")]}])
def test_bundle_meta_json_cannot_hold_is_a_config_error(settings, root, meta):
    with pytest.raises(crv_io.IoConfigError, match="meta cannot be written as JSON"):
        crv_io.write_run_bundle_manifest(settings, RUN_ID, meta)
    assert not (root / "runs" / RUN_ID / "bundle.manifest.json").exists()
