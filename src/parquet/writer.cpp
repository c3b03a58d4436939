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

struct FileWriter::State {
  std::vector<frame::Field> fields;
  WriterOptions options;
  Schema schema;
  format::FileMetaData footer;
  uint64_t bytes = 0;
};

FileWriter::FileWriter(std::vector<frame::Field> fields, WriterOptions options) {
  check_options(options);
  Schema schema = Schema::from_fields(fields, options.field_ids);
  state_ = std::make_unique<State>(
      State{std::move(fields), std::move(options), std::move(schema), {}, 0});
  state_->footer.schema = state_->schema.to_elements();
}

FileWriter::~FileWriter() = default;

const std::vector<frame::Field>& FileWriter::fields() const {
  return state_->fields;
}

uint64_t FileWriter::bytes() const {
  return state_->bytes;
}

int64_t FileWriter::rows() const {
  return state_->footer.num_rows;
}

void FileWriter::write(const frame::Frame& rows, std::vector<uint8_t>& out) {
  check_fields(rows, state_->fields);
  State& state = *state_;
  const Schema& schema = state.schema;
  const size_t out_start = out.size();
  // A position in `out` plus this is the same byte's offset in the file.
  const auto shift = static_cast<int64_t>(state.bytes) - static_cast<int64_t>(out_start);
  const size_t groups_before = state.footer.row_groups.size();
  try {
    if (state.bytes == 0) append(out, format::kMagic);
    // Encoding scratch lives as long as the thread, so writing many files (one per
    // bucket) does not pay for fresh pages each time.
    thread_local std::vector<std::unique_ptr<ColumnChunkWriter>> writers;
    thread_local ShreddedLeaf shredded;
    while (writers.size() < schema.leaves().size()) {
      writers.push_back(std::make_unique<ColumnChunkWriter>());
    }
    for (int64_t begin = 0; begin < rows.num_rows(); begin += state.options.row_group_size) {
      const int64_t end = std::min(rows.num_rows(), begin + state.options.row_group_size);
      format::RowGroup group;
      group.num_rows = end - begin;
      group.file_offset = static_cast<int64_t>(out.size()) + shift;
      group.ordinal = static_cast<int16_t>(state.footer.row_groups.size());
      int64_t compressed = 0;
      for (size_t i = 0; i < schema.leaves().size(); ++i) {
        const LeafColumn& leaf = schema.leaves()[i];
        const size_t column = static_cast<size_t>(
            std::find(schema.columns().begin(), schema.columns().end(), leaf.path.front()) -
            schema.columns().begin());
        shred_leaf(schema, leaf, *rows.column(column), begin, end, rows.name(column), shredded);
        format::ColumnChunk chunk =
            writers[i]->write(leaf, schema.node(leaf.node), state.options, shredded, out);
        auto& meta = *chunk.meta_data;
        meta.data_page_offset += shift;
        if (meta.dictionary_page_offset) *meta.dictionary_page_offset += shift;
        chunk.file_offset += shift;
        group.total_byte_size += meta.total_uncompressed_size;
        compressed += meta.total_compressed_size;
        group.columns.push_back(std::move(chunk));
      }
      group.total_compressed_size = compressed;
      state.footer.row_groups.push_back(std::move(group));
    }
  } catch (...) {
    out.resize(out_start);
    state.footer.row_groups.resize(groups_before);
    throw;
  }
  state.footer.num_rows += rows.num_rows();
  state.bytes += out.size() - out_start;
}

WriteSummary FileWriter::finish(std::vector<uint8_t>& out) {
  State& state = *state_;
  const size_t out_start = out.size();
  if (state.bytes == 0) append(out, format::kMagic);
  format::FileMetaData& footer = state.footer;
  if (!state.options.key_value_metadata.empty()) {
    footer.key_value_metadata.emplace();
    for (const auto& [key, value] : state.options.key_value_metadata) {
      footer.key_value_metadata->push_back({key, value});
    }
  }
  footer.created_by = created_by();
  footer.column_orders = std::vector<format::ColumnOrder>(state.schema.leaves().size(),
                                                          format::ColumnOrder::kTypeOrder);

  const size_t footer_start = out.size();
  format::serialize_into(footer, out);
  const auto footer_length = static_cast<uint32_t>(out.size() - footer_start);
  const uint8_t length_bytes[4] = {
      static_cast<uint8_t>(footer_length), static_cast<uint8_t>(footer_length >> 8),
      static_cast<uint8_t>(footer_length >> 16), static_cast<uint8_t>(footer_length >> 24)};
  out.insert(out.end(), std::begin(length_bytes), std::end(length_bytes));
  append(out, format::kMagic);
  state.bytes += out.size() - out_start;
  return {footer.num_rows, static_cast<int64_t>(footer.row_groups.size()), state.bytes};
}

WriteSummary write_parquet(const frame::Frame& frame, std::span<const frame::Field> fields,
                           const WriterOptions& options, std::vector<uint8_t>& out) {
  FileWriter writer({fields.begin(), fields.end()}, options);
  const size_t file_start = out.size();
  try {
    writer.write(frame, out);
    return writer.finish(out);
  } catch (...) {
    out.resize(file_start);
    throw;
  }
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
