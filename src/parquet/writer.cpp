// Assembles a Parquet file: magic, row groups of column chunks, footer.

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "crv/core/errors.hpp"
#include "crv/frame/utf8.hpp"
#include "crv/parquet/writer.hpp"
#include "crv/version.hpp"
#include "parquet/column_writer.hpp"
#include "parquet/schema.hpp"
#include "parquet/shredder.hpp"

namespace crv::parquet {
namespace {

void append(std::vector<uint8_t>& out, std::string_view bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void check_options(const WriterOptions& options) {
  if (options.row_group_size < 1) {
    throw IoSchemaError(
        fmt::format("row_group_size must be at least 1, not {}", options.row_group_size));
  }
  if (options.data_page_size < 1) {
    throw IoSchemaError(
        fmt::format("data_page_size must be at least 1, not {}", options.data_page_size));
  }
}

void check_fields(const frame::Frame& frame, std::span<const frame::Field> fields) {
  if (fields.size() != frame.num_columns()) {
    throw IoSchemaError(fmt::format("the schema has {} fields but the frame {} columns",
                                    fields.size(), frame.num_columns()));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name != frame.name(i)) {
      throw IoSchemaError(fmt::format("schema field {} is '{}' but frame column {} is '{}'", i,
                                      fields[i].name, i, frame.name(i)));
    }
    if (!fields[i].type || !fields[i].type->equals(*frame.column(i)->type())) {
      throw IoSchemaError(
          fmt::format("column type {} does not match the schema's {}",
                      frame.column(i)->type()->to_string(),
                      fields[i].type ? fields[i].type->to_string() : std::string("(none)")),
          {.column = fields[i].name});
    }
    // Readers (ours included) refuse a STRING column that is not UTF-8, so such a frame
    // must never become a file.
    if (const auto invalid = frame::find_invalid_utf8(*frame.column(i))) {
      throw IoSchemaError("string is not valid UTF-8",
                          {.column = fields[i].name + invalid->path, .row = invalid->slot});
    }
  }
}

std::string created_by() {
  return fmt::format("{} version {}", kLibraryName, kLibraryVersion);
}

}  // namespace

std::string_view to_string(Compression compression) noexcept {
  switch (compression) {
    case Compression::kNone:
      return "none";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kGzip:
      return "gzip";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "";
}

WriteSummary write_parquet(const frame::Frame& frame, std::span<const frame::Field> fields,
                           const WriterOptions& options, std::vector<uint8_t>& out) {
  check_options(options);
  check_fields(frame, fields);
  const Schema schema = Schema::from_fields(fields);
  const size_t file_start = out.size();
  append(out, format::kMagic);

  // Encoding scratch lives as long as the thread, so writing many files (one per bucket)
  // does not pay for fresh pages each time.
  thread_local std::vector<std::unique_ptr<ColumnChunkWriter>> writers;
  thread_local ShreddedLeaf shredded;
  while (writers.size() < schema.leaves().size()) {
    writers.push_back(std::make_unique<ColumnChunkWriter>());
  }

  format::FileMetaData footer;
  footer.schema = schema.to_elements();
  footer.num_rows = frame.num_rows();
  for (int64_t begin = 0; begin < frame.num_rows(); begin += options.row_group_size) {
    const int64_t end = std::min(frame.num_rows(), begin + options.row_group_size);
    format::RowGroup group;
    group.num_rows = end - begin;
    group.file_offset = static_cast<int64_t>(out.size() - file_start);
    group.ordinal = static_cast<int16_t>(footer.row_groups.size());
    int64_t compressed = 0;
    for (size_t i = 0; i < schema.leaves().size(); ++i) {
      const LeafColumn& leaf = schema.leaves()[i];
      const size_t column = static_cast<size_t>(
          std::find(schema.columns().begin(), schema.columns().end(), leaf.path.front()) -
          schema.columns().begin());
      shred_leaf(schema, leaf, *frame.column(column), begin, end, frame.name(column), shredded);
      format::ColumnChunk chunk =
          writers[i]->write(leaf, schema.node(leaf.node), options, shredded, out);
      // Offsets in the footer count from the file's first byte, not the buffer's.
      auto& meta = *chunk.meta_data;
      meta.data_page_offset -= static_cast<int64_t>(file_start);
      if (meta.dictionary_page_offset) {
        *meta.dictionary_page_offset -= static_cast<int64_t>(file_start);
      }
      chunk.file_offset -= static_cast<int64_t>(file_start);
      group.total_byte_size += meta.total_uncompressed_size;
      compressed += meta.total_compressed_size;
      group.columns.push_back(std::move(chunk));
    }
    group.total_compressed_size = compressed;
    footer.row_groups.push_back(std::move(group));
  }

  if (!options.key_value_metadata.empty()) {
    footer.key_value_metadata.emplace();
    for (const auto& [key, value] : options.key_value_metadata) {
      footer.key_value_metadata->push_back({key, value});
    }
  }
  footer.created_by = created_by();
  footer.column_orders =
      std::vector<format::ColumnOrder>(schema.leaves().size(), format::ColumnOrder::kTypeOrder);

  const size_t footer_start = out.size();
  format::serialize_into(footer, out);
  const auto footer_length = static_cast<uint32_t>(out.size() - footer_start);
  const uint8_t length_bytes[4] = {
      static_cast<uint8_t>(footer_length), static_cast<uint8_t>(footer_length >> 8),
      static_cast<uint8_t>(footer_length >> 16), static_cast<uint8_t>(footer_length >> 24)};
  out.insert(out.end(), std::begin(length_bytes), std::end(length_bytes));
  append(out, format::kMagic);
  return {frame.num_rows(), static_cast<int64_t>(footer.row_groups.size()),
          static_cast<uint64_t>(out.size() - file_start)};
}

std::vector<uint8_t> write_parquet(const frame::Frame& frame, const WriterOptions& options) {
  std::vector<frame::Field> fields;
  for (size_t i = 0; i < frame.num_columns(); ++i) {
    fields.push_back({frame.name(i), frame.column(i)->type(), true});
  }
  std::vector<uint8_t> out;
  write_parquet(frame, fields, options, out);
  return out;
}

}  // namespace crv::parquet
