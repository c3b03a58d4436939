#pragma once
// The RLE / bit-packing hybrid encoding of the Parquet format (Encodings.md, RLE = 3):
// a sequence of runs, each either one value repeated (RLE run) or groups of 8 values
// packed at a fixed bit width (bit-packed run). It carries definition and repetition
// levels (bit width from the maximum level) and dictionary indices (width up to 32).
//
// The runs appear in three framings:
//   - length-prefixed: a 4-byte little-endian byte count, then the runs (levels in data
//     page v1, RLE-encoded booleans);
//   - raw: the runs alone, their size known from elsewhere (levels in data page v2);
//   - bit-width-prefixed: one byte holding the bit width, then the runs up to the end of
//     the page (dictionary indices).
//
// Decoders read untrusted bytes: every violation throws crv::IoFormatError whose
// message gives the byte offset within the runs (or framing) where it was found; the
// caller adds the file, column and page position. Empty runs, which the format rules
// out but older DuckDB versions emit, are read as holding no values.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace crv::parquet {

enum class RleFraming { kRaw, kLengthPrefixed, kBitWidthPrefixed };

// Appends `values` encoded at `bit_width` (0..32) in `framing` to `out`. Repeats of 8 or
// more become RLE runs, everything else bit-packed groups of 8 (the last group padded
// with zeros). Throws std::invalid_argument when the width is out of range or a value
// does not fit in it (levels must also be non-negative).
void encode_rle_hybrid(std::span<const uint32_t> values, int bit_width, RleFraming framing,
                       std::vector<uint8_t>& out);
void encode_rle_hybrid(std::span<const int16_t> values, int bit_width, RleFraming framing,
                       std::vector<uint8_t>& out);
// `count` copies of `value` without materialising them, e.g. the definition levels of a
// column without nulls.
void encode_rle_hybrid_repeated(uint32_t value, size_t count, int bit_width, RleFraming framing,
                                std::vector<uint8_t>& out);

// Decodes runs batch by batch: each decode() call continues where the last one stopped.
// Levels decode into int16_t (bit width at most 15), dictionary indices into uint32_t.
// Every decoded value fits in the bit width (an RLE value that does not is an error);
// checking a level against the maximum level, or an index against the dictionary size,
// is the caller's job.
class RleHybridDecoder {
 public:
  // `runs` holds the runs only (no framing) and must outlive the decoder. `base_offset`
  // is added to the byte offsets that error messages give, e.g. the position of the runs
  // within the page. Throws std::invalid_argument for a width outside 0..32.
  RleHybridDecoder(std::span<const uint8_t> runs, int bit_width, size_t base_offset = 0);

  // Fills `out` completely or throws IoFormatError.
  void decode(std::span<uint32_t> out);
  void decode(std::span<int16_t> out);

  int bit_width() const { return bit_width_; }
  // Bytes of `runs` read so far.
  size_t bytes_consumed() const { return static_cast<size_t>(pos_ - begin_); }

 private:
  template <typename Out>
  void decode_into(Out* out, size_t count);
  void read_run_header(size_t values_still_needed);
  // Where the next byte lies, as error messages report it.
  size_t offset() const { return base_offset_ + bytes_consumed(); }

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
  int bit_width_;
  size_t base_offset_;
  uint64_t rle_left_ = 0;  // values left in the current RLE run
  uint32_t rle_value_ = 0;
  // Values left in the current bit-packed run beyond the buffered group; never more than
  // the bytes left can hold, so a run that claims more than the data holds still yields
  // what is there and fails only if those values are actually needed.
  uint64_t packed_left_ = 0;
  // A group unpacked for a batch that ended inside it.
  uint32_t group_[8] = {};
  uint8_t group_next_ = 0;
  uint8_t group_end_ = 0;
};

// Splits a length-prefixed section off the front of `data`: returns its runs and
// advances `data` past them. Throws IoFormatError when the prefix is cut short or
// announces more bytes than `data` holds.
std::span<const uint8_t> take_length_prefixed_runs(std::span<const uint8_t>& data);

// A decoder for a bit-width-prefixed section (dictionary indices): reads the width byte,
// which must be at most 32, then decodes the runs that fill the rest of `data`. Error
// offsets count from the width byte.
RleHybridDecoder open_bit_width_prefixed_runs(std::span<const uint8_t> data);

}  // namespace crv::parquet
