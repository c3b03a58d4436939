// Avro binary encoding: longs are zig-zag varints, strings and bytes carry their length,
// and a container file is a header (magic, metadata map, sync marker) followed by blocks
// of records, each closed by the sync marker.

#include "io/avro_writer.hpp"

#include <fmt/format.h>

#include "crv/core/errors.hpp"

namespace crv::io {
namespace {

constexpr std::string_view kMagic{"Obj\x01", 4};
constexpr size_t kSyncMarkerBytes = 16;

}  // namespace

void AvroEncoder::write_long(int64_t value) {
  // Zig-zag puts small magnitudes of either sign in few bytes.
  uint64_t rest = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (rest >= 0x80) {
    bytes_.push_back(static_cast<char>((rest & 0x7F) | 0x80));
    rest >>= 7;
  }
  bytes_.push_back(static_cast<char>(rest));
}

void AvroEncoder::write_bytes(std::string_view value) {
  write_long(static_cast<int64_t>(value.size()));
  bytes_.append(value);
}

void AvroEncoder::begin_items(int64_t count) {
  write_long(count);
}

std::string avro_container_file(std::string_view schema_json,
                                const std::vector<std::pair<std::string, std::string>>& metadata,
                                const AvroEncoder& records, std::string_view sync_marker) {
  if (sync_marker.size() != kSyncMarkerBytes) {
    throw IoWriteError(fmt::format("an Avro sync marker must have {} bytes, not {}",
                                   kSyncMarkerBytes, sync_marker.size()));
  }
  AvroEncoder header;
  header.begin_items(static_cast<int64_t>(metadata.size()) + 2);
  header.write_string("avro.schema");
  header.write_bytes(schema_json);
  header.write_string("avro.codec");
  header.write_bytes("null");
  for (const auto& [key, value] : metadata) {
    header.write_string(key);
    header.write_bytes(value);
  }
  header.end_items();

  std::string file(kMagic);
  file += header.bytes();
  file += sync_marker;
  if (records.records() > 0) {
    AvroEncoder block;
    block.write_long(records.records());
    block.write_long(static_cast<int64_t>(records.bytes().size()));
    file += block.bytes();
    file += records.bytes();
    file += sync_marker;
  }
  return file;
}

}  // namespace crv::io
