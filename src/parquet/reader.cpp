// Opens Parquet files: sources, footer, and reading row groups into frames.

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crv/core/errors.hpp"
#include "crv/parquet/reader.hpp"
#include "parquet/assembler.hpp"
#include "parquet/column_reader.hpp"
#include "parquet/compression.hpp"
#include "parquet/format.hpp"
#include "parquet/schema.hpp"

namespace crv::parquet {
namespace {

constexpr std::string_view kEncryptedMagic = "PARE";
constexpr uint64_t kFooterTail = 8;  // footer length + magic

class FileSource final : public RandomAccessSource {
 public:
  explicit FileSource(const std::filesystem::path& path) : name_(path.string()) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail("cannot open", 0);
    struct stat status {};
    if (::fstat(fd_, &status) != 0) fail("cannot stat", 0);
    size_ = static_cast<uint64_t>(status.st_size);
  }
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  uint64_t size() const override { return size_; }
  const std::string& name() const override { return name_; }

  void read_at(uint64_t offset, size_t length, std::vector<uint8_t>& out) override {
    out.resize(length);
    size_t done = 0;
    while (done < length) {
      const ssize_t n =
          ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n == 0) errno = EIO;
        fail("cannot read", offset + done);
      }
      done += static_cast<size_t>(n);
    }
  }

 private:
  [[noreturn]] void fail(const char* what, uint64_t offset) const {
    throw IoError(fmt::format("{} file: {}", what, std::strerror(errno)),
                  {.path = name_, .offset = offset});
  }

  std::string name_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class MemorySource final : public RandomAccessSource {
 public:
  MemorySource(std::span<const uint8_t> bytes, std::string name)
      : bytes_(bytes), name_(std::move(name)) {}
  uint64_t size() const override { return bytes_.size(); }
  const std::string& name() const override { return name_; }
  void read_at(uint64_t offset, size_t length, std::vector<uint8_t>& out) override {
    const auto begin = bytes_.begin() + static_cast<std::ptrdiff_t>(offset);
    out.assign(begin, begin + static_cast<std::ptrdiff_t>(length));
  }

 private:
  std::span<const uint8_t> bytes_;
  std::string name_;
};

template <class T>
std::optional<T> load_exact(const std::string& bytes) {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

// A statistic's bytes as a typed value; nullopt when malformed for the type.
std::optional<frame::Value> decode_statistic(format::Type type, const std::string& bytes) {
  switch (type) {
    case format::Type::kInt64:
      if (auto value = load_exact<int64_t>(bytes)) return frame::Value(*value);
      return std::nullopt;
    case format::Type::kInt32:
      if (auto value = load_exact<int32_t>(bytes)) return frame::Value(int64_t{*value});
      return std::nullopt;
    case format::Type::kDouble:
      if (auto value = load_exact<double>(bytes)) return frame::Value(*value);
      return std::nullopt;
    case format::Type::kFloat:
      if (auto value = load_exact<float>(bytes)) return frame::Value(double{*value});
      return std::nullopt;
    case format::Type::kBoolean:
      if (bytes.size() == 1) return frame::Value(bytes[0] != 0);
      return std::nullopt;
    case format::Type::kByteArray:
      return frame::Value(bytes);
    default:
      return std::nullopt;
  }
}

ColumnStatistics decode_statistics(const format::ColumnMetaData& meta, bool type_order) {
  ColumnStatistics result;
  if (!meta.statistics) return result;
  const format::Statistics& stats = *meta.statistics;
  result.null_count = stats.null_count;
  if (!type_order) return result;
  const std::optional<std::string>* min = &stats.min_value;
  const std::optional<std::string>* max = &stats.max_value;
  // The legacy fields order values as signed, which is wrong for strings only.
  if ((!*min || !*max) && meta.type != format::Type::kByteArray) {
    min = &stats.min;
    max = &stats.max;
  }
  if (*min && *max) {
    result.min = decode_statistic(meta.type, **min);
    result.max = decode_statistic(meta.type, **max);
    if (!result.min || !result.max) result.min = result.max = std::nullopt;
  }
  return result;
}

}  // namespace

std::unique_ptr<RandomAccessSource> open_file_source(const std::filesystem::path& path) {
  return std::make_unique<FileSource>(path);
}

std::unique_ptr<RandomAccessSource> memory_source(std::span<const uint8_t> bytes,
                                                  std::string name) {
  return std::make_unique<MemorySource>(bytes, std::move(name));
}

std::optional<std::string> FileInfo::metadata(std::string_view key) const {
  for (const auto& [k, v] : key_value_metadata) {
    if (k == key) return v;
  }
  return std::nullopt;
}

struct ParquetReader::Impl {
  std::unique_ptr<RandomAccessSource> source;
  ReadVerification verification;
  format::FileMetaData footer;
  Schema schema;
  FileInfo info;

  [[noreturn]] void fail(const std::string& message, uint64_t offset) const {
    throw IoFormatError(message, {.path = source->name(), .offset = offset});
  }

  void read_footer() {
    const uint64_t size = source->size();
    if (size < 4 + kFooterTail) {
      fail(fmt::format("file of {} bytes is too small to be Parquet", size), 0);
    }
    std::vector<uint8_t> bytes;
    source->read_at(0, 4, bytes);
    if (std::string_view(reinterpret_cast<const char*>(bytes.data()), 4) != format::kMagic) {
      fail("not a Parquet file: it does not start with PAR1", 0);
    }
    source->read_at(size - kFooterTail, kFooterTail, bytes);
    const std::string_view tail_magic(reinterpret_cast<const char*>(bytes.data()) + 4, 4);
    if (tail_magic == kEncryptedMagic) {
      fail("encrypted Parquet footers are not supported", size - 4);
    }
    if (tail_magic != format::kMagic)
      fail("not a Parquet file: it does not end with PAR1", size - 4);
    const uint32_t footer_length =
        static_cast<uint32_t>(bytes[0]) | static_cast<uint32_t>(bytes[1]) << 8 |
        static_cast<uint32_t>(bytes[2]) << 16 | static_cast<uint32_t>(bytes[3]) << 24;
    if (footer_length > size - 4 - kFooterTail) {
      fail(fmt::format("footer length {} exceeds the file", footer_length), size - kFooterTail);
    }
    const uint64_t footer_start = size - kFooterTail - footer_length;
    source->read_at(footer_start, footer_length, bytes);
    footer = format::deserialize<format::FileMetaData>(bytes, footer_start, source->name());
    schema = Schema::from_elements(footer.schema, source->name());
    describe(size, footer_start);
  }

  void describe(uint64_t size, uint64_t footer_start) {
    info.file_size = size;
    info.num_rows = footer.num_rows;
    info.fields = schema.fields();
    info.field_ids = schema.field_ids();
    info.created_by = footer.created_by.value_or("");
    for (const format::KeyValue& kv :
         footer.key_value_metadata.value_or(std::vector<format::KeyValue>{})) {
      info.key_value_metadata.emplace_back(kv.key, kv.value.value_or(""));
    }
    const size_t leaves = schema.leaves().size();
    int64_t rows = 0;
    for (const format::RowGroup& group : footer.row_groups) {
      if (group.columns.size() != leaves || group.num_rows < 0) {
        fail(fmt::format("row group {} has {} column chunks and {} rows for {} leaf columns",
                         info.row_groups.size(), group.columns.size(), group.num_rows, leaves),
             footer_start);
      }
      rows += group.num_rows;
      RowGroupInfo row_group;
      row_group.num_rows = group.num_rows;
      for (size_t i = 0; i < leaves; ++i) {
        const format::ColumnChunk& chunk = group.columns[i];
        if (!chunk.meta_data) fail("column chunk without metadata", footer_start);
        const format::ColumnMetaData& meta = *chunk.meta_data;
        // Statistics are stored values: of a leaf whose values are converted on reading
        // (unsigned, decimal, ...) they would not be the values read, so they are left out.
        const bool converted =
            schema.node(schema.leaves()[i].node).conversion.kind != LeafConversion::Kind::kNone;
        const bool type_order =
            !converted && (!footer.column_orders ||
                           (i < footer.column_orders->size() &&
                            (*footer.column_orders)[i] == format::ColumnOrder::kTypeOrder));
        row_group.columns.push_back(
            {fmt::format("{}", fmt::join(meta.path_in_schema, ".")), meta.num_values,
             meta.total_compressed_size, meta.total_uncompressed_size,
             codec_name(codec_from_thrift(static_cast<int32_t>(meta.codec))),
             decode_statistics(meta, type_order)});
      }
      info.row_groups.push_back(std::move(row_group));
    }
    if (rows != footer.num_rows) {
      fail(fmt::format("row groups hold {} rows, the footer says {}", rows, footer.num_rows),
           footer_start);
    }
  }

  std::vector<int> select_columns(const std::vector<std::string>& names) const {
    std::vector<int> selected;
    if (names.empty()) return schema.columns();
    for (const std::string& name : names) {
      int found = -1;
      for (int column : schema.columns()) {
        if (schema.node(column).name == name) found = column;
      }
      if (found < 0) {
        std::string available;
        for (int column : schema.columns()) {
          available += (available.empty() ? "" : ", ") + schema.node(column).name;
        }
        throw IoSchemaError(fmt::format("no column '{}' in the file; it has: {}", name, available),
                            {.path = source->name(), .column = name});
      }
      selected.push_back(found);
    }
    return selected;
  }

  const format::RowGroup& row_group(int group) const {
    if (group < 0 || static_cast<size_t>(group) >= footer.row_groups.size()) {
      throw IoSchemaError(fmt::format("row group {} does not exist; the file has {}", group,
                                      footer.row_groups.size()),
                          {.path = source->name()});
    }
    return footer.row_groups[static_cast<size_t>(group)];
  }

  // One column chunk to decode: its bytes, its leaf, and the rows wanted of it.
  struct ChunkTask {
    const LeafColumn* leaf = nullptr;
    int64_t num_rows = 0;
    int64_t first_row = 0;  // of the row group, in the file
    RowRange rows;
    ChunkExtent extent;
    const format::ColumnMetaData* meta = nullptr;
    std::vector<uint8_t> bytes;
  };

  // Reads the chunks of `columns` in `groups` (in that order, chunk by chunk as the file
  // lays them out), then decodes and assembles each column, on `pool` when given. `rows`
  // applies to every group; callers pass several groups only with all their rows.
  frame::Frame read(const std::vector<int>& columns, const std::vector<int>& groups,
                    std::optional<RowRange> rows, DecodePool* pool) {
    if (columns.empty()) return frame::Frame();
    std::vector<std::vector<ChunkTask>> tasks(columns.size());
    // Chunks never overlap, so together they fit in the file; a footer whose chunks claim
    // more cannot make the reader hold more than the file's size.
    uint64_t fetched = 0;
    // Row groups' first rows in the file, which errors name.
    std::vector<int64_t> first_rows{0};
    for (const format::RowGroup& group : footer.row_groups) {
      first_rows.push_back(first_rows.back() + group.num_rows);
    }
    for (size_t position = 0; position < columns.size(); ++position) {
      for (const LeafColumn& leaf : schema.leaves()) {
        if (leaf.path.front() != columns[position]) continue;
        const auto leaf_index = static_cast<size_t>(schema.node(leaf.node).leaf_index);
        for (int group : groups) {
          const format::RowGroup& chunks = footer.row_groups[static_cast<size_t>(group)];
          ChunkTask& task = tasks[position].emplace_back();
          task.leaf = &leaf;
          task.num_rows = chunks.num_rows;
          task.first_row = first_rows[static_cast<size_t>(group)];
          task.rows = rows.value_or(RowRange{0, chunks.num_rows});
          const format::ColumnChunk& chunk = chunks.columns[leaf_index];
          task.extent = chunk_extent(chunk, source->size(), source->name());
          fetched += task.extent.length;
          if (fetched > source->size()) {
            throw IoFormatError(
                fmt::format("column chunks overlap: those read claim {} bytes of a file of {}",
                            fetched, source->size()),
                {.path = source->name(), .offset = task.extent.offset});
          }
          task.meta = &*chunk.meta_data;
          source->read_at(task.extent.offset, static_cast<size_t>(task.extent.length), task.bytes);
        }
      }
    }
    std::vector<LeafData> leaves(schema.leaves().size());
    std::vector<frame::ArrayPtr> arrays(columns.size());
    const auto decode_column = [&](size_t position) {
      for (ChunkTask& task : tasks[position]) {
        const SchemaNode& node = schema.node(task.leaf->node);
        decode_column_chunk({task.meta, task.bytes, task.extent.offset, &source->name(),
                             task.first_row, verification},
                            node, *task.leaf, task.num_rows, task.rows,
                            leaves[static_cast<size_t>(node.leaf_index)]);
        task.bytes = {};
      }
      arrays[position] = assemble_column(schema, columns[position], leaves, source->name());
    };
    if (pool != nullptr) {
      pool->run(columns.size(), decode_column);
    } else {
      for (size_t position = 0; position < columns.size(); ++position) decode_column(position);
    }
    std::vector<std::string> names;
    for (int column : columns) names.push_back(schema.node(column).name);
    return frame::Frame(std::move(names), std::move(arrays));
  }

  frame::Frame read(const ReadOptions& options) {
    std::vector<int> groups = options.row_groups;
    if (groups.empty()) {
      for (size_t i = 0; i < footer.row_groups.size(); ++i) groups.push_back(static_cast<int>(i));
    }
    for (int group : groups) row_group(group);
    return read(select_columns(options.columns), groups, std::nullopt, nullptr);
  }

  frame::Frame read_row_group(int index, const RowGroupRead& request) {
    const int64_t num_rows = row_group(index).num_rows;
    if (request.rows && (request.rows->begin < 0 || request.rows->end < request.rows->begin ||
                         request.rows->end > num_rows)) {
      throw IoSchemaError(fmt::format("rows [{}, {}) lie outside row group {} of {} rows",
                                      request.rows->begin, request.rows->end, index, num_rows),
                          {.path = source->name()});
    }
    return read(select_columns(request.columns), {index}, request.rows, request.pool);
  }
};

ParquetReader::ParquetReader(std::unique_ptr<RandomAccessSource> source,
                             ReadVerification verification)
    : impl_(std::make_unique<Impl>()) {
  impl_->source = std::move(source);
  impl_->verification = verification;
  impl_->read_footer();
}

ParquetReader ParquetReader::open(const std::filesystem::path& path,
                                  ReadVerification verification) {
  return ParquetReader(open_file_source(path), verification);
}

ParquetReader::~ParquetReader() = default;
ParquetReader::ParquetReader(ParquetReader&&) noexcept = default;
ParquetReader& ParquetReader::operator=(ParquetReader&&) noexcept = default;

const FileInfo& ParquetReader::info() const {
  return impl_->info;
}

void ParquetReader::read_decimals_as_integers(const std::vector<std::string>& columns) {
  Schema& schema = impl_->schema;
  for (int column : schema.columns()) {
    const std::string& name = schema.node(column).name;
    if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
      schema.read_decimal_as_integer(column);
    }
  }
  impl_->info.fields = schema.fields();
}

frame::Frame ParquetReader::read(const ReadOptions& options) {
  return impl_->read(options);
}

frame::Frame ParquetReader::read_row_group(int index, const std::vector<std::string>& columns) {
  return impl_->read_row_group(index, RowGroupRead{.columns = columns});
}

frame::Frame ParquetReader::read_row_group(int index, const RowGroupRead& request) {
  return impl_->read_row_group(index, request);
}

}  // namespace crv::parquet
