// Concatenation of arrays and frames into compact results.

#include "crv/frame/concat.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>
#include <type_traits>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/bitmap.hpp"
#include "crv/frame/buffer.hpp"

namespace crv::frame {
namespace {

// Slots [start, start + length) of `array`, counted from its logical start. A struct's
// members are addressed with the struct's offset added, as the Arrow layout requires.
struct Segment {
  const Array* array;
  int64_t start;
  int64_t length;
};

ArrayPtr concat_segments(const TypePtr& type, std::span<const Segment> segments);

struct ConcatenatedValidity {
  BufferPtr bitmap;  // null when no slot is null
  int64_t null_count = 0;
};

int64_t physical_start(const Segment& segment) {
  return segment.array->offset() + segment.start;
}

int64_t nulls_in(const Segment& segment) {
  const uint8_t* bitmap = segment.array->validity_bits();
  if (bitmap == nullptr) return 0;
  return segment.length - bits::count_set(bitmap, physical_start(segment), segment.length);
}

void append_bits(BitmapBuilder& out, const uint8_t* bitmap, int64_t first, int64_t count) {
  for (int64_t i = 0; i < count; ++i) out.append(bits::get(bitmap, first + i));
}

ConcatenatedValidity concat_validity(std::span<const Segment> segments, int64_t length) {
  int64_t nulls = 0;
  for (const Segment& segment : segments) nulls += nulls_in(segment);
  if (nulls == 0) return {};
  BitmapBuilder bitmap;
  bitmap.reserve(length);
  for (const Segment& segment : segments) {
    const uint8_t* source = segment.array->validity_bits();
    if (source == nullptr) {
      bitmap.append_run(segment.length, true);
    } else {
      append_bits(bitmap, source, physical_start(segment), segment.length);
    }
  }
  return {bitmap.finish(), nulls};
}

template <class T>
const T* typed_values(const Array& array) {
  if constexpr (std::is_same_v<T, int64_t>) {
    return array.int64_values();
  } else {
    return array.float64_values();
  }
}

template <class T>
BufferPtr concat_fixed_width(std::span<const Segment> segments, int64_t length) {
  BufferBuilder out(length * static_cast<int64_t>(sizeof(T)));
  for (const Segment& segment : segments) {
    out.append(typed_values<T>(*segment.array) + segment.start,
               segment.length * static_cast<int64_t>(sizeof(T)));
  }
  return out.finish();
}

BufferPtr concat_bools(std::span<const Segment> segments, int64_t length) {
  BitmapBuilder out;
  out.reserve(length);
  for (const Segment& segment : segments) {
    append_bits(out, segment.array->bool_bits(), physical_start(segment), segment.length);
  }
  return out.finish();
}

// Offsets rebased to start at 0 and run on from one segment to the next, and for each
// segment the positions of the characters or list items its slots span.
struct ConcatenatedOffsets {
  BufferPtr offsets;
  std::vector<Range> spans;
};

ConcatenatedOffsets concat_offsets(const TypePtr& type, std::span<const Segment> segments,
                                   int64_t length) {
  BufferBuilder out((length + 1) * static_cast<int64_t>(sizeof(int32_t)));
  out.append_value<int32_t>(0);
  std::vector<Range> spans;
  spans.reserve(segments.size());
  int64_t end = 0;
  for (const Segment& segment : segments) {
    const int32_t* in = segment.array->value_offsets() + segment.start;
    const Range span{in[0], in[segment.length]};
    if (end + span.size() > std::numeric_limits<int32_t>::max()) {
      throw SchemaError(
          fmt::format("concatenating would need offsets beyond the int32 range ({}) for a {}",
                      end + span.size(), type->to_string()));
    }
    const int64_t shift = end - span.begin;
    for (int64_t i = 1; i <= segment.length; ++i) {
      out.append_value(static_cast<int32_t>(in[i] + shift));
    }
    spans.push_back(span);
    end += span.size();
  }
  return {out.finish(), std::move(spans)};
}

BufferPtr concat_characters(std::span<const Segment> segments, std::span<const Range> spans) {
  int64_t size = 0;
  for (const Range& span : spans) size += span.size();
  BufferBuilder out(size);
  for (size_t k = 0; k < segments.size(); ++k) {
    out.append(segments[k].array->string_data() + spans[k].begin, spans[k].size());
  }
  return out.finish();
}

ArrayPtr concat_list_items(const TypePtr& type, std::span<const Segment> segments,
                           std::span<const Range> spans) {
  std::vector<Segment> items;
  items.reserve(segments.size());
  for (size_t k = 0; k < segments.size(); ++k) {
    items.push_back({segments[k].array->list_items().get(), spans[k].begin, spans[k].size()});
  }
  return concat_segments(type->item_type(), items);
}

ArrayPtr concat_struct_member(const TypePtr& type, size_t member,
                              std::span<const Segment> segments) {
  std::vector<Segment> members;
  members.reserve(segments.size());
  for (const Segment& segment : segments) {
    members.push_back(
        {segment.array->child(member).get(), physical_start(segment), segment.length});
  }
  return concat_segments(type->field(member).type, members);
}

ArrayPtr concat_segments(const TypePtr& type, std::span<const Segment> segments) {
  int64_t length = 0;
  for (const Segment& segment : segments) length += segment.length;
  ConcatenatedValidity validity = concat_validity(segments, length);
  ArrayData data{.type = type,
                 .length = length,
                 .null_count = validity.null_count,
                 .validity = std::move(validity.bitmap)};
  switch (type->id()) {
    case TypeId::Int64:
      data.values = concat_fixed_width<int64_t>(segments, length);
      break;
    case TypeId::Float64:
      data.values = concat_fixed_width<double>(segments, length);
      break;
    case TypeId::Bool:
      data.values = concat_bools(segments, length);
      break;
    case TypeId::Utf8: {
      ConcatenatedOffsets offsets = concat_offsets(type, segments, length);
      data.offsets = std::move(offsets.offsets);
      data.values = concat_characters(segments, offsets.spans);
      break;
    }
    case TypeId::List: {
      ConcatenatedOffsets offsets = concat_offsets(type, segments, length);
      data.offsets = std::move(offsets.offsets);
      data.children.push_back(concat_list_items(type, segments, offsets.spans));
      break;
    }
    case TypeId::Struct:
      for (size_t member = 0; member < type->num_fields(); ++member) {
        data.children.push_back(concat_struct_member(type, member, segments));
      }
      break;
    case TypeId::Null:
      break;
  }
  return Array::make(std::move(data));
}

}  // namespace

ArrayPtr concat_arrays(std::span<const ArrayPtr> arrays) {
  if (arrays.empty()) throw SchemaError("concatenating no arrays: the result has no type");
  const TypePtr& type = arrays.front()->type();
  std::vector<Segment> segments;
  segments.reserve(arrays.size());
  for (size_t k = 0; k < arrays.size(); ++k) {
    if (!arrays[k]->type()->equals(*type)) {
      throw SchemaError(fmt::format("cannot concatenate a {} (array {}) to a {} (array 0)",
                                    arrays[k]->type()->to_string(), k, type->to_string()));
    }
    segments.push_back({arrays[k].get(), 0, arrays[k]->length()});
  }
  if (arrays.size() == 1) return arrays.front();
  return concat_segments(type, segments);
}

Frame concat(std::span<const Frame> frames) {
  if (frames.empty()) return Frame();
  if (frames.size() == 1) return frames.front();
  const Frame& first = frames.front();
  for (size_t k = 1; k < frames.size(); ++k) {
    if (frames[k].names() != first.names()) {
      throw SchemaError(
          fmt::format("cannot concatenate frame {} with columns [{}] to frame 0 with columns [{}]",
                      k, fmt::join(frames[k].names(), ", "), fmt::join(first.names(), ", ")));
    }
  }
  std::vector<ArrayPtr> columns;
  columns.reserve(first.num_columns());
  std::vector<ArrayPtr> pieces(frames.size());
  for (size_t column = 0; column < first.num_columns(); ++column) {
    for (size_t k = 0; k < frames.size(); ++k) pieces[k] = frames[k].column(column);
    try {
      columns.push_back(concat_arrays(pieces));
    } catch (const SchemaError& error) {
      throw SchemaError(error.message(), {.column = first.name(column)});
    }
  }
  return Frame(first.names(), std::move(columns));
}

}  // namespace crv::frame
