// A table's manifest.json as every reader of a table parses it; a manifest that parses
// must also serialise and parse back to the same manifest.

#include <cstdlib>
#include <string_view>

#include "crv/core/errors.hpp"
#include "crv/io/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  crv::io::TableManifest manifest;
  try {
    manifest = crv::io::parse_manifest(bytes, "manifest.json");
  } catch (const crv::Error&) {
    return 0;  // rejected, as hostile input should be
  }
  if (crv::io::parse_manifest(crv::io::to_json_bytes(manifest), "again.json") != manifest) {
    std::abort();
  }
  return 0;
}
