"""Each table as an Apache Iceberg table: publish_iceberg() and the metadata a closed
Dataset leaves, read back with nothing but the standard library."""

import json
import pathlib
from urllib.parse import unquote, urlparse

import pytest

import crv_io
from helpers import holdings_columns

RUN_ID = "run-1"


def _path(uri):
    assert uri.startswith("file://")
    return pathlib.Path(unquote(urlparse(uri).path))


def _current(table_dir):
    folder = table_dir / "metadata"
    version = int((folder / "version-hint.text").read_text())
    return version, json.loads((folder / f"v{version}.metadata.json").read_text())


def _table_dir(settings, table):
    return pathlib.Path(settings.root_dir) / "runs" / RUN_ID / "tables" / table


def test_publish_iceberg_writes_a_version_once_per_change(settings):
    settings.iceberg_metadata = False
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns(range(0, 150)))
        first = dataset.publish_iceberg("holdings")
        assert first["updated"] is True and first["metadata_version"] == 1
        assert first["rows"] == 150 and first["data_files"] == 2
        assert dataset.publish_iceberg("holdings")["updated"] is False
        dataset.append("holdings", holdings_columns(range(150, 160)))
        second = dataset.publish_iceberg("holdings")
        assert (second["metadata_version"], second["files_added"]) == (2, 1)

    version, metadata = _current(_table_dir(settings, "holdings"))
    assert version == 2 and metadata["format-version"] == 2
    assert _path(second["metadata_file"]).exists()
    snapshot = metadata["snapshots"][-1]
    assert snapshot["snapshot-id"] == metadata["current-snapshot-id"] == second["snapshot_id"]
    assert snapshot["summary"]["total-records"] == "160"
    assert _path(snapshot["manifest-list"]).exists()
    names = [field["name"] for field in metadata["schemas"][0]["fields"]]
    assert names == ["bucket", "tick", "agent_id", "token_id", "quantity"]


def test_a_closed_dataset_leaves_the_metadata_current(settings):
    with crv_io.Dataset(settings, RUN_ID) as dataset:
        dataset.append("holdings", holdings_columns(range(0, 40)))
    version, metadata = _current(_table_dir(settings, "holdings"))
    assert version == 1
    assert metadata["snapshots"][-1]["summary"]["total-records"] == "40"


def test_publish_iceberg_of_a_table_without_rows_is_an_error(dataset):
    with pytest.raises(crv_io.IoManifestError, match="has no manifest"):
        dataset.publish_iceberg("holdings")
