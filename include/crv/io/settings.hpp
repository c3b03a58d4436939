#pragma once
// The I/O layer's settings: where runs are written and how parts are encoded.
//
// IoSettings::load() resolves them with the precedence environment > TOML file >
// defaults. Unlike the Python reference, which silently drops values it cannot use,
// every unusable value is reported as an IoConfigError naming its source, key and value.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crv/parquet/writer_options.hpp"

namespace crv::io {

// The codec a setting names: zstd, lz4, snappy or none (the Parquet writer's gzip is not
// a setting). Spelt by parquet::to_string and read back case-insensitively, so
// CRV_IO_COMPRESSION=ZSTD works like zstd; nothing for any other name.
std::optional<parquet::Compression> compression_from_string(std::string_view name);

// Looks up an environment variable; nothing when it is unset.
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (std::getenv).
std::optional<std::string> process_environment(const std::string& name);

// Where IoSettings::load() looks for values; tests and the CLI replace the defaults.
struct SettingsSources {
  // A TOML file to read instead of searching `search_dir`. It must exist. A file
  // named pyproject.toml is read from its [tool.crv.io] table, any other from [io].
  std::optional<std::filesystem::path> config_file;
  // Folder searched for crv.toml, then pyproject.toml; the current directory when
  // unset. Either file may be absent. The [io] table of crv.toml wins; the
  // [tool.crv.io] table of pyproject.toml is read only when crv.toml has no [io].
  std::optional<std::filesystem::path> search_dir;
  EnvironmentLookup environment = process_environment;  // must not be empty
};

// One setting given as text: the key (e.g. "tick_bucket_size"), its value, and where it
// came from for error messages (e.g. "--bucket-size").
struct SettingOverride {
  std::string key;
  std::string value;
  std::string origin;
};

struct IoSettings {
  std::filesystem::path root_dir = "out";
  std::string partitioning = "tick_buckets";  // the only supported scheme
  int64_t tick_bucket_size = 100;
  int64_t row_group_size = parquet::kDefaultRowGroupSize;  // rows per Parquet row group
  // Codec applied to every Parquet page; one of those compression_from_string knows.
  parquet::Compression compression = parquet::kDefaultCompression;
  // zstd level, 1..22. Always range-checked so a typo is caught, but ignored by
  // the other codecs.
  int compression_level = parquet::kDefaultCompressionLevel;
  bool strict_schema = true;  // reject columns outside the table descriptor
  // Appends of one handle committed together: with n > 1 the parts of n appends are
  // committed as one log entry (at the n-th append, flush() or the handle's end).
  int64_t write_manifest_every_n = 1;
  // Rewrite manifest.json at every commit, as tables without a commit log did, for tools
  // that read manifest.json while a run is writing. Otherwise it is rewritten at
  // checkpoints, at flush(), when a handle closes and at the end of every crvio command,
  // and crv-io's own readers read the log.
  bool manifest_every_commit = false;
  // Keep each table's Apache Iceberg metadata (<table>/metadata/) up to date whenever
  // manifest.json is rewritten, so engines that read Iceberg open tables by path.
  bool iceberg_metadata = true;
  // A transaction keeps one part per bucket open across its batches, at most this many
  // at once; opening another closes the least recently used (whose bucket then gets a
  // second part). Each open part buffers up to one row group of rows.
  int64_t max_open_parts = 256;
  // Rows a transaction's open parts may buffer in all: past it, the bucket buffering the
  // most writes its rows early as a smaller row group, so memory stays bounded when many
  // buckets fill slowly (rows in random tick order).
  int64_t max_buffered_rows = int64_t{1} << 20;
  // A part is closed at the first row group boundary at or past this many bytes and the
  // bucket's next rows start a new part; compaction merges parts up to this size.
  int64_t target_part_bytes = int64_t{128} << 20;
  std::string fs_protocol = "file";  // the only supported file system

  // Defaults overridden by the TOML file, then by CRV_IO_<KEY> environment
  // variables (CRV_IO_TICK_BUCKET_SIZE, ...). A TOML file may only contain the keys
  // above, with their TOML types (strings, integers, a boolean for strict_schema).
  // Environment values are parsed from text: integers in decimal with an optional
  // '-' and nothing else (no '+', no spaces), and for CRV_IO_STRICT_SCHEMA 1/0,
  // true/false, yes/no or on/off in any case. A variable that is set but empty is a
  // value, and invalid. Every value is checked as it is read, so an invalid value in
  // the file is reported even when the environment overrides it. Relative root_dir
  // values are kept relative (to the working directory, not to the file). Throws
  // IoConfigError.
  static IoSettings load(const SettingsSources& sources = {});

  // Sets keys from text, e.g. command-line flags, parsed and checked like environment
  // values; an invalid value or unknown key is an IoConfigError naming its origin.
  void apply_overrides(std::span<const SettingOverride> overrides);

  // Throws IoConfigError naming the first key whose value is invalid.
  void validate() const;

  bool operator==(const IoSettings&) const = default;
};

}  // namespace crv::io
