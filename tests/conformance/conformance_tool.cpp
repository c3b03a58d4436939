// conformance_tool: crv-io's side of the Parquet conformance suite.
//
//   conformance_tool generate DIR
//       Writes every fixture as DIR/<name>/{schema.json, expected.jsonl,
//       crv-<codec>.parquet} and the list of fixtures as DIR/fixtures.json (with the
//       encoding a fixture forces, if any).
//   conformance_tool verify FILE.parquet SCHEMA.json EXPECTED.jsonl [--kv KEY=VALUE]...
//       Reads FILE with crv-io's reader and compares its schema, key-value metadata and
//       canonical rows with the expectation; prints the first difference.
//
// Exit status: 0 success, 1 a difference or a failure to read, 2 a bad invocation.

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "canonical.hpp"
#include "crv/core/errors.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/parquet/reader.hpp"
#include "crv/parquet/writer.hpp"
#include "fixtures.hpp"

namespace crv::conformance {
namespace {

namespace fs = std::filesystem;

constexpr int kExitOk = 0;
constexpr int kExitDifference = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "usage:\n"
    "  conformance_tool generate DIR\n"
    "  conformance_tool verify FILE.parquet SCHEMA.json EXPECTED.jsonl [--kv KEY=VALUE]...\n";

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw IoWriteError("cannot write the file", {.path = path.string()});
}

// Writes the canonical lines in blocks, so a million rows never sit in memory as text.
void write_expected_rows(const frame::Frame& frame, const fs::path& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const CanonicalRowEncoder encoder(frame);
  std::string block;
  for (int64_t row = 0; row < frame.num_rows(); ++row) {
    encoder.append_row(row, block);
    block += '\n';
    if (block.size() >= (size_t{1} << 22)) {
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      block.clear();
    }
  }
  out.write(block.data(), static_cast<std::streamsize>(block.size()));
  out.close();
  if (!out) throw IoWriteError("cannot write the expected rows", {.path = path.string()});
}

// The format's name of a forced encoding, which every column chunk of a type it applies to
// must list; empty for the automatic choice.
std::string_view encoding_name(parquet::ValueEncoding encoding) {
  switch (encoding) {
    case parquet::ValueEncoding::kPlain:
      return "PLAIN";
    case parquet::ValueEncoding::kDictionary:
      return "RLE_DICTIONARY";
    case parquet::ValueEncoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
    case parquet::ValueEncoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case parquet::ValueEncoding::kAuto:
      return "";
  }
  return "";
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int generate(const fs::path& dir) {
  fs::create_directories(dir);
  nlohmann::ordered_json index = nlohmann::ordered_json::array();
  for (const FixtureSpec& spec : fixture_specs()) {
    const auto started = std::chrono::steady_clock::now();
    Fixture fixture = spec.make();
    const fs::path folder = dir / spec.name;
    fs::create_directories(folder);
    write_file(folder / "schema.json", schema_json(fixture.fields).dump(2) + "\n");
    write_expected_rows(fixture.frame, folder / "expected.jsonl");

    fixture.options.key_value_metadata = {{"crv_schema_version", core::schema_v().to_string()},
                                          {"crv_table_name", fixture.table},
                                          {"crv_run_id", std::string(kRunId)}};
    nlohmann::ordered_json files = nlohmann::ordered_json::object();
    std::vector<uint8_t> bytes;
    for (const parquet::Compression codec : spec.codecs) {
      fixture.options.compression = codec;
      bytes.clear();
      parquet::write_parquet(fixture.frame, fixture.fields, fixture.options, bytes);
      const std::string file = fmt::format("crv-{}.parquet", parquet::to_string(codec));
      write_file(folder / file,
                 std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      files[std::string(parquet::to_string(codec))] = file;
    }
    index.push_back({{"name", spec.name},
                     {"table", fixture.table},
                     {"run_id", kRunId},
                     {"rows", fixture.frame.num_rows()},
                     {"row_group_size", fixture.options.row_group_size},
                     {"large", spec.large},
                     {"value_encoding", encoding_name(fixture.options.value_encoding)},
                     {"files", std::move(files)}});
    std::printf("generated %-20s %8lld rows in %.2f s\n", spec.name.c_str(),
                static_cast<long long>(fixture.frame.num_rows()), seconds_since(started));
  }
  write_file(dir / "fixtures.json", index.dump(2) + "\n");
  return kExitOk;
}

nlohmann::ordered_json read_json(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("cannot open {}", path.string()));
  try {
    return nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception& error) {
    throw UsageError(fmt::format("{} is not valid JSON: {}", path.string(), error.what()));
  }
}

int report(const std::string& message) {
  std::printf("MISMATCH %s\n", message.c_str());
  return kExitDifference;
}

// The first row whose canonical text differs from the expected line, as a message.
std::optional<std::string> row_difference(int64_t row, const std::string& expected,
                                          const std::string& actual) {
  nlohmann::ordered_json expected_value;
  try {
    expected_value = nlohmann::ordered_json::parse(expected);
  } catch (const nlohmann::json::exception& error) {
    throw UsageError(fmt::format("expected line {} is not valid JSON: {}", row + 1, error.what()));
  }
  const auto difference = first_difference(expected_value, nlohmann::ordered_json::parse(actual));
  if (!difference) return std::nullopt;
  const std::string where = difference->path.empty() ? "whole row" : "column " + difference->path;
  return fmt::format("row {} (line {}) {}: expected {}, got {}", row, row + 1, where,
                     difference->expected, difference->actual);
}

int verify(const fs::path& file, const fs::path& schema_path, const fs::path& expected_path,
           const std::vector<std::pair<std::string, std::string>>& expected_metadata) {
  const nlohmann::ordered_json expected_schema = read_json(schema_path);
  std::ifstream expected(expected_path, std::ios::binary);
  if (!expected) throw UsageError(fmt::format("cannot open {}", expected_path.string()));

  parquet::ParquetReader reader = parquet::ParquetReader::open(file);
  const parquet::FileInfo& info = reader.info();
  if (const auto difference = first_difference(expected_schema, schema_json(info.fields))) {
    return report(fmt::format("schema at {}: expected {}, crv-io reads {}", difference->path,
                              difference->expected, difference->actual));
  }
  for (const auto& [key, value] : expected_metadata) {
    const std::optional<std::string> stored = info.metadata(key);
    if (stored != value) {
      return report(fmt::format("key-value metadata {}: expected \"{}\", crv-io reads {}", key,
                                value, stored ? fmt::format("\"{}\"", *stored) : "nothing"));
    }
  }

  int64_t row = 0;
  std::string line;
  std::string actual;
  for (int group = 0; group < static_cast<int>(info.row_groups.size()); ++group) {
    const frame::Frame frame = reader.read_row_group(group);
    const CanonicalRowEncoder encoder(frame);
    for (int64_t i = 0; i < frame.num_rows(); ++i, ++row) {
      if (!std::getline(expected, line)) {
        return report(fmt::format("row count: {} has {} rows, crv-io reads more",
                                  expected_path.string(), row));
      }
      actual.clear();
      encoder.append_row(i, actual);
      if (line != actual) {
        if (const auto difference = row_difference(row, line, actual)) return report(*difference);
      }
    }
  }
  int64_t expected_rows = row;
  while (std::getline(expected, line)) {
    if (!line.empty()) ++expected_rows;
  }
  if (expected_rows != row) {
    return report(fmt::format("row count: expected {} rows, crv-io reads {}", expected_rows, row));
  }
  std::printf("ok %lld rows in %zu row groups\n", static_cast<long long>(row),
              info.row_groups.size());
  return kExitOk;
}

int run(const std::vector<std::string>& args) {
  if (args.size() == 2 && args[0] == "generate") return generate(args[1]);
  if (args.size() >= 4 && args[0] == "verify") {
    std::vector<std::pair<std::string, std::string>> metadata;
    for (size_t i = 4; i < args.size(); i += 2) {
      const size_t split = i + 1 < args.size() ? args[i + 1].find('=') : std::string::npos;
      if (args[i] != "--kv" || split == std::string::npos || split == 0) {
        throw UsageError(fmt::format("expected --kv KEY=VALUE, got \"{}\"", args[i]));
      }
      metadata.emplace_back(args[i + 1].substr(0, split), args[i + 1].substr(split + 1));
    }
    return verify(args[1], args[2], args[3], metadata);
  }
  throw UsageError("unknown command or wrong number of arguments");
}

}  // namespace
}  // namespace crv::conformance

int main(int argc, char** argv) {
  try {
    return crv::conformance::run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const crv::conformance::UsageError& error) {
    std::fprintf(stderr, "conformance_tool: %s\n%s", error.what(), crv::conformance::kUsage.data());
    return crv::conformance::kExitUsage;
  } catch (const crv::Error& error) {
    std::printf("ERROR %s: %s\n", error.kind(), error.what());
    return crv::conformance::kExitDifference;
  } catch (const std::exception& error) {
    std::printf("ERROR %s\n", error.what());
    return crv::conformance::kExitDifference;
  }
}
