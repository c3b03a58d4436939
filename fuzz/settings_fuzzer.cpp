// A settings file (crv.toml, or pyproject.toml read from [tool.crv.io]) as IoSettings::load
// reads it. Loading reads files only, so the input is written to a scratch folder first.

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "crv/core/errors.hpp"
#include "crv/io/settings.hpp"
#include "support/temp_dir.hpp"

namespace {

// The scratch folder lives as long as the fuzzing process and is removed when it ends.
const std::filesystem::path& scratch_folder() {
  static const crv::test_support::TempDir folder;
  return folder.path();
}

void load(const std::filesystem::path& file, const uint8_t* data, size_t size) {
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  std::optional<crv::io::IoSettings> settings;
  try {
    settings = crv::io::IoSettings::load(
        {.config_file = file, .environment = [](const std::string&) { return std::nullopt; }});
  } catch (const crv::IoConfigError&) {
    return;  // rejected, as a bad settings file should be
  }
  // What loading accepted must be valid; an exception here is a finding.
  settings->validate();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  load(scratch_folder() / "crv.toml", data, size);
  load(scratch_folder() / "pyproject.toml", data, size);
  return 0;
}
