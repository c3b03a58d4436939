#pragma once
// Avro's binary encoding and its object container file, as far as Iceberg's manifests and
// manifest lists need them: a writer schema given as JSON text (so that attributes such as
// Iceberg's "field-id" survive, which avro-c drops when it prints a schema), free-form
// header metadata, one block of records and no codec.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crv::io {

// Appends values in Avro's binary encoding; records are written field by field in the
// order of their schema.
class AvroEncoder {
 public:
  void write_bool(bool value) { bytes_.push_back(value ? '\1' : '\0'); }
  void write_int(int32_t value) { write_long(value); }
  void write_long(int64_t value);
  // A length, then the bytes.
  void write_bytes(std::string_view value);
  void write_string(std::string_view value) { write_bytes(value); }
  // The branch of a union about to be written (0 for the "null" of ["null", T]).
  void write_branch(int64_t index) { write_long(index); }
  // An array or map of `count` items, which follow; count 0 writes the empty array.
  void begin_items(int64_t count);
  // After the items of a non-empty begin_items.
  void end_items() { write_long(0); }

  const std::string& bytes() const { return bytes_; }
  int64_t records() const { return records_; }
  // Counts the record just written, for the container's block header.
  void end_record() { ++records_; }

 private:
  std::string bytes_;
  int64_t records_ = 0;
};

// An object container file holding `records` (encoded under `schema_json`), with the
// key-value pairs of `metadata` in its header besides avro.schema and avro.codec "null".
// `sync_marker` must be 16 bytes.
std::string avro_container_file(std::string_view schema_json,
                                const std::vector<std::pair<std::string, std::string>>& metadata,
                                const AvroEncoder& records, std::string_view sync_marker);

}  // namespace crv::io
