#pragma once
// Shared helpers of the append tests: settings under a scratch folder, small frames whose
// values derive from their ticks (so read-back rows can be checked for alignment), a
// byte-exact snapshot of a folder tree, and a checker that the table on disk is exactly
// what its manifest says it is.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/frame.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/io/settings.hpp"
#include "crv/parquet/reader.hpp"

namespace crv::io::dataset_test {

inline constexpr std::string_view kRunId = "run-1";
inline constexpr std::string_view kEdges = "identity_edges";

// Uncompressed parts keep the tests fast; the root is absolute, so the paths a summary
// reports compare equal to the paths built here.
inline IoSettings test_settings(const std::filesystem::path& root) {
  IoSettings settings;
  settings.root_dir = std::filesystem::absolute(root);
  settings.compression = parquet::Compression::kNone;
  settings.tick_bucket_size = 100;
  return settings;
}

inline std::string observer_for_tick(int64_t tick) {
  return "agent-" + std::to_string(tick);
}
inline double weight_for_tick(int64_t tick) {
  return static_cast<double>(tick) * 0.5 + 0.25;
}

// identity_edges rows with only the required columns, one row per tick, in the given
// order; observer_agent_id and edge_weight are functions of the tick.
inline frame::Frame edge_rows(const std::vector<int64_t>& ticks) {
  std::vector<std::string> observers;
  std::vector<double> weights;
  for (const int64_t tick : ticks) {
    observers.push_back(observer_for_tick(tick));
    weights.push_back(weight_for_tick(tick));
  }
  return frame::Frame({{"tick", frame::make_int64(ticks)},
                       {"observer_agent_id", frame::make_utf8(observers)},
                       {"edge_kind", frame::make_utf8(std::vector<std::string>(
                                         ticks.size(), std::string("trust")))},
                       {"edge_weight", frame::make_float64(weights)}});
}

// Ticks first, first + 1, ..., first + count - 1.
inline std::vector<int64_t> tick_range(int64_t first, int64_t count) {
  std::vector<int64_t> ticks;
  for (int64_t tick = first; tick < first + count; ++tick) ticks.push_back(tick);
  return ticks;
}

inline std::filesystem::path edges_dir(const IoSettings& settings) {
  return table_dir(settings, kRunId, kEdges);
}
inline std::filesystem::path edges_manifest(const IoSettings& settings) {
  return manifest_path(settings, kRunId, kEdges);
}

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Replaces `file`'s contents with `bytes`.
inline void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

// Every entry under a folder by relative path: a file's bytes, or nothing for a folder.
using TreeSnapshot = std::map<std::string, std::optional<std::string>>;

inline TreeSnapshot snapshot_tree(const std::filesystem::path& root) {
  TreeSnapshot snapshot;
  if (!std::filesystem::exists(root)) return snapshot;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string relative = entry.path().lexically_relative(root).string();
    if (entry.is_directory()) {
      snapshot.emplace(relative, std::nullopt);
    } else {
      snapshot.emplace(relative, read_bytes(entry.path()));
    }
  }
  return snapshot;
}

inline TreeSnapshot files_only(const TreeSnapshot& snapshot) {
  TreeSnapshot files;
  for (const auto& [path, bytes] : snapshot) {
    if (bytes) files.emplace(path, bytes);
  }
  return files;
}

// The entries added, removed or changed, one per line; empty when the trees are equal.
inline std::string describe_differences(const TreeSnapshot& before, const TreeSnapshot& after) {
  std::string differences;
  for (const auto& [path, bytes] : before) {
    const auto found = after.find(path);
    if (found == after.end()) {
      differences += "removed " + path + "\n";
    } else if (found->second != bytes) {
      differences += "changed " + path + "\n";
    }
  }
  for (const auto& [path, bytes] : after) {
    if (!before.contains(path)) differences += "added " + path + "\n";
  }
  return differences;
}

// Paths of the regular files under `root`, recursively.
inline std::vector<std::filesystem::path> files_under(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  return files;
}

// The committed state of the table whose manifest.json is `manifest`: its commit log, or
// manifest.json itself for a table without one (see load_committed_manifest).
inline std::optional<TableManifest> load_from_disk(const std::filesystem::path& manifest) {
  const std::filesystem::path folder = manifest.parent_path();
  return load_committed_manifest(default_file_system(), folder, folder.filename().string());
}

// Makes `table` one written before tables had a commit log (or by the Python reference):
// its committed state is manifest.json alone, which the call first brings up to date.
inline void drop_commit_log(Dataset& dataset, const IoSettings& settings, std::string_view table) {
  dataset.flush();
  std::filesystem::remove_all(table_dir(settings, kRunId, table) / "_log");
}

// Whether `file` is one of the commit log's own files (not a temporary one).
inline bool is_log_file(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  return file.parent_path().filename() == "_log" &&
         (name.ends_with(".entry") || name.ends_with(".checkpoint") || name == "_last_checkpoint");
}

// The final paths of the parts a manifest names.
inline std::set<std::filesystem::path> named_part_paths(const IoSettings& settings,
                                                        std::string_view table,
                                                        const TableManifest& manifest) {
  std::set<std::filesystem::path> paths;
  for (const auto& [bucket, partition] : manifest.partitions) {
    for (const PartMeta& part : partition.parts) {
      paths.insert(bucket_dir(settings, kRunId, table, bucket) / part.path);
    }
  }
  return paths;
}

// The final paths of the parts appends reported.
inline std::set<std::filesystem::path> summary_part_paths(
    const std::vector<AppendSummary>& summaries) {
  std::set<std::filesystem::path> paths;
  for (const AppendSummary& summary : summaries) {
    for (const PartSummary& part : summary.parts) paths.insert(part.path);
  }
  return paths;
}

inline std::vector<int64_t> int64_column(const frame::Frame& rows, std::string_view name) {
  const frame::ArrayPtr& column = rows.column(name);
  const int64_t* values = column->int64_values();
  return {values, values + column->length()};
}

// Checks that the table folder holds exactly what its manifest names: each named part
// exists, is as large as recorded, reads back with the recorded rows, ticks within the
// recorded range and the right bucket; no other file is there but manifest.json,
// table.json, the lock files, the commit log's and the Iceberg metadata's files (so no
// temporary file and no orphaned part). Returns the committed manifest, or an empty one when there
// is none (and then no part may exist).
inline TableManifest expect_table_consistent(const IoSettings& settings, std::string_view table) {
  const std::filesystem::path folder = table_dir(settings, kRunId, table);
  const std::filesystem::path manifest_file = manifest_path(settings, kRunId, table);
  const TableManifest manifest =
      load_from_disk(manifest_file).value_or(TableManifest{.table = std::string(table)});
  const std::set<std::filesystem::path> named = named_part_paths(settings, table, manifest);
  for (const auto& [bucket, partition] : manifest.partitions) {
    for (const PartMeta& part : partition.parts) {
      const std::filesystem::path file = bucket_dir(settings, kRunId, table, bucket) / part.path;
      SCOPED_TRACE(file.string());
      if (!std::filesystem::exists(file)) {
        ADD_FAILURE() << "the manifest names a part that does not exist";
        continue;
      }
      EXPECT_EQ(static_cast<int64_t>(std::filesystem::file_size(file)), part.bytes);
      auto reader = parquet::ParquetReader::open(file);
      const frame::Frame rows = reader.read({.columns = {"tick", "bucket"}});
      EXPECT_EQ(rows.num_rows(), part.rows);
      for (const int64_t tick : int64_column(rows, "tick")) {
        EXPECT_GE(tick, part.tick_min);
        EXPECT_LE(tick, part.tick_max);
        EXPECT_EQ(tick / settings.tick_bucket_size, bucket);
      }
      for (const int64_t stored_bucket : int64_column(rows, "bucket")) {
        EXPECT_EQ(stored_bucket, bucket);
      }
    }
  }
  for (const std::filesystem::path& file : files_under(folder)) {
    if (file == manifest_file || file.filename() == ".lock" || file.filename() == ".compact.lock" ||
        file.filename() == "table.json" || is_log_file(file)) {
      continue;
    }
    // The Iceberg metadata's files, which its own tests check; but no temporary file.
    if (file.parent_path() == folder / "metadata" &&
        !is_temporary_file_name(file.filename().string())) {
      continue;
    }
    EXPECT_TRUE(named.contains(file)) << "file on disk that the manifest does not name: " << file;
  }
  return manifest;
}

// A copy of a dataset root, put back by restore(), so each injected failure or crash
// starts from the same table.
class PristineCopy {
 public:
  PristineCopy(std::filesystem::path root, std::filesystem::path copy)
      : root_(std::move(root)), copy_(std::move(copy)) {
    std::filesystem::remove_all(copy_);
    std::filesystem::copy(root_, copy_, std::filesystem::copy_options::recursive);
  }
  void restore() const {
    std::filesystem::remove_all(root_);
    std::filesystem::copy(copy_, root_, std::filesystem::copy_options::recursive);
  }

 private:
  std::filesystem::path root_;
  std::filesystem::path copy_;
};

// Every tick stored in the parts the manifest names, in no particular order.
inline std::multiset<int64_t> committed_ticks(const IoSettings& settings, std::string_view table,
                                              const TableManifest& manifest) {
  std::multiset<int64_t> ticks;
  for (const std::filesystem::path& part : named_part_paths(settings, table, manifest)) {
    const frame::Frame rows = parquet::ParquetReader::open(part).read({.columns = {"tick"}});
    for (const int64_t tick : int64_column(rows, "tick")) ticks.insert(tick);
  }
  return ticks;
}

inline int64_t manifest_rows(const TableManifest& manifest) {
  int64_t rows = 0;
  for (const auto& [bucket, partition] : manifest.partitions) rows += partition.row_count;
  return rows;
}

}  // namespace crv::io::dataset_test
