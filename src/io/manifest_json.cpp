// The manifest's JSON text: writing it, and reading it back key by key.

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <charconv>
#include <iterator>

#include "crv/core/errors.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "io/manifest_key.hpp"

// The manifest is rewritten on every append and can name tens of thousands of parts, so
// it is written and read by dedicated code rather than through a JSON document model:
// both directions stay in the low milliseconds for 10,000 parts, where building and
// parsing a DOM costs tens.

namespace crv::io {
namespace {

// ---------------------------------------------------------------------------------
// Writing JSON.

// Rough sizes of the JSON text, to allocate the output once.
constexpr std::size_t kBytesPerPart = 200;
constexpr std::size_t kBytesPerPartition = 160;
constexpr std::size_t kBytesOfHeader = 300;

bool needs_escape(char c) {
  return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  if (std::none_of(text.begin(), text.end(), needs_escape)) {
    out.append(text);
  } else {
    for (const char c : text) {
      if (!needs_escape(c)) {
        out.push_back(c);
      } else if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else {
        fmt::format_to(std::back_inserter(out), FMT_COMPILE("\\u{:04x}"),
                       static_cast<unsigned char>(c));
      }
    }
  }
  out.push_back('"');
}

void append_part(std::string& out, const PartMeta& part) {
  out.append("        {\"path\": ");
  append_json_string(out, part.path);
  fmt::format_to(std::back_inserter(out),
                 FMT_COMPILE(", \"rows\": {}, \"bytes\": {}, \"tick_min\": {}, \"tick_max\": {}, "
                             "\"created_at\": "),
                 part.rows, part.bytes, part.tick_min, part.tick_max);
  append_json_string(out, part.created_at);
  out.push_back('}');
}

void append_partition(std::string& out, int64_t bucket_id, const PartitionMeta& partition) {
  out.append("    ");
  append_json_string(out, partition_key(bucket_id));
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(": {{\n      \"bucket_id\": {}, \"state\": "),
                 partition.bucket_id);
  append_json_string(out, partition.state);
  fmt::format_to(std::back_inserter(out),
                 FMT_COMPILE(", \"tick_min\": {}, \"tick_max\": {}, \"row_count\": {}, "
                             "\"byte_size\": {},\n      \"parts\": ["),
                 partition.tick_min, partition.tick_max, partition.row_count, partition.byte_size);
  for (std::size_t i = 0; i < partition.parts.size(); ++i) {
    out.append(i == 0 ? "\n" : ",\n");
    append_part(out, partition.parts[i]);
  }
  out.append(partition.parts.empty() ? "]\n    }" : "\n      ]\n    }");
}

// ---------------------------------------------------------------------------------
// Reading JSON.

// The scalar members of a record and their keys, in the manifest's key order.
template <class Record>
struct ScalarField {
  std::string_view key;
  std::string Record::*text = nullptr;
  int64_t Record::*integer = nullptr;
};

constexpr std::array<ScalarField<TableManifest>, 4> kManifestFields = {{
    {"table", &TableManifest::table},
    {"version", nullptr, &TableManifest::version},
    {"created_at", &TableManifest::created_at},
    {"updated_at", &TableManifest::updated_at},
}};

constexpr std::array<ScalarField<PartitionMeta>, 6> kPartitionFields = {{
    {"bucket_id", nullptr, &PartitionMeta::bucket_id},
    {"state", &PartitionMeta::state},
    {"tick_min", nullptr, &PartitionMeta::tick_min},
    {"tick_max", nullptr, &PartitionMeta::tick_max},
    {"row_count", nullptr, &PartitionMeta::row_count},
    {"byte_size", nullptr, &PartitionMeta::byte_size},
}};

constexpr std::array<ScalarField<PartMeta>, 6> kPartFields = {{
    {"path", &PartMeta::path},
    {"rows", nullptr, &PartMeta::rows},
    {"bytes", nullptr, &PartMeta::bytes},
    {"tick_min", nullptr, &PartMeta::tick_min},
    {"tick_max", nullptr, &PartMeta::tick_max},
    {"created_at", &PartMeta::created_at},
}};

// The largest number of keys an object of the manifest has.
constexpr std::size_t kMaxKeys = 8;

// A recursive-descent reader of exactly the manifest's JSON: any JSON whitespace, key
// order and string escapes, but only the keys and value types of the manifest.
class ManifestReader {
 public:
  ManifestReader(std::string_view text, const std::filesystem::path& path)
      : text_(text), path_(path) {}

  TableManifest read() {
    skip_whitespace();
    if (at_end()) throw IoManifestError("manifest is empty", {.path = path_.string()});
    TableManifest manifest;
    read_record(manifest, kManifestFields, {}, "partitions",
                [&](const ManifestKey& at) { read_partitions(manifest, at); });
    skip_whitespace();
    if (!at_end()) fail_syntax("the end of the file after the manifest's object");
    return manifest;
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' ||
                         text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  bool consume(char expected) {
    if (peek() != expected) return false;
    ++pos_;
    return true;
  }

  [[noreturn]] void fail_syntax(std::string_view expected) const {
    if (at_end()) {
      throw IoManifestError(
          fmt::format("manifest is not valid JSON: it ends at byte {} where {} should follow "
                      "(is the file truncated?)",
                      pos_, expected),
          {.path = path_.string(), .offset = pos_});
    }
    throw IoManifestError(
        fmt::format("manifest is not valid JSON: expected {} at byte {}, found {:?}", expected,
                    pos_, text_[pos_]),
        {.path = path_.string(), .offset = pos_});
  }

  [[noreturn]] void fail_at(const ManifestKey& at, std::string_view problem,
                            std::size_t offset) const {
    fail_manifest_key(path_, at, problem, offset);
  }

  // What the value starting at the cursor is, for "must be X, found Y" errors.
  std::string_view kind_of_value() const {
    switch (peek()) {
      case '"':
        return "a string";
      case '{':
        return "an object";
      case '[':
        return "an array";
      default:
        break;
    }
    const std::string_view rest = text_.substr(pos_);
    if (rest.starts_with("true") || rest.starts_with("false")) return "a boolean";
    if (rest.starts_with("null")) return "null";
    return is_ascii_digit(peek()) || peek() == '-' ? "a number" : "";
  }

  [[noreturn]] void fail_type(const ManifestKey& at, std::string_view expected) const {
    const std::string_view found = kind_of_value();
    if (found.empty()) fail_syntax("a value");
    fail_at(at, fmt::format("must be {}, found {}", expected, found), pos_);
  }

  void require_value(const ManifestKey& at, char opening, std::string_view expected) const {
    if (peek() != opening) fail_type(at, expected);
  }

  // ---- strings

  // The string at the cursor without its quotes and with escapes decoded. The view points
  // into the text, or into a buffer that the next string overwrites.
  std::string_view read_string_token() {
    ++pos_;  // the opening quote
    const std::size_t start = pos_;
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == '"') return text_.substr(start, pos_++ - start);
      if (c == '\\') break;
      if (static_cast<unsigned char>(c) < 0x20) fail_syntax("no control character in a string");
      ++pos_;
    }
    decoded_.assign(text_.substr(start, pos_ - start));
    while (!at_end()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return decoded_;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail_syntax("no control character in a string");
      ++pos_;
      if (c != '\\') {
        decoded_.push_back(c);
        continue;
      }
      read_escape();
    }
    fail_syntax("the closing '\"' of a string");
  }

  void read_escape() {
    const char escape = peek();
    ++pos_;
    switch (escape) {
      case '"':
      case '\\':
      case '/':
        decoded_.push_back(escape);
        return;
      case 'b':
        decoded_.push_back('\b');
        return;
      case 'f':
        decoded_.push_back('\f');
        return;
      case 'n':
        decoded_.push_back('\n');
        return;
      case 'r':
        decoded_.push_back('\r');
        return;
      case 't':
        decoded_.push_back('\t');
        return;
      case 'u':
        append_utf8(read_code_point());
        return;
      default:
        --pos_;
        fail_syntax("one of \" \\ / b f n r t u after '\\'");
    }
  }

  uint32_t read_hex4() {
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      uint32_t digit = 0;
      if (is_ascii_digit(c)) {
        digit = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        fail_syntax("four hexadecimal digits after '\\u'");
      }
      value = value * 16 + digit;
      ++pos_;
    }
    return value;
  }

  // After "\u": one code point, joining a UTF-16 surrogate pair.
  uint32_t read_code_point() {
    const uint32_t unit = read_hex4();
    if (unit >= 0xDC00 && unit <= 0xDFFF) fail_syntax("a code point, not a lone low surrogate");
    if (unit < 0xD800 || unit > 0xDBFF) return unit;
    if (!consume('\\') || !consume('u')) fail_syntax("'\\u' and the low half of a surrogate pair");
    const uint32_t low = read_hex4();
    if (low < 0xDC00 || low > 0xDFFF) fail_syntax("the low half of a surrogate pair");
    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  }

  void append_utf8(uint32_t code_point) {
    const auto push = [this](uint32_t byte) { decoded_.push_back(static_cast<char>(byte)); };
    if (code_point < 0x80) {
      push(code_point);
    } else if (code_point < 0x800) {
      push(0xC0 | (code_point >> 6));
      push(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
      push(0xE0 | (code_point >> 12));
      push(0x80 | ((code_point >> 6) & 0x3F));
      push(0x80 | (code_point & 0x3F));
    } else {
      push(0xF0 | (code_point >> 18));
      push(0x80 | ((code_point >> 12) & 0x3F));
      push(0x80 | ((code_point >> 6) & 0x3F));
      push(0x80 | (code_point & 0x3F));
    }
  }

  std::string read_string(const ManifestKey& at) {
    require_value(at, '"', "a string");
    return std::string(read_string_token());
  }

  // ---- numbers

  int64_t read_integer(const ManifestKey& at) {
    if (peek() != '-' && !is_ascii_digit(peek())) fail_type(at, "an integer");
    const std::size_t start = pos_;
    consume('-');
    if (!is_ascii_digit(peek())) fail_syntax("a digit");
    if (peek() == '0' && pos_ + 1 < text_.size() && is_ascii_digit(text_[pos_ + 1])) {
      fail_syntax("a number without leading zeros");
    }
    while (is_ascii_digit(peek())) ++pos_;
    if (peek() == '.' || peek() == 'e' || peek() == 'E') {
      while (!at_end() &&
             std::string_view("+-.eE0123456789").find(peek()) != std::string_view::npos) {
        ++pos_;
      }
      fail_at(at, fmt::format("must be an integer, found {}", text_.substr(start, pos_ - start)),
              start);
    }
    int64_t value = 0;
    const std::string_view digits = text_.substr(start, pos_ - start);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      fail_at(at, fmt::format("is {}, which does not fit a 64-bit integer", digits), start);
    }
    return value;
  }

  // ---- structure

  // Calls on_member(key) with the cursor on each member's value; on_member reads it.
  template <class OnMember>
  void read_object(const ManifestKey& at, OnMember&& on_member) {
    require_value(at, '{', "an object");
    ++pos_;
    skip_whitespace();
    if (consume('}')) return;
    for (;;) {
      skip_whitespace();
      if (peek() != '"') fail_syntax("a key in double quotes");
      const std::size_t key_offset = pos_;
      const std::string_view key = read_string_token();
      skip_whitespace();
      if (!consume(':')) fail_syntax("':' after a key");
      skip_whitespace();
      on_member(key, key_offset);
      skip_whitespace();
      if (consume(',')) continue;
      if (consume('}')) return;
      fail_syntax("',' or '}'");
    }
  }

  template <class OnItem>
  void read_array(const ManifestKey& at, OnItem&& on_item) {
    require_value(at, '[', "an array");
    ++pos_;
    skip_whitespace();
    if (consume(']')) return;
    for (std::size_t index = 0;; ++index) {
      skip_whitespace();
      on_item(index);
      skip_whitespace();
      if (consume(',')) continue;
      if (consume(']')) return;
      fail_syntax("',' or ']'");
    }
  }

  // Reads an object made of `fields` and, when `nested_key` is not empty, one more
  // member read by read_nested. Every key must be present exactly once.
  template <class Record, std::size_t N, class ReadNested>
  void read_record(Record& record, const std::array<ScalarField<Record>, N>& fields,
                   const ManifestKey& at, std::string_view nested_key, ReadNested&& read_nested) {
    static_assert(N + 1 <= kMaxKeys);
    std::bitset<kMaxKeys> seen;
    read_object(at, [&](std::string_view key, std::size_t key_offset) {
      std::size_t index = 0;
      while (index < N && fields[index].key != key) ++index;
      if (index == N && (nested_key.empty() || key != nested_key)) {
        fail_at(at, fmt::format("has an unknown key {:?}", key), key_offset);
      }
      if (seen[index]) fail_at(at, fmt::format("has the key {:?} twice", key), key_offset);
      seen.set(index);
      if (index == N) {
        read_nested(at.with_key(nested_key));
      } else if (const ScalarField<Record>& field = fields[index]; field.text != nullptr) {
        record.*field.text = read_string(at.with_key(field.key));
      } else {
        record.*field.integer = read_integer(at.with_key(field.key));
      }
    });
    for (std::size_t index = 0; index < N; ++index) {
      if (!seen[index]) fail_at(at, fmt::format("lacks the key {:?}", fields[index].key), pos_);
    }
    if (!nested_key.empty() && !seen[N]) {
      fail_at(at, fmt::format("lacks the key {:?}", nested_key), pos_);
    }
  }

  void read_partitions(TableManifest& manifest, const ManifestKey& at) {
    read_object(at, [&](std::string_view key, std::size_t key_offset) {
      const int64_t bucket_id = bucket_of_key(at, key, key_offset);
      const auto [slot, inserted] = manifest.partitions.try_emplace(bucket_id);
      if (!inserted) fail_at(at, fmt::format("has the partition {:?} twice", key), key_offset);
      read_partition(slot->second, bucket_id);
    });
  }

  // The bucket id a partition key names; the key must be its canonical spelling.
  int64_t bucket_of_key(const ManifestKey& at, std::string_view key, std::size_t key_offset) const {
    const std::optional<int64_t> bucket_id = bucket_of_partition_key(key);
    if (!bucket_id) {
      fail_at(at,
              fmt::format("has the partition key {:?}; keys are bucket ids of at least six "
                          "digits, zero-padded, such as \"000123\"",
                          key),
              key_offset);
    }
    return *bucket_id;
  }

  void read_partition(PartitionMeta& partition, int64_t bucket_id) {
    const ManifestKey at{.bucket = bucket_id};
    read_record(partition, kPartitionFields, at, "parts", [&](const ManifestKey& parts_at) {
      read_array(parts_at, [&](std::size_t index) {
        PartMeta& part = partition.parts.emplace_back();
        read_record(part, kPartFields, {.bucket = bucket_id, .part = index}, {},
                    [](const ManifestKey&) {});
      });
    });
  }

  std::string_view text_;
  const std::filesystem::path& path_;
  std::size_t pos_ = 0;
  std::string decoded_;
};

}  // namespace

std::string to_json_bytes(const TableManifest& manifest) {
  std::size_t parts = 0;
  for (const auto& [bucket_id, partition] : manifest.partitions) parts += partition.parts.size();
  std::string out;
  out.reserve(kBytesOfHeader + manifest.partitions.size() * kBytesPerPartition +
              parts * kBytesPerPart);
  out.append("{\n  \"table\": ");
  append_json_string(out, manifest.table);
  fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\n  \"version\": {},\n  \"created_at\": "),
                 manifest.version);
  append_json_string(out, manifest.created_at);
  out.append(",\n  \"updated_at\": ");
  append_json_string(out, manifest.updated_at);
  out.append(",\n  \"partitions\": {");
  const char* separator = "\n";
  for (const auto& [bucket_id, partition] : manifest.partitions) {
    out.append(separator);
    append_partition(out, bucket_id, partition);
    separator = ",\n";
  }
  out.append(manifest.partitions.empty() ? "}\n}\n" : "\n  }\n}\n");
  return out;
}

TableManifest parse_manifest(std::string_view bytes, const std::filesystem::path& path) {
  TableManifest manifest = ManifestReader(bytes, path).read();
  validate_manifest(manifest, path);
  return manifest;
}

}  // namespace crv::io
