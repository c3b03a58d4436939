// The typed builders' finish steps and the make_* helpers that build arrays from vectors.

#include "crv/frame/builders.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crv/core/errors.hpp"

namespace crv::frame {

void ValidityBuilder::materialize() {
  bits_.reserve(std::max(reserved_, length_ + 1));
  bits_.append_run(length_, true);
}

BufferPtr ValidityBuilder::finish() {
  BufferPtr bitmap = null_count_ > 0 ? bits_.finish() : nullptr;
  length_ = 0;
  null_count_ = 0;
  reserved_ = 0;
  return bitmap;
}

ArrayPtr BoolBuilder::finish() {
  const int64_t length = validity_.length();
  const int64_t null_count = validity_.null_count();
  return Array::make(ArrayData{.type = boolean(),
                               .length = length,
                               .null_count = null_count,
                               .validity = validity_.finish(),
                               .values = values_.finish()});
}

void StringBuilder::throw_too_large(size_t size) const {
  throw SchemaError(fmt::format(
      "a string column cannot hold more than {} bytes of characters (has {}, appending {})",
      std::numeric_limits<int32_t>::max(), characters_.size(), size));
}

ArrayPtr StringBuilder::finish() {
  const int64_t length = validity_.length();
  const int64_t null_count = validity_.null_count();
  ArrayPtr array = Array::make(ArrayData{.type = utf8(),
                                         .length = length,
                                         .null_count = null_count,
                                         .validity = validity_.finish(),
                                         .offsets = offsets_.finish(),
                                         .values = characters_.finish()});
  offsets_.append_value<int32_t>(0);
  return array;
}

namespace {

template <class Builder, class T>
void append_one(Builder& builder, const std::optional<T>& value) {
  if (value) {
    builder.append(*value);
  } else {
    builder.append_null();
  }
}

template <class Builder, class T>
void append_one(Builder& builder, const T& value) {
  builder.append(value);
}

template <class Builder, class Values>
ArrayPtr build_all(const Values& values) {
  Builder builder(static_cast<int64_t>(values.size()));
  for (const auto& value : values) append_one(builder, value);
  return builder.finish();
}

struct Validity {
  BufferPtr bitmap;
  int64_t null_count = 0;
};

Validity validity_from(const std::vector<bool>& valid, int64_t length, std::string_view what) {
  if (valid.empty()) return {};
  if (static_cast<int64_t>(valid.size()) != length) {
    throw SchemaError(
        fmt::format("{} has {} slots but {} validity flags", what, length, valid.size()));
  }
  ValidityBuilder builder;
  builder.reserve(length);
  for (const bool flag : valid) builder.append(flag);
  const int64_t null_count = builder.null_count();
  return {builder.finish(), null_count};
}

BufferPtr zeroed_buffer(int64_t size) {
  BufferBuilder builder;
  builder.resize_zeroed(size);
  return builder.finish();
}

}  // namespace

ArrayPtr make_int64(const std::vector<int64_t>& values) {
  return build_all<Int64Builder>(values);
}
ArrayPtr make_int64(const std::vector<std::optional<int64_t>>& values) {
  return build_all<Int64Builder>(values);
}
ArrayPtr make_int64(std::initializer_list<int64_t> values) {
  return build_all<Int64Builder>(values);
}
ArrayPtr make_int64(std::initializer_list<std::optional<int64_t>> values) {
  return build_all<Int64Builder>(values);
}
ArrayPtr make_float64(const std::vector<double>& values) {
  return build_all<Float64Builder>(values);
}
ArrayPtr make_float64(const std::vector<std::optional<double>>& values) {
  return build_all<Float64Builder>(values);
}
ArrayPtr make_float64(std::initializer_list<double> values) {
  return build_all<Float64Builder>(values);
}
ArrayPtr make_float64(std::initializer_list<std::optional<double>> values) {
  return build_all<Float64Builder>(values);
}
ArrayPtr make_bool(const std::vector<bool>& values) {
  return build_all<BoolBuilder>(values);
}
ArrayPtr make_bool(const std::vector<std::optional<bool>>& values) {
  return build_all<BoolBuilder>(values);
}
ArrayPtr make_bool(std::initializer_list<bool> values) {
  return build_all<BoolBuilder>(values);
}
ArrayPtr make_bool(std::initializer_list<std::optional<bool>> values) {
  return build_all<BoolBuilder>(values);
}
ArrayPtr make_utf8(const std::vector<std::string>& values) {
  return build_all<StringBuilder>(values);
}
ArrayPtr make_utf8(const std::vector<std::optional<std::string>>& values) {
  return build_all<StringBuilder>(values);
}
ArrayPtr make_utf8(const std::vector<std::string_view>& values) {
  return build_all<StringBuilder>(values);
}
ArrayPtr make_utf8(const std::vector<std::optional<std::string_view>>& values) {
  return build_all<StringBuilder>(values);
}
ArrayPtr make_utf8(std::initializer_list<std::optional<std::string_view>> values) {
  return build_all<StringBuilder>(values);
}

ArrayPtr make_struct(std::vector<std::pair<std::string, ArrayPtr>> members,
                     const std::vector<bool>& validity) {
  std::vector<Field> fields;
  ArrayData data;
  data.length = static_cast<int64_t>(validity.size());
  for (size_t i = 0; i < members.size(); ++i) {
    auto& [name, array] = members[i];
    if (!array) {
      throw SchemaError(fmt::format("struct member '{}' has no array", name), {.column = name});
    }
    if (i == 0) {
      data.length = array->length();
    } else if (array->length() != data.length) {
      throw SchemaError(fmt::format("struct member '{}' has {} slots but '{}' has {}", name,
                                    array->length(), members.front().first, data.length),
                        {.column = name});
    }
    fields.push_back(Field{name, array->type(), true});
    data.children.push_back(std::move(array));
  }
  data.type = struct_(std::move(fields));
  Validity valid = validity_from(validity, data.length, "struct array");
  data.validity = std::move(valid.bitmap);
  data.null_count = valid.null_count;
  return Array::make(std::move(data));
}

ArrayPtr make_list(const std::vector<int32_t>& offsets, ArrayPtr items,
                   const std::vector<bool>& validity) {
  if (offsets.empty()) {
    throw SchemaError("a list array needs at least one offset (one more than its slots)");
  }
  if (!items) throw SchemaError("a list array needs an items array");
  const auto length = static_cast<int64_t>(offsets.size()) - 1;
  Validity valid = validity_from(validity, length, "list array");
  ArrayPtr array = Array::make(
      ArrayData{.type = list(items->type()),
                .length = length,
                .null_count = valid.null_count,
                .validity = std::move(valid.bitmap),
                .offsets = Buffer::copy(offsets.data(), static_cast<int64_t>(offsets.size() * 4)),
                .children = {std::move(items)}});
  array->validate();
  return array;
}

ArrayPtr make_null_array(const TypePtr& type, int64_t length) {
  if (!type) throw SchemaError("make_null_array needs a type");
  if (length < 0) throw SchemaError(fmt::format("an array cannot have {} slots", length));
  ArrayData data{.type = type,
                 .length = length,
                 .null_count = length,
                 .validity = length > 0 ? zeroed_buffer(bits::bytes_for(length)) : nullptr};
  switch (type->id()) {
    case TypeId::Int64:
    case TypeId::Float64:
      data.values = zeroed_buffer(length * 8);
      break;
    case TypeId::Bool:
      data.values = zeroed_buffer(bits::bytes_for(length));
      break;
    case TypeId::Utf8:
      data.offsets = zeroed_buffer((length + 1) * 4);
      data.values = Buffer::empty();
      break;
    case TypeId::Struct:
      for (const Field& member : type->fields()) {
        data.children.push_back(make_null_array(member.type, length));
      }
      break;
    case TypeId::List:
      data.offsets = zeroed_buffer((length + 1) * 4);
      data.children.push_back(make_null_array(type->item_type(), 0));
      break;
    case TypeId::Null:
      break;
  }
  return Array::make(std::move(data));
}

}  // namespace crv::frame
