#pragma once
// How the entries of a table's folder are told apart by name: bucket folders and the
// leftovers of interrupted writes. Tools that list the folder instead of trusting the
// manifest (fsck; rebuild_manifest) must agree on these.

#include <cstdint>
#include <optional>
#include <string_view>

namespace crv::io {

// Leftovers of interrupted writes: part-<uid>.parquet.tmp and manifest.json.tmp-<uid>.
bool is_temporary_file_name(std::string_view name);

// The bucket id of a folder named bucket=NNNNNN, spelled exactly as partition_key spells
// it ("bucket=12" and "bucket=-00001" are no bucket folders).
std::optional<int64_t> bucket_of_folder_name(std::string_view name);

}  // namespace crv::io
