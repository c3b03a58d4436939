// Writing one bucket's rows as a durable Parquet part, and the options parts use.

#include "io/part_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

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

// The threads that encode and write row groups in the background, one per hardware
// thread, each with the buffer its writes encode into (so one write after another reuses
// memory already touched). At most one write per thread is in flight: submitting another
// waits for one to end, which bounds the rows held by writes.
class WriteWorkers {
 public:
  using Write = std::function<void(std::vector<uint8_t>& scratch)>;

  // The process's workers. A child of fork() has none of its parent's threads, so it
  // starts its own (the parent's stay unreachable there, and idle).
  static WriteWorkers& instance() {
    static std::mutex guard;
    static WriteWorkers* workers = nullptr;
    static pid_t owner = 0;
    const std::lock_guard lock(guard);
    if (workers == nullptr || owner != ::getpid()) {
      auto created = std::unique_ptr<WriteWorkers>(new WriteWorkers());
      created->start(std::max(1u, std::thread::hardware_concurrency()));
      // Its threads use it for the rest of the process.
      workers = created.release();
      owner = ::getpid();
    }
    return *workers;
  }

  std::future<void> submit(Write write) {
    std::packaged_task<void(std::vector<uint8_t>&)> task(std::move(write));
    std::future<void> done = task.get_future();
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return in_flight_ < threads_; });
      ++in_flight_;
      queue_.push_back(std::move(task));
    }
    changed_.notify_all();
    return done;
  }

 private:
  WriteWorkers() = default;

  // Starts up to `threads` workers; fewer when the system refuses more, and an
  // IoWriteError when it refuses the first.
  void start(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) {
      try {
        std::thread([this] { serve(); }).detach();
      } catch (const std::system_error& error) {
        if (i == 0) {
          throw IoWriteError(fmt::format("cannot start a thread to write parts: {}", error.what()));
        }
        break;
      }
      const std::lock_guard lock(mutex_);
      ++threads_;
    }
  }

  void serve() {
    std::vector<uint8_t> scratch;
    for (;;) {
      std::packaged_task<void(std::vector<uint8_t>&)> task;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !queue_.empty(); });
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      scratch.clear();
      task(scratch);
      {
        const std::lock_guard lock(mutex_);
        --in_flight_;
      }
      changed_.notify_all();
    }
  }

  unsigned threads_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::packaged_task<void(std::vector<uint8_t>&)>> queue_;
  unsigned in_flight_ = 0;
};

// Splits `pieces` after their first `rows` rows: the pieces holding them, and the rest.
std::pair<std::vector<frame::Frame>, std::vector<frame::Frame>> split_pieces(
    std::vector<frame::Frame> pieces, int64_t rows) {
  std::vector<frame::Frame> first;
  std::vector<frame::Frame> rest;
  for (frame::Frame& piece : pieces) {
    const int64_t taken = std::clamp<int64_t>(rows, 0, piece.num_rows());
    if (taken == piece.num_rows()) {
      first.push_back(std::move(piece));
    } else if (taken == 0) {
      rest.push_back(std::move(piece));
    } else {
      first.push_back(piece.slice(0, taken));
      rest.push_back(piece.slice(taken, piece.num_rows() - taken));
    }
    rows -= taken;
  }
  return {std::move(first), std::move(rest)};
}

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
  if (writing_.valid()) writing_.wait();
  if (!file_ && !renamed_) return;
  try {
    if (file_) file_.reset();
    fs_.remove_file(renamed_ ? paths_.final : paths_.tmp);
  } catch (const std::exception&) {
    // Nothing names an unfinished part; fsck --repair removes what could not be removed.
  }
}

void OpenPart::add(const frame::Frame& rows, AppendTimings& timings) {
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
    if (pending_.size() > kMaxPendingPieces) pending_ = {frame::concat(pending_)};
    return;
  }
  // Whole row groups go to the file; the rest stays buffered.
  const int64_t full = pending_rows_ / row_group_size_ * row_group_size_;
  auto [whole, rest] = split_pieces(std::exchange(pending_, {}), full);
  pending_ = std::move(rest);
  pending_rows_ -= full;
  start_write(std::move(whole), timings);
}

void OpenPart::flush(AppendTimings& timings) {
  if (pending_rows_ == 0) return;
  pending_rows_ = 0;
  start_write(std::exchange(pending_, {}), timings);
}

void OpenPart::wait_for_write(AppendTimings& timings) {
  if (!writing_.valid()) return;
  std::future<void> writing = std::move(writing_);
  writing.wait();
  timings += std::exchange(writing_timings_, {});
  rows_written_ += std::exchange(rows_in_flight_, 0);
  writing.get();
  bytes_written_ = writer_.bytes();
}

void OpenPart::start_write(std::vector<frame::Frame> pieces, AppendTimings& timings) {
  wait_for_write(timings);
  for (const frame::Frame& piece : pieces) rows_in_flight_ += piece.num_rows();
  writing_ = WriteWorkers::instance().submit(
      [this, pieces = std::move(pieces)](std::vector<uint8_t>& scratch) mutable {
        encode(frame::concat(pieces), scratch, writing_timings_);
        pieces.clear();
        const auto started = Clock::now();
        as_write_step([&] { write_bytes(scratch); });
        writing_timings_.part_write += Clock::now() - started;
      });
}

WrittenPart OpenPart::close(std::vector<uint8_t>& scratch, AppendTimings& timings) {
  wait_for_write(timings);
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
