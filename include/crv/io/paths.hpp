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
#include <optional>
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

// ---- Names of bucket folders and part files. These functions are the only place that
// spells or parses them: writers, manifests, fsck and rebuild_manifest all go through
// them, so a name one of them writes is a name the others accept.

// The bucket as the manifest keys it: at least six digits, zero-padded ("000123";
// 1234567 stays "1234567"). A negative id is an IoSchemaError.
std::string partition_key(int64_t bucket_id);
// The bucket a partition key names, when `key` is exactly partition_key(bucket) of a
// bucket: "123", "0000123", "+00123" and "-00001" name none.
std::optional<int64_t> bucket_of_partition_key(std::string_view key);

// bucket=<partition_key>. A negative id is an IoSchemaError.
std::string bucket_folder_name(int64_t bucket_id);
// The bucket of a folder named exactly bucket_folder_name(bucket); nothing for any other
// name ("bucket=12", "bucket=-00001").
std::optional<int64_t> bucket_of_folder_name(std::string_view name);
// <table_dir>/<bucket_folder_name>
std::filesystem::path bucket_dir(const IoSettings& settings, std::string_view run_id,
                                 std::string_view table_name, int64_t bucket_id);

// The suffix of every Parquet file in a table folder: parts, and strays to report.
inline constexpr std::string_view kParquetSuffix = ".parquet";

// How a part file name looks, for messages that describe it.
inline constexpr std::string_view kPartFileNameForm = "part-<32 lowercase hex>.parquet";

// part-<uid>.parquet. `uid` must be 32 lowercase hexadecimal characters (else
// GrammarError), as new_part_uid() draws them.
std::string part_file_name(std::string_view uid);
// The uid of a file named exactly part_file_name(uid); nothing for any other name.
std::optional<std::string_view> uid_of_part_file_name(std::string_view name);

// A part is written to `tmp`, flushed, then renamed to `final`, so readers never
// see a half-written part under its final name.
struct PartPaths {
  std::filesystem::path tmp;    // <bucket folder>/part-<uid>.parquet.tmp
  std::filesystem::path final;  // <bucket folder>/part-<uid>.parquet
};

// The paths of part `uid` in `bucket_folder`; GrammarError for a malformed uid.
PartPaths part_paths(const std::filesystem::path& bucket_folder, std::string_view uid);
// The same in bucket_dir(settings, run_id, table_name, bucket_id).
PartPaths part_paths(const IoSettings& settings, std::string_view run_id,
                     std::string_view table_name, int64_t bucket_id, std::string_view uid);

// Where FileSystem::replace_file() writes the new contents of `file` before renaming them
// over it: <file>.tmp-<new uid>.
std::filesystem::path replacement_temp_path(const std::filesystem::path& file);

// Leftovers of interrupted writes, by name: a part's .tmp file and a replacement's
// .tmp-<uid> file. Tools that list a table's folder instead of trusting the manifest
// (fsck, rebuild_manifest) tell them apart from committed files this way.
bool is_temporary_file_name(std::string_view name);

// 32 lowercase hexadecimal characters from 128 bits of the operating system's random
// source; distinct across processes, including forked ones. Throws IoWriteError if
// the source fails.
std::string new_part_uid();

// tick / bucket_size. A negative tick is an IoSchemaError, a bucket size below 1 an
// IoConfigError.
int64_t bucket_for_tick(int64_t tick, int64_t bucket_size);

}  // namespace crv::io
