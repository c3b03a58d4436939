#pragma once
// The run bundle, <root>/runs/<run_id>/bundle.manifest.json: one file that says what a
// run is (id, schema version, git state), what produced it (library versions), how its
// tables were written (the io settings) and what they hold, with the shape
//
//   {"schema_version": 1,
//    "run": {"run_id", "created_at", "core_schema_v": {"major", "minor", "date"},
//            "git": {"sha", "dirty"}},
//    "env": library_versions(),
//    "io": {"root_dir", "partitioning", "tick_bucket_size", "row_group_size", "compression"},
//    "tables": {"<table>": {"rows", "bytes", "total_rows", "total_bytes", "tick_min",
//                           "tick_max", "buckets"}},
//    "artifacts": {"lab": {"tidy": [<file>], "probes": [...], "policy": [...],
//                          "audit": [...]},
//                  "world": {}, "mind": {}},
//    "meta": {...}}
//
// Table statistics come from the table manifests alone, never from the parts: rows and
// bytes are the sums over the partitions (total_rows and total_bytes repeat them under
// the names other tools read), tick_min and tick_max the extremes (null for a table
// without partitions), and buckets the ascending list of bucket ids, as in an append's
// summary.
//
// The artifacts section lists the files kept in the run's lab folders (see
// crv/io/artifacts.hpp), each <file> being {"path" (relative to the run folder, e.g.
// "artifacts/lab/tidy/results.parquet"), "bytes", "rows"}: rows only for a .parquet file
// whose footer reads, and taken from the footer alone. Lists are sorted by name and empty
// for a missing folder; world and mind are always empty.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "crv/io/file_system.hpp"
#include "crv/io/settings.hpp"

namespace crv::io {

// Versions of crv-io, of its compiler and of the libraries it links, as strings:
// {"crv_io", "compiler" (__VERSION__), "cxx_standard" (__cplusplus, e.g. "202002"),
//  "zstd", "lz4", "zlib" (reported by the libraries at run time), "snappy", "fmt",
//  "nlohmann_json", "tomlplusplus" (the versions built against: these have no run-time
//  query)}.
nlohmann::ordered_json library_versions();

// Writes the run's bundle manifest atomically (temporary file, fsync, rename) and returns
// its path. The git state comes from the environment only: CRV_GIT_SHA (null when unset
// or empty) and CRV_GIT_DIRTY (1/0, true/false, yes/no or on/off; false when unset, an
// IoConfigError when anything else). `meta` must be a JSON object, or null for {}
// (IoManifestError otherwise). Every table folder of the run with a manifest is listed;
// a corrupt manifest is an IoManifestError. The lab artifacts are indexed as
// index_lab_artifacts() does, so a corrupt Parquet artifact is listed without rows.
std::filesystem::path write_run_bundle_manifest(const IoSettings& settings, std::string_view run_id,
                                                const nlohmann::json& meta = {},
                                                FileSystem& fs = default_file_system());

}  // namespace crv::io
