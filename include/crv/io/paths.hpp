#pragma once
// Where a run's files live on disk:
//
//   <root_dir>/runs/<run_id>/bundle.manifest.json
//   <root_dir>/runs/<run_id>/tables/<table>/manifest.json
//   <root_dir>/runs/<run_id>/tables/<table>/bucket=000123/part-<uid>.parquet
//
// Every function that takes a run id or table name checks it first (GrammarError), so
// no name can make a path leave its run folder.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "crv/io/settings.hpp"

namespace crv::io {

// Throws GrammarError unless `run_id` is 1..255 bytes of [A-Za-z0-9._:-] and neither
// "." nor "..".
void validate_run_id(std::string_view run_id);

// <root_dir>/runs/<run_id>
std::filesystem::path run_root(const IoSettings& settings, std::string_view run_id);
// <run_root>/bundle.manifest.json
std::filesystem::path bundle_manifest_path(const IoSettings& settings, std::string_view run_id);
// <run_root>/tables
std::filesystem::path tables_root(const IoSettings& settings, std::string_view run_id);
// <tables_root>/<table_name>; the name must be lower_snake (else GrammarError).
std::filesystem::path table_dir(const IoSettings& settings, std::string_view run_id,
                                std::string_view table_name);
// <table_dir>/manifest.json
std::filesystem::path manifest_path(const IoSettings& settings, std::string_view run_id,
                                    std::string_view table_name);

// The bucket as the manifest keys it: at least six digits, zero-padded ("000123";
// 1234567 stays "1234567"). A negative id is an IoSchemaError.
std::string partition_key(int64_t bucket_id);
// <table_dir>/bucket=<partition_key>
std::filesystem::path bucket_dir(const IoSettings& settings, std::string_view run_id,
                                 std::string_view table_name, int64_t bucket_id);

// A part is written to `tmp`, flushed, then renamed to `final`, so readers never
// see a half-written part under its final name.
struct PartPaths {
  std::filesystem::path tmp;    // <bucket_dir>/part-<uid>.parquet.tmp
  std::filesystem::path final;  // <bucket_dir>/part-<uid>.parquet
};

// `uid` must be 32 lowercase hexadecimal characters (else GrammarError).
PartPaths part_paths(const IoSettings& settings, std::string_view run_id,
                     std::string_view table_name, int64_t bucket_id, std::string_view uid);

// 32 lowercase hexadecimal characters from 128 bits of the operating system's random
// source; distinct across processes, including forked ones. Throws IoWriteError if
// the source fails.
std::string new_part_uid();

// tick / bucket_size. A negative tick is an IoSchemaError, a bucket size below 1 an
// IoConfigError.
int64_t bucket_for_tick(int64_t tick, int64_t bucket_size);

}  // namespace crv::io
