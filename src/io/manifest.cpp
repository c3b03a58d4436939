// The manifest's model: building it, checking it, and loading and replacing its file.

#include "crv/io/manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <utility>

#include "crv/core/errors.hpp"
#include "crv/core/lower_snake.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/paths.hpp"
#include "io/manifest_key.hpp"

namespace crv::io {
namespace {

// ---------------------------------------------------------------------------------
// Value formats.

// The value of the digits text[first, first + count), which must all be digits.
std::optional<int> digits_value(std::string_view text, std::size_t first, std::size_t count) {
  if (first + count > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = first; i < first + count; ++i) {
    if (!is_ascii_digit(text[i])) return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// YYYY-MM-DDTHH:MM:SS, an optional fraction of 1 to 9 digits, then "+00:00" or "Z": what
// now_iso_utc() and Python's datetime.isoformat() (which drops a zero fraction) write.
bool is_iso_utc_timestamp(std::string_view text) {
  struct Component {
    std::size_t first, count;
    char separator_after;
    int min, max;
  };
  static constexpr std::array<Component, 6> kComponents = {{
      {0, 4, '-', 0, 9999},
      {5, 2, '-', 1, 12},
      {8, 2, 'T', 1, 31},
      {11, 2, ':', 0, 23},
      {14, 2, ':', 0, 59},
      {17, 2, '\0', 0, 60},  // 60: a leap second
  }};
  for (const Component& component : kComponents) {
    const std::optional<int> value = digits_value(text, component.first, component.count);
    if (!value || *value < component.min || *value > component.max) return false;
    const std::size_t separator = component.first + component.count;
    if (component.separator_after != '\0' &&
        (separator >= text.size() || text[separator] != component.separator_after)) {
      return false;
    }
  }
  std::size_t end = 19;
  if (end < text.size() && text[end] == '.') {
    const std::size_t fraction_start = ++end;
    while (end < text.size() && is_ascii_digit(text[end])) ++end;
    const std::size_t fraction_digits = end - fraction_start;
    if (fraction_digits < 1 || fraction_digits > 9) return false;
  }
  const std::string_view zone = text.substr(end);
  return zone == "+00:00" || zone == "Z";
}

// ---------------------------------------------------------------------------------
// Validation.

class Validator {
 public:
  explicit Validator(const std::filesystem::path& path) : path_(path) {}

  void validate(const TableManifest& manifest) const {
    if (!core::is_lower_snake(manifest.table)) {
      fail({.key = "table"},
           fmt::format("is {:?}, which is not a lower_snake table name", manifest.table));
    }
    if (manifest.version != kManifestVersion) {
      fail({.key = "version"},
           fmt::format("is {}; only version {} is known", manifest.version, kManifestVersion));
    }
    require_timestamp({.key = "created_at"}, manifest.created_at);
    require_timestamp({.key = "updated_at"}, manifest.updated_at);
    for (const auto& [bucket_id, partition] : manifest.partitions) {
      validate_partition(bucket_id, partition);
    }
  }

 private:
  [[noreturn]] void fail(const ManifestKey& at, std::string_view problem) const {
    fail_manifest_key(path_, at, problem);
  }

  void require_timestamp(const ManifestKey& at, std::string_view value) const {
    if (!is_iso_utc_timestamp(value)) {
      fail(at, fmt::format("is {:?}, not an ISO-8601 UTC timestamp such as "
                           "2025-01-01T00:00:00.000000+00:00",
                           value));
    }
  }

  void require_not_negative(const ManifestKey& at, int64_t value) const {
    if (value < 0) fail(at, fmt::format("is {}; it must not be negative", value));
  }

  int64_t checked_sum(const ManifestKey& at, int64_t total, int64_t value) const {
    if (__builtin_add_overflow(total, value, &total)) {
      fail(at, "overflows a 64-bit integer when its parts are added up");
    }
    return total;
  }

  void validate_part(const ManifestKey& at, const PartMeta& part) const {
    if (!uid_of_part_file_name(part.path)) {
      fail(at.with_key("path"),
           fmt::format("is {:?}, not a file name of the form {}", part.path, kPartFileNameForm));
    }
    require_not_negative(at.with_key("rows"), part.rows);
    require_not_negative(at.with_key("bytes"), part.bytes);
    require_not_negative(at.with_key("tick_min"), part.tick_min);
    if (part.tick_max < part.tick_min) {
      fail(at.with_key("tick_max"),
           fmt::format("is {}, below the part's tick_min {}", part.tick_max, part.tick_min));
    }
    require_timestamp(at.with_key("created_at"), part.created_at);
  }

  void validate_partition(int64_t bucket_id, const PartitionMeta& partition) const {
    const ManifestKey at{.bucket = bucket_id};
    if (bucket_id < 0) fail(at, "names a negative bucket");
    if (partition.bucket_id != bucket_id) {
      fail(at.with_key("bucket_id"),
           fmt::format("is {}, but the partition's key is {:?}, which names bucket {}",
                       partition.bucket_id, partition_key(bucket_id), bucket_id));
    }
    if (partition.state != "ready") {
      fail(at.with_key("state"),
           fmt::format("is {:?}; the only state is \"ready\"", partition.state));
    }
    if (partition.parts.empty()) fail(at.with_key("parts"), "is empty; a partition has parts");

    int64_t rows = 0;
    int64_t bytes = 0;
    int64_t tick_min = partition.parts.front().tick_min;
    int64_t tick_max = partition.parts.front().tick_max;
    std::vector<std::string_view> names;
    names.reserve(partition.parts.size());
    for (std::size_t i = 0; i < partition.parts.size(); ++i) {
      const PartMeta& part = partition.parts[i];
      validate_part({.bucket = bucket_id, .part = i}, part);
      rows = checked_sum(at.with_key("row_count"), rows, part.rows);
      bytes = checked_sum(at.with_key("byte_size"), bytes, part.bytes);
      tick_min = std::min(tick_min, part.tick_min);
      tick_max = std::max(tick_max, part.tick_max);
      names.push_back(part.path);
    }
    std::sort(names.begin(), names.end());
    if (const auto twin = std::adjacent_find(names.begin(), names.end()); twin != names.end()) {
      fail(at.with_key("parts"), fmt::format("names part {:?} twice", *twin));
    }

    if (partition.row_count != rows) {
      fail(at.with_key("row_count"),
           fmt::format("is {}, but its parts hold {} rows", partition.row_count, rows));
    }
    if (partition.byte_size != bytes) {
      fail(at.with_key("byte_size"),
           fmt::format("is {}, but its parts hold {} bytes", partition.byte_size, bytes));
    }
    if (partition.tick_min != tick_min) {
      fail(at.with_key("tick_min"), fmt::format("is {}, but the smallest tick of its parts is {}",
                                                partition.tick_min, tick_min));
    }
    if (partition.tick_max != tick_max) {
      fail(at.with_key("tick_max"), fmt::format("is {}, but the largest tick of its parts is {}",
                                                partition.tick_max, tick_max));
    }
  }

  const std::filesystem::path& path_;
};

}  // namespace

std::string ManifestKey::to_string() const {
  std::string text;
  if (bucket) {
    text = "partitions.";
    text += *bucket >= 0 ? partition_key(*bucket) : std::to_string(*bucket);
    if (part) text += fmt::format(".parts[{}]", *part);
  }
  if (!key.empty()) {
    if (!text.empty()) text += '.';
    text += key;
  }
  return text;
}

[[noreturn]] void fail_manifest_key(const std::filesystem::path& path, const ManifestKey& at,
                                    std::string_view problem, std::optional<uint64_t> offset) {
  const std::string key = at.to_string();
  throw IoManifestError(key.empty() ? fmt::format("manifest {}", problem)
                                    : fmt::format("manifest key '{}' {}", key, problem),
                        {.path = path.string(), .offset = offset});
}

std::string now_iso_utc() {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  constexpr int64_t kMicrosecondsPerSecond = 1'000'000;
  const int64_t since_epoch =
      duration_cast<microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(since_epoch / kMicrosecondsPerSecond);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}+00:00", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     since_epoch % kMicrosecondsPerSecond);
}

TableManifest new_manifest(std::string_view table) {
  core::require_lower_snake("table name", table);
  TableManifest manifest;
  manifest.table = table;
  manifest.created_at = now_iso_utc();
  manifest.updated_at = manifest.created_at;
  return manifest;
}

void add_part(TableManifest& manifest, int64_t bucket_id, PartMeta part) {
  const auto [slot, inserted] = manifest.partitions.try_emplace(bucket_id);
  PartitionMeta& partition = slot->second;
  if (inserted) {
    partition.bucket_id = bucket_id;
    partition.tick_min = part.tick_min;
    partition.tick_max = part.tick_max;
  } else {
    partition.tick_min = std::min(partition.tick_min, part.tick_min);
    partition.tick_max = std::max(partition.tick_max, part.tick_max);
  }
  partition.row_count += part.rows;
  partition.byte_size += part.bytes;
  partition.parts.push_back(std::move(part));
  manifest.updated_at = now_iso_utc();
}

void validate_manifest(const TableManifest& manifest, const std::filesystem::path& path) {
  Validator(path).validate(manifest);
}

std::optional<TableManifest> load_manifest(FileSystem& fs, const std::filesystem::path& path) {
  std::optional<std::string> bytes;
  try {
    bytes = fs.read_file_if_exists(path);
  } catch (const IoError& error) {
    throw IoManifestError(fmt::format("cannot read manifest: {}", error.what()),
                          {.path = path.string()});
  }
  if (!bytes) return std::nullopt;
  return parse_manifest(*bytes, path);
}

std::optional<TableManifest> load_manifest(FileSystem& fs, const std::filesystem::path& path,
                                           std::string_view table) {
  std::optional<TableManifest> manifest = load_manifest(fs, path);
  if (manifest && manifest->table != table) {
    throw IoManifestError(
        fmt::format("manifest names table '{}' but sits in the folder of table '{}'; restore "
                    "the table's own manifest or rebuild it with crvio rebuild-manifest",
                    manifest->table, table),
        {.path = path.string()});
  }
  return manifest;
}

void write_manifest(FileSystem& fs, const std::filesystem::path& path,
                    const TableManifest& manifest) {
  try {
    validate_manifest(manifest, path);
  } catch (const IoManifestError& error) {
    throw IoManifestError(fmt::format("refusing to write an invalid manifest: {}", error.message()),
                          error.context());
  }
  write_manifest_json(fs, path, to_json_bytes(manifest));
}

void write_manifest_json(FileSystem& fs, const std::filesystem::path& path, std::string_view json) {
  try {
    fs.replace_file(path, json, "manifest");
  } catch (const IoWriteError& error) {
    throw IoManifestError(error.message(), error.context());
  }
}

}  // namespace crv::io
