// crv_io.Dataset, Transaction and Scan over crv::io::Dataset.
//
// A crv::io::Dataset is one thread's handle. A Python Dataset keeps a pool of them, one per
// thread using it at the moment, so threads append and read in parallel with the GIL
// released; the handles coordinate through the table locks as separate processes do.

#include <fmt/format.h>
#include <pybind11/stl.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arrow_capsules.hpp"
#include "bindings.hpp"
#include "crv/core/errors.hpp"
#include "crv/core/table_name.hpp"
#include "crv/io/dataset.hpp"
#include "crv/io/manifest.hpp"
#include "crv/io/paths.hpp"
#include "input.hpp"
#include "names.hpp"
#include "python_objects.hpp"
#include "settings.hpp"
#include "table.hpp"

namespace crv::python {
namespace {

using io::IoSettings;

class HandlePool;

// A handle taken from the pool, returned when the lease ends.
class Lease {
 public:
  Lease(std::shared_ptr<HandlePool> pool, std::unique_ptr<io::Dataset> handle, bool for_one_call,
        bool holds_appends)
      : pool_(std::move(pool)),
        handle_(std::move(handle)),
        for_one_call_(for_one_call),
        holds_appends_(holds_appends) {}
  Lease(Lease&&) = default;
  ~Lease();
  io::Dataset& operator*() const { return *handle_; }
  io::Dataset* operator->() const { return handle_.get(); }

  // The handle may now hold appends that write_manifest_every_n > 1 holds back.
  void note_held_back_appends() { holds_appends_ = true; }

 private:
  std::shared_ptr<HandlePool> pool_;
  std::unique_ptr<io::Dataset> handle_;
  bool for_one_call_;
  bool holds_appends_;
};

// Handles that may hold held-back appends are only ever lent to single calls, which return
// them before they return; flush() and close() wait for those calls, so they commit every
// append that returned before them. Scans and transactions, which keep their handle as long
// as they live, get one that holds none.
class HandlePool : public std::enable_shared_from_this<HandlePool> {
 public:
  // Validates the settings and run id by making the first handle.
  HandlePool(IoSettings settings, std::string run_id)
      : settings_(std::move(settings)), run_id_(std::move(run_id)) {
    idle_.push_back(std::make_unique<io::Dataset>(settings_, run_id_));
  }

  const IoSettings& settings() const { return settings_; }
  const std::string& run_id() const { return run_id_; }

  // A handle for one call; waits while a flush() or close() waits for the calls in flight.
  Lease lease_for_call() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return flushes_waiting_ == 0; });
    require_open();
    std::unique_ptr<io::Dataset> handle;
    bool holds_appends = false;
    // Held-back appends gather in the handles that hold some already.
    if (!holding_.empty()) {
      handle = take_last(holding_);
      holds_appends = true;
    } else if (!idle_.empty()) {
      handle = take_last(idle_);
    } else {
      handle = std::make_unique<io::Dataset>(settings_, run_id_);
    }
    ++calls_in_flight_;
    return Lease(shared_from_this(), std::move(handle), true, holds_appends);
  }

  // A handle holding no held-back appends, for a Scan or Transaction to keep.
  Lease lease_for_object() {
    std::unique_ptr<io::Dataset> handle;
    {
      std::lock_guard lock(mutex_);
      require_open();
      if (!idle_.empty()) handle = take_last(idle_);
    }
    if (!handle) handle = std::make_unique<io::Dataset>(settings_, run_id_);
    return Lease(shared_from_this(), std::move(handle), false, false);
  }

  void give_back(std::unique_ptr<io::Dataset> handle, bool for_one_call, bool holds_appends) {
    {
      std::lock_guard lock(mutex_);
      if (for_one_call) --calls_in_flight_;
      if (!closed_) (holds_appends ? holding_ : idle_).push_back(std::move(handle));
    }
    returned_.notify_all();
    // Closed meanwhile: the handle commits its held-back appends as it goes.
    handle.reset();
  }

  // Commits the held-back appends of every handle and rewrites the manifests of the idle
  // ones (a Scan's or Transaction's handle holds no held-back appends).
  void flush() {
    std::unique_lock lock = wait_for_calls_in_flight();
    FlushWaitEnd end_wait{*this};
    flush_idle_handles();
  }

  void close() {
    std::vector<std::unique_ptr<io::Dataset>> handles;
    {
      std::unique_lock lock = wait_for_calls_in_flight();
      FlushWaitEnd end_wait{*this};
      if (closed_) return;
      flush_idle_handles();
      closed_ = true;
      handles.swap(idle_);
    }
  }

 private:
  // Ends a flush's wait, letting calls lease handles again.
  struct FlushWaitEnd {
    HandlePool& pool;
    ~FlushWaitEnd() {
      --pool.flushes_waiting_;
      pool.returned_.notify_all();
    }
  };

  static std::unique_ptr<io::Dataset> take_last(std::vector<std::unique_ptr<io::Dataset>>& from) {
    std::unique_ptr<io::Dataset> handle = std::move(from.back());
    from.pop_back();
    return handle;
  }

  void require_open() const {
    if (closed_) throw IoError(fmt::format("the Dataset of run '{}' is closed", run_id_));
  }

  // Holds the lock once every call in flight has returned its handle; new calls wait
  // until the returned lock's owner ends its FlushWaitEnd.
  std::unique_lock<std::mutex> wait_for_calls_in_flight() {
    std::unique_lock lock(mutex_);
    ++flushes_waiting_;
    returned_.wait(lock, [this] { return calls_in_flight_ == 0; });
    return lock;
  }

  // Needs the lock.
  void flush_idle_handles() {
    for (const auto& handle : holding_) handle->flush();
    for (const auto& handle : idle_) handle->flush();
    for (auto& handle : holding_) idle_.push_back(std::move(handle));
    holding_.clear();
  }

  IoSettings settings_;
  std::string run_id_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<io::Dataset>> idle_;
  // Idle handles that may hold held-back appends.
  std::vector<std::unique_ptr<io::Dataset>> holding_;
  int calls_in_flight_ = 0;
  int flushes_waiting_ = 0;
  bool closed_ = false;
};

Lease::~Lease() {
  if (handle_) pool_->give_back(std::move(handle_), for_one_call_, holds_appends_);
}

std::string table_argument(const py::handle& table) {
  return std::string(core::to_string(table_name_of(table)));
}

// `writer` and `sequence` come together or not at all (exactly-once appends).
io::AppendOptions append_options(bool validate_schema, const py::object& writer = py::none(),
                                 const py::object& sequence = py::none()) {
  io::AppendOptions options{.validate_schema = validate_schema};
  if (writer.is_none() != sequence.is_none()) {
    throw IoConfigError(
        "writer and sequence go together: give both for an exactly-once "
        "append, or neither");
  }
  if (!writer.is_none()) {
    if (!py::isinstance<py::str>(writer)) {
      throw py::type_error("writer must be a str, not " + type_name(writer));
    }
    if (!PyLong_Check(sequence.ptr()) || PyBool_Check(sequence.ptr())) {
      throw py::type_error("sequence must be an int, not " + type_name(sequence));
    }
    options.identity = io::CommitIdentity{writer.cast<std::string>(), sequence.cast<int64_t>()};
  }
  return options;
}

// True for an int, or a numpy integer; not for a bool, though Python counts it as an int.
bool is_integer(const py::handle& value) {
  if (PyBool_Check(value.ptr())) return false;
  return PyLong_Check(value.ptr()) ||
         py::isinstance(value, py::module_::import("numbers").attr("Integral"));
}

// `value` as an int64; IoConfigError naming `argument` for anything but an integer that
// fits.
int64_t int64_argument(const py::handle& value, const std::string& argument,
                       std::string_view expected = "an int") {
  if (!is_integer(value)) {
    throw IoConfigError(fmt::format("{} must be {}, not {} ({})", argument, expected,
                                    type_name(value), py::repr(value).cast<std::string>()));
  }
  const py::int_ integer = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
  if (!integer) throw py::error_already_set();
  int overflow = 0;
  const long long result = PyLong_AsLongLongAndOverflow(integer.ptr(), &overflow);
  if (overflow != 0) {
    throw IoConfigError(fmt::format("{} is {}, beyond the 64-bit integers", argument,
                                    py::repr(integer).cast<std::string>()));
  }
  return result;
}

std::optional<int64_t> optional_int64_argument(const py::handle& value, const std::string& argument,
                                               std::string_view expected = "an int or None") {
  if (value.is_none()) return std::nullopt;
  return int64_argument(value, argument, expected);
}

// The items of a sequence argument; IoConfigError naming it for anything else, a str
// included (a sequence of characters is never what the caller meant).
py::sequence sequence_argument(const py::object& value, const std::string& argument,
                               std::string_view of_what) {
  if (!py::isinstance<py::sequence>(value) || py::isinstance<py::str>(value) ||
      py::isinstance<py::bytes>(value)) {
    throw IoConfigError(fmt::format("{} must be a list of {} or None, not {} ({})", argument,
                                    of_what, type_name(value),
                                    py::repr(value).cast<std::string>()));
  }
  return py::reinterpret_borrow<py::sequence>(value);
}

// The bucket ids a `buckets=` argument names; none (every bucket) for None.
std::vector<int64_t> bucket_ids(const py::object& buckets) {
  if (buckets.is_none()) return {};
  const py::sequence items = sequence_argument(buckets, "buckets", "bucket ids (ints)");
  std::vector<int64_t> ids;
  for (size_t i = 0; i < items.size(); ++i) {
    ids.push_back(int64_argument(items[i], fmt::format("buckets[{}]", i), "a bucket id (an int)"));
  }
  return ids;
}

std::vector<std::string> column_names(const py::object& columns) {
  const py::sequence items = sequence_argument(columns, "columns", "column names (str)");
  std::vector<std::string> names;
  for (size_t i = 0; i < items.size(); ++i) {
    const py::object name = items[i];
    if (!py::isinstance<py::str>(name)) {
      throw IoConfigError(fmt::format("columns[{}] must be a column name (a str), not {} ({})", i,
                                      type_name(name), py::repr(name).cast<std::string>()));
    }
    names.push_back(name.cast<std::string>());
  }
  return names;
}

io::ScanOptions scan_options(const py::object& where, const py::object& columns,
                             const py::object& buckets, const py::object& as_of) {
  io::ScanOptions options;
  options.buckets = bucket_ids(buckets);
  options.as_of_version =
      optional_int64_argument(as_of, "as_of", "a version of the commit log (an int) or None");
  if (!where.is_none()) {
    if (!PyDict_Check(where.ptr())) {
      throw IoConfigError(
          fmt::format("where must be a dict such as {{\"tick_min\": 0, "
                      "\"tick_max\": 9}}, not {}",
                      py::repr(where).cast<std::string>()));
    }
    for (const auto& [key, value] : where.cast<py::dict>()) {
      const std::string name = py::str(key).cast<std::string>();
      if (name == "tick_min" || name == "tick_max") {
        (name == "tick_min" ? options.tick_min : options.tick_max) =
            optional_int64_argument(value, fmt::format("where[\"{}\"]", name));
      } else {
        throw IoConfigError(
            fmt::format("where has an unknown key '{}' (known: tick_min, tick_max)", name));
      }
    }
  }
  if (!columns.is_none()) options.columns = column_names(columns);
  return options;
}

py::object summary_dict(const io::AppendSummary& summary) {
  return json_value(summary.to_json());
}

// Adds every batch of `input` to `transaction`. An error's row is counted from the start of
// the input, not of its batch.
void add_batches(io::Dataset::Transaction& transaction, InputBatches& input,
                 const io::AppendOptions& options) {
  int64_t rows_before = 0;
  while (std::optional<frame::Frame> batch = input.next()) {
    try {
      transaction.add(*batch, options);
    } catch (const Error& error) {
      if (!error.context().row || rows_before == 0) throw;
      ErrorContext context = error.context();
      *context.row += rows_before;
      error.rethrow_with_context(std::move(context));
    }
    rows_before += batch->num_rows();
  }
}

// Appends `data` through `handle`: one append for a single batch, a transaction over the
// batches of a stream, so a stream is committed whole or not at all.
io::AppendSummary append_input(io::Dataset& handle, const std::string& table, InputBatches& input,
                               const io::AppendOptions& options) {
  if (!input.is_stream()) {
    std::optional<frame::Frame> batch = input.next();
    return handle.append(table, *batch, options);
  }
  io::Dataset::Transaction transaction = handle.begin(table);
  add_batches(transaction, input, options);
  return transaction.commit(options.identity);
}

class Dataset {
 public:
  Dataset(const py::handle& settings, std::string run_id)
      : pool_(std::make_shared<HandlePool>(settings_of(settings), std::move(run_id))) {}

  const std::shared_ptr<HandlePool>& pool() const { return pool_; }

  py::object append(const py::handle& table, const py::handle& data, bool validate_schema,
                    const py::object& writer, const py::object& sequence) {
    const std::string name = table_argument(table);
    const io::AppendOptions options = append_options(validate_schema, writer, sequence);
    InputBatches input(data);
    io::AppendSummary summary;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      summary = append_input(*handle, name, input, options);
      if (pool_->settings().write_manifest_every_n > 1) handle.note_held_back_appends();
    }
    return summary_dict(summary);
  }

  py::object last_sequence(const py::handle& table, const std::string& writer) {
    const std::string name = table_argument(table);
    std::optional<int64_t> sequence;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      sequence = handle->last_sequence(name, writer);
    }
    return sequence ? py::object(py::int_(*sequence)) : py::object(py::none());
  }

  Table read(const py::handle& table, const py::object& where, const py::object& limit,
             const py::object& columns, const py::object& buckets, const py::object& as_of) {
    const std::string name = table_argument(table);
    const io::ScanOptions options = scan_options(where, columns, buckets, as_of);
    const std::optional<int64_t> rows = optional_int64_argument(limit, "limit");
    py::gil_scoped_release released;
    Lease handle = pool_->lease_for_call();
    return Table(handle->read(name, options, rows));
  }

  py::object manifest(const py::handle& table) {
    const core::TableName name = table_name_of(table);
    std::optional<io::TableManifest> manifest;
    {
      py::gil_scoped_release released;
      manifest = io::load_committed_manifest(
          io::default_file_system(),
          io::table_dir(pool_->settings(), pool_->run_id(), core::to_string(name)),
          core::to_string(name));
    }
    if (!manifest) return py::none();
    return json_value(io::to_json_bytes(*manifest));
  }

  py::object rebuild_manifest(const py::handle& table) {
    const std::string name = table_argument(table);
    std::string json;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      json = io::to_json_bytes(handle->rebuild_manifest(name).manifest);
    }
    return json_value(json);
  }

  py::object compact(const py::handle& table, const py::object& buckets) {
    const std::string name = table_argument(table);
    const io::CompactOptions options{.buckets = bucket_ids(buckets)};
    std::string json;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      json = handle->compact(name, options).to_json();
    }
    return json_value(json);
  }

  py::object rewind(const py::handle& table, int64_t after_tick) {
    const std::string name = table_argument(table);
    std::string json;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      json = handle->rewind(name, after_tick).to_json();
    }
    return json_value(json);
  }

  py::object publish_iceberg(const py::handle& table) {
    const std::string name = table_argument(table);
    std::string json;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      json = handle->publish_iceberg(name).to_json();
    }
    return json_value(json);
  }

  py::list history(const py::handle& table) {
    const std::string name = table_argument(table);
    std::vector<io::CommitRecord> records;
    {
      py::gil_scoped_release released;
      Lease handle = pool_->lease_for_call();
      records = handle->history(name);
    }
    py::list commits;
    for (const io::CommitRecord& record : records) commits.append(json_value(record.to_json()));
    return commits;
  }

  void flush() {
    py::gil_scoped_release released;
    pool_->flush();
  }

  void close() {
    py::gil_scoped_release released;
    pool_->close();
  }

 private:
  std::shared_ptr<HandlePool> pool_;
};

// Threads may share a Transaction: the mutex keeps its calls apart. It is taken with the GIL
// released, since a call holding it may need the GIL (to drop Python buffers, or to read a
// Python stream).
class Transaction {
 public:
  Transaction(const Dataset& dataset, const py::handle& table)
      : lease_(dataset.pool()->lease_for_object()),
        transaction_((*lease_)->begin(table_argument(table))) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Dropped without a commit: rolling back waits for the row groups being written, whose
  // threads may need the GIL to release the Python buffers they hold.
  ~Transaction() {
    if (!transaction_) return;
    py::gil_scoped_release released;
    transaction_.reset();
  }

  void add(const py::handle& data, bool validate_schema) {
    const io::AppendOptions options = append_options(validate_schema);
    // The transaction keeps rows until their row group fills, after this call returns.
    InputBatches input(data, NumpyMemory::kCopy);
    py::gil_scoped_release released;
    std::lock_guard lock(mutex_);
    require_open();
    add_batches(*transaction_, input, options);
  }

  py::object commit() {
    io::AppendSummary summary;
    {
      py::gil_scoped_release released;
      std::lock_guard lock(mutex_);
      require_open();
      summary = transaction_->commit();
      end();
    }
    summary_ = summary_dict(summary);
    return summary_;
  }

  void rollback() {
    py::gil_scoped_release released;
    std::lock_guard lock(mutex_);
    if (!transaction_) return;
    transaction_->rollback();
    end();
  }

  // Commits when the transaction is still open and `failed` is false, rolls back when it
  // is true (a context manager's exit).
  void finish(bool failed) {
    if (failed) {
      rollback();
      return;
    }
    bool open = false;
    {
      py::gil_scoped_release released;
      std::lock_guard lock(mutex_);
      open = transaction_.has_value();
    }
    if (open) commit();
  }

  int64_t pending_rows() {
    py::gil_scoped_release released;
    std::lock_guard lock(mutex_);
    return transaction_ ? transaction_->pending_rows() : 0;
  }

  const py::object& summary() const { return summary_; }

 private:
  void require_open() const {
    if (!transaction_) throw IoError("the transaction has been committed or rolled back");
  }

  // The handle goes back to the pool, where flush() reaches it.
  void end() {
    transaction_.reset();
    lease_.reset();
  }

  std::optional<Lease> lease_;
  std::optional<io::Dataset::Transaction> transaction_;
  std::mutex mutex_;
  py::object summary_ = py::none();
};

// A scan's handle and scanner, shared by the Scan object and any stream made from it (a
// stream may outlive the Scan); the mutex keeps them from reading at the same time.
struct ScanState {
  explicit ScanState(Lease handle) : lease(std::move(handle)) {}
  Lease lease;
  std::optional<io::TableScanner> scanner;
  std::mutex mutex;

  std::optional<frame::Frame> next() {
    std::lock_guard lock(mutex);
    return scanner->next();
  }
};

class Scan {
 public:
  Scan(const Dataset& dataset, const py::handle& table, const py::object& where,
       const py::object& columns, const py::object& buckets, const py::object& as_of)
      : state_(std::make_shared<ScanState>(dataset.pool()->lease_for_object())) {
    const std::string name = table_argument(table);
    io::ScanOptions options = scan_options(where, columns, buckets, as_of);
    py::gil_scoped_release released;
    state_->scanner.emplace(state_->lease->scan(name, std::move(options)));
  }

  const std::vector<frame::Field>& fields() const { return state_->scanner->fields(); }

  py::dict stats() const {
    std::lock_guard lock(state_->mutex);
    const io::ScanStats& stats = state_->scanner->stats();
    py::dict out;
    out["parts_selected"] = stats.parts_selected;
    out["row_groups_selected"] = stats.row_groups_selected;
    out["row_groups_pruned"] = stats.row_groups_pruned;
    out["row_groups_filtered"] = stats.row_groups_filtered;
    out["rows_yielded"] = stats.rows_yielded;
    return out;
  }

  Table next() {
    std::optional<frame::Frame> batch;
    {
      py::gil_scoped_release released;
      batch = state_->next();
    }
    if (!batch) throw py::stop_iteration();
    return Table(std::move(*batch), fields());
  }

  // The remaining batches as a stream, which keeps the scan's state alive.
  py::object stream(const py::handle& requested_schema) {
    check_requested_schema(requested_schema);
    return stream_capsule(fields(), [state = state_] { return state->next(); });
  }

 private:
  std::shared_ptr<ScanState> state_;
};

}  // namespace

void bind_dataset(py::module_& module) {
  py::class_<Dataset>(module, "Dataset",
                      "A run's tables. Safe to use from several threads at once: each "
                      "operation releases the GIL while it validates, encodes, writes or "
                      "reads.")
      .def(py::init<const py::handle&, std::string>(), py::arg("settings"), py::arg("run_id"))
      .def_property_readonly("settings", [](const Dataset& d) { return d.pool()->settings(); })
      .def_property_readonly("run_id", [](const Dataset& d) { return d.pool()->run_id(); })
      .def(
          "append",
          [](Dataset& d, const py::handle& table, const py::handle& df, bool validate_schema,
             bool /*validate_rows*/, const py::object& writer, const py::object& sequence) {
            return d.append(table, df, validate_schema, writer, sequence);
          },
          py::arg("table"), py::arg("df"), py::kw_only(), py::arg("validate_schema") = true,
          py::arg("validate_rows") = false, py::arg("writer") = py::none(),
          py::arg("sequence") = py::none(),
          "Validates `df` (a DataFrame or any other input Transaction.add takes) against the "
          "table and appends it atomically; returns the summary "
          "{table, run_id, parts, rows, buckets}. Rows are always checked against the row "
          "rules (validate_rows is accepted for compatibility). With validate_schema=False "
          "the data is written as given, `bucket` computed from `tick`. With writer (a str) "
          "and sequence (an int >= 0) the append is exactly-once: if the table's commit log "
          "records a sequence of that writer at least as large, nothing is written and the "
          "writer's last commit is returned with \"duplicate\": True.")
      .def("last_sequence", &Dataset::last_sequence, py::arg("table"), py::arg("writer"),
           "The last sequence `writer` committed to the table (its commit log records it); "
           "None when it never did. A restarted simulation resumes after it.")
      .def(
          "transaction",
          [](const Dataset& d, const py::handle& table) {
            return std::make_unique<Transaction>(d, table);
          },
          py::arg("table"),
          "A multi-batch append committed at once; a context manager that commits when its "
          "block ends normally and rolls back when it raises.")
      .def("flush", &Dataset::flush,
           "Commits every append held back by write_manifest_every_n > 1 (waiting for the "
           "calls other threads are making meanwhile) and rewrites each table's "
           "manifest.json from its commit log.")
      .def("close", &Dataset::close,
           "Flushes and releases the handles; later operations raise IoError. A Scan or "
           "Transaction still alive keeps its handle until it ends.")
      .def("__enter__", [](const py::object& self) { return self; })
      .def("__exit__",
           [](Dataset& d, const py::args&) {
             d.close();
             return false;
           })
      .def(
          "scan",
          [](const Dataset& d, const py::handle& table, const py::object& where,
             const py::object& columns, const py::object& buckets,
             const py::object& as_of) { return Scan(d, table, where, columns, buckets, as_of); },
          py::arg("table"), py::arg("where") = py::none(), py::kw_only(),
          py::arg("columns") = py::none(), py::arg("buckets") = py::none(),
          py::arg("as_of") = py::none(),
          "The committed rows of `table` whose tick lies in where={\"tick_min\": a, "
          "\"tick_max\": b} (inclusive; either may be absent or None), with `columns` in that "
          "order (all by default), as an iterator of Table batches; `buckets` limits it to those "
          "bucket ids, and as_of=V reads the table as it was at version V of its commit log "
          "(see history()). IoManifestError when the table has no manifest (see "
          "rebuild_manifest).")
      .def("read", &Dataset::read, py::arg("table"), py::arg("where") = py::none(),
           py::arg("limit") = py::none(), py::kw_only(), py::arg("columns") = py::none(),
           py::arg("buckets") = py::none(), py::arg("as_of") = py::none(),
           "The rows scan() selects collected into one Table, at most `limit` of them.")
      .def("history", &Dataset::history, py::arg("table"),
           "The table's commits, oldest first, from its commit log: dicts {version, "
           "operation, committed_at, writer, sequence, host, pid, parts_added, rows_added, "
           "parts_removed}; empty for a table without a log.")
      .def("rewind", &Dataset::rewind, py::arg("table"), py::arg("after_tick"),
           "Removes every row with a tick greater than `after_tick`, in one commit, for a "
           "simulation restarted from its checkpoint at that tick; writers whose last "
           "exactly-once commit lost rows go back to their latest commit that lost none. "
           "Returns {table, run_id, after_tick, version, rows_removed, parts_dropped, "
           "parts_rewritten, files_deleted, buckets, writers}.")
      .def("publish_iceberg", &Dataset::publish_iceberg, py::arg("table"),
           "Writes the table's Apache Iceberg metadata (<table>/metadata/) for its committed "
           "parts, so Spark, Trino, DuckDB, PyIceberg and Polars open the table folder as an "
           "Iceberg table; a new version only when parts or the schema changed. With "
           "settings.iceberg_metadata (the default) this also happens by itself whenever "
           "manifest.json is written. Returns {table, run_id, metadata_version, "
           "metadata_file, updated, snapshot_id, schema_id, log_version, data_files, rows, "
           "manifests, files_added, files_removed}.")
      .def("manifest", &Dataset::manifest, py::arg("table"),
           "The table's committed state in manifest.json's shape, read from its commit log "
           "(manifest.json itself may be a checkpoint behind while a writer has the table "
           "open); None when the table has none yet.")
      .def("rebuild_manifest", &Dataset::rebuild_manifest, py::arg("table"),
           "Rebuilds manifest.json from the parts' footers, writes it, and returns it.")
      .def("compact", &Dataset::compact, py::arg("table"), py::kw_only(),
           py::arg("buckets") = py::none(),
           "Rewrites each bucket's runs of small parts (all buckets, or those in `buckets`) as "
           "parts of about settings.target_part_bytes, rows and their order unchanged, and "
           "commits the swap atomically; appends may go on meanwhile. Returns {table, run_id, "
           "buckets, parts_before, parts_after, rows, bytes_before, bytes_after, "
           "parts_removed}.");

  py::class_<Transaction>(module, "Transaction",
                          "A multi-batch append committed at once. As a context manager it "
                          "commits when the block ends normally and rolls back when it raises.")
      .def("add", &Transaction::add, py::arg("data"), py::kw_only(),
           py::arg("validate_schema") = true,
           "Validates `data` and streams its rows into one open part per bucket. Data that "
           "fails validation changes nothing; a failure while writing rolls the whole "
           "transaction back (its batches share the open parts). Either way the "
           "transaction stays usable. The rows are kept until their row group fills, so "
           "numpy and pandas columns are copied: changing them after add() returns changes "
           "nothing. Arrow data is shared, as the Arrow interfaces make it immutable. "
           "Threads may share a transaction; their calls take turns.")
      .def("commit", &Transaction::commit, "Commits every added batch; returns the summary.")
      .def("rollback", &Transaction::rollback, "Removes every pending part.")
      .def_property_readonly("pending_rows", &Transaction::pending_rows)
      .def_property_readonly("summary", &Transaction::summary,
                             "The commit's summary once committed, else None.")
      .def("__enter__", [](const py::object& self) { return self; })
      .def("__exit__",
           [](Transaction& t, const py::handle& exc_type, const py::handle&, const py::handle&) {
             t.finish(!exc_type.is_none());
             return false;
           });

  py::class_<Scan>(module, "Scan", "One pass over the rows a scan selects, a row group at a time.")
      .def_property_readonly("column_names",
                             [](const Scan& s) {
                               std::vector<std::string> names;
                               for (const frame::Field& f : s.fields()) names.push_back(f.name);
                               return names;
                             })
      .def_property_readonly("schema", [](const Scan& s) { return schema_dict(s.fields()); })
      .def_property_readonly("stats", &Scan::stats)
      .def("__iter__", [](const py::object& self) { return self; })
      .def("__next__", &Scan::next)
      .def("__arrow_c_stream__", &Scan::stream, py::arg("requested_schema") = py::none(),
           "The remaining batches as an Arrow stream; the scan is consumed.");

  module.def(
      "append",
      [](const py::handle& table, const py::handle& data, std::string run_id,
         const py::object& settings, bool validate_schema, bool /*validate_rows*/) {
        const py::object resolved =
            settings.is_none() ? py::module_::import("crv_io").attr("IoSettings").attr("load")()
                               : settings;
        Dataset dataset(resolved, std::move(run_id));
        py::object summary = dataset.append(table, data, validate_schema, py::none(), py::none());
        dataset.close();
        return summary;
      },
      py::arg("table"), py::arg("data"), py::arg("run_id"), py::arg("settings") = py::none(),
      py::kw_only(), py::arg("validate_schema") = true, py::arg("validate_rows") = false,
      "One append through a temporary Dataset; settings default to IoSettings.load().");
  module.def(
      "_check_scan_arguments",
      [](const py::object& where, const py::object& columns) {
        scan_options(where, columns, py::none(), py::none());
      },
      py::arg("where") = py::none(), py::arg("columns") = py::none(),
      "The IoConfigError Dataset.read raises for these `where` and `columns`, if any; for "
      "readers that plan before they read (crv_io.dask).");
}

}  // namespace crv::python
