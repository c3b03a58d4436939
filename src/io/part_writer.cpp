// Writing one bucket's rows as a durable Parquet part, and the options parts use.

#include "io/part_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/io/paths.hpp"

namespace crv::io {
namespace {

// Removes a file this part created, keeping the first error the caller reports.
void remove_quietly(FileSystem& fs, const std::filesystem::path& file) noexcept {
  try {
    fs.remove_file(file);
  } catch (const std::exception&) {
  }
}

}  // namespace

parquet::WriterOptions settings_writer_options(const IoSettings& settings) {
  parquet::WriterOptions options;
  options.compression = settings.compression;
  options.compression_level = settings.compression_level;
  options.row_group_size = settings.row_group_size;
  return options;
}

parquet::WriterOptions Dataset::part_writer_options(std::string_view table) const {
  core::get_table(table);
  parquet::WriterOptions options = settings_writer_options(settings_);
  options.key_value_metadata = {{"crv_schema_version", core::schema_v().to_string()},
                                {"crv_table_name", std::string(table)},
                                {"crv_run_id", run_id_}};
  return options;
}

WrittenPart write_part(FileSystem& fs, const std::filesystem::path& bucket_folder,
                       const frame::Frame& rows, std::span<const frame::Field> fields,
                       const parquet::WriterOptions& options, std::vector<uint8_t>& scratch,
                       AppendTimings& timings) {
  auto started = std::chrono::steady_clock::now();
  scratch.clear();
  parquet::write_parquet(rows, fields, options, scratch);
  timings.encode += std::chrono::steady_clock::now() - started;
  started = std::chrono::steady_clock::now();

  const PartPaths paths = part_paths(bucket_folder, new_part_uid());
  bool renamed = false;
  try {
    fs.create_directories(bucket_folder);
    auto file = fs.open_for_write(paths.tmp);
    file->write(std::as_bytes(std::span<const uint8_t>(scratch)));
    file->sync();
    file->close();
    fs.rename(paths.tmp, paths.final);
    renamed = true;
    fs.sync_directory(bucket_folder);
  } catch (const Error& error) {
    remove_quietly(fs, renamed ? paths.final : paths.tmp);
    if (dynamic_cast<const IoWriteError*>(&error)) throw;
    throw IoWriteError(fmt::format("failed to write part: {}", error.message()), error.context());
  }

  timings.part_write += std::chrono::steady_clock::now() - started;

  const frame::ArrayPtr& ticks = rows.column("tick");
  const int64_t* values = ticks->int64_values();
  const auto [tick_min, tick_max] = std::minmax_element(values, values + ticks->length());
  WrittenPart part;
  part.path = paths.final;
  part.meta.path = paths.final.filename().string();
  part.meta.rows = rows.num_rows();
  part.meta.bytes = static_cast<int64_t>(scratch.size());
  part.meta.tick_min = *tick_min;
  part.meta.tick_max = *tick_max;
  part.meta.created_at = now_iso_utc();
  return part;
}

}  // namespace crv::io
