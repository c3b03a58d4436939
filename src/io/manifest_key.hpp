#pragma once
// What the manifest's model (manifest.cpp) and its JSON text (manifest_json.cpp) share:
// errors about a manifest name the JSON key they are about, whether the reader found the
// problem or the validation of the model did.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace crv::io {

// A key of the manifest, e.g. partitions.000001.parts[2].rows, or nothing for the
// manifest itself; spelled out only when an error needs it.
struct ManifestKey {
  std::optional<int64_t> bucket;
  std::optional<std::size_t> part;
  std::string_view key;

  ManifestKey with_key(std::string_view child) const { return {bucket, part, child}; }

  std::string to_string() const;
};

// Throws IoManifestError "manifest key '<at>' <problem>" ("manifest <problem>" for the
// manifest itself), with `path` and, when known, the byte offset in its context.
[[noreturn]] void fail_manifest_key(const std::filesystem::path& path, const ManifestKey& at,
                                    std::string_view problem, std::optional<uint64_t> offset = {});

// An ASCII decimal digit, whatever the locale.
inline bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace crv::io
