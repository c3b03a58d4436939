"""The module's surface: table names and descriptors, the schema version, the error
hierarchy and the reference's module names."""

import pytest

import crv_io
import crv_io.config
import crv_io.errors
import crv_io.run_manifest
import crv_io.write
from helpers import TABLE_COLUMNS

CANONICAL_ORDER = [
    "exchange", "identity_edges", "scenarios_seen", "messages",
    "decisions", "oracle_calls", "holdings", "holdings_valuation",
]


def test_table_names_are_the_canonical_ones_in_order_and_are_strings():
    assert [member.value for member in crv_io.TableName] == CANONICAL_ORDER
    assert crv_io.TableName.HOLDINGS == "holdings"
    assert isinstance(crv_io.TableName.DECISIONS, str)
    assert crv_io.TableName("scenarios_seen") is crv_io.TableName.SCENARIOS_SEEN


def test_list_tables_gives_every_descriptor_in_canonical_order():
    tables = crv_io.list_tables()
    assert [t.name for t in tables] == [crv_io.TableName(n) for n in CANONICAL_ORDER]
    assert all(isinstance(t, crv_io.TableDescriptor) for t in tables)


@pytest.mark.parametrize("table", CANONICAL_ORDER)
def test_every_descriptor_matches_the_contract(table):
    descriptor = crv_io.get_table(table)
    assert descriptor.name == crv_io.TableName(table)
    assert [(c.name, c.dtype, c.required) for c in descriptor.columns] == TABLE_COLUMNS[table]
    assert all(c.nullable == (not c.required) for c in descriptor.columns)
    assert descriptor.partitioning == ["bucket"]
    assert descriptor.version == "0.1@2025-09-20"


def test_a_descriptor_finds_its_columns_by_name():
    decisions = crv_io.get_table(crv_io.TableName.DECISIONS)
    candidates = decisions.column("action_candidates")
    assert isinstance(candidates, crv_io.ColumnDescriptor)
    assert (candidates.name, candidates.dtype, candidates.required) == (
        "action_candidates", "list[struct]", True,
    )
    assert decisions.column("quantity") is None


@pytest.mark.parametrize("name", ["nope", "Holdings", "holdings ", "", "hold-ings"])
def test_an_unknown_table_name_is_a_grammar_error(name):
    with pytest.raises(crv_io.GrammarError) as caught:
        crv_io.get_table(name)
    # A GrammarError is a ValueError too, for callers that catch the builtin.
    assert isinstance(caught.value, ValueError)


def test_the_schema_version_is_the_contracts():
    assert crv_io.SCHEMA_VERSION == "0.1@2025-09-20"


def test_versions_are_reported():
    assert isinstance(crv_io.__version__, str) and crv_io.__version__
    versions = crv_io.library_versions()
    assert {"crv_io", "zstd", "lz4", "snappy"} <= set(versions)
    assert versions["crv_io"] == crv_io.__version__
    assert all(isinstance(v, str) for v in versions.values())


ERROR_PARENTS = {
    "CrvError": (Exception,),
    "GrammarError": (crv_io.CrvError, ValueError),
    "SchemaError": (crv_io.CrvError, ValueError),
    "IoError": (crv_io.CrvError,),
    "IoConfigError": (crv_io.IoError,),
    "IoSchemaError": (crv_io.IoError,),
    "IoWriteError": (crv_io.IoError,),
    "IoManifestError": (crv_io.IoError,),
    "IoFormatError": (crv_io.IoError,),
}


@pytest.mark.parametrize("name", sorted(ERROR_PARENTS))
def test_error_classes_keep_the_reference_hierarchy_and_module(name):
    error_class = getattr(crv_io, name)
    assert getattr(crv_io.errors, name) is error_class
    for parent in ERROR_PARENTS[name]:
        assert issubclass(error_class, parent)


def test_the_io_errors_are_not_value_errors():
    # An IoSchemaError is about where data goes, not a bad argument value: catching
    # ValueError must not swallow it (and the reference's IoError is no ValueError).
    assert not issubclass(crv_io.IoSchemaError, ValueError)


def test_the_reference_module_names_point_at_the_same_objects():
    assert crv_io.config.IoSettings is crv_io.IoSettings
    assert crv_io.run_manifest.write_run_bundle_manifest is crv_io.write_run_bundle_manifest
    assert callable(crv_io.write.append)
