// fsck's repairs: removal of leftovers and quarantine of parts no manifest names.

#include "io/fsck_repair.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"
#include "crv/io/paths.hpp"

namespace crv::io {
namespace {

// Moves an unnamed part to <table>/quarantine/bucket=NNNNNN/ under its own name, never
// over another file.
void quarantine(FileSystem& fs, TableFsckReport& report, FsckFinding& finding) {
  const std::filesystem::path folder =
      report.folder / kQuarantineFolderName / bucket_folder_name(*finding.bucket_id);
  const std::filesystem::path destination = folder / finding.path.filename();
  fs.create_directories(folder);
  // The table's lock keeps other repairs out between this look and the rename, and
  // appends never write into quarantine/.
  if (fs.exists(destination)) {
    finding.repair_error = fmt::format(
        "quarantine already holds '{}'; the part was left where it is rather than replace "
        "that file",
        destination.string());
    return;
  }
  fs.rename(finding.path, destination);
  finding.repair = FsckRepair::kQuarantined;
  finding.moved_to = destination;
  report.quarantined_parts.push_back(destination);
}

}  // namespace

bool is_repairable(FsckIssue issue) {
  return issue == FsckIssue::kTemporaryFile || issue == FsckIssue::kUnnamedPart ||
         issue == FsckIssue::kBucketFolderWithoutParts || issue == FsckIssue::kLogEntryDamaged ||
         issue == FsckIssue::kManifestBehind || issue == FsckIssue::kFieldIdsUnrecorded ||
         issue == FsckIssue::kIcebergHintBehind;
}

// In the order found, so a bucket folder's leftovers are gone before the folder is
// removed. Nothing is synced: a repair that a crash undoes is only found again by the
// next check.
void repair_findings(FileSystem& fs, TableFsckReport& report, bool manifest_json_current) {
  for (FsckFinding& finding : report.findings) {
    try {
      switch (finding.issue) {
        case FsckIssue::kTemporaryFile:
        case FsckIssue::kLogEntryDamaged:  // a torn last entry: its commit never completed
          fs.remove_file(finding.path);
          finding.repair = FsckRepair::kRemoved;
          break;
        case FsckIssue::kUnnamedPart:
          if (manifest_json_current) {
            quarantine(fs, report, finding);
          } else {
            finding.repair_error =
                "left in place: manifest.json, which other tools read, could not be rewritten "
                "and may still name it";
          }
          break;
        case FsckIssue::kBucketFolderWithoutParts:
          fs.remove_empty_directory(finding.path);
          finding.repair = FsckRepair::kRemoved;
          break;
        default:
          break;
      }
    } catch (const IoError& error) {
      finding.repair_error = error.what();
    }
  }
}

}  // namespace crv::io
