// Writing one bucket's rows as a durable Parquet part, and the options parts use.

#include "io/part_writer.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "crv/core/errors.hpp"
#include "crv/core/schema_version.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/concat.hpp"

namespace crv::io {
namespace {

using Clock = std::chrono::steady_clock;

// Buffered pieces beyond this are joined into one, so that small slices of large
// batches do not keep those batches in memory until a row group fills.
constexpr size_t kMaxPendingPieces = 64;

// Runs `step`, turning any crv error into the IoWriteError of a failed part write.
template <class Step>
void as_write_step(Step&& step) {
  try {
    step();
  } catch (const IoWriteError&) {
    throw;
  } catch (const Error& error) {
    throw IoWriteError(fmt::format("failed to write part: {}", error.message()), error.context());
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

OpenPart::OpenPart(FileSystem& fs, std::filesystem::path bucket_folder,
                   std::vector<frame::Field> fields, const parquet::WriterOptions& options)
    : fs_(fs),
      folder_(std::move(bucket_folder)),
      paths_(part_paths(folder_, new_part_uid())),
      writer_(std::move(fields), options),
      row_group_size_(options.row_group_size) {}

OpenPart::~OpenPart() {
  if (!file_ && !renamed_) return;
  try {
    if (file_) file_.reset();
    fs_.remove_file(renamed_ ? paths_.final : paths_.tmp);
  } catch (const std::exception&) {
    // Nothing names an unfinished part; fsck --repair removes what could not be removed.
  }
}

void OpenPart::add(const frame::Frame& rows, std::vector<uint8_t>& scratch,
                   AppendTimings& timings) {
  if (rows.num_rows() == 0) return;
  const frame::ArrayPtr& ticks = rows.column("tick");
  const int64_t* values = ticks->int64_values();
  const auto [low, high] = std::minmax_element(values, values + ticks->length());
  tick_min_ = std::min(*low, tick_min_.value_or(*low));
  tick_max_ = std::max(*high, tick_max_.value_or(*high));
  rows_ += rows.num_rows();

  pending_.push_back(rows);
  pending_rows_ += rows.num_rows();
  if (pending_rows_ < row_group_size_) {
    if (pending_.size() > kMaxPendingPieces) pending_ = {take_pending()};
    return;
  }
  // Whole row groups go to the file; the rest stays buffered.
  const frame::Frame all = take_pending();
  const int64_t full = all.num_rows() / row_group_size_ * row_group_size_;
  write_rows(all.slice(0, full), scratch, timings);
  if (full < all.num_rows()) {
    pending_.push_back(all.slice(full, all.num_rows() - full));
    pending_rows_ = all.num_rows() - full;
  }
}

void OpenPart::flush(std::vector<uint8_t>& scratch, AppendTimings& timings) {
  if (pending_rows_ > 0) write_rows(take_pending(), scratch, timings);
}

WrittenPart OpenPart::close(std::vector<uint8_t>& scratch, AppendTimings& timings) {
  // The last rows and the footer go out in one write.
  scratch.clear();
  if (pending_rows_ > 0) encode(take_pending(), scratch, timings);
  writer_.finish(scratch);
  const auto started = Clock::now();
  as_write_step([&] {
    write_bytes(scratch);
    file_->sync();
    file_->close();
    fs_.rename(paths_.tmp, paths_.final);
    file_.reset();
    renamed_ = true;
    fs_.sync_directory(folder_);
  });
  timings.part_write += Clock::now() - started;

  WrittenPart part;
  part.path = paths_.final;
  part.meta.path = paths_.final.filename().string();
  part.meta.rows = rows_;
  part.meta.bytes = static_cast<int64_t>(writer_.bytes());
  part.meta.tick_min = tick_min_.value_or(0);
  part.meta.tick_max = tick_max_.value_or(0);
  part.meta.created_at = now_iso_utc();
  renamed_ = false;  // the part is the caller's now
  return part;
}

void OpenPart::encode(const frame::Frame& rows, std::vector<uint8_t>& scratch,
                      AppendTimings& timings) {
  const auto started = Clock::now();
  writer_.write(rows, scratch);
  timings.encode += Clock::now() - started;
}

void OpenPart::write_rows(const frame::Frame& rows, std::vector<uint8_t>& scratch,
                          AppendTimings& timings) {
  scratch.clear();
  encode(rows, scratch, timings);
  const auto started = Clock::now();
  as_write_step([&] { write_bytes(scratch); });
  timings.part_write += Clock::now() - started;
}

void OpenPart::write_bytes(const std::vector<uint8_t>& bytes) {
  if (!file_) {
    fs_.create_directories(folder_);
    file_ = fs_.open_for_write(paths_.tmp);
  }
  file_->write(std::as_bytes(std::span<const uint8_t>(bytes)));
}

frame::Frame OpenPart::take_pending() {
  frame::Frame joined = frame::concat(pending_);
  pending_.clear();
  pending_rows_ = 0;
  return joined;
}

}  // namespace crv::io
