"""IoSettings: defaults, checks at construction and on assignment, and load() with its
precedence environment > TOML file > defaults."""

import pathlib

import pytest

import crv_io

DEFAULTS = {
    "partitioning": "tick_buckets",
    "tick_bucket_size": 100,
    "row_group_size": 131072,
    "compression": "zstd",
    "compression_level": 3,
    "strict_schema": True,
    "write_manifest_every_n": 1,
    "manifest_every_commit": False,
    "iceberg_metadata": True,
    "max_open_parts": 256,
    "max_buffered_rows": 1048576,
    "target_part_bytes": 134217728,
    "fs_protocol": "file",
}


def test_defaults_are_the_contracts():
    settings = crv_io.IoSettings()
    assert settings.root_dir == pathlib.Path("out")
    assert isinstance(settings.root_dir, pathlib.Path)
    for key, value in DEFAULTS.items():
        assert getattr(settings, key) == value, key


def test_keyword_arguments_set_every_value():
    settings = crv_io.IoSettings(
        root_dir="/data/crv", tick_bucket_size=7, row_group_size=1000, compression="lz4",
        compression_level=5, strict_schema=False, write_manifest_every_n=4,
        manifest_every_commit=True, iceberg_metadata=False, max_open_parts=2, max_buffered_rows=50,
        target_part_bytes=4096,
    )
    assert settings.root_dir == pathlib.Path("/data/crv")
    assert (settings.tick_bucket_size, settings.row_group_size) == (7, 1000)
    assert (settings.compression, settings.compression_level) == ("lz4", 5)
    assert settings.strict_schema is False
    assert settings.write_manifest_every_n == 4
    assert settings.manifest_every_commit is True
    assert settings.iceberg_metadata is False
    assert (settings.max_open_parts, settings.target_part_bytes) == (2, 4096)
    assert settings.max_buffered_rows == 50


def test_root_dir_takes_a_path_object(tmp_path):
    assert crv_io.IoSettings(root_dir=tmp_path).root_dir == tmp_path


@pytest.mark.parametrize("codec", ["zstd", "lz4", "snappy", "none"])
def test_every_codec_is_accepted(codec):
    assert crv_io.IoSettings(compression=codec).compression == codec


def test_to_dict_lists_every_setting():
    as_dict = crv_io.IoSettings(root_dir="somewhere").to_dict()
    assert set(as_dict) == {"root_dir", *DEFAULTS}
    assert str(as_dict["root_dir"]) == "somewhere"
    assert {k: as_dict[k] for k in DEFAULTS} == DEFAULTS


def test_settings_compare_by_value():
    assert crv_io.IoSettings(root_dir="a") == crv_io.IoSettings(root_dir="a")
    assert crv_io.IoSettings(root_dir="a") != crv_io.IoSettings(root_dir="b")
    assert crv_io.IoSettings(tick_bucket_size=5) != crv_io.IoSettings()


INVALID_VALUES = [
    ("tick_bucket_size", 0),
    ("tick_bucket_size", -3),
    ("row_group_size", 0),
    ("compression", "gzip"),
    ("compression", "brotli"),
    ("compression_level", 0),
    ("compression_level", 23),
    ("partitioning", "hive"),
    ("write_manifest_every_n", 0),
    ("max_open_parts", 0),
    ("max_buffered_rows", 0),
    ("target_part_bytes", -1),
    ("fs_protocol", "s3"),
]


@pytest.mark.parametrize("key,value", INVALID_VALUES)
def test_an_invalid_value_is_a_config_error_naming_the_key_at_construction(key, value):
    with pytest.raises(crv_io.IoConfigError) as caught:
        crv_io.IoSettings(**{key: value})
    assert key in str(caught.value)


@pytest.mark.parametrize("key,value", INVALID_VALUES)
def test_an_invalid_assignment_is_a_config_error_and_keeps_the_old_value(key, value):
    settings = crv_io.IoSettings()
    before = getattr(settings, key)
    with pytest.raises(crv_io.IoConfigError) as caught:
        setattr(settings, key, value)
    assert key in str(caught.value)
    assert getattr(settings, key) == before


def test_a_valid_assignment_changes_the_value():
    settings = crv_io.IoSettings()
    settings.tick_bucket_size = 25
    settings.strict_schema = False
    settings.root_dir = "elsewhere"
    assert (settings.tick_bucket_size, settings.strict_schema) == (25, False)
    assert settings.root_dir == pathlib.Path("elsewhere")


def test_an_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError):
        crv_io.IoSettings(bucket_size=10)


# --- load() ----------------------------------------------------------------------------


def test_load_without_file_or_environment_gives_the_defaults(tmp_path):
    assert crv_io.IoSettings.load(search_dir=tmp_path, environ={}) == crv_io.IoSettings()


def test_load_reads_the_io_table_of_crv_toml(tmp_path):
    (tmp_path / "crv.toml").write_text(
        '[io]\nroot_dir = "runs_here"\ntick_bucket_size = 7\ncompression = "snappy"\n'
        "strict_schema = false\n"
    )
    settings = crv_io.IoSettings.load(search_dir=tmp_path, environ={})
    # A relative root stays relative (to the working directory, not to the file).
    assert settings.root_dir == pathlib.Path("runs_here")
    assert (settings.tick_bucket_size, settings.compression) == (7, "snappy")
    assert settings.strict_schema is False


def test_load_reads_tool_crv_io_of_pyproject_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.crv.io]\nrow_group_size = 1000\n")
    assert crv_io.IoSettings.load(search_dir=tmp_path, environ={}).row_group_size == 1000


def test_crv_toml_wins_over_pyproject_toml(tmp_path):
    (tmp_path / "crv.toml").write_text("[io]\nrow_group_size = 11\n")
    (tmp_path / "pyproject.toml").write_text("[tool.crv.io]\nrow_group_size = 22\n")
    assert crv_io.IoSettings.load(search_dir=tmp_path, environ={}).row_group_size == 11


def test_the_environment_wins_over_the_file(tmp_path):
    (tmp_path / "crv.toml").write_text("[io]\ntick_bucket_size = 7\nrow_group_size = 11\n")
    settings = crv_io.IoSettings.load(
        search_dir=tmp_path,
        environ={"CRV_IO_TICK_BUCKET_SIZE": "9", "CRV_IO_COMPRESSION": "LZ4"},
    )
    assert settings.tick_bucket_size == 9
    assert settings.row_group_size == 11
    assert settings.compression == "lz4"


@pytest.mark.parametrize("text,value", [("off", False), ("0", False), ("YES", True), ("true", True)])
def test_strict_schema_reads_the_usual_boolean_words(tmp_path, text, value):
    settings = crv_io.IoSettings.load(search_dir=tmp_path, environ={"CRV_IO_STRICT_SCHEMA": text})
    assert settings.strict_schema is value


def test_load_reads_os_environ_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CRV_IO_ROW_GROUP_SIZE", "77")
    assert crv_io.IoSettings.load(search_dir=tmp_path).row_group_size == 77


def test_load_searches_the_working_directory_by_default(tmp_path, monkeypatch):
    (tmp_path / "crv.toml").write_text("[io]\ntick_bucket_size = 3\n")
    monkeypatch.chdir(tmp_path)
    assert crv_io.IoSettings.load(environ={}).tick_bucket_size == 3


def test_an_explicit_config_file_is_read_whatever_its_name(tmp_path):
    config = tmp_path / "settings" / "mine.toml"
    config.parent.mkdir()
    config.write_text("[io]\ntick_bucket_size = 12\n")
    (tmp_path / "crv.toml").write_text("[io]\ntick_bucket_size = 99\n")
    settings = crv_io.IoSettings.load(config_file=config, search_dir=tmp_path, environ={})
    assert settings.tick_bucket_size == 12


def test_a_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(crv_io.IoError):
        crv_io.IoSettings.load(config_file=tmp_path / "absent.toml", environ={})


@pytest.mark.parametrize(
    "variable,value",
    [
        ("CRV_IO_TICK_BUCKET_SIZE", "ten"),
        ("CRV_IO_TICK_BUCKET_SIZE", "0"),
        ("CRV_IO_ROW_GROUP_SIZE", "+5"),
        ("CRV_IO_COMPRESSION", "gzip"),
        ("CRV_IO_STRICT_SCHEMA", "maybe"),
    ],
)
def test_an_invalid_environment_value_is_a_config_error_naming_variable_and_value(tmp_path, variable, value):
    # The reference silently ignores such values; crv-io reports them.
    with pytest.raises(crv_io.IoConfigError) as caught:
        crv_io.IoSettings.load(search_dir=tmp_path, environ={variable: value})
    assert variable in str(caught.value)
    assert value in str(caught.value)


def test_an_invalid_file_value_is_a_config_error_naming_the_key(tmp_path):
    (tmp_path / "crv.toml").write_text('[io]\ntick_bucket_size = "many"\n')
    with pytest.raises(crv_io.IoConfigError) as caught:
        crv_io.IoSettings.load(search_dir=tmp_path, environ={})
    assert "tick_bucket_size" in str(caught.value)


def test_a_dataset_takes_its_settings_as_given(settings):
    dataset = crv_io.Dataset(settings, "run-9")
    assert dataset.settings == settings
    assert dataset.run_id == "run-9"
    dataset.close()
