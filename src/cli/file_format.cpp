// The row file formats `crvio` knows, and choosing one from a flag or a file name.

#include "cli/file_format.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace crv::cli {

std::string_view to_string(FileFormat format) {
  switch (format) {
    case FileFormat::kJsonl:
      return "jsonl";
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kParquet:
      return "parquet";
  }
  return "jsonl";
}

std::optional<FileFormat> format_from_extension(const std::filesystem::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".jsonl" || extension == ".ndjson" || extension == ".json") {
    return FileFormat::kJsonl;
  }
  if (extension == ".csv") return FileFormat::kCsv;
  if (extension == ".parquet") return FileFormat::kParquet;
  return std::nullopt;
}

FileFormat choose_format(const std::optional<FileFormat>& explicit_format,
                         const std::filesystem::path& path) {
  if (explicit_format) return *explicit_format;
  return format_from_extension(path).value_or(FileFormat::kJsonl);
}

CLI::Option* add_format_option(CLI::App& command, std::optional<FileFormat>& format,
                               const std::string& description) {
  static const std::map<std::string, FileFormat> kNames = {
      {"jsonl", FileFormat::kJsonl}, {"csv", FileFormat::kCsv}, {"parquet", FileFormat::kParquet}};
  return command
      .add_option_function<std::string>(
          "--format", [&format](const std::string& name) { format = kNames.at(name); }, description)
      ->check(CLI::IsMember({"jsonl", "csv", "parquet"}));
}

}  // namespace crv::cli
