// The on-disk layout of a run: folders, bucket folder names and part file names.

#include "crv/io/paths.hpp"

#include <fmt/format.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"

namespace crv::io {
namespace {

constexpr std::size_t kMaxRunIdBytes = 255;
constexpr std::size_t kPartUidLength = 32;
constexpr std::string_view kBucketFolderPrefix = "bucket=";
constexpr std::string_view kPartPrefix = "part-";
// Appended to a part's name while it is being written.
constexpr std::string_view kPartTempSuffix = ".tmp";
constexpr std::string_view kReplacementTempMarker = ".tmp-";
// Enough of an over-long run id to recognise it without flooding the message.
constexpr std::size_t kShownPrefixBytes = 32;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_run_id_char(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == ':' ||
         c == '-';
}

bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

void validate_table_name(std::string_view table_name) {
  core::require_lower_snake("table name", table_name);
}

bool is_part_uid(std::string_view uid) {
  return uid.size() == kPartUidLength && std::all_of(uid.begin(), uid.end(), is_lower_hex);
}

void validate_part_uid(std::string_view uid) {
  if (!is_part_uid(uid)) {
    throw GrammarError(fmt::format("part uid {:?} is not {} lowercase hexadecimal characters", uid,
                                   kPartUidLength));
  }
}

}  // namespace

void validate_run_id(std::string_view run_id) {
  if (run_id.empty()) throw GrammarError("run id must not be empty");
  if (run_id.size() > kMaxRunIdBytes) {
    throw GrammarError(fmt::format("run id starting {:?} is {} bytes long; at most {} are allowed",
                                   run_id.substr(0, kShownPrefixBytes), run_id.size(),
                                   kMaxRunIdBytes));
  }
  if (run_id == "." || run_id == "..") {
    throw GrammarError(
        fmt::format("run id {:?} is not allowed: it would point outside the runs folder", run_id));
  }
  const auto bad = std::find_if_not(run_id.begin(), run_id.end(), is_run_id_char);
  if (bad != run_id.end()) {
    throw GrammarError(fmt::format(
        "run id {:?} contains {:?} at byte {}; only A-Z, a-z, 0-9 and . _ : - are allowed", run_id,
        *bad, bad - run_id.begin()));
  }
}

std::filesystem::path run_root(const IoSettings& settings, std::string_view run_id) {
  validate_run_id(run_id);
  return settings.root_dir / "runs" / run_id;
}

std::filesystem::path bundle_manifest_path(const IoSettings& settings, std::string_view run_id) {
  return run_root(settings, run_id) / "bundle.manifest.json";
}

std::filesystem::path tables_root(const IoSettings& settings, std::string_view run_id) {
  return run_root(settings, run_id) / "tables";
}

std::filesystem::path table_dir(const IoSettings& settings, std::string_view run_id,
                                std::string_view table_name) {
  validate_table_name(table_name);
  return tables_root(settings, run_id) / table_name;
}

std::filesystem::path manifest_path(const IoSettings& settings, std::string_view run_id,
                                    std::string_view table_name) {
  return table_dir(settings, run_id, table_name) / "manifest.json";
}

std::string partition_key(int64_t bucket_id) {
  if (bucket_id < 0) {
    throw IoSchemaError(fmt::format("bucket id {} is negative; buckets start at 0", bucket_id),
                        {.column = "bucket"});
  }
  return fmt::format("{:06d}", bucket_id);
}

std::optional<int64_t> bucket_of_partition_key(std::string_view key) {
  int64_t bucket_id = 0;
  const auto [end, error] = std::from_chars(key.data(), key.data() + key.size(), bucket_id);
  if (error != std::errc() || end != key.data() + key.size() || bucket_id < 0 ||
      partition_key(bucket_id) != key) {
    return std::nullopt;
  }
  return bucket_id;
}

std::string bucket_folder_name(int64_t bucket_id) {
  return std::string(kBucketFolderPrefix) + partition_key(bucket_id);
}

std::optional<int64_t> bucket_of_folder_name(std::string_view name) {
  if (!name.starts_with(kBucketFolderPrefix)) return std::nullopt;
  return bucket_of_partition_key(name.substr(kBucketFolderPrefix.size()));
}

std::filesystem::path bucket_dir(const IoSettings& settings, std::string_view run_id,
                                 std::string_view table_name, int64_t bucket_id) {
  return table_dir(settings, run_id, table_name) / bucket_folder_name(bucket_id);
}

std::string part_file_name(std::string_view uid) {
  validate_part_uid(uid);
  return fmt::format("{}{}{}", kPartPrefix, uid, kParquetSuffix);
}

std::optional<std::string_view> uid_of_part_file_name(std::string_view name) {
  if (name.size() < kPartPrefix.size() + kParquetSuffix.size() || !name.starts_with(kPartPrefix) ||
      !name.ends_with(kParquetSuffix)) {
    return std::nullopt;
  }
  name.remove_prefix(kPartPrefix.size());
  name.remove_suffix(kParquetSuffix.size());
  if (!is_part_uid(name)) return std::nullopt;
  return name;
}

PartPaths part_paths(const std::filesystem::path& bucket_folder, std::string_view uid) {
  const std::string final_name = part_file_name(uid);
  return {.tmp = bucket_folder / (final_name + std::string(kPartTempSuffix)),
          .final = bucket_folder / final_name};
}

PartPaths part_paths(const IoSettings& settings, std::string_view run_id,
                     std::string_view table_name, int64_t bucket_id, std::string_view uid) {
  return part_paths(bucket_dir(settings, run_id, table_name, bucket_id), uid);
}

std::filesystem::path replacement_temp_path(const std::filesystem::path& file) {
  return file.string() + std::string(kReplacementTempMarker) + new_part_uid();
}

bool is_temporary_file_name(std::string_view name) {
  return name.ends_with(kPartTempSuffix) || name.find(kReplacementTempMarker) != name.npos;
}

std::string new_part_uid() {
  std::array<unsigned char, kPartUidLength / 2> bytes;
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw IoWriteError(
          fmt::format("cannot draw random bytes for a part uid: {}", std::strerror(errno)));
    }
    filled += static_cast<std::size_t>(got);
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string uid(kPartUidLength, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    uid[2 * i] = kHexDigits[bytes[i] >> 4];
    uid[2 * i + 1] = kHexDigits[bytes[i] & 0xF];
  }
  return uid;
}

int64_t bucket_for_tick(int64_t tick, int64_t bucket_size) {
  if (bucket_size < 1) {
    throw IoConfigError(
        fmt::format("invalid tick_bucket_size {}: must be at least 1", bucket_size));
  }
  if (tick < 0) {
    throw IoSchemaError(fmt::format("tick {} is negative; ticks must be at least 0", tick),
                        {.column = "tick"});
  }
  return tick / bucket_size;
}

}  // namespace crv::io
