#pragma once
// Encodes one leaf column's shredded rows as a column chunk: an optional dictionary page,
// data pages of bounded size, compression, and the chunk's metadata and statistics.
//
// Each chunk's values take one encoding (ValueEncoding). Unless the options force one,
// the writer encodes the chunk's first data page every way that applies to its type,
// compresses each with the chunk's codec and keeps the smallest: the page's bytes scaled
// to the chunk's entries, plus the dictionary page for a dictionary, which is built over
// the whole chunk. The winner's first page is stored as it was compressed for the
// comparison, so only the losers cost extra work.

#include <cstdint>
#include <span>
#include <vector>

#include "crv/parquet/writer.hpp"
#include "parquet/compression.hpp"
#include "parquet/dictionary.hpp"
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
  // Builds the dictionary of the whole chunk when the type has one and dictionaries are
  // enabled; whether it stays within dictionary_page_limit.
  bool build_dictionary(const LeafValues& values);
  // The encoding of the chunk's values; leaves the first page, encoded that way, in
  // first_page_ unless it is dictionary encoded.
  ValueEncoding choose_encoding(const ShreddedLeaf& shredded);
  // Compresses the dictionary page into dictionary_page_ unless it is there already.
  void prepare_dictionary_page();
  // Appends the dictionary page to `file`; returns its offset.
  int64_t write_dictionary_page(std::vector<uint8_t>& file);
  // What one entry costs encoded, before compression, which sizes the pages.
  double encoded_bytes_per_entry(const LeafValues& values, ValueEncoding encoding) const;
  void write_data_pages(const ShreddedLeaf& shredded, std::vector<uint8_t>& file);
  // Pages of about bytes_per_entry each; the first ends at `first_page_end` when that is
  // positive (the sample the encoding was chosen by).
  std::vector<Page> plan_pages(const ShreddedLeaf& shredded, double bytes_per_entry,
                               int64_t first_page_end = 0) const;
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
  size_t dictionary_size() const;
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
  // The dictionary holds every value of the chunk (whether or not it encodes them).
  bool dictionary_built_ = false;
  bool dictionary_page_ready_ = false;
  bool first_page_ready_ = false;
  int64_t sample_end_ = 0;             // entries of the sample, the first page when kept
  size_t dictionary_page_bytes_ = 0;  // PLAIN bytes of the chunk's dictionary page

  Int64DictionaryBuilder int64_dictionary_;
  DoubleDictionaryBuilder float64_dictionary_;
  ByteArrayDictionaryBuilder string_dictionary_;
  std::vector<uint32_t> indices_;
  PageBytes page_;
  PageBytes first_page_;
  PageBytes dictionary_page_;
  std::vector<uint8_t> header_bytes_;
  int64_t uncompressed_total_ = 0;
  int64_t compressed_total_ = 0;
};

Codec codec_for(Compression compression);

}  // namespace crv::parquet
