#include "parquet/column_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "parquet/compression.hpp"
#include "parquet/dictionary.hpp"
#include "parquet/plain.hpp"
#include "parquet/rle_hybrid.hpp"

namespace crv::parquet {
namespace {

// Limits that keep a hostile header from asking for unbounded memory.
constexpr size_t kMaxPageBytes = size_t{1} << 30;
constexpr int64_t kMaxPageEntries = int64_t{1} << 26;

std::string_view encoding_name(format::Encoding encoding) {
  switch (encoding) {
    case format::Encoding::kPlain:
      return "PLAIN";
    case format::Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case format::Encoding::kRle:
      return "RLE";
    case format::Encoding::kBitPacked:
      return "BIT_PACKED";
    case format::Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case format::Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case format::Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case format::Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case format::Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

class ChunkDecoder {
 public:
  ChunkDecoder(RandomAccessSource& source, const SchemaNode& node, const LeafColumn& leaf,
               const format::ColumnMetaData& meta, LeafData& out)
      : source_(source), node_(node), leaf_(leaf), meta_(meta), out_(out) {}

  void run(int64_t num_rows) {
    column_ = fmt::format("{}", fmt::join(meta_.path_in_schema, "."));
    if (meta_.type != node_.physical_type) {
      fail(fmt::format("column chunk type {} differs from the schema's {}",
                       static_cast<int>(meta_.type), static_cast<int>(node_.physical_type)),
           0);
    }
    // Some writers store 0 for a dictionary page they do not have.
    int64_t start = meta_.data_page_offset;
    if (meta_.dictionary_page_offset && *meta_.dictionary_page_offset > 0 &&
        *meta_.dictionary_page_offset < start) {
      start = *meta_.dictionary_page_offset;
    }
    const int64_t length = meta_.total_compressed_size;
    if (start < 4 || length < 0 || static_cast<uint64_t>(start) > source_.size() ||
        static_cast<uint64_t>(length) > source_.size() - static_cast<uint64_t>(start)) {
      fail(fmt::format("column chunk [{}, +{}) lies outside the file of {} bytes", start, length,
                       source_.size()),
           static_cast<uint64_t>(std::max<int64_t>(start, 0)));
    }
    chunk_start_ = static_cast<uint64_t>(start);
    source_.read_at(chunk_start_, static_cast<size_t>(length), chunk_);

    const int64_t rows_before = count_rows();
    int64_t values_seen = 0;
    size_t position = 0;
    while (position < chunk_.size() && values_seen < meta_.num_values) {
      const auto header = format::deserialize_prefix<format::PageHeader>(
          std::span<const uint8_t>(chunk_).subspan(position), chunk_start_ + position,
          source_.name());
      position += header.size;
      const format::PageHeader& page = header.value;
      page_offset_ = chunk_start_ + position;
      if (page.compressed_page_size < 0 || page.uncompressed_page_size < 0 ||
          static_cast<size_t>(page.compressed_page_size) > chunk_.size() - position) {
        fail(fmt::format("page of {} bytes overruns its column chunk", page.compressed_page_size),
             page_offset_);
      }
      const auto body = std::span<const uint8_t>(chunk_).subspan(
          position, static_cast<size_t>(page.compressed_page_size));
      switch (page.type) {
        case format::PageType::kDictionaryPage:
          read_dictionary(page, body);
          break;
        case format::PageType::kDataPage:
          values_seen += read_data_page_v1(page, body);
          break;
        case format::PageType::kDataPageV2:
          values_seen += read_data_page_v2(page, body);
          break;
        default:
          break;  // index pages carry nothing a reader needs
      }
      position += body.size();
    }
    if (values_seen != meta_.num_values) {
      fail(fmt::format("column chunk holds {} values, its metadata says {}", values_seen,
                       meta_.num_values),
           chunk_start_ + position);
    }
    const int64_t rows = count_rows() - rows_before;
    if (rows != num_rows) {
      fail(fmt::format("column chunk holds {} rows, its row group {}", rows, num_rows),
           chunk_start_);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message, uint64_t offset) const {
    throw IoFormatError(message, {.path = source_.name(), .column = column_, .offset = offset});
  }

  int64_t count_rows() const {
    if (leaf_.max_rep == 0) return out_.entries;
    return std::count(out_.rep_levels.begin(), out_.rep_levels.end(), int16_t{0});
  }

  Codec codec() const { return codec_from_thrift(static_cast<int32_t>(meta_.codec)); }

  // The page body decompressed (or as it is when stored uncompressed).
  std::span<const uint8_t> inflate(std::span<const uint8_t> body, int32_t uncompressed_size) {
    if (codec() == Codec::kUncompressed) {
      if (static_cast<size_t>(uncompressed_size) != body.size()) {
        fail(fmt::format("uncompressed page claims {} bytes but holds {}", uncompressed_size,
                         body.size()),
             page_offset_);
      }
      return body;
    }
    try {
      decompress(codec(), body, static_cast<size_t>(uncompressed_size), kMaxPageBytes, page_);
    } catch (const IoFormatError& error) {
      fail(error.message(), page_offset_);
    }
    return page_;
  }

  void read_dictionary(const format::PageHeader& page, std::span<const uint8_t> body) {
    if (!page.dictionary_page_header) fail("dictionary page without its header", page_offset_);
    const int32_t count = page.dictionary_page_header->num_values;
    if (count < 0 || count > kMaxPageEntries) {
      fail(fmt::format("dictionary page claims {} values", count), page_offset_);
    }
    const auto data = inflate(body, page.uncompressed_page_size);
    dictionary_int64_.clear();
    dictionary_float64_.clear();
    dictionary_offsets_.clear();
    dictionary_data_.clear();
    guarded([&] {
      switch (node_.physical_type) {
        case format::Type::kInt64:
          decode_plain<int64_t>(data, static_cast<size_t>(count), dictionary_int64_);
          break;
        case format::Type::kInt32:
          decode_widened<int32_t>(data, static_cast<size_t>(count), dictionary_int64_);
          break;
        case format::Type::kDouble:
          decode_plain<double>(data, static_cast<size_t>(count), dictionary_float64_);
          break;
        case format::Type::kFloat:
          decode_widened<float>(data, static_cast<size_t>(count), dictionary_float64_);
          break;
        case format::Type::kByteArray:
          decode_plain_byte_array<int32_t>(data, static_cast<size_t>(count), dictionary_offsets_,
                                           dictionary_data_);
          if (dictionary_offsets_.empty()) dictionary_offsets_.push_back(0);
          break;
        default:
          fail("dictionary pages of this column's type are not supported", page_offset_);
      }
    });
    has_dictionary_ = true;
  }

  // Runs a decoding step, adding this page's position to format errors from below.
  template <class Step>
  void guarded(Step&& step) {
    try {
      step();
    } catch (const IoFormatError& error) {
      if (error.context().path.empty()) fail(error.message(), page_offset_);
      throw;
    }
  }

  // INT32 and FLOAT columns read into the frame's 64-bit types.
  template <class Narrow, class Wide>
  void decode_widened(std::span<const uint8_t> data, size_t count, std::vector<Wide>& out) {
    std::vector<Narrow> narrow;
    decode_plain<Narrow>(data, count, narrow);
    out.insert(out.end(), narrow.begin(), narrow.end());
  }

  int64_t check_entries(int32_t num_values) const {
    if (num_values < 0 || num_values > kMaxPageEntries) {
      fail(fmt::format("data page claims {} values", num_values), page_offset_);
    }
    return num_values;
  }

  // Decodes `count` levels of width for `max_level` from `runs` onto `levels`.
  void decode_levels(std::span<const uint8_t> runs, int16_t max_level, int64_t count,
                     std::vector<int16_t>& levels) {
    const size_t first = levels.size();
    levels.resize(first + static_cast<size_t>(count));
    guarded([&] {
      RleHybridDecoder decoder(runs, bit_width_for(static_cast<uint64_t>(max_level)));
      decoder.decode(std::span<int16_t>(levels).subspan(first));
    });
    for (size_t i = first; i < levels.size(); ++i) {
      if (levels[i] > max_level) {
        fail(fmt::format("level {} exceeds the column's maximum {}", levels[i], max_level),
             page_offset_);
      }
    }
  }

  int64_t present_among_last(int64_t count) const {
    if (leaf_.max_def == 0) return count;
    return std::count(out_.def_levels.end() - count, out_.def_levels.end(), leaf_.max_def);
  }

  int64_t read_data_page_v1(const format::PageHeader& page, std::span<const uint8_t> body) {
    if (!page.data_page_header) fail("data page without its header", page_offset_);
    const format::DataPageHeader& header = *page.data_page_header;
    const int64_t count = check_entries(header.num_values);
    std::span<const uint8_t> data = inflate(body, page.uncompressed_page_size);
    guarded([&] {
      if (leaf_.max_rep > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_rep, count, out_.rep_levels);
      }
      if (leaf_.max_def > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_def, count, out_.def_levels);
      }
    });
    decode_values(header.encoding, data, present_among_last(count));
    out_.entries += count;
    return count;
  }

  int64_t read_data_page_v2(const format::PageHeader& page, std::span<const uint8_t> body) {
    if (!page.data_page_header_v2) fail("data page v2 without its header", page_offset_);
    const format::DataPageHeaderV2& header = *page.data_page_header_v2;
    const int64_t count = check_entries(header.num_values);
    const int32_t rep_bytes = header.repetition_levels_byte_length;
    const int32_t def_bytes = header.definition_levels_byte_length;
    if (rep_bytes < 0 || def_bytes < 0 ||
        static_cast<size_t>(rep_bytes) + static_cast<size_t>(def_bytes) > body.size() ||
        rep_bytes + def_bytes > page.uncompressed_page_size) {
      fail("data page v2 level sizes exceed the page", page_offset_);
    }
    if (leaf_.max_rep > 0) {
      decode_levels(body.subspan(0, static_cast<size_t>(rep_bytes)), leaf_.max_rep, count,
                    out_.rep_levels);
    }
    if (leaf_.max_def > 0) {
      decode_levels(body.subspan(static_cast<size_t>(rep_bytes), static_cast<size_t>(def_bytes)),
                    leaf_.max_def, count, out_.def_levels);
    }
    std::span<const uint8_t> values = body.subspan(static_cast<size_t>(rep_bytes + def_bytes));
    const int32_t values_size = page.uncompressed_page_size - rep_bytes - def_bytes;
    if (header.is_compressed.value_or(true)) {
      values = inflate(values, values_size);
    } else if (static_cast<size_t>(values_size) != values.size()) {
      fail("data page v2 values size differs from its header", page_offset_);
    }
    decode_values(header.encoding, values, present_among_last(count));
    out_.entries += count;
    return count;
  }

  void decode_values(format::Encoding encoding, std::span<const uint8_t> data, int64_t count) {
    out_.present += count;
    const auto n = static_cast<size_t>(count);
    guarded([&] {
      switch (encoding) {
        case format::Encoding::kPlain:
          decode_plain_values(data, n);
          return;
        case format::Encoding::kPlainDictionary:
        case format::Encoding::kRleDictionary:
          decode_dictionary_values(data, n);
          return;
        case format::Encoding::kRle:
          if (node_.physical_type == format::Type::kBoolean) {
            decode_rle_booleans(data, n);
            return;
          }
          break;
        default:
          break;
      }
      fail(fmt::format("value encoding {} is not supported", encoding_name(encoding)),
           page_offset_);
    });
  }

  void decode_plain_values(std::span<const uint8_t> data, size_t count) {
    switch (node_.physical_type) {
      case format::Type::kInt64:
        decode_plain<int64_t>(data, count, out_.int64_values);
        return;
      case format::Type::kInt32:
        decode_widened<int32_t>(data, count, out_.int64_values);
        return;
      case format::Type::kDouble:
        decode_plain<double>(data, count, out_.float64_values);
        return;
      case format::Type::kFloat:
        decode_widened<float>(data, count, out_.float64_values);
        return;
      case format::Type::kByteArray:
        decode_plain_byte_array<int32_t>(data, count, out_.string_offsets, out_.string_data);
        return;
      case format::Type::kBoolean:
        decode_plain_boolean(data, count, out_.bool_bits, out_.bool_count);
        return;
      default:
        fail("unsupported physical type", page_offset_);
    }
  }

  void decode_dictionary_values(std::span<const uint8_t> data, size_t count) {
    if (!has_dictionary_) fail("dictionary-encoded page without a dictionary page", page_offset_);
    if (count == 0) return;
    indices_.resize(count);
    RleHybridDecoder decoder = open_bit_width_prefixed_runs(data);
    decoder.decode(std::span<uint32_t>(indices_));
    switch (node_.physical_type) {
      case format::Type::kInt64:
      case format::Type::kInt32:
        gather_dictionary<int64_t>(dictionary_int64_, indices_, out_.int64_values);
        return;
      case format::Type::kDouble:
      case format::Type::kFloat:
        gather_dictionary<double>(dictionary_float64_, indices_, out_.float64_values);
        return;
      case format::Type::kByteArray:
        gather_dictionary_byte_array<int32_t>(dictionary_offsets_, dictionary_data_.data(),
                                              indices_, out_.string_offsets, out_.string_data);
        return;
      default:
        fail("dictionary encoding of this column's type is not supported", page_offset_);
    }
  }

  void decode_rle_booleans(std::span<const uint8_t> data, size_t count) {
    indices_.resize(count);
    RleHybridDecoder decoder(take_length_prefixed_runs(data), 1);
    decoder.decode(std::span<uint32_t>(indices_));
    out_.bool_bits.resize((out_.bool_count + count + 7) / 8, 0);
    for (uint32_t bit : indices_) {
      if (bit)
        out_.bool_bits[out_.bool_count >> 3] |= static_cast<uint8_t>(1u << (out_.bool_count & 7));
      ++out_.bool_count;
    }
  }

  RandomAccessSource& source_;
  const SchemaNode& node_;
  const LeafColumn& leaf_;
  const format::ColumnMetaData& meta_;
  LeafData& out_;
  std::string column_;
  uint64_t chunk_start_ = 0;
  uint64_t page_offset_ = 0;
  std::vector<uint8_t> chunk_;
  std::vector<uint8_t> page_;
  std::vector<uint32_t> indices_;
  bool has_dictionary_ = false;
  std::vector<int64_t> dictionary_int64_;
  std::vector<double> dictionary_float64_;
  std::vector<int32_t> dictionary_offsets_;
  std::vector<uint8_t> dictionary_data_;
};

}  // namespace

void read_column_chunk(RandomAccessSource& source, const SchemaNode& node, const LeafColumn& leaf,
                       const format::ColumnChunk& chunk, int64_t num_rows, LeafData& out) {
  if (!chunk.meta_data) {
    throw IoFormatError("column chunk without metadata", {.path = source.name()});
  }
  ChunkDecoder(source, node, leaf, *chunk.meta_data, out).run(num_rows);
}

}  // namespace crv::parquet
