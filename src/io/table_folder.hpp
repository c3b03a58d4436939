#pragma once
// The leftovers of interrupted writes in a table's folder, told apart by name. Tools that
// list the folder instead of trusting the manifest (fsck; rebuild_manifest) must agree on
// them; bucket folders and parts are recognised by the parsers in crv/io/paths.hpp.

#include <string_view>

namespace crv::io {

// Leftovers of interrupted writes: part-<uid>.parquet.tmp and manifest.json.tmp-<uid>.
bool is_temporary_file_name(std::string_view name);

}  // namespace crv::io
