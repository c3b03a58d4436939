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

#include "parquet/byte_stream_split.hpp"
#include "parquet/delta_binary_packed.hpp"
#include "parquet/plain.hpp"
#include "parquet/rle_hybrid.hpp"
#include "parquet/value_hash.hpp"

namespace crv::parquet {
namespace {

// Statistics of strings longer than this are left out: they would bloat every footer
// and no reader prunes on them usefully.
constexpr size_t kMaxStringStatistic = 4096;
// Upper bound on the entries of one data page, whatever their size, so readers decode
// in bounded batches.
constexpr int64_t kMaxEntriesPerWrittenPage = int64_t{1} << 20;
// The encodings are compared on a sample of about this many PLAIN bytes at the start of
// the chunk and on its first half: a codec sees repeats up to half this far apart (4,096
// doubles), and the comparison costs a small share of compressing a chunk of 100,000
// doubles once per candidate.
constexpr double kSampleBytes = 64 * 1024;
// A sample whose values appear this many times each on average, or more, has its chunk's
// dictionary built whole without first judging it: so few distinct values cost little to
// gather, and such a dictionary is usually taken.
constexpr size_t kRepeatsWithinSample = 4;
// A dictionary whose pages, before compression, are this many times smaller than PLAIN
// is taken without a sample: no codec makes up such a difference on PLAIN values.
constexpr double kClearDictionaryWin = 8;
// The zstd blocks of a dictionary-index page that zstd stored raw as a whole: small
// enough that a byte value drawn 1 time in 144 passes its test of 1 in 128 most times.
constexpr size_t kIndexBlockBytes = 8 * 1024;

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

// Where a range of a chunk's entries is in its value buffers: entry-indexed views address
// it by entries and skip nulls through the bitmap; dense views hold exactly its present
// values.
struct ValueSpan {
  int64_t first = 0;
  size_t count = 0;
  BitmapView validity;
};

template <class Range>
ValueSpan value_span(const LeafValues& values, const Range& range) {
  if (!values.entry_indexed) {
    return {range.value_begin, static_cast<size_t>(range.value_count), BitmapView{}};
  }
  return {range.entry_begin, static_cast<size_t>(range.entry_end - range.entry_begin),
          BitmapView{values.validity.data,
                     values.validity.offset + static_cast<size_t>(range.entry_begin)}};
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

format::Encoding format_encoding(ValueEncoding encoding) {
  switch (encoding) {
    case ValueEncoding::kDictionary:
      return format::Encoding::kRleDictionary;
    case ValueEncoding::kByteStreamSplit:
      return format::Encoding::kByteStreamSplit;
    case ValueEncoding::kDeltaBinaryPacked:
      return format::Encoding::kDeltaBinaryPacked;
    default:
      return format::Encoding::kPlain;
  }
}

// The encoding besides PLAIN and dictionary that a type may take: the ones every reader
// the conformance suite checks reads (BYTE_STREAM_SPLIT integers are not among them,
// DuckDB refuses them).
std::optional<ValueEncoding> type_specific_encoding(frame::TypeId type) {
  switch (type) {
    case frame::TypeId::Float64:
      return ValueEncoding::kByteStreamSplit;
    case frame::TypeId::Int64:
      return ValueEncoding::kDeltaBinaryPacked;
    default:
      return std::nullopt;
  }
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

bool ColumnChunkWriter::dictionary_applies(const LeafValues& values) const {
  return options_->enable_dictionary && values.present > 0 &&
         (values.type == frame::TypeId::Int64 || values.type == frame::TypeId::Float64 ||
          values.type == frame::TypeId::Utf8);
}

void ColumnChunkWriter::start_dictionary(const LeafValues& values) {
  indices_.clear();
  // Only this type's: clearing empties every slot, and another type's table may be large.
  if (values.type == frame::TypeId::Int64) {
    int64_dictionary_.clear();
  } else if (values.type == frame::TypeId::Float64) {
    float64_dictionary_.clear();
  } else {
    string_dictionary_.clear();
  }
}

void ColumnChunkWriter::extend_dictionary(const LeafValues& values, const Page& range) {
  const ValueSpan span = value_span(values, range);
  if (values.type == frame::TypeId::Int64) {
    int64_dictionary_.insert(std::span<const int64_t>(values.int64_values + span.first, span.count),
                             span.validity, indices_);
  } else if (values.type == frame::TypeId::Float64) {
    float64_dictionary_.insert(
        std::span<const double>(values.float64_values + span.first, span.count), span.validity,
        indices_);
  } else {
    string_dictionary_.insert(
        std::span<const int32_t>(values.string_offsets + span.first, span.count + 1),
        values.string_data, span.validity, indices_);
  }
}

bool ColumnChunkWriter::measure_dictionary() {
  const DictionarySizes sizes = dictionary_sizes();
  dictionary_entries_ = sizes.entries;
  dictionary_page_bytes_ = sizes.dictionary_page_size;
  return !sizes.exceeds(static_cast<size_t>(options_->dictionary_page_limit));
}

bool ColumnChunkWriter::estimate_dictionary(const LeafValues& values) {
  const DictionarySizes first = dictionary_sizes();
  const double distinct =
      std::max(static_cast<double>(first.entries), std::round(estimated_distinct_values(values)));
  dictionary_entries_ = static_cast<size_t>(distinct);
  // Fixed-width entries are all one size; strings are taken to average what the first
  // distinct ones do.
  dictionary_page_bytes_ = static_cast<size_t>(static_cast<double>(first.dictionary_page_size) *
                                               distinct / static_cast<double>(first.entries));
  return dictionary_page_bytes_ <= static_cast<size_t>(options_->dictionary_page_limit);
}

double ColumnChunkWriter::estimated_distinct_values(const LeafValues& values) {
  distinct_counter_.reset(static_cast<size_t>(values.present));
  if (values.type == frame::TypeId::Int64) {
    for_each_present(values, [&](int64_t i) {
      distinct_counter_.add(hash_word(std::bit_cast<uint64_t>(values.int64_values[i])));
    });
  } else if (values.type == frame::TypeId::Float64) {
    for_each_present(values, [&](int64_t i) {
      distinct_counter_.add(hash_word(std::bit_cast<uint64_t>(values.float64_values[i])));
    });
  } else {
    for_each_present(values, [&](int64_t i) {
      const std::string_view value = string_value(values, i);
      distinct_counter_.add(
          hash_bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
    });
  }
  return distinct_counter_.estimate();
}

ValueEncoding ColumnChunkWriter::choose_encoding(const ShreddedLeaf& shredded) {
  const LeafValues& values = shredded.values;
  const std::optional<ValueEncoding> specific = type_specific_encoding(values.type);
  const ValueEncoding forced = options_->value_encoding;
  sampled_bytes_.clear();
  if (forced == ValueEncoding::kPlain || (specific && forced == *specific)) return forced;
  const Sample sample =
      plan_sample(shredded, encoded_bytes_per_entry(values, ValueEncoding::kPlain));
  if (!dictionary_applies(values)) return compare_encodings(shredded, sample, false);

  start_dictionary(values);
  const bool judge_first = forced != ValueEncoding::kDictionary &&
                           sample.whole.entry_end < values.entries && sample.whole.value_count > 0;
  if (judge_first) {
    extend_dictionary(values, sample.whole);
    const bool repeating = dictionary_sizes().entries * kRepeatsWithinSample <=
                           static_cast<size_t>(sample.whole.value_count);
    if (!repeating) {
      const bool fits = estimate_dictionary(values);
      // A dictionary page within the sample's size is compressed whole to be judged, so
      // it is built whole too.
      if (dictionary_page_bytes_ > static_cast<size_t>(kSampleBytes)) {
        const ValueEncoding provisional = compare_encodings(shredded, sample, fits);
        // The dictionary page's body was of the first entries only.
        dictionary_body_ready_ = false;
        if (provisional != ValueEncoding::kDictionary) return provisional;
      }
    }
    extend_dictionary(values, Page{sample.whole.entry_end, values.entries, sample.whole.value_count,
                                   values.present - sample.whole.value_count});
  } else {
    extend_dictionary(values, Page{0, values.entries, 0, values.present});
  }
  dictionary_built_ = true;
  const bool fits = measure_dictionary();
  if (forced == ValueEncoding::kDictionary && fits) return forced;
  return compare_encodings(shredded, sample, fits);
}

ColumnChunkWriter::Sample ColumnChunkWriter::plan_sample(const ShreddedLeaf& shredded,
                                                         double plain_per_entry) const {
  // The sample is the chunk's first kSampleBytes as PLAIN (BYTE_STREAM_SPLIT and
  // DELTA_BINARY_PACKED pages hold as many entries), at most a page: pages are compressed
  // one by one, so a page is the most a codec sees of repetitions. Its first half is
  // compressed too: what the second half adds is what an entry costs past the sample,
  // which is next to nothing for values that repeat within it.
  const int64_t sample_end = page_end(
      shredded, 0,
      std::min(entries_per_page(plain_per_entry),
               std::max<int64_t>(1, static_cast<int64_t>(kSampleBytes / plain_per_entry))));
  const int64_t half_end = page_end(shredded, 0, sample_end / 2);
  Sample sample;
  sample.whole = Page{0, sample_end, 0, present_in(shredded, leaf_->max_def, 0, sample_end)};
  sample.half = Page{0, half_end, 0, present_in(shredded, leaf_->max_def, 0, half_end)};
  sample.has_half = sample_end < shredded.values.entries && half_end > 0 && half_end < sample_end;
  return sample;
}

ValueEncoding ColumnChunkWriter::compare_encodings(const ShreddedLeaf& shredded,
                                                   const Sample& sample, bool dictionary_fits) {
  const LeafValues& values = shredded.values;
  const std::optional<ValueEncoding> specific = type_specific_encoding(values.type);
  std::vector<ValueEncoding> candidates = {ValueEncoding::kPlain};
  if (dictionary_fits) candidates.push_back(ValueEncoding::kDictionary);
  if (specific && values.present > 0) candidates.push_back(*specific);
  if (candidates.size() == 1) return ValueEncoding::kPlain;
  if (dictionary_fits) {
    const double plain_per_entry = encoded_bytes_per_entry(values, ValueEncoding::kPlain);
    const auto entries = static_cast<double>(values.entries);
    const double dictionary_bytes =
        encoded_bytes_per_entry(values, ValueEncoding::kDictionary) * entries +
        static_cast<double>(dictionary_page_bytes_);
    if (dictionary_bytes * kClearDictionaryWin < plain_per_entry * entries) {
      return ValueEncoding::kDictionary;
    }
    // Values that hardly repeat: the codec finds the same repeats in PLAIN values.
    if (dictionary_bytes >= plain_per_entry * entries) {
      candidates.erase(std::find(candidates.begin(), candidates.end(), ValueEncoding::kDictionary));
      if (candidates.size() == 1) return ValueEncoding::kPlain;
    }
  }

  ValueEncoding best = ValueEncoding::kPlain;
  double best_bytes = std::numeric_limits<double>::infinity();
  for (const ValueEncoding candidate : candidates) {
    double bytes = sampled_chunk_bytes(shredded, sample, candidate);
    if (candidate == ValueEncoding::kDictionary && bytes < best_bytes) {
      bytes += estimated_dictionary_page_bytes();
    }
    // Ties keep the earlier candidate: PLAIN first, which every reader reads fastest.
    if (bytes >= best_bytes) continue;
    best = candidate;
    best_bytes = bytes;
    // A sample of the whole chunk is its only page, unless dictionary pages, planned by
    // the width of their indices, split it differently.
    first_page_ready_ =
        candidate != ValueEncoding::kDictionary && sample.whole.entry_end == values.entries;
    if (first_page_ready_) std::swap(first_page_, page_);
  }
  return best;
}

double ColumnChunkWriter::sampled_chunk_bytes(const ShreddedLeaf& shredded, const Sample& sample,
                                              ValueEncoding encoding) {
  const bool remembered = encoding != ValueEncoding::kDictionary;
  if (remembered) {
    for (const auto& [judged, bytes] : sampled_bytes_) {
      if (judged == encoding) return bytes;
    }
  }
  encode_page(shredded, sample.whole, encoding, page_);
  SampleSizes sizes{sample.whole.entry_end, static_cast<double>(stored(page_).size())};
  if (sample.has_half) {
    encode_page(shredded, sample.half, encoding, half_page_);
    sizes.half_entries = sample.half.entry_end;
    sizes.half_bytes = static_cast<double>(stored(half_page_).size());
  }
  const double bytes = estimated_chunk_bytes(shredded.values, encoding, sizes);
  if (remembered) sampled_bytes_.emplace_back(encoding, bytes);
  return bytes;
}

double ColumnChunkWriter::estimated_chunk_bytes(const LeafValues& values, ValueEncoding encoding,
                                                const SampleSizes& sample) const {
  const auto whole = static_cast<double>(sample.entries);
  // Past the sample an entry costs what one cost in its second half, or on average when
  // the sample has no halves.
  const double past_sample = sample.half_entries > 0
                                 ? std::max(0.0, sample.bytes - sample.half_bytes) /
                                       static_cast<double>(sample.entries - sample.half_entries)
                                 : sample.bytes / whole;
  const auto page_bytes = [&](double entries) {
    return entries <= whole ? sample.bytes * entries / whole
                            : sample.bytes + past_sample * (entries - whole);
  };
  // The codec starts afresh on every page.
  const auto page_entries =
      static_cast<double>(entries_per_page(encoded_bytes_per_entry(values, encoding)));
  const auto entries = static_cast<double>(values.entries);
  const double full_pages = std::floor(entries / page_entries);
  return full_pages * page_bytes(page_entries) + page_bytes(entries - full_pages * page_entries);
}

int64_t ColumnChunkWriter::entries_per_page(double bytes_per_entry) const {
  return std::clamp<int64_t>(static_cast<int64_t>(static_cast<double>(options_->data_page_size) /
                                                  std::max(bytes_per_entry, 1e-3)),
                             1, kMaxEntriesPerWrittenPage);
}

int64_t ColumnChunkWriter::page_end(const ShreddedLeaf& shredded, int64_t begin,
                                    int64_t target) const {
  const int64_t entries = shredded.values.entries;
  int64_t end = std::min(entries, begin + target);
  // A page must start a new record: never split one row's list entries.
  if (!shredded.rep_levels.empty()) {
    while (end < entries && shredded.rep_levels[static_cast<size_t>(end)] != 0) ++end;
  }
  return end;
}

std::vector<ColumnChunkWriter::Page> ColumnChunkWriter::plan_pages(const ShreddedLeaf& shredded,
                                                                   double bytes_per_entry) const {
  const int64_t entries = shredded.values.entries;
  const int64_t target = entries_per_page(bytes_per_entry);
  std::vector<Page> pages;
  int64_t value_begin = 0;
  for (int64_t begin = 0; begin < entries || (entries == 0 && pages.empty());) {
    const int64_t end = page_end(shredded, begin, target);
    const int64_t count = present_in(shredded, leaf_->max_def, begin, end);
    pages.push_back({begin, end, value_begin, count});
    value_begin += count;
    begin = end;
    if (entries == 0) break;
  }
  return pages;
}

void ColumnChunkWriter::encode_page(const ShreddedLeaf& shredded, const Page& page,
                                    ValueEncoding encoding, PageBytes& page_bytes) {
  page_bytes.body.clear();
  encode_levels(shredded, page, page_bytes.body);
  encode_values(shredded.values, page, encoding, page_bytes.body);
  if (codec_ == Codec::kUncompressed) return;
  compress(codec_, page_bytes.body, options_->compression_level, page_bytes.compressed);
  // Bit-packed indices of a few values drawn evenly are where zstd's block heuristic
  // gives up on a page it could shrink by a tenth.
  if (encoding == ValueEncoding::kDictionary && codec_ == Codec::kZstd &&
      page_bytes.compressed.size() >= page_bytes.body.size() &&
      page_bytes.body.size() > kIndexBlockBytes) {
    compress_zstd_in_blocks(page_bytes.body, options_->compression_level, kIndexBlockBytes, trial_);
    if (trial_.size() < page_bytes.compressed.size()) std::swap(trial_, page_bytes.compressed);
  }
}

void ColumnChunkWriter::encode_levels(const ShreddedLeaf& shredded, const Page& page,
                                      std::vector<uint8_t>& out) {
  const auto count = static_cast<size_t>(page.entry_end - page.entry_begin);
  if (leaf_->max_rep > 0) {
    const int width = bit_width_for(static_cast<uint64_t>(leaf_->max_rep));
    encode_rle_hybrid(std::span<const int16_t>(shredded.rep_levels)
                          .subspan(static_cast<size_t>(page.entry_begin), count),
                      width, RleFraming::kLengthPrefixed, out);
  }
  if (leaf_->max_def == 0) return;
  const int width = bit_width_for(static_cast<uint64_t>(leaf_->max_def));
  if (!shredded.def_levels.empty()) {
    encode_rle_hybrid(std::span<const int16_t>(shredded.def_levels)
                          .subspan(static_cast<size_t>(page.entry_begin), count),
                      width, RleFraming::kLengthPrefixed, out);
    return;
  }
  // A top-level column: its validity bitmap is its definition levels.
  const LeafValues& values = shredded.values;
  if (page.value_count == static_cast<int64_t>(count)) {
    encode_rle_hybrid_repeated(1, count, width, RleFraming::kLengthPrefixed, out);
    return;
  }
  // With nulls, levels of width 1 bit-packed LSB first are the validity bits themselves:
  // one bit-packed run whose bytes are the bitmap, the last group padded with zeros.
  const size_t groups = (count + 7) / 8;
  const size_t length_at = out.size();
  out.resize(length_at + sizeof(uint32_t));
  append_uleb128(out, (uint64_t{groups} << 1) | 1);
  const size_t bits_at = out.size();
  out.resize(bits_at + groups, 0);
  or_bits({values.validity.data, values.validity.offset + static_cast<size_t>(page.entry_begin)},
          count, out.data() + bits_at, 0);
  store_le(out.data() + length_at,
           static_cast<uint32_t>(out.size() - length_at - sizeof(uint32_t)));
}

void ColumnChunkWriter::encode_values(const LeafValues& values, const Page& page,
                                      ValueEncoding encoding, std::vector<uint8_t>& out) const {
  if (encoding == ValueEncoding::kDictionary) {
    encode_rle_hybrid(
        std::span<const uint32_t>(indices_).subspan(static_cast<size_t>(page.value_begin),
                                                    static_cast<size_t>(page.value_count)),
        dictionary_index_width(), RleFraming::kBitWidthPrefixed, out);
    return;
  }
  const auto [first, count, validity] = value_span(values, page);
  if (encoding == ValueEncoding::kByteStreamSplit) {
    encode_byte_stream_split(std::span<const double>(values.float64_values + first, count),
                             validity, out);
    return;
  }
  if (encoding == ValueEncoding::kDeltaBinaryPacked) {
    encode_delta_binary_packed(std::span<const int64_t>(values.int64_values + first, count),
                               validity, out);
    return;
  }
  switch (values.type) {
    case frame::TypeId::Int64:
      encode_plain(std::span<const int64_t>(values.int64_values + first, count), validity, out);
      return;
    case frame::TypeId::Float64:
      encode_plain(std::span<const double>(values.float64_values + first, count), validity, out);
      return;
    case frame::TypeId::Utf8:
      encode_plain_byte_array(std::span<const int32_t>(values.string_offsets + first, count + 1),
                              values.string_data, validity, out);
      return;
    case frame::TypeId::Bool:
      encode_plain_boolean(BitmapView{values.bool_values.data,
                                      values.bool_values.offset + static_cast<size_t>(first)},
                           count, validity, out);
      return;
    default:
      return;
  }
}

DictionarySizes ColumnChunkWriter::dictionary_sizes() const {
  switch (node_->type->id()) {
    case frame::TypeId::Int64:
      return int64_dictionary_.sizes();
    case frame::TypeId::Float64:
      return float64_dictionary_.sizes();
    default:
      return string_dictionary_.sizes();
  }
}

int ColumnChunkWriter::dictionary_index_width() const {
  return bit_width_for(dictionary_entries_ > 0 ? dictionary_entries_ - 1 : 0);
}

std::span<const uint8_t> ColumnChunkWriter::stored(const PageBytes& page) const {
  if (codec_ == Codec::kUncompressed) return page.body;
  return page.compressed;
}

void ColumnChunkWriter::append_page(format::PageHeader header, const PageBytes& page,
                                    std::vector<uint8_t>& file) {
  const std::span<const uint8_t> body = stored(page);
  header.uncompressed_page_size = static_cast<int32_t>(page.body.size());
  header.compressed_page_size = static_cast<int32_t>(body.size());
  // The format's checksum covers the page as stored, after compression; the field is a
  // signed 32-bit integer holding the CRC's bits.
  header.crc = static_cast<int32_t>(crc32_z(0, body.data(), body.size()));
  header_bytes_.clear();
  format::serialize_into(header, header_bytes_);
  file.insert(file.end(), header_bytes_.begin(), header_bytes_.end());
  file.insert(file.end(), body.begin(), body.end());
  uncompressed_total_ += static_cast<int64_t>(header_bytes_.size() + page.body.size());
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
  if (dictionary_built_) {
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
  if (dictionary_built_) {
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
  dictionary_built_ = false;
  dictionary_body_ready_ = false;
  dictionary_page_ready_ = false;
  first_page_ready_ = false;
  encoding_ = choose_encoding(shredded);

  format::ColumnMetaData meta = chunk_metadata(values);
  if (encoding_ == ValueEncoding::kDictionary) {
    meta.dictionary_page_offset = write_dictionary_page(file);
  }
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
  // What the chunk's pages use: PLAIN values or a PLAIN dictionary page, RLE levels, and
  // the values' own encoding.
  const bool plain = encoding_ == ValueEncoding::kPlain || encoding_ == ValueEncoding::kDictionary;
  if (plain) meta.encodings.push_back(format::Encoding::kPlain);
  if (leaf_->max_def > 0 || leaf_->max_rep > 0) meta.encodings.push_back(format::Encoding::kRle);
  if (encoding_ != ValueEncoding::kPlain) meta.encodings.push_back(format_encoding(encoding_));
  return meta;
}

void ColumnChunkWriter::encode_dictionary_page() {
  if (dictionary_body_ready_) return;
  std::vector<uint8_t>& body = dictionary_page_.body;
  body.clear();
  const frame::TypeId type = node_->type->id();
  if (type == frame::TypeId::Int64) {
    int64_dictionary_.encode_dictionary_page(body);
  } else if (type == frame::TypeId::Float64) {
    float64_dictionary_.encode_dictionary_page(body);
  } else {
    const auto page = string_dictionary_.dictionary_page();
    body.assign(page.begin(), page.end());
  }
  dictionary_body_ready_ = true;
}

void ColumnChunkWriter::prepare_dictionary_page() {
  if (dictionary_page_ready_) return;
  encode_dictionary_page();
  if (codec_ != Codec::kUncompressed) {
    compress(codec_, dictionary_page_.body, options_->compression_level,
             dictionary_page_.compressed);
  }
  dictionary_page_ready_ = true;
}

double ColumnChunkWriter::estimated_dictionary_page_bytes() {
  if (codec_ == Codec::kUncompressed) return static_cast<double>(dictionary_page_bytes_);
  encode_dictionary_page();
  const std::vector<uint8_t>& body = dictionary_page_.body;
  if (dictionary_built_ && body.size() <= static_cast<size_t>(kSampleBytes)) {
    prepare_dictionary_page();
    return static_cast<double>(stored(dictionary_page_).size());
  }
  // A dictionary holds every value once, so its start compresses about as well as the
  // rest; the whole page is compressed only if the dictionary is chosen.
  const size_t sample = std::min(body.size(), static_cast<size_t>(kSampleBytes));
  compress(codec_, std::span<const uint8_t>(body.data(), sample), options_->compression_level,
           trial_);
  return static_cast<double>(trial_.size()) * static_cast<double>(dictionary_page_bytes_) /
         static_cast<double>(sample);
}

int64_t ColumnChunkWriter::write_dictionary_page(std::vector<uint8_t>& file) {
  prepare_dictionary_page();
  const auto offset = static_cast<int64_t>(file.size());
  format::PageHeader header;
  header.type = format::PageType::kDictionaryPage;
  header.dictionary_page_header = format::DictionaryPageHeader{
      static_cast<int32_t>(dictionary_sizes().entries), format::Encoding::kPlain, {}};
  append_page(std::move(header), dictionary_page_, file);
  return offset;
}

double ColumnChunkWriter::encoded_bytes_per_entry(const LeafValues& values,
                                                  ValueEncoding encoding) const {
  if (encoding == ValueEncoding::kDictionary) {
    return std::max(1.0, static_cast<double>(dictionary_index_width()) / 8);
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
  // BYTE_STREAM_SPLIT and DELTA_BINARY_PACKED pages hold as many entries as PLAIN ones,
  // so the first page is the sample their size was judged by.
  return 8;
}

void ColumnChunkWriter::write_data_pages(const ShreddedLeaf& shredded, std::vector<uint8_t>& file) {
  const std::vector<Page> pages =
      plan_pages(shredded, encoded_bytes_per_entry(shredded.values, encoding_));
  for (size_t i = 0; i < pages.size(); ++i) {
    // Choosing the encoding left the first page encoded and compressed.
    const bool sampled = i == 0 && first_page_ready_;
    if (!sampled) encode_page(shredded, pages[i], encoding_, page_);
    format::PageHeader header;
    header.type = format::PageType::kDataPage;
    format::DataPageHeader data;
    data.num_values = static_cast<int32_t>(pages[i].entry_end - pages[i].entry_begin);
    data.encoding = format_encoding(encoding_);
    header.data_page_header = data;
    append_page(std::move(header), sampled ? first_page_ : page_, file);
  }
}

}  // namespace crv::parquet
