// CSV input of `crvio append`: RFC 4180 records parsed into typed frame columns.

#include "cli/csv_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <system_error>

#include "crv/core/errors.hpp"

namespace crv::cli {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

// Long values are cut in messages; quoted and escaped so stray spaces and control
// characters show.
std::string shown(std::string_view text) {
  constexpr size_t kLongest = 40;
  if (text.size() <= kLongest) return fmt::format("{:?}", text);
  return fmt::format("{:?}...", text.substr(0, kLongest));
}

bool equals_ignoring_case(std::string_view text, std::string_view lower) {
  return std::equal(text.begin(), text.end(), lower.begin(), lower.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

template <class... Visitors>
struct Overloaded : Visitors... {
  using Visitors::operator()...;
};
template <class... Visitors>
Overloaded(Visitors...) -> Overloaded<Visitors...>;

}  // namespace

CsvReader::CsvReader(std::istream& input, std::string source, const CsvColumnTyper& type_of,
                     size_t chunk_bytes)
    : LineBatchReader(source), input_(input, source, chunk_bytes) {
  while (input_.size() < kByteOrderMark.size() && input_.refill()) {
  }
  if (std::string_view(input_.data(), input_.size()).starts_with(kByteOrderMark)) {
    input_.consume(kByteOrderMark.size());
  }
  if (!read_record()) return;
  const InputPosition header = line_position(fields_.front().line);
  std::set<std::string_view> seen;
  for (const Field& field : fields_) {
    if (field.text.empty()) throw error_at(header, "", "the header has an empty column name");
    if (!seen.insert(field.text).second) {
      throw error_at(header, std::string(field.text),
                     fmt::format("the header names column '{}' twice", field.text));
    }
    CsvType type;
    try {
      type = type_of(field.text);
    } catch (const IoSchemaError& error) {
      throw error_at(header, std::string(field.text), error.message());
    }
    names_.emplace_back(field.text);
    switch (type) {
      case CsvType::kInt64:
        builders_.emplace_back(frame::Int64Builder());
        break;
      case CsvType::kFloat64:
        builders_.emplace_back(frame::Float64Builder());
        break;
      case CsvType::kBool:
        builders_.emplace_back(frame::BoolBuilder());
        break;
      case CsvType::kString:
        builders_.emplace_back(frame::StringBuilder());
        break;
    }
  }
}

std::optional<frame::Frame> CsvReader::next(int64_t max_rows) {
  while (static_cast<int64_t>(new_lines_.size()) < max_rows && read_record()) {
    const int64_t line = fields_.front().line;
    if (fields_.size() != names_.size()) {
      throw error_at(line_position(line), "",
                     fmt::format("the record has {} fields, but the header has {}", fields_.size(),
                                 names_.size()));
    }
    new_lines_.push_back(line);
    for (size_t column = 0; column < fields_.size(); ++column) {
      append_field(builders_[column], fields_[column], column);
    }
  }
  if (new_lines_.empty()) return std::nullopt;
  finish_batch(next_line_ - 1);
  std::vector<frame::ArrayPtr> columns;
  columns.reserve(builders_.size());
  for (size_t column = 0; column < builders_.size(); ++column) {
    columns.push_back(finish_column(builders_[column], column));
  }
  return frame::Frame(names_, std::move(columns));
}

bool CsvReader::read_record() {
  while (input_.size() > 0 || input_.refill()) {
    const size_t end = find_record_end();
    const bool blank = end == 0 || (end == 1 && input_.data()[0] == '\r');
    if (blank) {
      ++next_line_;
    } else {
      split_fields(end);
    }
    input_.consume(std::min(end + 1, input_.size()));
    if (!blank) return true;
  }
  return false;
}

size_t CsvReader::find_record_end() {
  while (true) {
    const char* data = input_.data();
    const size_t size = input_.size();
    // A doubled quote toggles the state twice, so counting quotes is enough to know
    // whether a line feed ends the record or belongs to a quoted field.
    for (size_t i = scanned_; i < size; ++i) {
      if (data[i] == '"') {
        in_quotes_ = !in_quotes_;
      } else if (data[i] == '\n' && !in_quotes_) {
        scanned_ = 0;
        return i;
      }
    }
    scanned_ = size;
    if (!input_.refill()) {
      // The last record has no line feed, or a quote is left open: split_fields says which.
      scanned_ = 0;
      in_quotes_ = false;
      return size;
    }
  }
}

void CsvReader::split_fields(size_t end) {
  fields_.clear();
  char* const data = input_.data();
  int64_t line = next_line_;
  size_t at = 0;
  while (true) {
    Field field{.line = line};
    const auto fail = [&](int64_t at_line, const std::string& message) {
      const size_t column = fields_.size();
      return error_at(line_position(at_line), column < names_.size() ? names_[column] : "",
                      message);
    };
    if (at < end && data[at] == '"') {
      // Doubled quotes are undone in place, which is safe: the record is complete.
      field.quoted = true;
      const size_t start = at + 1;
      size_t read = start;
      size_t write = start;
      while (true) {
        if (read >= end) {
          throw fail(field.line, "a quoted field is not closed before the end of the input");
        }
        if (data[read] == '"') {
          if (read + 1 < end && data[read + 1] == '"') {
            data[write++] = '"';
            read += 2;
            continue;
          }
          ++read;
          break;
        }
        if (data[read] == '\n') ++line;
        data[write++] = data[read++];
      }
      field.text = {data + start, write - start};
      at = read;
      if (at + 1 == end && data[at] == '\r') at = end;
      if (at < end && data[at] != ',') {
        throw fail(line,
                   fmt::format("text after the closing quote of field {}", shown(field.text)));
      }
    } else {
      const size_t start = at;
      while (at < end && data[at] != ',') {
        if (data[at] == '"') {
          throw fail(line,
                     "a quote inside an unquoted field (quote the whole field and double "
                     "the quotes in it)");
        }
        ++at;
      }
      size_t text_end = at;
      if (at == end && text_end > start && data[text_end - 1] == '\r') --text_end;
      field.text = {data + start, text_end - start};
    }
    fields_.push_back(field);
    if (at >= end) break;
    ++at;  // past the comma
  }
  next_line_ = line + 1;
}

void CsvReader::append_field(Builder& builder, const Field& field, size_t column) {
  if (field.text.empty() && !field.quoted) {
    std::visit([](auto& typed) { typed.append_null(); }, builder);
    return;
  }
  const std::string_view text = field.text;
  const auto bad_value = [&](std::string_view problem) {
    return error_at(line_position(field.line), names_[column],
                    fmt::format("column '{}': {} {}", names_[column], shown(text), problem));
  };
  // from_chars neither skips spaces nor accepts '+', so what parses is plain decimal.
  const auto parse = [&](auto value, std::string_view kind, std::string_view type_name) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) {
      throw bad_value(fmt::format("is out of the {} range", type_name));
    }
    if (error != std::errc{} || end != text.data() + text.size()) {
      throw bad_value(fmt::format("is not {}", kind));
    }
    return value;
  };
  std::visit(
      Overloaded{
          [&](frame::Int64Builder& typed) {
            typed.append(parse(int64_t{0}, "an integer", "int64"));
          },
          [&](frame::Float64Builder& typed) { typed.append(parse(0.0, "a number", "float64")); },
          [&](frame::BoolBuilder& typed) {
            if (text == "1" || equals_ignoring_case(text, "true")) {
              typed.append(true);
            } else if (text == "0" || equals_ignoring_case(text, "false")) {
              typed.append(false);
            } else {
              throw bad_value("is not a boolean (true, false, 1 or 0)");
            }
          },
          [&](frame::StringBuilder& typed) { typed.append(text); },
      },
      builder);
}

frame::ArrayPtr CsvReader::finish_column(Builder& builder, size_t column) {
  frame::ArrayPtr array = std::visit([](auto& typed) { return typed.finish(); }, builder);
  if (std::holds_alternative<frame::StringBuilder>(builder)) {
    try {
      array->validate();
    } catch (const SchemaError& error) {
      throw error_at(position(error.context().row.value_or(0)), names_[column],
                     fmt::format("column '{}': {}", names_[column], error.message()));
    }
  }
  return array;
}

std::unique_ptr<CsvReader> csv_reader_for(std::istream& input, std::string source,
                                          const core::TableDescriptor& table, size_t chunk_bytes) {
  const auto type_of = [&table](std::string_view column) {
    const core::ColumnDescriptor* descriptor = table.find(column);
    if (descriptor == nullptr) return CsvType::kString;
    switch (descriptor->dtype) {
      case core::DType::kI64:
        return CsvType::kInt64;
      case core::DType::kF64:
        return CsvType::kFloat64;
      case core::DType::kStr:
        return CsvType::kString;
      case core::DType::kStruct:
      case core::DType::kListStruct:
        break;
    }
    throw IoSchemaError(
        fmt::format("column '{}' of table {} is {}, but CSV carries scalar columns only "
                    "(use jsonl or parquet)",
                    column, core::to_string(table.name), core::to_string(descriptor->dtype)),
        {.column = std::string(column)});
  };
  return std::make_unique<CsvReader>(input, std::move(source), type_of, chunk_bytes);
}

}  // namespace crv::cli
