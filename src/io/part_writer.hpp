#pragma once
// Writes one bucket's rows as a Parquet part: temp file, fsync, rename, folder fsync. The
// writer's options come from Dataset::part_writer_options.

#include <filesystem>
#include <span>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/parquet/writer.hpp"

namespace crv::io {

// The Parquet writer's options the settings choose: codec, level and row group size.
// Dataset::part_writer_options() adds a table's crv_* key-value metadata to them.
parquet::WriterOptions settings_writer_options(const IoSettings& settings);

struct WrittenPart {
  PartMeta meta;
  std::filesystem::path path;  // final path
};

// Encodes `rows` (of one bucket) into `scratch` and writes it as a new part under
// `bucket_folder`, adding the time spent to `timings`. IoWriteError when any step fails;
// no file of this part is left then.
WrittenPart write_part(FileSystem& fs, const std::filesystem::path& bucket_folder,
                       const frame::Frame& rows, std::span<const frame::Field> fields,
                       const parquet::WriterOptions& options, std::vector<uint8_t>& scratch,
                       AppendTimings& timings);

}  // namespace crv::io
