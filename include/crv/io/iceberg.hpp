#pragma once
// One Apache Iceberg table over a table of every run under a root, so a parameter sweep is
// one table for Spark, Trino or PyIceberg. Each run's own table is an Iceberg table already
// (Dataset::publish_iceberg); this one lists the same parts, from every run, in a folder of
// its own, partitioned by bucket and by a run_id column whose value the manifests carry
// (the parts hold no such column; the Iceberg spec has readers take an identity
// partition's value from the manifest when the data file lacks the column).

#include <filesystem>
#include <string_view>

#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/settings.hpp"

namespace crv::io {

// Writes, or brings up to date, the Iceberg metadata in <destination>/metadata/ for table
// `table` of every run under settings.root_dir that has it: a new version when a run's
// parts changed, a run was added or removed, or the schema grew. The schema merges the
// runs' column types and field ids (IoSchemaError naming the run when two disagree) and
// adds run_id.
// IoManifestError when no run has the table, IoConfigError when `destination` is inside a
// run's folder.
IcebergSummary publish_iceberg_across_runs(const IoSettings& settings, std::string_view table,
                                           const std::filesystem::path& destination,
                                           FileSystem& fs = default_file_system());

}  // namespace crv::io
