"""The run bundle (bundle.manifest.json) and the helpers for files kept beside the tables
under <root>/runs/<run_id>/artifacts/lab/<folder>."""

import json
import pathlib

import pytest

import crv_io
import crv_io.artifacts
import crv_io.run_manifest
from helpers import RUN_ID, edge_columns, holdings_columns


def load(path):
    return json.loads(pathlib.Path(path).read_text())


# --- the bundle ----------------------------------------------------------------------


def test_the_bundle_lists_every_written_table_with_its_statistics(dataset, settings, root):
    dataset.append("holdings", holdings_columns([3, 7, 150, 420]))
    dataset.append("identity_edges", edge_columns([10, 11]))
    path = crv_io.run_manifest.write_run_bundle_manifest(settings, RUN_ID, {"note": "rerun", "seed": 7})
    assert isinstance(path, pathlib.Path)
    assert path == root / "runs" / RUN_ID / "bundle.manifest.json"
    bundle = load(path)
    assert set(bundle) == {"schema_version", "run", "env", "io", "tables", "artifacts", "meta"}
    assert bundle["schema_version"] == 1
    assert bundle["run"]["run_id"] == RUN_ID
    assert bundle["run"]["core_schema_v"] == {"major": 0, "minor": 1, "date": "2025-09-20"}
    assert bundle["run"]["git"] == {"sha": None, "dirty": False}
    assert bundle["meta"] == {"note": "rerun", "seed": 7}
    assert bundle["io"]["tick_bucket_size"] == 100
    assert bundle["io"]["compression"] == "zstd"
    assert bundle["env"]["crv_io"] == crv_io.__version__
    assert sorted(bundle["tables"]) == ["holdings", "identity_edges"]
    holdings = bundle["tables"]["holdings"]
    assert {k: holdings[k] for k in ("rows", "total_rows", "tick_min", "tick_max", "buckets")} == {
        "rows": 4, "total_rows": 4, "tick_min": 3, "tick_max": 420, "buckets": [0, 1, 4],
    }
    part_bytes = sum(p.stat().st_size for p in (root / "runs" / RUN_ID / "tables" / "holdings").glob("bucket=*/*.parquet"))
    assert holdings["bytes"] == holdings["total_bytes"] == part_bytes
    assert bundle["tables"]["identity_edges"]["rows"] == 2
    assert bundle["artifacts"] == {"lab": {"tidy": [], "probes": [], "policy": [], "audit": []}, "world": {}, "mind": {}}


def test_the_bundle_without_meta_has_an_empty_meta(dataset, settings):
    dataset.append("holdings", holdings_columns([1]))
    assert load(crv_io.write_run_bundle_manifest(settings, RUN_ID))["meta"] == {}


def test_the_bundle_reads_the_git_state_from_the_environment(dataset, settings, monkeypatch):
    dataset.append("holdings", holdings_columns([1]))
    monkeypatch.setenv("CRV_GIT_SHA", "0123abcd")
    monkeypatch.setenv("CRV_GIT_DIRTY", "yes")
    assert load(crv_io.write_run_bundle_manifest(settings, RUN_ID))["run"]["git"] == {"sha": "0123abcd", "dirty": True}


def test_the_bundle_is_rewritten_with_the_latest_statistics(dataset, settings):
    dataset.append("holdings", holdings_columns([1]))
    crv_io.write_run_bundle_manifest(settings, RUN_ID)
    dataset.append("holdings", holdings_columns([2, 3]))
    assert load(crv_io.write_run_bundle_manifest(settings, RUN_ID))["tables"]["holdings"]["rows"] == 3


def test_a_bundle_over_a_corrupt_table_manifest_is_a_manifest_error(dataset, settings, root):
    dataset.append("holdings", holdings_columns([1]))
    # The commit log's only checkpoint, torn.
    checkpoint = root / "runs" / RUN_ID / "tables" / "holdings" / "_log" / f"{0:020d}.checkpoint"
    checkpoint.write_text("CRVLOG 1 900 0badf00d\n[]")
    with pytest.raises(crv_io.IoManifestError):
        crv_io.write_run_bundle_manifest(settings, RUN_ID)
    assert not (root / "runs" / RUN_ID / "bundle.manifest.json").exists()


def test_a_bundle_with_a_bad_run_id_is_a_grammar_error(settings):
    with pytest.raises(crv_io.GrammarError):
        crv_io.write_run_bundle_manifest(settings, "../x")


# --- artifacts -----------------------------------------------------------------------


def test_the_lab_folders_are_the_bundles(settings, root):
    assert tuple(crv_io.LAB_FOLDERS) == ("tidy", "probes", "policy", "audit")
    assert crv_io.artifacts.LAB_FOLDERS == crv_io.LAB_FOLDERS
    assert crv_io.artifacts_root(settings, RUN_ID) == root / "runs" / RUN_ID / "artifacts"


def test_lab_dir_creates_the_folder_on_demand(settings, root):
    folder = crv_io.lab_dir(settings, RUN_ID, "probes")
    assert isinstance(folder, pathlib.Path)
    assert folder == root / "runs" / RUN_ID / "artifacts" / "lab" / "probes"
    assert folder.is_dir()
    assert crv_io.lab_dir(settings, RUN_ID, "probes") == folder  # idempotent


def test_lab_dir_refuses_other_folders(settings):
    with pytest.raises(crv_io.GrammarError):
        crv_io.lab_dir(settings, RUN_ID, "secrets")


def test_write_text_atomic_writes_and_replaces_whole_files(tmp_path):
    path = tmp_path / "deep" / "notes.txt"  # its folder is created
    stat = crv_io.write_text_atomic(path, "héllo\n")
    assert path.read_text() == "héllo\n"
    assert set(stat) == {"path", "bytes"}
    assert pathlib.Path(stat["path"]) == path
    assert stat["bytes"] == len("héllo\n".encode())
    crv_io.write_text_atomic(str(path), "x")
    assert path.read_text() == "x"
    # No temporary file is left beside it.
    assert sorted(p.name for p in path.parent.iterdir()) == ["notes.txt"]


def test_file_stat_gives_path_and_size(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"12345")
    stat = crv_io.file_stat(path)
    assert (pathlib.Path(stat["path"]), stat["bytes"]) == (path, 5)


def test_file_stat_of_a_missing_file_is_an_io_error(tmp_path):
    with pytest.raises(crv_io.IoError):
        crv_io.file_stat(tmp_path / "absent")


def test_write_parquet_atomic_writes_a_parquet_file_of_the_data(settings, tmp_path):
    path = tmp_path / "results.parquet"
    stat = crv_io.write_parquet_atomic(settings, path, {"x": [1, 2, 3], "label": ["a", None, "c"]})
    data = path.read_bytes()
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    assert stat["bytes"] == len(data)
    assert pathlib.Path(stat["path"]) == path


def test_index_lab_artifacts_lists_each_folders_files_sorted_with_parquet_rows(settings):
    tidy = crv_io.lab_dir(settings, RUN_ID, "tidy")
    crv_io.write_parquet_atomic(settings, tidy / "b_results.parquet", {"x": list(range(12))})
    crv_io.write_text_atomic(tidy / "a_readme.md", "# results\n")
    (tidy / "c_broken.parquet").write_bytes(b"not parquet")  # listed, without rows
    (tidy / "nested").mkdir()  # sub-folders are not listed
    crv_io.write_text_atomic(crv_io.lab_dir(settings, RUN_ID, "audit") / "log.txt", "ok")

    index = crv_io.index_lab_artifacts(settings, RUN_ID)
    assert list(index) == ["tidy", "probes", "policy", "audit"]
    assert index["tidy"] == [
        {"path": "artifacts/lab/tidy/a_readme.md", "bytes": len("# results\n")},
        {"path": "artifacts/lab/tidy/b_results.parquet", "bytes": (tidy / "b_results.parquet").stat().st_size,
         "rows": 12},
        {"path": "artifacts/lab/tidy/c_broken.parquet", "bytes": len(b"not parquet")},
    ]
    assert index["probes"] == [] and index["policy"] == []
    assert index["audit"] == [{"path": "artifacts/lab/audit/log.txt", "bytes": 2}]


def test_a_run_without_artifacts_indexes_empty_folders(settings):
    assert crv_io.index_lab_artifacts(settings, RUN_ID) == {"tidy": [], "probes": [], "policy": [], "audit": []}


def test_the_bundle_indexes_the_lab_artifacts(dataset, settings):
    dataset.append("holdings", holdings_columns([1]))
    crv_io.write_parquet_atomic(settings, crv_io.lab_dir(settings, RUN_ID, "policy") / "p.parquet",
                                {"x": [1.5, 2.5]})
    bundle = load(crv_io.write_run_bundle_manifest(settings, RUN_ID))
    assert bundle["artifacts"]["lab"]["policy"] == crv_io.index_lab_artifacts(settings, RUN_ID)["policy"]
    assert bundle["artifacts"]["lab"]["policy"][0]["rows"] == 2
