"""Fixtures of the crv_io test suite: a dataset root in a temporary folder, settings and
a Dataset over it, an Arrow producer, and an environment without CRV_* variables."""

import os
import pathlib

import pytest

# Plain asserts in the shared modules report their operands like those of test files.
pytest.register_assert_rewrite("helpers", "arrow_producer")

import crv_io  # noqa: E402
from arrow_producer import ArrowProducer  # noqa: E402
from helpers import RUN_ID  # noqa: E402


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """IoSettings.load() and the run bundle read CRV_IO_* and CRV_GIT_* variables; the
    machine's own must not change what a test sees."""
    for name in list(os.environ):
        if name.startswith(("CRV_IO_", "CRV_GIT_")):
            monkeypatch.delenv(name)


@pytest.fixture
def root(tmp_path) -> pathlib.Path:
    """The dataset root, not created beforehand (the library creates what it needs)."""
    return tmp_path / "out"


@pytest.fixture
def settings(root) -> "crv_io.IoSettings":
    return crv_io.IoSettings(root_dir=root)


@pytest.fixture
def dataset(settings):
    with crv_io.Dataset(settings, RUN_ID) as ds:
        yield ds


@pytest.fixture
def producer() -> ArrowProducer:
    return ArrowProducer()
