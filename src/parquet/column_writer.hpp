#pragma once
// Encodes one leaf column's shredded rows as a column chunk: an optional dictionary page,
// data pages of bounded size, compression, and the chunk's metadata and statistics.
//
// Each chunk's values take one encoding (ValueEncoding). Unless the options force one,
// the writer takes a dictionary at once when its pages are far smaller than PLAIN and
// drops it when they are not smaller at all. Otherwise it encodes a sample of the chunk
// (its first 64 KiB as PLAIN, and the first half of that) every way that applies to the
// type, compresses each with the chunk's codec and keeps the smallest estimate: each
// page's bytes, from what the sample's second half added to its first, so that values
// repeating within the sample count as nearly free, plus the dictionary page for a
// dictionary (estimated from its first 64 KiB when larger). A sample that is the whole
// chunk is stored as compressed for the comparison.
//
// Building a dictionary of every value costs more than the rest of the choice, and most
// chunks of values that hardly repeat end up PLAIN. So for a chunk larger than its sample
// whose sample's values mostly differ (fewer than kRepeatsWithinSample appearances each),
// and whose dictionary page would be larger than the sample too, the dictionary is first
// judged on the sample's values alone (their indices are those of the whole dictionary,
// which numbers values in first-seen order) and an estimate of the chunk's distinct
// values (DistinctCounter), which sets the indices' width and the dictionary page's
// size. Only a dictionary that wins that comparison is built whole, and the comparison is
// then made again on the exact sizes. Every other dictionary is built whole at once.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "crv/parquet/writer.hpp"
#include "parquet/compression.hpp"
#include "parquet/dictionary.hpp"
#include "parquet/distinct_counter.hpp"
#include "parquet/format.hpp"
#include "parquet/schema.hpp"
#include "parquet/shredder.hpp"

namespace crv::parquet {

// Holds the scratch memory of chunk encoding (dictionaries, page buffers), which a writer
// reuses from chunk to chunk and file to file instead of allocating it afresh.
class ColumnChunkWriter {
 public:
  // Appends the pages of `leaf`'s chunk to `file` (whose size is the chunk's offset in the
  // file) and returns its metadata.
  format::ColumnChunk write(const LeafColumn& leaf, const SchemaNode& node,
                            const WriterOptions& options, const ShreddedLeaf& shredded,
                            std::vector<uint8_t>& file);

 private:
  struct Page {
    int64_t entry_begin = 0;
    int64_t entry_end = 0;
    int64_t value_begin = 0;  // first present value, counting from the chunk's start
    int64_t value_count = 0;
  };
  // A page's body before compression and as stored (empty when the codec is none).
  struct PageBytes {
    std::vector<uint8_t> body;
    std::vector<uint8_t> compressed;
  };

  // The chunk's metadata known before its pages are written.
  format::ColumnMetaData chunk_metadata(const LeafValues& values) const;
  // The entries an encoding is judged by: the chunk's first 64 KiB as PLAIN (at most a
  // page), and the first half of that when it is worth comparing (has_half).
  struct Sample {
    Page whole;
    Page half;
    bool has_half = false;
  };

  // The encoding of the chunk's values; leaves the first page, encoded that way, in
  // first_page_ unless it is dictionary encoded.
  ValueEncoding choose_encoding(const ShreddedLeaf& shredded);
  Sample plan_sample(const ShreddedLeaf& shredded, double plain_per_entry) const;
  // The best of PLAIN, the type's own encoding and (when it fits) the dictionary, as
  // dictionary_entries_ and dictionary_page_bytes_ describe it.
  ValueEncoding compare_encodings(const ShreddedLeaf& shredded, const Sample& sample,
                                  bool dictionary_fits);
  // The chunk's data pages in `encoding`, compressed, estimated from the sample; remembered
  // for the encodings that do not depend on the dictionary.
  double sampled_chunk_bytes(const ShreddedLeaf& shredded, const Sample& sample,
                             ValueEncoding encoding);
  // Whether the chunk's type has a dictionary and there are values for one.
  bool dictionary_applies(const LeafValues& values) const;
  // Empties the dictionary of the chunk's type and its indices for a new chunk.
  void start_dictionary(const LeafValues& values);
  // Adds the present values of `range` to the dictionary and their indices to indices_.
  void extend_dictionary(const LeafValues& values, const Page& range);
  // Takes dictionary_entries_ and dictionary_page_bytes_ from the dictionary as built;
  // whether it stays within dictionary_page_limit.
  bool measure_dictionary();
  // Estimates dictionary_entries_ and dictionary_page_bytes_ of the whole chunk from the
  // dictionary of its first values (some present) and a count of its distinct values;
  // whether it would stay within dictionary_page_limit.
  bool estimate_dictionary(const LeafValues& values);
  double estimated_distinct_values(const LeafValues& values);
  // Encodes the dictionary page's body into dictionary_page_ unless it is there already.
  void encode_dictionary_page();
  // Compresses the dictionary page into dictionary_page_ unless it is there already.
  void prepare_dictionary_page();
  // The dictionary page's bytes as stored, from a sample of it when it is large.
  double estimated_dictionary_page_bytes();
  // Appends the dictionary page to `file`; returns its offset.
  int64_t write_dictionary_page(std::vector<uint8_t>& file);
  // What one entry costs encoded, before compression, which sizes the pages.
  double encoded_bytes_per_entry(const LeafValues& values, ValueEncoding encoding) const;
  void write_data_pages(const ShreddedLeaf& shredded, std::vector<uint8_t>& file);
  std::vector<Page> plan_pages(const ShreddedLeaf& shredded, double bytes_per_entry) const;
  // The compressed sizes of the sample, and of its first half (half_entries is 0 when the
  // sample has no halves worth comparing).
  struct SampleSizes {
    int64_t entries = 0;
    double bytes = 0;
    int64_t half_entries = 0;
    double half_bytes = 0;
  };
  // The chunk's data pages in `encoding`, compressed, estimated from its sample.
  double estimated_chunk_bytes(const LeafValues& values, ValueEncoding encoding,
                               const SampleSizes& sample) const;
  // How many entries fill a page at `bytes_per_entry`.
  int64_t entries_per_page(double bytes_per_entry) const;
  // Where the page that starts at entry `begin` ends, for pages of about `target` entries
  // that never split a record.
  int64_t page_end(const ShreddedLeaf& shredded, int64_t begin, int64_t target) const;
  // Levels, then values in `encoding`, compressed into `page_bytes`.
  void encode_page(const ShreddedLeaf& shredded, const Page& page, ValueEncoding encoding,
                   PageBytes& page_bytes);
  void encode_levels(const ShreddedLeaf& shredded, const Page& page, std::vector<uint8_t>& out);
  void encode_values(const LeafValues& values, const Page& page, ValueEncoding encoding,
                     std::vector<uint8_t>& out) const;
  DictionarySizes dictionary_sizes() const;
  // The bit width of dictionary indices for dictionary_entries_ entries.
  int dictionary_index_width() const;
  // The bytes of `page` as stored: compressed, or its body with the codec none.
  std::span<const uint8_t> stored(const PageBytes& page) const;
  // Appends a header and the stored bytes of `page` to `file`.
  void append_page(format::PageHeader header, const PageBytes& page, std::vector<uint8_t>& file);
  format::Statistics statistics(const LeafValues& values) const;
  // min/max of a chunk with at least one present value, for the types whose bounds the
  // dictionary can narrow.
  void int64_min_max(const LeafValues& values, format::Statistics& stats) const;
  void string_min_max(const LeafValues& values, format::Statistics& stats) const;

  // The chunk being written.
  const LeafColumn* leaf_ = nullptr;
  const SchemaNode* node_ = nullptr;
  const WriterOptions* options_ = nullptr;
  Codec codec_ = Codec::kUncompressed;
  ValueEncoding encoding_ = ValueEncoding::kPlain;
  // The dictionary holds every value of the chunk (whether or not it encodes them); until
  // then it may hold the first values only.
  bool dictionary_built_ = false;
  bool dictionary_body_ready_ = false;
  bool dictionary_page_ready_ = false;
  bool first_page_ready_ = false;
  // The chunk's distinct values and the PLAIN bytes of its dictionary page: counted once
  // the dictionary is built, estimated before.
  size_t dictionary_entries_ = 0;
  size_t dictionary_page_bytes_ = 0;
  DistinctCounter distinct_counter_;
  // sampled_chunk_bytes of the encodings judged so far in this chunk, but the dictionary.
  std::vector<std::pair<ValueEncoding, double>> sampled_bytes_;

  Int64DictionaryBuilder int64_dictionary_;
  DoubleDictionaryBuilder float64_dictionary_;
  ByteArrayDictionaryBuilder string_dictionary_;
  std::vector<uint32_t> indices_;
  PageBytes page_;
  PageBytes first_page_;
  PageBytes half_page_;
  // Compressed bytes that may be thrown away: a page again in smaller zstd blocks, or
  // the start of a large dictionary page whose size is being estimated.
  std::vector<uint8_t> trial_;
  PageBytes dictionary_page_;
  std::vector<uint8_t> header_bytes_;
  int64_t uncompressed_total_ = 0;
  int64_t compressed_total_ = 0;
};

Codec codec_for(Compression compression);

}  // namespace crv::parquet
