#pragma once
// Writes one bucket's rows as a Parquet part, streamed: rows are collected into row
// groups, each full row group is encoded and written to the part's temporary file, and
// closing writes the footer, fsyncs, renames the file into place and fsyncs its folder.
// The writer's options come from Dataset::part_writer_options.

#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "crv/frame/frame.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/file_system.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "crv/parquet/writer.hpp"

namespace crv::io {

// The Parquet writer's options the settings choose: codec, level and row group size.
// Dataset::part_writer_options() adds a table's crv_* key-value metadata to them.
parquet::WriterOptions settings_writer_options(const IoSettings& settings);

// Footer keys of a compaction's new parts: which rewrite of a run of parts wrote them (a
// fresh uid), and the comma-separated file names of those parts, whose rows they hold.
// rebuild_manifest reads them, so that a rebuild after a crash names either the old parts
// or the new ones, never both.
inline constexpr std::string_view kCompactionKey = "crv_compaction";
inline constexpr std::string_view kCompactedFromKey = "crv_compacted_from";

struct WrittenPart {
  PartMeta meta;
  std::filesystem::path path;  // final path
};

// A part being written. Memory stays bounded by one row group's rows (plus the encoded
// bytes of one row group in the caller's scratch buffer). The temporary file is created
// when the first row group is written, so a part closed small is one write. Destroying an
// open part removes its temporary file. Every I/O failure is an IoWriteError.
//
// Row groups that add() fills and flush() writes are joined, encoded and written on
// another thread while the caller goes on (so a transaction reads, checks and splits its
// next batch meanwhile): one write at a time per part, and no more writes in flight over
// all parts than there are hardware threads (starting one waits for a slot). A write's
// failure is thrown by the next call that writes, by wait_for_write() or by close().
class OpenPart {
 public:
  OpenPart(FileSystem& fs, std::filesystem::path bucket_folder, std::vector<frame::Field> fields,
           const parquet::WriterOptions& options);
  ~OpenPart();
  OpenPart(const OpenPart&) = delete;
  OpenPart& operator=(const OpenPart&) = delete;

  // The schema of the part's rows: rows of another schema need another part.
  const std::vector<frame::Field>& fields() const { return writer_.fields(); }
  int64_t rows() const { return rows_; }
  // Rows added but not yet written (fewer than a row group).
  int64_t buffered_rows() const { return pending_rows_; }
  // Rows in the write in flight, if any.
  int64_t rows_in_flight() const { return rows_in_flight_; }
  // Rows and bytes of the writes done: whole row groups in the file, without the write in
  // flight or the buffered rows.
  int64_t rows_written() const { return rows_written_; }
  uint64_t bytes_written() const { return bytes_written_; }

  // Waits for the write in flight, if any; its times join `timings`, and its failure is
  // thrown here.
  void wait_for_write(AppendTimings& timings);

  // Adds `rows` (of this part's bucket and fields); writes every row group they fill,
  // encoding through `scratch`.
  void add(const frame::Frame& rows, AppendTimings& timings);
  // Writes the buffered rows as a row group of their own, however few.
  void flush(AppendTimings& timings);
  // Writes the buffered rows and the footer, then makes the part durable under its final
  // name. The part holds at least one row. Afterwards the object only awaits destruction.
  WrittenPart close(std::vector<uint8_t>& scratch, AppendTimings& timings);

 private:
  // Appends the encoded row groups of `rows` to `scratch`.
  void encode(const frame::Frame& rows, std::vector<uint8_t>& scratch, AppendTimings& timings);
  // Starts the write of `pieces` (joined into one row group per row_group_size rows) on
  // another thread, once the write in flight is done.
  void start_write(std::vector<frame::Frame> pieces, AppendTimings& timings);
  void write_bytes(const std::vector<uint8_t>& bytes);
  // The buffered rows as one frame (copied when there is more than one piece).
  frame::Frame take_pending();

  FileSystem& fs_;
  std::filesystem::path folder_;
  PartPaths paths_;
  parquet::FileWriter writer_;
  int64_t row_group_size_;
  std::unique_ptr<WritableFile> file_;
  bool renamed_ = false;
  std::vector<frame::Frame> pending_;
  int64_t pending_rows_ = 0;
  int64_t rows_ = 0;
  std::optional<int64_t> tick_min_;
  std::optional<int64_t> tick_max_;
  // The write in flight and what it measures; touched by the writing thread only until
  // wait_for_write() has waited for it.
  std::future<void> writing_;
  AppendTimings writing_timings_;
  int64_t rows_in_flight_ = 0;
  int64_t rows_written_ = 0;
  uint64_t bytes_written_ = 0;
};

}  // namespace crv::io
