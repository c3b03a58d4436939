// Import from the Arrow C Data Interface. The base ArrowArray is moved into a shared
// owner whose destruction calls the producer's release callback; every wrapped buffer
// (at any depth) holds a reference to that owner.

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/arrow_c.hpp"
#include "crv/frame/builders.hpp"
#include "frame/array_limits.hpp"
#include "frame/field_path.hpp"

namespace crv::frame {
namespace {

// Physical layouts this import understands; the large ones have int64 offsets.
enum class Layout : uint8_t {
  Int64,
  Float64,
  Utf8,
  LargeUtf8,
  Bool,
  Struct,
  List,
  LargeList,
  Null
};

struct ImportedType {
  Layout layout;
  std::string format;
  Field field;
  std::vector<ImportedType> children;
};

[[noreturn]] void fail_import(const std::string& path, const std::string& message) {
  throw SchemaError(path.empty() ? message : fmt::format("field '{}': {}", path, message),
                    {.column = path});
}

std::optional<Layout> layout_of(std::string_view format) {
  if (format == "l") return Layout::Int64;
  if (format == "g") return Layout::Float64;
  if (format == "u") return Layout::Utf8;
  if (format == "U") return Layout::LargeUtf8;
  if (format == "b") return Layout::Bool;
  if (format == "+s") return Layout::Struct;
  if (format == "+l") return Layout::List;
  if (format == "+L") return Layout::LargeList;
  if (format == "n") return Layout::Null;
  return std::nullopt;
}

// Nesting deeper than this is refused, as in Parquet schemas: real producers stay far below
// it, and it bounds the recursion over a producer's schema.
constexpr int kMaxNestingDepth = 64;

// A null array's length costs no producer memory, but its bitmap costs ours: longer ones are
// refused rather than allocated (at this length, 256 MiB).
constexpr int64_t kMaxNullArrayLength = std::numeric_limits<int32_t>::max();

ImportedType parse_schema(const ArrowSchema* schema, const std::string& path, int depth = 1) {
  if (depth > kMaxNestingDepth) {
    fail_import(path,
                fmt::format("the Arrow schema nests deeper than {} levels", kMaxNestingDepth));
  }
  if (schema == nullptr) fail_import(path, "the Arrow schema is missing");
  if (schema->release == nullptr) fail_import(path, "the Arrow schema has been released");
  if (schema->format == nullptr) fail_import(path, "the Arrow schema has no format string");
  const std::string_view format = schema->format;
  if (schema->dictionary != nullptr) {
    fail_import(path, fmt::format("dictionary-encoded arrays (index format '{}') are not supported",
                                  format));
  }
  const std::optional<Layout> layout = layout_of(format);
  if (!layout) {
    fail_import(path,
                fmt::format("Arrow format '{}' is not supported (supported: l, g, u, U, b, +s, "
                            "+l, +L, n)",
                            format));
  }
  const bool is_list = *layout == Layout::List || *layout == Layout::LargeList;
  const int64_t wanted_children = *layout == Layout::Struct
                                      ? std::max<int64_t>(schema->n_children, 0)
                                  : is_list ? 1
                                            : 0;
  if (schema->n_children != wanted_children) {
    fail_import(path, fmt::format("format '{}' needs {} child schemas, got {}", format,
                                  wanted_children, schema->n_children));
  }
  if (schema->n_children > 0 && schema->children == nullptr) {
    fail_import(path, "the child schema pointers are missing");
  }

  ImportedType imported{
      *layout,
      std::string(format),
      Field{schema->name ? schema->name : "", nullptr, (schema->flags & ARROW_FLAG_NULLABLE) != 0},
      {}};
  for (int64_t i = 0; i < schema->n_children; ++i) {
    const ArrowSchema* child = schema->children[i];
    const std::string name = child && child->name ? child->name : "";
    imported.children.push_back(
        parse_schema(child, is_list ? items_path(path) : member_path(path, name), depth + 1));
  }
  switch (*layout) {
    case Layout::Int64:
      imported.field.type = int64();
      break;
    case Layout::Float64:
      imported.field.type = float64();
      break;
    case Layout::Utf8:
    case Layout::LargeUtf8:
      imported.field.type = utf8();
      break;
    case Layout::Null:
      imported.field.type = null_type();
      break;
    case Layout::Bool:
      imported.field.type = boolean();
      break;
    case Layout::List:
    case Layout::LargeList:
      imported.field.type = list(imported.children.front().field);
      break;
    case Layout::Struct: {
      std::vector<Field> members;
      for (const ImportedType& child : imported.children) members.push_back(child.field);
      try {
        imported.field.type = struct_(std::move(members));
      } catch (const SchemaError& error) {
        fail_import(path, error.message());
      }
      break;
    }
  }
  return imported;
}

struct ImportedArray {
  ArrowArray array{};
  ImportedArray() = default;
  ImportedArray(const ImportedArray&) = delete;
  ImportedArray& operator=(const ImportedArray&) = delete;
  ~ImportedArray() {
    if (array.release != nullptr) array.release(&array);
  }
};

class Importer {
 public:
  explicit Importer(std::shared_ptr<const ImportedArray> owner) : owner_(std::move(owner)) {}

  ArrayPtr import(const ArrowArray& node, const ImportedType& type, const std::string& path) {
    check_header(node, type, path);
    if (type.layout == Layout::Null) {
      if (node.length > kMaxNullArrayLength) {
        fail_import(path, fmt::format("a null array of {} slots is longer than the {} this "
                                      "library holds",
                                      node.length, kMaxNullArrayLength));
      }
      return make_null_array(null_type(), node.length);
    }

    const int64_t slots = node.offset + node.length;
    ArrayData data{.type = type.field.type,
                   .length = node.length,
                   .offset = node.offset,
                   .null_count = node.null_count};
    if (node.buffers[0] != nullptr) {
      data.validity = wrap(node.buffers[0], bits::bytes_for(slots), 1);
    } else if (node.null_count == kUnknownNullCount) {
      data.null_count = 0;  // no bitmap: every slot is valid
    }
    switch (type.layout) {
      case Layout::Int64:
      case Layout::Float64:
        data.values = required(node, 1, slots * 8, 8, path);
        break;
      case Layout::Bool:
        data.values = required(node, 1, bits::bytes_for(slots), 1, path);
        break;
      case Layout::Utf8:
      case Layout::LargeUtf8:
        data.offsets = offsets(node, slots, type.layout == Layout::LargeUtf8, path);
        data.values = required(node, 2, end_offset(data.offsets, slots, path), 1, path);
        break;
      case Layout::List:
      case Layout::LargeList:
        data.offsets = offsets(node, slots, type.layout == Layout::LargeList, path);
        data.children.push_back(import(*node.children[0], type.children.front(), items_path(path)));
        break;
      case Layout::Struct:
        for (size_t i = 0; i < type.children.size(); ++i) {
          data.children.push_back(import(*node.children[i], type.children[i],
                                         member_path(path, type.children[i].field.name)));
        }
        break;
      case Layout::Null:
        break;
    }
    try {
      return Array::make(std::move(data));
    } catch (const SchemaError& error) {
      fail_import(path, error.message());
    }
  }

 private:
  static int64_t buffer_count(Layout layout) {
    switch (layout) {
      case Layout::Null:
        return 0;
      case Layout::Struct:
        return 1;
      case Layout::Utf8:
      case Layout::LargeUtf8:
        return 3;
      default:
        return 2;
    }
  }

  static void check_header(const ArrowArray& node, const ImportedType& type,
                           const std::string& path) {
    if (node.release == nullptr) fail_import(path, "the Arrow array has been released");
    if (node.length < 0 || node.length > kMaxSlots) {
      fail_import(path, fmt::format("invalid array length {}", node.length));
    }
    if (node.offset < 0 || node.offset > kMaxSlots) {
      fail_import(path, fmt::format("invalid array offset {}", node.offset));
    }
    if (node.null_count < kUnknownNullCount || node.null_count > node.length) {
      fail_import(path,
                  fmt::format("invalid null count {} for {} slots", node.null_count, node.length));
    }
    if (node.dictionary != nullptr) fail_import(path, "the array has an unexpected dictionary");
    const int64_t wanted_buffers = buffer_count(type.layout);
    if (node.n_buffers != wanted_buffers) {
      fail_import(path, fmt::format("format '{}' needs {} buffers, got {}", type.format,
                                    wanted_buffers, node.n_buffers));
    }
    if (wanted_buffers > 0 && node.buffers == nullptr) {
      fail_import(path, "the buffer pointers are missing");
    }
    const auto wanted_children = static_cast<int64_t>(type.children.size());
    if (node.n_children != wanted_children) {
      fail_import(path, fmt::format("format '{}' needs {} child arrays, got {}", type.format,
                                    wanted_children, node.n_children));
    }
    for (int64_t i = 0; i < wanted_children; ++i) {
      if (node.children == nullptr || node.children[i] == nullptr) {
        fail_import(path, fmt::format("child array {} is missing", i));
      }
    }
  }

  // A zero-copy view of `size` bytes, or a copy when the producer's memory is not
  // aligned for the values it holds.
  BufferPtr wrap(const void* data, int64_t size, int64_t alignment) const {
    if (reinterpret_cast<uintptr_t>(data) % alignment != 0) return Buffer::copy(data, size);
    return Buffer::wrap(data, size, owner_);
  }

  BufferPtr required(const ArrowArray& node, int64_t index, int64_t size, int64_t alignment,
                     const std::string& path) const {
    const void* data = node.buffers[index];
    if (data == nullptr) {
      if (size == 0) return nullptr;
      fail_import(path, fmt::format("buffer {} is null but must hold {} bytes", index, size));
    }
    return wrap(data, size, alignment);
  }

  // The int32 offsets of `slots` slots; int64 offsets are narrowed into a new buffer.
  BufferPtr offsets(const ArrowArray& node, int64_t slots, bool large,
                    const std::string& path) const {
    // Empty arrays may come without offsets (Array::make then supplies the single 0).
    if (slots == 0) return nullptr;
    const int64_t count = slots + 1;
    if (!large) return required(node, 1, count * 4, 4, path);
    const BufferPtr wide = required(node, 1, count * 8, 8, path);
    const int64_t* source = wide->data_as<int64_t>();
    BufferBuilder narrow;
    narrow.resize(count * 4);
    int32_t* target = narrow.data_as<int32_t>();
    for (int64_t i = 0; i < count; ++i) {
      if (source[i] < 0 || source[i] > std::numeric_limits<int32_t>::max()) {
        fail_import(path,
                    fmt::format("large offset {} at slot {} does not fit the int32 offsets this "
                                "library uses",
                                source[i], i));
      }
      target[i] = static_cast<int32_t>(source[i]);
    }
    return narrow.finish();
  }

  static int64_t end_offset(const BufferPtr& offsets, int64_t slots, const std::string& path) {
    if (!offsets) return 0;
    const int32_t end = offsets->data_as<int32_t>()[slots];
    if (end < 0) fail_import(path, fmt::format("last offset {} is negative", end));
    return end;
  }

  std::shared_ptr<const ImportedArray> owner_;
};

}  // namespace

Field import_field(const ArrowSchema* schema) {
  return parse_schema(schema, "").field;
}

ArrayPtr import_array(ArrowArray* array, const ArrowSchema* schema) {
  if (array == nullptr) throw SchemaError("the Arrow array is missing");
  if (array->release == nullptr) throw SchemaError("the Arrow array has been released");
  auto owner = std::make_shared<ImportedArray>();
  owner->array = *array;
  array->release = nullptr;  // moved: the caller's copy no longer owns the data

  const ImportedType type = parse_schema(schema, "");
  ArrayPtr imported = Importer(owner).import(owner->array, type, "");
  imported->validate();
  return imported;
}

Frame import_frame(ArrowArray* array, const ArrowSchema* schema) {
  return Frame::from_struct_array(import_array(array, schema));
}

}  // namespace crv::frame
