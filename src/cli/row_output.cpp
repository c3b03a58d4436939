// Writers of scanned rows as JSON lines, CSV or Parquet.

#include "cli/row_output.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"
#include "crv/frame/concat.hpp"
#include "crv/parquet/writer.hpp"

namespace crv::cli {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json number_json(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

ordered_json value_json(const frame::Value& value) {
  switch (value.kind()) {
    case frame::Value::Kind::Null:
      return nullptr;
    case frame::Value::Kind::Bool:
      return value.as_bool();
    case frame::Value::Kind::Int64:
      return value.as_int64();
    case frame::Value::Kind::Double:
      return number_json(value.as_double());
    case frame::Value::Kind::String:
      return value.as_string();
    case frame::Value::Kind::Record: {
      ordered_json record = ordered_json::object();
      for (const auto& [name, member] : value.as_record()) record[name] = value_json(member);
      return record;
    }
    case frame::Value::Kind::List: {
      ordered_json list = ordered_json::array();
      for (const frame::Value& item : value.as_list()) list.push_back(value_json(item));
      return list;
    }
  }
  return nullptr;
}

// Scalars straight from the buffers; nested values through frame::Value.
ordered_json cell_json(const frame::Array& column, int64_t row) {
  if (column.is_null(row)) return nullptr;
  switch (column.type_id()) {
    case frame::TypeId::Int64:
      return column.int64_values()[row];
    case frame::TypeId::Float64:
      return number_json(column.float64_values()[row]);
    case frame::TypeId::Bool:
      return column.bool_at(row);
    case frame::TypeId::Utf8:
      return std::string(column.string_at(row));
    default:
      return value_json(column.value_at(row));
  }
}

class JsonLinesWriter final : public RowWriter {
 public:
  explicit JsonLinesWriter(std::ostream& out) : out_(out) {}

  void write(const frame::Frame& batch) override {
    std::string text;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      ordered_json object = ordered_json::object();
      for (size_t column = 0; column < batch.num_columns(); ++column) {
        object[batch.name(column)] = cell_json(*batch.column(column), row);
      }
      text += object.dump();
      text += '\n';
    }
    out_ << text;
  }
  void finish() override {}

 private:
  std::ostream& out_;
};

void append_quoted(std::string& line, std::string_view text) {
  line += '"';
  for (const char c : text) {
    if (c == '"') line += '"';
    line += c;
  }
  line += '"';
}

// Quoted only when needed, except that an empty string is always "" (empty means null).
void append_csv_text(std::string& line, std::string_view text) {
  if (text.empty() || text.find_first_of(",\"\r\n") != std::string_view::npos) {
    append_quoted(line, text);
  } else {
    line += text;
  }
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);
}

void append_csv_cell(std::string& line, const frame::Array& column, int64_t row) {
  if (column.is_null(row)) return;
  switch (column.type_id()) {
    case frame::TypeId::Int64:
      line += fmt::format("{}", column.int64_values()[row]);
      return;
    case frame::TypeId::Float64:
      line += csv_number(column.float64_values()[row]);
      return;
    case frame::TypeId::Bool:
      line += column.bool_at(row) ? "true" : "false";
      return;
    case frame::TypeId::Utf8:
      append_csv_text(line, column.string_at(row));
      return;
    default:
      append_quoted(line, value_json(column.value_at(row)).dump());
  }
}

class CsvWriter final : public RowWriter {
 public:
  CsvWriter(std::ostream& out, const std::vector<frame::Field>& fields) : out_(out) {
    std::string header;
    for (size_t column = 0; column < fields.size(); ++column) {
      if (column > 0) header += ',';
      append_csv_text(header, fields[column].name);
    }
    out_ << header << '\n';
  }

  void write(const frame::Frame& batch) override {
    std::string text;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      for (size_t column = 0; column < batch.num_columns(); ++column) {
        if (column > 0) text += ',';
        append_csv_cell(text, *batch.column(column), row);
      }
      text += '\n';
    }
    out_ << text;
  }

  void finish() override {}

 private:
  std::ostream& out_;
};

class ParquetWriter final : public RowWriter {
 public:
  ParquetWriter(std::ostream& out, std::vector<frame::Field> fields, parquet::WriterOptions options)
      : out_(out), fields_(std::move(fields)), options_(std::move(options)) {}

  void write(const frame::Frame& batch) override { batches_.push_back(batch); }

  void finish() override {
    if (batches_.empty()) batches_.push_back(empty_frame());
    std::vector<uint8_t> bytes;
    parquet::write_parquet(frame::concat(batches_), fields_, options_, bytes);
    out_.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }

 private:
  frame::Frame empty_frame() const {
    std::vector<std::pair<std::string, frame::ArrayPtr>> columns;
    for (const frame::Field& field : fields_) {
      columns.emplace_back(field.name, frame::make_null_array(field.type, 0));
    }
    return frame::Frame(std::move(columns));
  }

  std::ostream& out_;
  std::vector<frame::Field> fields_;
  parquet::WriterOptions options_;
  std::vector<frame::Frame> batches_;
};

}  // namespace

std::unique_ptr<RowWriter> make_row_writer(FileFormat format, std::ostream& out,
                                           std::vector<frame::Field> fields,
                                           parquet::WriterOptions parquet_options) {
  switch (format) {
    case FileFormat::kCsv:
      return std::make_unique<CsvWriter>(out, fields);
    case FileFormat::kParquet:
      return std::make_unique<ParquetWriter>(out, std::move(fields), std::move(parquet_options));
    case FileFormat::kJsonl:
      break;
  }
  return std::make_unique<JsonLinesWriter>(out);
}

}  // namespace crv::cli
