// fsck's report: names of findings and repairs, consistency, and the report as JSON.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>

#include "crv/io/fsck.hpp"

namespace crv::io {

std::string_view to_string(FsckIssue issue) noexcept {
  switch (issue) {
    case FsckIssue::kManifestMissing:
      return "manifest_missing";
    case FsckIssue::kManifestCorrupt:
      return "manifest_corrupt";
    case FsckIssue::kPartMissing:
      return "part_missing";
    case FsckIssue::kPartSizeMismatch:
      return "part_size_mismatch";
    case FsckIssue::kPartUnreadable:
      return "part_unreadable";
    case FsckIssue::kPartRowsMismatch:
      return "part_rows_mismatch";
    case FsckIssue::kPartitionTotalsMismatch:
      return "partition_totals_mismatch";
    case FsckIssue::kTemporaryFile:
      return "temporary_file";
    case FsckIssue::kUnnamedPart:
      return "unnamed_part";
    case FsckIssue::kBucketFolderWithoutParts:
      return "bucket_folder_without_parts";
    case FsckIssue::kPartCorrupt:
      return "part_corrupt";
    case FsckIssue::kTableMetadataCorrupt:
      return "table_metadata_corrupt";
    case FsckIssue::kLogEntryDamaged:
      return "log_entry_damaged";
    case FsckIssue::kManifestBehind:
      return "manifest_behind";
    case FsckIssue::kFieldIdsUnrecorded:
      return "field_ids_unrecorded";
    case FsckIssue::kPartKeptForIceberg:
      return "part_kept_for_iceberg";
    case FsckIssue::kIcebergHintBehind:
      return "iceberg_hint_behind";
  }
  return "unknown";
}

std::string_view to_string(FsckRepair repair) noexcept {
  switch (repair) {
    case FsckRepair::kNone:
      return "none";
    case FsckRepair::kRemoved:
      return "removed";
    case FsckRepair::kQuarantined:
      return "quarantined";
    case FsckRepair::kRewritten:
      return "rewritten";
  }
  return "unknown";
}

bool TableFsckReport::consistent() const {
  return std::all_of(findings.begin(), findings.end(),
                     [](const FsckFinding& finding) { return finding.resolved(); });
}

std::vector<const FsckFinding*> TableFsckReport::findings_of(FsckIssue issue) const {
  std::vector<const FsckFinding*> matching;
  for (const FsckFinding& finding : findings) {
    if (finding.issue == issue) matching.push_back(&finding);
  }
  return matching;
}

bool FsckReport::consistent() const {
  return std::all_of(tables.begin(), tables.end(),
                     [](const TableFsckReport& table) { return table.consistent(); });
}

namespace {

using ordered_json = nlohmann::ordered_json;

constexpr std::array kAllIssues = {
    FsckIssue::kManifestMissing,
    FsckIssue::kManifestCorrupt,
    FsckIssue::kPartMissing,
    FsckIssue::kPartSizeMismatch,
    FsckIssue::kPartUnreadable,
    FsckIssue::kPartRowsMismatch,
    FsckIssue::kPartitionTotalsMismatch,
    FsckIssue::kTemporaryFile,
    FsckIssue::kUnnamedPart,
    FsckIssue::kBucketFolderWithoutParts,
    FsckIssue::kPartCorrupt,
    FsckIssue::kTableMetadataCorrupt,
    FsckIssue::kLogEntryDamaged,
    FsckIssue::kManifestBehind,
    FsckIssue::kFieldIdsUnrecorded,
    FsckIssue::kPartKeptForIceberg,
    FsckIssue::kIcebergHintBehind,
};

ordered_json mismatch_json(const FsckMismatch& mismatch) {
  return {{"expected", mismatch.expected}, {"found", mismatch.found}};
}

ordered_json finding_json(const FsckFinding& finding) {
  ordered_json json = {{"path", finding.path.string()}};
  if (finding.bucket_id) json["bucket_id"] = *finding.bucket_id;
  if (finding.rows) json["rows"] = mismatch_json(*finding.rows);
  if (finding.bytes) json["bytes"] = mismatch_json(*finding.bytes);
  json["message"] = finding.message;
  json["repair"] = to_string(finding.repair);
  if (!finding.moved_to.empty()) json["moved_to"] = finding.moved_to.string();
  if (!finding.repair_error.empty()) json["repair_error"] = finding.repair_error;
  return json;
}

ordered_json table_json(const TableFsckReport& table) {
  ordered_json findings = ordered_json::object();
  for (const FsckIssue issue : kAllIssues) {
    const std::vector<const FsckFinding*> of_issue = table.findings_of(issue);
    if (of_issue.empty()) continue;
    ordered_json list = ordered_json::array();
    for (const FsckFinding* finding : of_issue) list.push_back(finding_json(*finding));
    findings[std::string(to_string(issue))] = std::move(list);
  }
  ordered_json quarantined = ordered_json::array();
  for (const auto& part : table.quarantined_parts) quarantined.push_back(part.string());
  return {{"folder", table.folder.string()},
          {"consistent", table.consistent()},
          {"parts_checked", table.parts_checked},
          {"findings", std::move(findings)},
          {"quarantined", std::move(quarantined)}};
}

}  // namespace

std::string FsckReport::to_json() const {
  ordered_json tables_json = ordered_json::object();
  for (const TableFsckReport& table : tables) tables_json[table.table] = table_json(table);
  const ordered_json json = {{"run_id", run_id},
                             {"repair", repair},
                             {"consistent", consistent()},
                             {"tables", std::move(tables_json)}};
  // Paths are bytes; replacement characters keep one that is not UTF-8 printable.
  return json.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace crv::io
