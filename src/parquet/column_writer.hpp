#pragma once
// Encodes one leaf column's shredded rows as a column chunk: an optional dictionary page,
// data pages of bounded size, compression, and the chunk's metadata and statistics.

#include <cstdint>
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

  // The chunk's metadata known before its pages are written.
  format::ColumnMetaData chunk_metadata(const LeafValues& values) const;
  // Appends the dictionary page to `file`; returns its offset.
  int64_t write_dictionary_page(std::vector<uint8_t>& file);
  // What one entry costs encoded, before compression, which sizes the pages.
  double encoded_bytes_per_entry(const LeafValues& values) const;
  void write_data_pages(const ShreddedLeaf& shredded, std::vector<uint8_t>& file);
  bool try_dictionary(const LeafValues& values);
  std::vector<Page> plan_pages(const ShreddedLeaf& shredded, double bytes_per_entry) const;
  void encode_levels(const ShreddedLeaf& shredded, const Page& page);
  void encode_plain_values(const LeafValues& values, const Page& page);
  size_t dictionary_size() const;
  void encode_dictionary_indices(const Page& page);
  // Compresses page_body_ and appends header + body to `file`.
  void append_page(format::PageHeader header, std::vector<uint8_t>& file);
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
  bool dictionary_encoded_ = false;

  Int64DictionaryBuilder int64_dictionary_;
  DoubleDictionaryBuilder float64_dictionary_;
  ByteArrayDictionaryBuilder string_dictionary_;
  std::vector<uint32_t> indices_;
  std::vector<uint8_t> page_body_;
  std::vector<uint8_t> compressed_;
  std::vector<uint8_t> header_bytes_;
  int64_t uncompressed_total_ = 0;
  int64_t compressed_total_ = 0;
};

Codec codec_for(Compression compression);

}  // namespace crv::parquet
