// ColumnChunkWriter: one leaf column's pages, dictionary, metadata and statistics.

#include "parquet/column_writer.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "parquet/plain.hpp"
#include "parquet/rle_hybrid.hpp"

namespace crv::parquet {
namespace {

// Statistics of strings longer than this are left out: they would bloat every footer
// and no reader prunes on them usefully.
constexpr size_t kMaxStringStatistic = 4096;
// Upper bound on the entries of one data page, whatever their size, so readers decode
// in bounded batches.
constexpr int64_t kMaxEntriesPerWrittenPage = int64_t{1} << 20;

std::string bytes_of(const void* data, size_t size) {
  return std::string(static_cast<const char*>(data), size);
}

template <class T>
std::string bytes_of_value(T value) {
  return bytes_of(&value, sizeof value);
}

std::string_view string_value(const LeafValues& values, int64_t index) {
  const int32_t begin = values.string_offsets[index];
  return {reinterpret_cast<const char*>(values.string_data) + begin,
          static_cast<size_t>(values.string_offsets[index + 1] - begin)};
}

// Calls visit(i) for the index of every present value: each set validity bit of an
// entry-indexed view, or every dense value.
template <class Visit>
void for_each_present(const LeafValues& values, Visit&& visit) {
  if (!values.entry_indexed) {
    for (int64_t i = 0; i < values.present; ++i) visit(i);
    return;
  }
  for_each_set_run(values.validity, static_cast<size_t>(values.entries),
                   [&](size_t start, size_t length) {
                     for (size_t i = start; i < start + length; ++i) visit(static_cast<int64_t>(i));
                   });
}

// Number of present values among entries [begin, end).
int64_t present_in(const ShreddedLeaf& shredded, int16_t max_def, int64_t begin, int64_t end) {
  const LeafValues& values = shredded.values;
  if (values.entry_indexed) {
    const BitmapView view{values.validity.data,
                          values.validity.offset + static_cast<size_t>(begin)};
    return static_cast<int64_t>(count_set_bits(view, static_cast<size_t>(end - begin)));
  }
  return std::count(shredded.def_levels.begin() + begin, shredded.def_levels.begin() + end,
                    max_def);
}

void set_min_max(format::Statistics& stats, std::string min, std::string max, bool legacy_too) {
  if (legacy_too) {
    stats.min = min;
    stats.max = max;
  }
  stats.min_value = std::move(min);
  stats.max_value = std::move(max);
}

// NaN is unordered and left out; a zero bound is written as -0.0 (min) and +0.0 (max) so
// readers that treat the zeros apart still prune correctly.
void float64_min_max(const LeafValues& values, format::Statistics& stats) {
  std::optional<double> min, max;
  for_each_present(values, [&](int64_t i) {
    const double value = values.float64_values[i];
    if (std::isnan(value)) return;
    if (!min || value < *min) min = value;
    if (!max || value > *max) max = value;
  });
  if (!min) return;
  if (*min == 0.0) min = -0.0;
  if (*max == 0.0) max = 0.0;
  set_min_max(stats, bytes_of_value(*min), bytes_of_value(*max), true);
}

void bool_min_max(const LeafValues& values, format::Statistics& stats) {
  bool any_true = false, any_false = false;
  for_each_present(values, [&](int64_t i) {
    (values.bool_values.get(static_cast<size_t>(i)) ? any_true : any_false) = true;
  });
  set_min_max(stats, bytes_of_value<uint8_t>(any_false ? 0 : 1),
              bytes_of_value<uint8_t>(any_true ? 1 : 0), true);
}

}  // namespace

Codec codec_for(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return Codec::kUncompressed;
    case Compression::kSnappy:
      return Codec::kSnappy;
    case Compression::kGzip:
      return Codec::kGzip;
    case Compression::kLz4:
      return Codec::kLz4Raw;
    case Compression::kZstd:
      return Codec::kZstd;
  }
  return Codec::kUncompressed;
}

bool ColumnChunkWriter::try_dictionary(const LeafValues& values) {
  indices_.clear();
  if (!options_->enable_dictionary || values.present == 0) return false;
  const BitmapView validity = values.entry_indexed ? values.validity : BitmapView{};
  const auto count = static_cast<size_t>(values.entry_indexed ? values.entries : values.present);
  DictionarySizes sizes;
  if (values.type == frame::TypeId::Int64) {
    int64_dictionary_.clear();
    int64_dictionary_.insert(std::span<const int64_t>(values.int64_values, count), validity,
                             indices_);
    sizes = int64_dictionary_.sizes();
  } else if (values.type == frame::TypeId::Float64) {
    float64_dictionary_.clear();
    float64_dictionary_.insert(std::span<const double>(values.float64_values, count), validity,
                               indices_);
    sizes = float64_dictionary_.sizes();
  } else if (values.type == frame::TypeId::Utf8) {
    string_dictionary_.clear();
    string_dictionary_.insert(std::span<const int32_t>(values.string_offsets, count + 1),
                              values.string_data, validity, indices_);
    sizes = string_dictionary_.sizes();
  } else {
    return false;
  }
  return !sizes.exceeds(static_cast<size_t>(options_->dictionary_page_limit)) && sizes.pays_off();
}

std::vector<ColumnChunkWriter::Page> ColumnChunkWriter::plan_pages(const ShreddedLeaf& shredded,
                                                                   double bytes_per_entry) const {
  const int64_t entries = shredded.values.entries;
  const auto target =
      std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(options_->data_page_size) /
                                               std::max(bytes_per_entry, 1e-3)),
                          1, kMaxEntriesPerWrittenPage);
  std::vector<Page> pages;
  int64_t value_begin = 0;
  for (int64_t begin = 0; begin < entries || (entries == 0 && pages.empty());) {
    int64_t end = std::min(entries, begin + target);
    // A page must start a new record: never split one row's list entries.
    if (!shredded.rep_levels.empty()) {
      while (end < entries && shredded.rep_levels[static_cast<size_t>(end)] != 0) ++end;
    }
    const int64_t count = present_in(shredded, leaf_->max_def, begin, end);
    pages.push_back({begin, end, value_begin, count});
    value_begin += count;
    begin = end;
    if (entries == 0) break;
  }
  return pages;
}

void ColumnChunkWriter::encode_levels(const ShreddedLeaf& shredded, const Page& page) {
  const auto count = static_cast<size_t>(page.entry_end - page.entry_begin);
  if (leaf_->max_rep > 0) {
    const int width = bit_width_for(static_cast<uint64_t>(leaf_->max_rep));
    encode_rle_hybrid(std::span<const int16_t>(shredded.rep_levels)
                          .subspan(static_cast<size_t>(page.entry_begin), count),
                      width, RleFraming::kLengthPrefixed, page_body_);
  }
  if (leaf_->max_def == 0) return;
  const int width = bit_width_for(static_cast<uint64_t>(leaf_->max_def));
  if (!shredded.def_levels.empty()) {
    encode_rle_hybrid(std::span<const int16_t>(shredded.def_levels)
                          .subspan(static_cast<size_t>(page.entry_begin), count),
                      width, RleFraming::kLengthPrefixed, page_body_);
    return;
  }
  // A top-level column: its validity bitmap is its definition levels.
  const LeafValues& values = shredded.values;
  if (page.value_count == static_cast<int64_t>(count)) {
    encode_rle_hybrid_repeated(1, count, width, RleFraming::kLengthPrefixed, page_body_);
    return;
  }
  // With nulls, levels of width 1 bit-packed LSB first are the validity bits themselves:
  // one bit-packed run whose bytes are the bitmap, the last group padded with zeros.
  const size_t groups = (count + 7) / 8;
  const size_t length_at = page_body_.size();
  page_body_.resize(length_at + sizeof(uint32_t));
  append_uleb128(page_body_, (uint64_t{groups} << 1) | 1);
  const size_t bits_at = page_body_.size();
  page_body_.resize(bits_at + groups, 0);
  or_bits({values.validity.data, values.validity.offset + static_cast<size_t>(page.entry_begin)},
          count, page_body_.data() + bits_at, 0);
  store_le(page_body_.data() + length_at,
           static_cast<uint32_t>(page_body_.size() - length_at - sizeof(uint32_t)));
}

void ColumnChunkWriter::encode_plain_values(const LeafValues& values, const Page& page) {
  // Entry-indexed views address the page by entries and skip nulls through the bitmap;
  // dense views hold exactly the page's present values.
  const int64_t first = values.entry_indexed ? page.entry_begin : page.value_begin;
  const auto count = static_cast<size_t>(values.entry_indexed ? page.entry_end - page.entry_begin
                                                              : page.value_count);
  const BitmapView validity =
      values.entry_indexed
          ? BitmapView{values.validity.data, values.validity.offset + static_cast<size_t>(first)}
          : BitmapView{};
  switch (values.type) {
    case frame::TypeId::Int64:
      encode_plain(std::span<const int64_t>(values.int64_values + first, count), validity,
                   page_body_);
      return;
    case frame::TypeId::Float64:
      encode_plain(std::span<const double>(values.float64_values + first, count), validity,
                   page_body_);
      return;
    case frame::TypeId::Utf8:
      encode_plain_byte_array(std::span<const int32_t>(values.string_offsets + first, count + 1),
                              values.string_data, validity, page_body_);
      return;
    case frame::TypeId::Bool:
      encode_plain_boolean(BitmapView{values.bool_values.data,
                                      values.bool_values.offset + static_cast<size_t>(first)},
                           count, validity, page_body_);
      return;
    default:
      return;
  }
}

size_t ColumnChunkWriter::dictionary_size() const {
  switch (node_->type->id()) {
    case frame::TypeId::Int64:
      return int64_dictionary_.size();
    case frame::TypeId::Float64:
      return float64_dictionary_.size();
    default:
      return string_dictionary_.size();
  }
}

void ColumnChunkWriter::encode_dictionary_indices(const Page& page) {
  const size_t entries = dictionary_size();
  const int width = bit_width_for(entries > 0 ? entries - 1 : 0);
  encode_rle_hybrid(
      std::span<const uint32_t>(indices_).subspan(static_cast<size_t>(page.value_begin),
                                                  static_cast<size_t>(page.value_count)),
      width, RleFraming::kBitWidthPrefixed, page_body_);
}

void ColumnChunkWriter::append_page(format::PageHeader header, std::vector<uint8_t>& file) {
  std::span<const uint8_t> body = page_body_;
  if (codec_ != Codec::kUncompressed) {
    compress(codec_, page_body_, options_->compression_level, compressed_);
    body = compressed_;
  }
  header.uncompressed_page_size = static_cast<int32_t>(page_body_.size());
  header.compressed_page_size = static_cast<int32_t>(body.size());
  // The format's checksum covers the page as stored, after compression; the field is a
  // signed 32-bit integer holding the CRC's bits.
  header.crc = static_cast<int32_t>(crc32_z(0, body.data(), body.size()));
  header_bytes_.clear();
  format::serialize_into(header, header_bytes_);
  file.insert(file.end(), header_bytes_.begin(), header_bytes_.end());
  file.insert(file.end(), body.begin(), body.end());
  uncompressed_total_ += static_cast<int64_t>(header_bytes_.size() + page_body_.size());
  compressed_total_ += static_cast<int64_t>(header_bytes_.size() + body.size());
}

format::Statistics ColumnChunkWriter::statistics(const LeafValues& values) const {
  format::Statistics stats;
  stats.null_count = values.entries - values.present;
  if (values.present == 0) return stats;
  switch (values.type) {
    case frame::TypeId::Int64:
      int64_min_max(values, stats);
      return stats;
    case frame::TypeId::Float64:
      float64_min_max(values, stats);
      return stats;
    case frame::TypeId::Utf8:
      string_min_max(values, stats);
      return stats;
    case frame::TypeId::Bool:
      bool_min_max(values, stats);
      return stats;
    default:
      return stats;
  }
}

void ColumnChunkWriter::int64_min_max(const LeafValues& values, format::Statistics& stats) const {
  int64_t min = std::numeric_limits<int64_t>::max();
  int64_t max = std::numeric_limits<int64_t>::min();
  if (dictionary_encoded_) {
    // The dictionary holds every distinct value, usually far fewer than the values.
    const std::span<const int64_t> candidates = int64_dictionary_.entries();
    const auto [lo, hi] = std::minmax_element(candidates.begin(), candidates.end());
    min = *lo;
    max = *hi;
  } else {
    for_each_present(values, [&](int64_t i) {
      min = std::min(min, values.int64_values[i]);
      max = std::max(max, values.int64_values[i]);
    });
  }
  set_min_max(stats, bytes_of_value(min), bytes_of_value(max), true);
}

void ColumnChunkWriter::string_min_max(const LeafValues& values, format::Statistics& stats) const {
  std::optional<std::string_view> min, max;
  auto consider = [&](std::string_view value) {
    if (!min || value < *min) min = value;
    if (!max || value > *max) max = value;
  };
  if (dictionary_encoded_) {
    for (uint32_t i = 0; i < string_dictionary_.size(); ++i) consider(string_dictionary_.entry(i));
  } else {
    for_each_present(values, [&](int64_t i) { consider(string_value(values, i)); });
  }
  if (min->size() <= kMaxStringStatistic && max->size() <= kMaxStringStatistic) {
    // The legacy fields order bytes as signed, so strings get only the new ones.
    set_min_max(stats, std::string(*min), std::string(*max), false);
  }
}

format::ColumnChunk ColumnChunkWriter::write(const LeafColumn& leaf, const SchemaNode& node,
                                             const WriterOptions& options,
                                             const ShreddedLeaf& shredded,
                                             std::vector<uint8_t>& file) {
  leaf_ = &leaf;
  node_ = &node;
  options_ = &options;
  codec_ = codec_for(options.compression);
  uncompressed_total_ = 0;
  compressed_total_ = 0;
  const LeafValues& values = shredded.values;
  dictionary_encoded_ = try_dictionary(values);

  format::ColumnMetaData meta = chunk_metadata(values);
  if (dictionary_encoded_) meta.dictionary_page_offset = write_dictionary_page(file);
  meta.data_page_offset = static_cast<int64_t>(file.size());
  write_data_pages(shredded, file);
  meta.total_uncompressed_size = uncompressed_total_;
  meta.total_compressed_size = compressed_total_;

  format::ColumnChunk chunk;
  chunk.file_offset = meta.dictionary_page_offset.value_or(meta.data_page_offset);
  chunk.meta_data = std::move(meta);
  return chunk;
}

format::ColumnMetaData ColumnChunkWriter::chunk_metadata(const LeafValues& values) const {
  format::ColumnMetaData meta;
  meta.type = node_->physical_type;
  meta.path_in_schema = leaf_->path_in_schema;
  meta.codec = codec_;
  meta.num_values = values.entries;
  meta.statistics = statistics(values);
  meta.encodings = {format::Encoding::kPlain, format::Encoding::kRle};
  if (dictionary_encoded_) meta.encodings.push_back(format::Encoding::kRleDictionary);
  return meta;
}

int64_t ColumnChunkWriter::write_dictionary_page(std::vector<uint8_t>& file) {
  page_body_.clear();
  const frame::TypeId type = node_->type->id();
  if (type == frame::TypeId::Int64) {
    int64_dictionary_.encode_dictionary_page(page_body_);
  } else if (type == frame::TypeId::Float64) {
    float64_dictionary_.encode_dictionary_page(page_body_);
  } else {
    const auto page = string_dictionary_.dictionary_page();
    page_body_.assign(page.begin(), page.end());
  }
  const auto offset = static_cast<int64_t>(file.size());
  format::PageHeader header;
  header.type = format::PageType::kDictionaryPage;
  header.dictionary_page_header = format::DictionaryPageHeader{
      static_cast<int32_t>(dictionary_size()), format::Encoding::kPlain, {}};
  append_page(std::move(header), file);
  return offset;
}

double ColumnChunkWriter::encoded_bytes_per_entry(const LeafValues& values) const {
  if (dictionary_encoded_) {
    return std::max(1.0, static_cast<double>(bit_width_for(dictionary_size())) / 8);
  }
  if (values.type == frame::TypeId::Utf8 && values.present > 0) {
    // A length prefix and the average string's bytes.
    const auto [first, last] =
        values.entry_indexed
            ? std::pair{values.string_offsets[0], values.string_offsets[values.entries]}
            : std::pair{0, values.string_offsets[values.present]};
    return 4 + static_cast<double>(last - first) / static_cast<double>(values.entries);
  }
  if (values.type == frame::TypeId::Bool) return 0.125;
  return 8;
}

void ColumnChunkWriter::write_data_pages(const ShreddedLeaf& shredded, std::vector<uint8_t>& file) {
  for (const Page& page : plan_pages(shredded, encoded_bytes_per_entry(shredded.values))) {
    page_body_.clear();
    encode_levels(shredded, page);
    if (dictionary_encoded_) {
      encode_dictionary_indices(page);
    } else {
      encode_plain_values(shredded.values, page);
    }
    format::PageHeader header;
    header.type = format::PageType::kDataPage;
    format::DataPageHeader data;
    data.num_values = static_cast<int32_t>(page.entry_end - page.entry_begin);
    data.encoding =
        dictionary_encoded_ ? format::Encoding::kRleDictionary : format::Encoding::kPlain;
    header.data_page_header = data;
    append_page(std::move(header), file);
  }
}

}  // namespace crv::parquet
