#pragma once
// The engine-neutral text form the conformance oracles compare (see README.md): a schema
// as {"columns": [...]} and rows as compact canonical JSON lines, e.g.
//   {"tick":"42","price":"f64:4059000000000000","venue":"s:venue_main","pairs":[]}

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crv/frame/frame.hpp"

namespace crv::conformance {

// {"columns": [{"name", "type", "nullable"}, ...]} with types "int64", "float64", "utf8",
// "bool", {"struct": [fields]} or {"list": {"type", "nullable"}}.
nlohmann::ordered_json schema_json(std::span<const frame::Field> fields);

// Appends the canonical JSON of one non-null or null value: int64 as a string of decimal
// digits, float64 as "f64:" + 16 hex digits of its bits ("f64:nan" for every NaN), utf8
// as "s:" + text, bool as true/false, structs as objects in field order, lists as arrays.
// Escapes exactly as JavaScript's JSON.stringify does.
void append_canonical_string(std::string_view text, std::string& out);
void append_canonical_double(double value, std::string& out);

// Encodes the rows of one frame as canonical lines. The per-type work (field keys,
// child arrays) is prepared once, so encoding a row allocates nothing.
class CanonicalRowEncoder {
 public:
  explicit CanonicalRowEncoder(const frame::Frame& frame);
  ~CanonicalRowEncoder();
  CanonicalRowEncoder(const CanonicalRowEncoder&) = delete;
  CanonicalRowEncoder& operator=(const CanonicalRowEncoder&) = delete;

  // Appends row `row` as one compact JSON object, without a newline.
  void append_row(int64_t row, std::string& out) const;

 private:
  struct Node;
  std::vector<std::string> column_keys_;  // '{"a":', ',"b":', ...
  std::vector<Node> columns_;
};

// Where two JSON values first differ: `path` uses `.field` and `[index]` (the leading
// field has no dot, e.g. "deep[2].inner.v"); values are compact JSON, "<missing>" for an
// absent member.
struct JsonDifference {
  std::string path;
  std::string expected;
  std::string actual;
};
std::optional<JsonDifference> first_difference(const nlohmann::ordered_json& expected,
                                               const nlohmann::ordered_json& actual);

}  // namespace crv::conformance
