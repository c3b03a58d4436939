#include "parquet/column_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "crv/frame/utf8.hpp"
#include "parquet/byte_stream_split.hpp"
#include "parquet/compression.hpp"
#include "parquet/delta_binary_packed.hpp"
#include "parquet/delta_byte_array.hpp"
#include "parquet/delta_length_byte_array.hpp"
#include "parquet/dictionary.hpp"
#include "parquet/logical_values.hpp"
#include "parquet/plain.hpp"
#include "parquet/rle_hybrid.hpp"

namespace crv::parquet {
namespace {

// Limits that keep a hostile header from asking for unbounded memory.
constexpr size_t kMaxPageBytes = size_t{1} << 30;
constexpr int64_t kMaxPageEntries = int64_t{1} << 26;
// Decoding buffers a thread keeps for its next chunk, at most; larger ones (a huge page)
// are released once their chunk is decoded.
constexpr size_t kMaxRetainedScratchBytes = size_t{8} << 20;

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

std::string_view physical_type_name(format::Type type) {
  switch (type) {
    case format::Type::kBoolean:
      return "BOOLEAN";
    case format::Type::kInt32:
      return "INT32";
    case format::Type::kInt64:
      return "INT64";
    case format::Type::kInt96:
      return "INT96";
    case format::Type::kFloat:
      return "FLOAT";
    case format::Type::kDouble:
      return "DOUBLE";
    case format::Type::kByteArray:
      return "BYTE_ARRAY";
    case format::Type::kFixedLenByteArray:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

// Buffers one thread reuses from chunk to chunk, so decoding a row group does not
// allocate (and fault in) fresh pages for every chunk.
struct DecodeScratch {
  std::vector<uint8_t> page;
  std::vector<uint32_t> indices;
  std::vector<int64_t> dictionary_int64;
  std::vector<double> dictionary_float64;
  std::vector<int32_t> dictionary_offsets;
  std::vector<uint8_t> dictionary_data;

  size_t retained_bytes() const {
    return page.capacity() + indices.capacity() * sizeof(uint32_t) +
           dictionary_int64.capacity() * sizeof(int64_t) +
           dictionary_float64.capacity() * sizeof(double) +
           dictionary_offsets.capacity() * sizeof(int32_t) + dictionary_data.capacity();
  }
};

// The calling thread's scratch, trimmed when the guard ends if it grew too large.
class ThreadScratch {
 public:
  ThreadScratch() : scratch_(instance()) {}
  ~ThreadScratch() {
    if (scratch_.retained_bytes() > kMaxRetainedScratchBytes) scratch_ = DecodeScratch{};
  }
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;

  DecodeScratch& get() { return scratch_; }

 private:
  static DecodeScratch& instance() {
    thread_local DecodeScratch scratch;
    return scratch;
  }

  DecodeScratch& scratch_;
};

// Which entries of a data page fall in the requested rows.
struct PageSelection {
  int64_t first_entry = 0;  // entries [first_entry, end_entry) are kept
  int64_t end_entry = 0;
  int64_t skipped_values = 0;  // present values before first_entry
  int64_t kept_values = 0;     // present values among the kept entries
  int64_t rows_begun = 0;      // rows whose first entry is in the page
  int64_t first_row = 0;       // the row of the first kept entry, in the row group
};

class ChunkDecoder {
 public:
  ChunkDecoder(const ChunkBytes& chunk, const SchemaNode& node, const LeafColumn& leaf,
               LeafData& out, DecodeScratch& scratch)
      : chunk_(chunk), meta_(*chunk.meta), node_(node), leaf_(leaf), out_(out), scratch_(scratch) {}

  void run(int64_t num_rows, RowRange rows) {
    column_ = fmt::format("{}", fmt::join(meta_.path_in_schema, "."));
    if (meta_.type != node_.physical_type) {
      fail(fmt::format("column chunk type {} differs from the schema's {}",
                       static_cast<int>(meta_.type), static_cast<int>(node_.physical_type)),
           0);
    }
    const std::span<const uint8_t> bytes = chunk_.bytes;
    int64_t values_seen = 0;
    int64_t rows_seen = 0;     // rows begun in the pages before the current one
    bool rows_counted = true;  // false once a page is passed over without its row count
    size_t position = 0;
    while (position < bytes.size() && values_seen < meta_.num_values) {
      const auto header = format::deserialize_prefix<format::PageHeader>(
          bytes.subspan(position), chunk_.offset + position, *chunk_.file);
      position += header.size;
      const format::PageHeader& page = header.value;
      page_offset_ = chunk_.offset + position;
      if (page.compressed_page_size < 0 || page.uncompressed_page_size < 0 ||
          static_cast<size_t>(page.compressed_page_size) > bytes.size() - position) {
        fail(fmt::format("page of {} bytes overruns its column chunk", page.compressed_page_size),
             page_offset_);
      }
      const auto body = bytes.subspan(position, static_cast<size_t>(page.compressed_page_size));
      position += body.size();
      if (page.type == format::PageType::kDictionaryPage) {
        verify_checksum(page, body);
        read_dictionary(page, body);
        continue;
      }
      if (page.type != format::PageType::kDataPage && page.type != format::PageType::kDataPageV2) {
        continue;  // index pages carry nothing a reader needs
      }
      const int64_t entries = data_page_entries(page);
      values_seen += entries;
      if (leaf_.max_rep == 0) {
        // Every entry is a row, so a page outside the range is passed over unread.
        if (rows_seen + entries <= rows.begin || rows_seen >= rows.end) {
          rows_seen += entries;
          continue;
        }
      } else if (rows_seen > rows.end) {
        // Rows begun so far reach past the range, so this page's entries, even those that
        // continue the last row begun, lie after it.
        rows_counted = false;
        continue;
      }
      verify_checksum(page, body);
      rows_seen += page.type == format::PageType::kDataPage
                       ? read_data_page_v1(page, body, entries, rows_seen, rows)
                       : read_data_page_v2(page, body, entries, rows_seen, rows);
    }
    if (values_seen != meta_.num_values) {
      fail(fmt::format("column chunk holds {} values, its metadata says {}", values_seen,
                       meta_.num_values),
           chunk_.offset + position);
    }
    if (rows_counted && rows_seen != num_rows) {
      fail(fmt::format("column chunk holds {} rows, its row group {}", rows_seen, num_rows),
           chunk_.offset);
    }
  }

 private:
  [[noreturn]] void fail(const std::string& message, uint64_t offset) const {
    throw IoFormatError(message, {.path = *chunk_.file, .column = column_, .offset = offset});
  }

  Codec codec() const { return codec_from_thrift(static_cast<int32_t>(meta_.codec)); }

  // The checksum covers the page's bytes as stored, whatever the page type.
  void verify_checksum(const format::PageHeader& page, std::span<const uint8_t> body) const {
    if (!page.crc || !chunk_.verification.checksums) return;
    const auto expected = static_cast<uint32_t>(*page.crc);
    const auto actual = static_cast<uint32_t>(crc32_z(0, body.data(), body.size()));
    if (actual != expected) {
      fail(fmt::format("page checksum mismatch: the header records CRC-32 {:08x}, the {} bytes "
                       "of the page give {:08x}",
                       expected, body.size(), actual),
           page_offset_);
    }
  }

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
      decompress(codec(), body, static_cast<size_t>(uncompressed_size), kMaxPageBytes,
                 scratch_.page);
    } catch (const IoFormatError& error) {
      fail(error.message(), page_offset_);
    }
    return scratch_.page;
  }

  void read_dictionary(const format::PageHeader& page, std::span<const uint8_t> body) {
    if (!page.dictionary_page_header) fail("dictionary page without its header", page_offset_);
    const int32_t count = page.dictionary_page_header->num_values;
    if (count < 0 || count > kMaxPageEntries) {
      fail(fmt::format("dictionary page claims {} values", count), page_offset_);
    }
    const auto data = inflate(body, page.uncompressed_page_size);
    scratch_.dictionary_int64.clear();
    scratch_.dictionary_float64.clear();
    scratch_.dictionary_offsets.clear();
    scratch_.dictionary_data.clear();
    guarded([&] {
      switch (node_.physical_type) {
        case format::Type::kInt64:
          decode_plain<int64_t>(data, static_cast<size_t>(count), scratch_.dictionary_int64);
          break;
        case format::Type::kInt32:
          decode_widened<int32_t>(data, static_cast<size_t>(count), scratch_.dictionary_int64);
          break;
        case format::Type::kDouble:
          decode_plain<double>(data, static_cast<size_t>(count), scratch_.dictionary_float64);
          break;
        case format::Type::kFloat:
          decode_widened<float>(data, static_cast<size_t>(count), scratch_.dictionary_float64);
          break;
        case format::Type::kByteArray:
          decode_plain_byte_array<int32_t>(data, static_cast<size_t>(count),
                                           scratch_.dictionary_offsets, scratch_.dictionary_data);
          if (scratch_.dictionary_offsets.empty()) scratch_.dictionary_offsets.push_back(0);
          // Checked once here, the dictionary spares checking each value gathered from it;
          // an invalid entry is reported only where a row uses it, which names the row.
          dictionary_utf8_ =
              !chunk_.verification.utf8 ||
              !frame::first_invalid_utf8_string(scratch_.dictionary_offsets.data(),
                                                scratch_.dictionary_data.data(), count);
          break;
        case format::Type::kFixedLenByteArray:
          decode_plain_fixed_len_byte_array(data, static_cast<size_t>(count), fixed_length(),
                                            scratch_.dictionary_offsets, scratch_.dictionary_data);
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

  // The entries (values and nulls) of a data page, from its header.
  int64_t data_page_entries(const format::PageHeader& page) const {
    int32_t num_values = 0;
    if (page.type == format::PageType::kDataPage) {
      if (!page.data_page_header) fail("data page without its header", page_offset_);
      num_values = page.data_page_header->num_values;
    } else {
      if (!page.data_page_header_v2) fail("data page v2 without its header", page_offset_);
      num_values = page.data_page_header_v2->num_values;
    }
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
    const int width = bit_width_for(static_cast<uint64_t>(max_level));
    guarded([&] {
      RleHybridDecoder decoder(runs, width);
      decoder.decode(std::span<int16_t>(levels).subspan(first));
    });
    // The decoder yields nothing wider than `width`, so a maximum level of all ones in
    // that width (1, 3, 7, ...) needs no check.
    if (max_level == (1 << width) - 1) return;
    for (size_t i = first; i < levels.size(); ++i) {
      if (levels[i] > max_level) {
        fail(fmt::format("level {} exceeds the column's maximum {}", levels[i], max_level),
             page_offset_);
      }
    }
  }

  // Chooses the entries of a page whose `count` levels were just appended to out_, given
  // `rows_seen` rows begun before it, then drops the levels of the entries left out.
  PageSelection select_entries(int64_t count, int64_t rows_seen, RowRange rows) {
    PageSelection selection;
    if (leaf_.max_rep == 0) {
      selection.rows_begun = count;
      selection.first_entry = std::clamp<int64_t>(rows.begin - rows_seen, 0, count);
      selection.end_entry = std::clamp<int64_t>(rows.end - rows_seen, selection.first_entry, count);
      selection.first_row = rows_seen + selection.first_entry;
    } else {
      const int16_t* rep = out_.rep_levels.data() + out_.rep_levels.size() - count;
      if (rows_seen == 0 && count > 0 && rep[0] != 0) {
        fail("the column chunk's first value continues a row instead of starting one",
             page_offset_);
      }
      // Entries before the first one starting a row continue the last row begun earlier.
      int64_t row = rows_seen - 1;
      selection.first_row = -1;
      for (int64_t k = 0; k < count; ++k) {
        row += rep[k] == 0;
        selection.first_entry += row < rows.begin;
        selection.end_entry += row < rows.end;
        if (row >= rows.begin && selection.first_row < 0) selection.first_row = row;
      }
      selection.rows_begun = row - (rows_seen - 1);
    }
    const auto present_in = [&](int64_t begin, int64_t end) -> int64_t {
      if (leaf_.max_def == 0) return end - begin;
      const int16_t* def = out_.def_levels.data() + out_.def_levels.size() - count;
      return std::count(def + begin, def + end, leaf_.max_def);
    };
    selection.skipped_values = present_in(0, selection.first_entry);
    selection.kept_values = present_in(selection.first_entry, selection.end_entry);
    if (leaf_.max_rep > 0) keep_levels(out_.rep_levels, count, selection);
    if (leaf_.max_def > 0) keep_levels(out_.def_levels, count, selection);
    out_.entries += selection.end_entry - selection.first_entry;
    out_.present += selection.kept_values;
    return selection;
  }

  static void keep_levels(std::vector<int16_t>& levels, int64_t count,
                          const PageSelection& selection) {
    const auto page_start = levels.end() - count;
    levels.erase(page_start + selection.end_entry, levels.end());
    levels.erase(page_start, page_start + selection.first_entry);
  }

  int64_t read_data_page_v1(const format::PageHeader& page, std::span<const uint8_t> body,
                            int64_t count, int64_t rows_seen, RowRange rows) {
    std::span<const uint8_t> data = inflate(body, page.uncompressed_page_size);
    guarded([&] {
      if (leaf_.max_rep > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_rep, count, out_.rep_levels);
      }
      if (leaf_.max_def > 0) {
        decode_levels(take_length_prefixed_runs(data), leaf_.max_def, count, out_.def_levels);
      }
    });
    const PageSelection selection = select_entries(count, rows_seen, rows);
    decode_values(page.data_page_header->encoding, data, selection);
    return selection.rows_begun;
  }

  int64_t read_data_page_v2(const format::PageHeader& page, std::span<const uint8_t> body,
                            int64_t count, int64_t rows_seen, RowRange rows) {
    const format::DataPageHeaderV2& header = *page.data_page_header_v2;
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
    const PageSelection selection = select_entries(count, rows_seen, rows);
    // The levels stand apart from the values, which stay compressed when none is kept.
    if (selection.kept_values == 0) return selection.rows_begun;
    std::span<const uint8_t> values = body.subspan(static_cast<size_t>(rep_bytes + def_bytes));
    const int32_t values_size = page.uncompressed_page_size - rep_bytes - def_bytes;
    if (header.is_compressed.value_or(true)) {
      values = inflate(values, values_size);
    } else if (static_cast<size_t>(values_size) != values.size()) {
      fail("data page v2 values size differs from its header", page_offset_);
    }
    decode_values(header.encoding, values, selection);
    return selection.rows_begun;
  }

  void decode_values(format::Encoding encoding, std::span<const uint8_t> data,
                     const PageSelection& selection) {
    if (selection.kept_values == 0) return;
    const auto skip = static_cast<size_t>(selection.skipped_values);
    const auto keep = static_cast<size_t>(selection.kept_values);
    const size_t stored_before = stored_value_count(node_, out_);
    guarded([&] {
      switch (encoding) {
        case format::Encoding::kPlain:
          decode_plain_values(data, skip, keep);
          return;
        case format::Encoding::kPlainDictionary:
        case format::Encoding::kRleDictionary:
          decode_dictionary_values(data, skip, keep);
          return;
        case format::Encoding::kRle:
          if (node_.physical_type == format::Type::kBoolean) {
            decode_rle_booleans(data, skip, keep);
            return;
          }
          break;
        case format::Encoding::kDeltaBinaryPacked:
          if (decode_delta_binary_packed_values(data, skip, keep)) return;
          break;
        case format::Encoding::kDeltaLengthByteArray:
        case format::Encoding::kDeltaByteArray:
          if (decode_delta_byte_array_values(encoding, data, skip, keep)) return;
          break;
        case format::Encoding::kByteStreamSplit:
          if (decode_byte_stream_split_values(data, skip, keep)) return;
          break;
        default:
          break;
      }
      fail(fmt::format("value encoding {} is not supported for physical type {}",
                       encoding_name(encoding), physical_type_name(node_.physical_type)),
           page_offset_);
    });
    // Strings annotated as such must be UTF-8, or the file is corrupt; bytes without the
    // annotation are checked as they are converted, where invalid text is a type mismatch.
    // Only values gathered from a dictionary checked whole are spared: a chunk may fall
    // back from its dictionary to another encoding, whose pages are checked.
    const bool from_valid_dictionary = (encoding == format::Encoding::kPlainDictionary ||
                                        encoding == format::Encoding::kRleDictionary) &&
                                       dictionary_utf8_;
    if (node_.physical_type == format::Type::kByteArray &&
        node_.conversion.kind == LeafConversion::Kind::kNone && chunk_.verification.utf8 &&
        !from_valid_dictionary) {
      check_utf8(stored_before, selection);
    }
    if (const auto refused = convert_stored_values(node_, stored_before, out_)) {
      const ErrorContext where{
          .path = *chunk_.file,
          .column = column_,
          .row = chunk_.first_row + row_of_kept_value(selection, refused->index),
          .offset = page_offset_};
      if (refused->malformed) throw IoFormatError(refused->reason, where);
      throw IoSchemaError(refused->reason, where);
    }
  }

  // Checks the strings this page appended from value `first` on; names the row of the
  // first invalid one.
  void check_utf8(size_t first, const PageSelection& selection) const {
    const std::optional<int64_t> invalid = frame::first_invalid_utf8_string(
        out_.string_offsets.data() + first, out_.string_data.data(), selection.kept_values);
    if (!invalid) return;
    throw IoFormatError("string is not valid UTF-8",
                        {.path = *chunk_.file,
                         .column = column_,
                         .row = chunk_.first_row + row_of_kept_value(selection, *invalid),
                         .offset = page_offset_});
  }

  // The row, in the row group, of the kept value `value` (counted from the page's first
  // kept value). The page's kept entries are the last ones of the levels: find the entry
  // holding the value, then the row it belongs to.
  int64_t row_of_kept_value(const PageSelection& selection, int64_t value) const {
    const int64_t kept_entries = selection.end_entry - selection.first_entry;
    int64_t entry = value;
    if (leaf_.max_def > 0) {
      const int16_t* def = out_.def_levels.data() + out_.def_levels.size() - kept_entries;
      for (int64_t present = -1, k = 0; k < kept_entries; ++k) {
        present += def[k] == leaf_.max_def;
        if (present == value) {
          entry = k;
          break;
        }
      }
    }
    if (leaf_.max_rep == 0) return selection.first_row + entry;
    const int16_t* rep = out_.rep_levels.data() + out_.rep_levels.size() - kept_entries;
    return selection.first_row + std::count(rep + 1, rep + entry + 1, int16_t{0});
  }

  void decode_plain_values(std::span<const uint8_t> data, size_t skip, size_t keep) {
    switch (node_.physical_type) {
      case format::Type::kInt64:
        decode_plain<int64_t>(data.subspan(skip_plain<int64_t>(data, skip)), keep,
                              out_.int64_values);
        return;
      case format::Type::kInt32:
        decode_widened<int32_t>(data.subspan(skip_plain<int32_t>(data, skip)), keep,
                                out_.int64_values);
        return;
      case format::Type::kDouble:
        decode_plain<double>(data.subspan(skip_plain<double>(data, skip)), keep,
                             out_.float64_values);
        return;
      case format::Type::kFloat:
        decode_widened<float>(data.subspan(skip_plain<float>(data, skip)), keep,
                              out_.float64_values);
        return;
      case format::Type::kByteArray:
        decode_plain_byte_array<int32_t>(data.subspan(skip_plain_byte_array(data, skip)), keep,
                                         out_.string_offsets, out_.string_data);
        return;
      case format::Type::kFixedLenByteArray:
        decode_plain_fixed_len_byte_array(
            data.subspan(skip_plain_fixed_len_byte_array(data, skip, fixed_length())), keep,
            fixed_length(), out_.string_offsets, out_.string_data);
        return;
      case format::Type::kBoolean:
        decode_plain_boolean(data, skip, keep, out_.bool_bits, out_.bool_count);
        return;
      default:
        fail("unsupported physical type", page_offset_);
    }
  }

  // The value length of a FIXED_LEN_BYTE_ARRAY column (the schema checked it).
  size_t fixed_length() const {
    if (node_.type_length <= 0) {
      fail(fmt::format("FIXED_LEN_BYTE_ARRAY column with type length {}", node_.type_length),
           page_offset_);
    }
    return static_cast<size_t>(node_.type_length);
  }

  // DELTA_BINARY_PACKED INT32 and INT64 values; false for other types. INT32 values widen
  // (sign-extended) as PLAIN ones do.
  bool decode_delta_binary_packed_values(std::span<const uint8_t> data, size_t skip, size_t keep) {
    int bits = 0;
    if (node_.physical_type == format::Type::kInt32) bits = 32;
    if (node_.physical_type == format::Type::kInt64) bits = 64;
    if (bits == 0) return false;
    DeltaBinaryPackedDecoder decoder(data, bits);
    if (decoder.total_values() < skip + keep) {
      fail(fmt::format("DELTA_BINARY_PACKED stream holds {} values, the page {}",
                       decoder.total_values(), skip + keep),
           page_offset_);
    }
    decoder.skip(skip);
    const size_t start = out_.int64_values.size();
    out_.int64_values.resize(start + keep);
    decoder.decode(std::span<int64_t>(out_.int64_values).subspan(start));
    return true;
  }

  // DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY values of BYTE_ARRAY and
  // FIXED_LEN_BYTE_ARRAY columns; false for other types.
  bool decode_delta_byte_array_values(format::Encoding encoding, std::span<const uint8_t> data,
                                      size_t skip, size_t keep) {
    int32_t length = 0;  // any
    if (node_.physical_type == format::Type::kFixedLenByteArray) {
      length = static_cast<int32_t>(fixed_length());
    } else if (node_.physical_type != format::Type::kByteArray) {
      return false;
    }
    if (encoding == format::Encoding::kDeltaLengthByteArray) {
      decode_delta_length_byte_array(data, skip, keep, length, out_.string_offsets,
                                     out_.string_data);
    } else {
      // Prefixes let a small page stand for many bytes; one page's values are capped like
      // a decompressed page.
      decode_delta_byte_array(data, skip, keep, length, kMaxPageBytes, out_.string_offsets,
                              out_.string_data);
    }
    return true;
  }

  // BYTE_STREAM_SPLIT values of fixed-width columns; false for other types.
  bool decode_byte_stream_split_values(std::span<const uint8_t> data, size_t skip, size_t keep) {
    switch (node_.physical_type) {
      case format::Type::kInt64:
        split_into(data, skip, keep, out_.int64_values);
        return true;
      case format::Type::kDouble:
        split_into(data, skip, keep, out_.float64_values);
        return true;
      case format::Type::kInt32: {
        std::vector<int32_t> narrow;
        split_into(data, skip, keep, narrow);
        out_.int64_values.insert(out_.int64_values.end(), narrow.begin(), narrow.end());
        return true;
      }
      case format::Type::kFloat: {
        std::vector<float> narrow;
        split_into(data, skip, keep, narrow);
        out_.float64_values.insert(out_.float64_values.end(), narrow.begin(), narrow.end());
        return true;
      }
      case format::Type::kFixedLenByteArray: {
        const size_t width = fixed_length();
        check_split_count(data, width, skip, keep);  // bounds keep * width by the page
        if (out_.string_offsets.empty()) out_.string_offsets.push_back(0);
        const size_t base = out_.string_data.size();
        check_offset_capacity<int32_t>(base, keep * width);
        out_.string_data.resize(base + keep * width);
        decode_byte_stream_split(data, width, skip, keep, out_.string_data.data() + base);
        for (size_t i = 1; i <= keep; ++i) {
          out_.string_offsets.push_back(static_cast<int32_t>(base + i * width));
        }
        return true;
      }
      default:
        return false;
    }
  }

  // Checks that a BYTE_STREAM_SPLIT page holds the values needed, before anything grows.
  void check_split_count(std::span<const uint8_t> data, size_t width, size_t skip,
                         size_t keep) const {
    const size_t count = byte_stream_split_count(data, width);
    if (skip > count || keep > count - skip) {
      fail(fmt::format("BYTE_STREAM_SPLIT page holds {} values, the page {}", count, skip + keep),
           page_offset_);
    }
  }

  // Values of T's width from a BYTE_STREAM_SPLIT page, appended to `out`.
  template <class T>
  void split_into(std::span<const uint8_t> data, size_t skip, size_t keep, std::vector<T>& out) {
    check_split_count(data, sizeof(T), skip, keep);
    const size_t start = out.size();
    out.resize(start + keep);
    decode_byte_stream_split(data, sizeof(T), skip, keep,
                             reinterpret_cast<uint8_t*>(out.data() + start));
  }

  // Decodes the indices of the skipped and the kept values (cheap next to gathering) and
  // returns those of the kept ones.
  std::span<const uint32_t> decode_indices(RleHybridDecoder&& decoder, size_t skip, size_t keep) {
    scratch_.indices.resize(skip + keep);
    decoder.decode(std::span<uint32_t>(scratch_.indices));
    return std::span<const uint32_t>(scratch_.indices).subspan(skip);
  }

  void decode_dictionary_values(std::span<const uint8_t> data, size_t skip, size_t keep) {
    if (!has_dictionary_) fail("dictionary-encoded page without a dictionary page", page_offset_);
    const auto indices = decode_indices(open_bit_width_prefixed_runs(data), skip, keep);
    switch (node_.physical_type) {
      case format::Type::kInt64:
      case format::Type::kInt32:
        gather_dictionary<int64_t>(scratch_.dictionary_int64, indices, out_.int64_values);
        return;
      case format::Type::kDouble:
      case format::Type::kFloat:
        gather_dictionary<double>(scratch_.dictionary_float64, indices, out_.float64_values);
        return;
      case format::Type::kByteArray:
      case format::Type::kFixedLenByteArray:
        gather_dictionary_byte_array<int32_t>(scratch_.dictionary_offsets,
                                              scratch_.dictionary_data.data(), indices,
                                              out_.string_offsets, out_.string_data);
        return;
      default:
        fail("dictionary encoding of this column's type is not supported", page_offset_);
    }
  }

  void decode_rle_booleans(std::span<const uint8_t> data, size_t skip, size_t keep) {
    const auto bits =
        decode_indices(RleHybridDecoder(take_length_prefixed_runs(data), 1), skip, keep);
    out_.bool_bits.resize((out_.bool_count + keep + 7) / 8, 0);
    for (uint32_t bit : bits) {
      if (bit)
        out_.bool_bits[out_.bool_count >> 3] |= static_cast<uint8_t>(1u << (out_.bool_count & 7));
      ++out_.bool_count;
    }
  }

  const ChunkBytes& chunk_;
  const format::ColumnMetaData& meta_;
  const SchemaNode& node_;
  const LeafColumn& leaf_;
  LeafData& out_;
  DecodeScratch& scratch_;
  std::string column_;
  uint64_t page_offset_ = 0;
  bool has_dictionary_ = false;
  bool dictionary_utf8_ = false;  // every dictionary entry is valid UTF-8 (or unchecked)
};

}  // namespace

ChunkExtent chunk_extent(const format::ColumnChunk& chunk, uint64_t file_size,
                         const std::string& file) {
  if (!chunk.meta_data) throw IoFormatError("column chunk without metadata", {.path = file});
  const format::ColumnMetaData& meta = *chunk.meta_data;
  // Some writers store 0 for a dictionary page they do not have.
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  const int64_t length = meta.total_compressed_size;
  if (start < 4 || length < 0 || static_cast<uint64_t>(start) > file_size ||
      static_cast<uint64_t>(length) > file_size - static_cast<uint64_t>(start)) {
    throw IoFormatError(fmt::format("column chunk [{}, +{}) lies outside the file of {} bytes",
                                    start, length, file_size),
                        {.path = file,
                         .column = fmt::format("{}", fmt::join(meta.path_in_schema, ".")),
                         .offset = static_cast<uint64_t>(std::max<int64_t>(start, 0))});
  }
  return {static_cast<uint64_t>(start), static_cast<uint64_t>(length)};
}

void decode_column_chunk(const ChunkBytes& chunk, const SchemaNode& node, const LeafColumn& leaf,
                         int64_t num_rows, RowRange rows, LeafData& out) {
  ThreadScratch scratch;
  ChunkDecoder(chunk, node, leaf, out, scratch.get()).run(num_rows, rows);
}

}  // namespace crv::parquet
