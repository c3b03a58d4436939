// Array::validate: a full check of an array's buffers for data from outside the library.

#include <fmt/format.h>

#include <cstring>

#include "crv/core/errors.hpp"
#include "crv/frame/array.hpp"
#include "crv/frame/utf8.hpp"
#include "frame/field_path.hpp"

namespace crv::frame {
namespace {

[[noreturn]] void fail(const std::string& path, std::string message,
                       std::optional<int64_t> slot = std::nullopt) {
  throw SchemaError(std::move(message), {.column = path, .row = slot});
}

void check_null_count(const Array& array, const std::string& path) {
  if (array.validity_bits() == nullptr) return;
  const int64_t counted =
      array.length() - bits::count_set(array.validity_bits(), array.offset(), array.length());
  if (array.null_count() != counted) {
    fail(path, fmt::format("null count is {} but the validity bitmap has {} nulls",
                           array.null_count(), counted));
  }
}

// Offsets must start at >= 0, never decrease and end within `limit` (bytes or items).
void check_offsets(const Array& array, int64_t limit, std::string_view unit,
                   const std::string& path) {
  const int32_t* offsets = array.value_offsets();
  if (offsets[0] < 0) fail(path, fmt::format("first offset {} is negative", offsets[0]), 0);
  for (int64_t i = 0; i < array.length(); ++i) {
    if (offsets[i + 1] < offsets[i]) {
      fail(path, fmt::format("offsets decrease from {} to {}", offsets[i], offsets[i + 1]), i);
    }
  }
  if (offsets[array.length()] > limit) {
    fail(path,
         fmt::format("last offset {} is beyond the {} {}", offsets[array.length()], limit, unit));
  }
}

void check_utf8(const Array& array, const std::string& path) {
  for (int64_t i = 0; i < array.length(); ++i) {
    if (!array.is_valid(i)) continue;
    const std::string_view text = array.string_at(i);
    const size_t bad = first_invalid_utf8_byte(text);
    if (bad != std::string_view::npos) {
      fail(path, fmt::format("string is not valid UTF-8 (byte {} of {})", bad, text.size()), i);
    }
  }
}

void validate_node(const Array& array, const std::string& path) {
  check_null_count(array, path);
  switch (array.type_id()) {
    case TypeId::Int64:
    case TypeId::Float64:
    case TypeId::Bool:
      break;
    case TypeId::Utf8:
      check_offsets(array, array.values_buffer()->size(), "bytes of character data", path);
      check_utf8(array, path);
      break;
    case TypeId::Struct:
      for (size_t k = 0; k < array.num_children(); ++k) {
        validate_node(*array.child(k), member_path(path, array.type()->field(k).name));
      }
      break;
    case TypeId::List:
      check_offsets(array, array.list_items()->length(), "items", path);
      validate_node(*array.list_items(), items_path(path));
      break;
    case TypeId::Null:
      if (array.null_count() != array.length()) {
        fail(path, fmt::format("null-typed array has {} valid slots",
                               array.length() - array.null_count()));
      }
      break;
  }
}

}  // namespace

void Array::validate() const {
  validate_node(*this, "");
}

}  // namespace crv::frame
