#pragma once
// CSV to frames (RFC 4180): a header line naming the columns, then one record per row.
// Fields are separated by commas; a field in double quotes may hold commas, line breaks
// and doubled quotes (""). Lines end in LF or CRLF; blank lines are skipped and a UTF-8
// byte order mark is ignored. An empty unquoted field is null, while "" is an empty
// string. Lines are counted physically, the header being line 1, so a quoted field that
// spans lines moves the numbers of the records after it.
//
// Every column is parsed straight into a typed builder, so no per-value objects are
// created: int64 and float64 as decimal text (no spaces or '+'), bool as true/false
// (any case) or 1/0, strings as given (checked to be UTF-8).

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli/batch_reader.hpp"
#include "cli/input_buffer.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/builders.hpp"

namespace crv::cli {

enum class CsvType { kInt64, kFloat64, kBool, kString };

// The type of the column named by the header; throws IoSchemaError to refuse a column.
using CsvColumnTyper = std::function<CsvType(std::string_view column)>;

class CsvReader final : public LineBatchReader {
 public:
  // Reads the header from `input` (named `source` in errors; it must outlive the reader),
  // `chunk_bytes` at a time. An empty input has no columns and no rows. An empty or
  // repeated column name, or one `type_of` refuses, is an IoSchemaError naming the line.
  CsvReader(std::istream& input, std::string source, const CsvColumnTyper& type_of,
            size_t chunk_bytes = size_t{1} << 20);

  const std::vector<std::string>& header() const { return names_; }

  // A record whose field count differs from the header's, a value that does not parse
  // as its column's type, a quote inside an unquoted field, text after a closing quote
  // or a quoted field left open at the end are IoSchemaErrors naming the source, the
  // line and the column.
  std::optional<frame::Frame> next(int64_t max_rows) override;
  int64_t bytes_read() const override { return input_.bytes_read(); }

 private:
  struct Field {
    std::string_view text;
    bool quoted = false;
    int64_t line = 0;  // where the field starts
  };
  using Builder = std::variant<frame::Int64Builder, frame::Float64Builder, frame::BoolBuilder,
                               frame::StringBuilder>;

  // Splits the next non-blank record into fields_; false at the end of the input.
  bool read_record();
  // The end of the next record, as an offset into the unread input: its LF, or the end
  // of the data at the end of the input. Reads more input as needed.
  size_t find_record_end();
  // Splits the unread bytes up to `end` into fields_.
  void split_fields(size_t end);
  void append_field(Builder& builder, const Field& field, size_t column);
  frame::ArrayPtr finish_column(Builder& builder, size_t column);

  InputBuffer input_;
  size_t scanned_ = 0;      // unread bytes already searched for the record end
  bool in_quotes_ = false;  // quote state after them
  int64_t next_line_ = 1;   // line on which the next record starts
  std::vector<Field> fields_;
  std::vector<std::string> names_;
  std::vector<Builder> builders_;
};

// A reader for rows of `table`: columns typed by the descriptor (i64, f64, str) and
// kept as strings when the table does not have them (the strict-schema rule is the
// append's to apply); a struct or list[struct] column is refused, since CSV carries
// scalar columns only. `chunk_bytes` as for CsvReader.
std::unique_ptr<CsvReader> csv_reader_for(std::istream& input, std::string source,
                                          const core::TableDescriptor& table,
                                          size_t chunk_bytes = size_t{1} << 20);

}  // namespace crv::cli
