#pragma once
// The file formats `crvio` reads rows from (append) and writes rows to (read).

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace crv::cli {

enum class FileFormat { kJsonl, kCsv, kParquet };

std::string_view to_string(FileFormat format);

// From a file name: .jsonl/.ndjson/.json, .csv, .parquet (any case); nullopt otherwise.
std::optional<FileFormat> format_from_extension(const std::filesystem::path& path);

// The explicit --format when given, else the one the file name suggests, else JSON lines
// (also for standard input, named "-").
FileFormat choose_format(const std::optional<FileFormat>& explicit_format,
                         const std::filesystem::path& path);

// Adds `--format jsonl|csv|parquet`; the value lands in `format` when given.
CLI::Option* add_format_option(CLI::App& command, std::optional<FileFormat>& format,
                               const std::string& description);

}  // namespace crv::cli
