#pragma once
// A table descriptor as JSON, the form `crvio tables --json` and `crvio schema --json`
// print.

#include <nlohmann/json.hpp>

#include "crv/core/table_descriptor.hpp"

namespace crv::cli {

// {"table", "version", "partitioning", "columns": [{"name", "dtype", "required",
// "nullable"}]}
nlohmann::ordered_json describe(const core::TableDescriptor& table);

}  // namespace crv::cli
