#pragma once
// fsck's repairs: what no manifest names is removed or quarantined, never committed data.

#include "crv/io/file_system.hpp"
#include "crv/io/fsck.hpp"

namespace crv::io {

// Whether repair acts on findings of `issue`: temporary files, unnamed parts and bucket
// folders without a committed part.
bool is_repairable(FsckIssue issue);

// Repairs the repairable findings of `report` (a table checked under its lock), in the
// order found, recording in each finding what was done or why it failed. Unnamed parts are
// quarantined only when `manifest_json_current` (manifest.json shows the committed state,
// so no tool reading it looks for them).
void repair_findings(FileSystem& fs, TableFsckReport& report, bool manifest_json_current);

}  // namespace crv::io
