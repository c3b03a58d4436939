#include "io/table_folder.hpp"

#include <charconv>

#include "crv/io/paths.hpp"

namespace crv::io {

bool is_temporary_file_name(std::string_view name) {
  return name.ends_with(".tmp") || name.find(".tmp-") != std::string_view::npos;
}

std::optional<int64_t> bucket_of_folder_name(std::string_view name) {
  constexpr std::string_view kBucketPrefix = "bucket=";
  if (!name.starts_with(kBucketPrefix)) return std::nullopt;
  const std::string_view digits = name.substr(kBucketPrefix.size());
  int64_t bucket = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bucket);
  if (error != std::errc() || end != digits.data() + digits.size() || bucket < 0 ||
      partition_key(bucket) != digits) {
    return std::nullopt;
  }
  return bucket;
}

}  // namespace crv::io
