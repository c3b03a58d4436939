// TableScanner: a table's rows over a tick range, one row group at a time.

#include "crv/io/scan.hpp"
#include "crv/io/validate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <thread>

#include "crv/core/errors.hpp"
#include "crv/core/table_descriptor.hpp"
#include "crv/frame/builders.hpp"
#include "crv/io/paths.hpp"
#include "io/part_source.hpp"

namespace crv::io {
namespace {

// Runs `read` on the part at `path`. When it fails because the part is gone, the scan's
// manifest is out of date (a compaction deletes the parts it replaced once the new
// manifest is committed) or the part was lost: an IoManifestError says so, rather than
// the bare I/O error.
template <class Read>
auto reading_part(FileSystem& fs, const std::filesystem::path& path, Read&& read) {
  try {
    return read();
  } catch (const IoError&) {
    if (fs.stat(path)) throw;
    throw IoManifestError(
        fmt::format("part '{}' is gone: it was removed after this scan read the manifest (a "
                    "compaction removes the parts it replaced), or lost. Scan again; if the "
                    "manifest still names the part, restore it or rebuild the manifest",
                    path.string()),
        {.path = path.string()});
  }
}

struct TickBounds {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();

  bool empty() const { return min > max; }
  bool overlaps(int64_t low, int64_t high) const { return low <= max && high >= min; }
  bool contains(int64_t low, int64_t high) const { return low >= min && high <= max; }
};

// Merges the column types of parts by name. Each column path remembers the part it was
// first seen in, so a conflict can name both parts.
class SchemaUnifier {
 public:
  void add(const std::vector<frame::Field>& columns, const std::string& part) {
    std::set<std::string_view> present;
    for (const frame::Field& column : columns) {
      present.insert(column.name);
      const auto known = index_.find(column.name);
      if (known == index_.end()) {
        index_.emplace(column.name, fields_.size());
        fields_.push_back(column);
        // A column absent from earlier parts is null there.
        if (parts_seen_ > 0) fields_.back().nullable = true;
        remember_paths(column.name, column.type, part);
        continue;
      }
      frame::Field& field = fields_[known->second];
      field.type = unify(field.type, column.type, column.name, part);
      field.nullable = field.nullable || column.nullable;
    }
    for (frame::Field& field : fields_) {
      if (!present.contains(field.name)) field.nullable = true;
    }
    ++parts_seen_;
  }

  const std::vector<frame::Field>& fields() const { return fields_; }

 private:
  static std::string member_path(const std::string& parent, const frame::DataType& type,
                                 size_t member) {
    if (type.id() == frame::TypeId::List) return parent + "[]";
    return parent + "." + type.field(member).name;
  }

  void remember_paths(const std::string& path, const frame::TypePtr& type,
                      const std::string& part) {
    first_part_.emplace(path, part);
    for (size_t member = 0; member < type->num_fields(); ++member) {
      remember_paths(member_path(path, *type, member), type->field(member).type, part);
    }
  }

  frame::TypePtr unify(const frame::TypePtr& known, const frame::TypePtr& incoming,
                       const std::string& path, const std::string& part) {
    if (known->equals(*incoming)) return known;
    // A value only ever seen as null takes whatever type another part gives it.
    if (incoming->id() == frame::TypeId::Null) return known;
    if (known->id() == frame::TypeId::Null) {
      remember_paths(path, incoming, part);
      return incoming;
    }
    if (known->id() != incoming->id()) {
      throw IoSchemaError(
          fmt::format("column '{}' is {} in part '{}' but {} in part '{}'", path,
                      known->to_string(), first_part_.at(path), incoming->to_string(), part),
          {.path = part, .column = path});
    }
    if (known->id() == frame::TypeId::List) {
      frame::Field item = known->item_field();
      item.type = unify(item.type, incoming->item_type(), path + "[]", part);
      item.nullable = item.nullable || incoming->item_field().nullable;
      return frame::list(std::move(item));
    }
    // Structs: members by name, in the order first seen; a member one side lacks is null
    // on that side.
    std::vector<frame::Field> members = known->fields();
    for (frame::Field& member : members) {
      if (incoming->find_field(member.name) == nullptr) member.nullable = true;
    }
    for (const frame::Field& member : incoming->fields()) {
      const std::string child_path = path + "." + member.name;
      const auto found = std::find_if(members.begin(), members.end(),
                                      [&](const frame::Field& m) { return m.name == member.name; });
      if (found == members.end()) {
        members.push_back({member.name, member.type, true});
        remember_paths(child_path, member.type, part);
      } else {
        found->type = unify(found->type, member.type, child_path, part);
        found->nullable = found->nullable || member.nullable;
      }
    }
    return frame::struct_(std::move(members));
  }

  std::vector<frame::Field> fields_;
  std::map<std::string, size_t, std::less<>> index_;
  std::map<std::string, std::string> first_part_;
  int parts_seen_ = 0;
};

// `array` as an array of `target`, a type unified from its own: struct members put in
// the target's order with null members where it has none, list items likewise. Buffers
// are shared; only missing members are allocated.
frame::ArrayPtr conform(const frame::ArrayPtr& array, const frame::TypePtr& target) {
  if (array->type()->equals(*target)) return array;
  if (array->type_id() == frame::TypeId::Null) {
    return frame::make_null_array(target, array->length());
  }
  frame::ArrayData data = array->data();
  data.type = target;
  data.children.clear();
  if (target->id() == frame::TypeId::List) {
    data.children.push_back(conform(array->list_items(), target->item_type()));
  } else if (target->id() == frame::TypeId::Struct) {
    // Struct members are addressed with the struct's offset, so they span offset + length.
    const int64_t member_length = array->offset() + array->length();
    for (const frame::Field& member : target->fields()) {
      const auto index = array->type()->field_index(member.name);
      data.children.push_back(index ? conform(array->child(*index), member.type)
                                    : frame::make_null_array(member.type, member_length));
    }
  }
  return frame::Array::make(std::move(data));
}

// Which rows of a row group the tick range keeps: the span `rows` holds them all, and
// `indices` (counted from rows.begin) lists them when the span holds others too.
struct RowSelection {
  parquet::RowRange rows;
  std::vector<int64_t> indices;
};

RowSelection select_rows(const frame::Array& ticks, const TickBounds& bounds) {
  const int64_t count = ticks.length();
  const int64_t* values = ticks.int64_values();
  RowSelection selection;
  if (ticks.null_count() == 0 && std::is_sorted(values, values + count)) {
    const int64_t begin = std::lower_bound(values, values + count, bounds.min) - values;
    const int64_t end = std::upper_bound(values + begin, values + count, bounds.max) - values;
    selection.rows = {begin, end};
    return selection;
  }
  for (int64_t row = 0; row < count; ++row) {
    if (ticks.is_valid(row) && values[row] >= bounds.min && values[row] <= bounds.max) {
      selection.indices.push_back(row);
    }
  }
  if (selection.indices.empty()) return selection;
  const int64_t first = selection.indices.front();
  selection.rows = {first, selection.indices.back() + 1};
  if (static_cast<int64_t>(selection.indices.size()) == selection.rows.size()) {
    selection.indices.clear();
  } else {
    for (int64_t& index : selection.indices) index -= first;
  }
  return selection;
}

// The columns of `fields` a scan asked for (all of them when it named none): columns it
// does not read must not make it fail, however their types differ between parts.
std::vector<frame::Field> projected(const std::vector<frame::Field>& fields,
                                    const std::vector<std::string>& requested) {
  if (requested.empty()) return fields;
  std::vector<frame::Field> kept;
  for (const frame::Field& field : fields) {
    if (std::find(requested.begin(), requested.end(), field.name) != requested.end()) {
      kept.push_back(field);
    }
  }
  return kept;
}

struct PlannedRowGroup {
  int index = 0;
  bool filter = false;  // some rows may lie outside the range
};

struct PlannedPart {
  std::filesystem::path path;
  OpenedPart opened;
  std::vector<PlannedRowGroup> row_groups;
  // Per output column: whether the part holds it (else it is null in the part's rows).
  std::vector<bool> has_column;
};

}  // namespace

struct TableScanner::Impl {
  FileSystem* fs = nullptr;
  TickBounds bounds;
  std::vector<frame::Field> fields;
  std::vector<std::string> names;  // of `fields`
  std::vector<PlannedPart> parts;
  size_t part_cursor = 0;
  size_t row_group_cursor = 0;
  ScanStats stats;
  unsigned threads = 1;
  parquet::ReadVerification verification;
  std::unique_ptr<parquet::DecodePool> pool;  // made at the first read that can use it

  void plan(const IoSettings& settings, std::string_view run_id, const TableManifest& manifest,
            const ScanOptions& options);
  PlannedPart open_planned(const std::filesystem::path& path, const PartMeta& meta,
                           bool inside_range);
  void choose_columns(const core::TableDescriptor& descriptor,
                      const std::vector<frame::Field>& unified,
                      const std::vector<std::string>& requested);
  std::optional<frame::Frame> read(PlannedPart& part, const PlannedRowGroup& row_group);
  parquet::DecodePool* decode_pool();
};

PlannedPart TableScanner::Impl::open_planned(const std::filesystem::path& path,
                                             const PartMeta& meta, bool inside_range) {
  PlannedPart part{path,
                   reading_part(*fs, path,
                                [&] {
                                  return open_part(
                                      *fs, path,
                                      "; the manifest names it: restore it, or rebuild the "
                                      "manifest from the parts that remain",
                                      verification);
                                }),
                   {},
                   {}};
  const parquet::FileInfo& info = part.opened.reader.info();
  if (info.num_rows != meta.rows || static_cast<int64_t>(info.file_size) != meta.bytes) {
    throw IoManifestError(
        fmt::format("part '{}' holds {} rows in {} bytes, but the manifest says {} rows in {} "
                    "bytes; rebuild the manifest if the part is right",
                    path.string(), info.num_rows, info.file_size, meta.rows, meta.bytes),
        {.path = path.string()});
  }
  const std::optional<size_t> leaf = tick_leaf(info);
  for (size_t index = 0; index < info.row_groups.size(); ++index) {
    const parquet::RowGroupInfo& row_group = info.row_groups[index];
    if (row_group.num_rows == 0) continue;
    PlannedRowGroup planned{static_cast<int>(index), !inside_range};
    if (planned.filter && leaf) {
      if (const auto ticks = tick_statistics(row_group, *leaf)) {
        if (!bounds.overlaps(ticks->min, ticks->max)) {
          ++stats.row_groups_pruned;
          continue;
        }
        planned.filter = !bounds.contains(ticks->min, ticks->max);
      }
    }
    if (planned.filter && !leaf) {
      throw IoSchemaError(
          fmt::format("part '{}' has no tick column to select rows by", path.string()),
          {.path = path.string(), .column = "tick"});
    }
    part.row_groups.push_back(planned);
  }
  stats.row_groups_selected += static_cast<int64_t>(part.row_groups.size());
  return part;
}

void TableScanner::Impl::choose_columns(const core::TableDescriptor& descriptor,
                                        const std::vector<frame::Field>& unified,
                                        const std::vector<std::string>& requested) {
  auto find_unified = [&](std::string_view name) {
    return std::find_if(unified.begin(), unified.end(),
                        [&](const frame::Field& field) { return field.name == name; });
  };
  if (requested.empty()) {
    fields = unified;
    if (unified.empty()) {  // no part selected
      for (const core::ColumnDescriptor& column : descriptor.columns) {
        fields.push_back({std::string(column.name), descriptor_type(column.dtype), true});
      }
    }
    return;
  }
  std::set<std::string_view> seen;
  for (const std::string& name : requested) {
    if (!seen.insert(name).second) {
      throw IoSchemaError(fmt::format("column '{}' is requested twice", name), {.column = name});
    }
    if (const auto found = find_unified(name); found != unified.end()) {
      fields.push_back(*found);
    } else if (const core::ColumnDescriptor* column = descriptor.find(name)) {
      fields.push_back({name, descriptor_type(column->dtype), true});
    } else {
      std::vector<std::string> known;
      for (const core::ColumnDescriptor& column : descriptor.columns) {
        known.emplace_back(column.name);
      }
      for (const frame::Field& field : unified) {
        if (descriptor.find(field.name) == nullptr) known.push_back(field.name);
      }
      throw IoSchemaError(
          fmt::format("table '{}' has no column '{}'; its columns are: {}",
                      core::to_string(descriptor.name), name, fmt::join(known, ", ")),
          {.column = name});
    }
  }
}

void TableScanner::Impl::plan(const IoSettings& settings, std::string_view run_id,
                              const TableManifest& manifest, const ScanOptions& options) {
  const core::TableDescriptor& descriptor = core::get_table(manifest.table);
  verification = options.verification;
  if (options.tick_min) bounds.min = *options.tick_min;
  if (options.tick_max) bounds.max = *options.tick_max;
  SchemaUnifier unifier;
  std::vector<int64_t> buckets = options.buckets;
  std::sort(buckets.begin(), buckets.end());
  const auto bucket_wanted = [&buckets](int64_t bucket) {
    return buckets.empty() || std::binary_search(buckets.begin(), buckets.end(), bucket);
  };
  if (!bounds.empty()) {
    for (const auto& [bucket, partition] : manifest.partitions) {
      if (!bucket_wanted(bucket)) continue;
      if (!bounds.overlaps(partition.tick_min, partition.tick_max)) continue;
      const std::filesystem::path folder = bucket_dir(settings, run_id, manifest.table, bucket);
      for (const PartMeta& meta : partition.parts) {
        if (!bounds.overlaps(meta.tick_min, meta.tick_max)) continue;
        PlannedPart part =
            open_planned(folder / meta.path, meta, bounds.contains(meta.tick_min, meta.tick_max));
        unifier.add(projected(part.opened.reader.info().fields, options.columns),
                    part.path.string());
        ++stats.parts_selected;
        if (!part.row_groups.empty()) parts.push_back(std::move(part));
      }
    }
  }
  choose_columns(descriptor, unifier.fields(), options.columns);
  for (const frame::Field& field : fields) names.push_back(field.name);
  // More threads than columns would have nothing to do.
  threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::min<unsigned>(threads, static_cast<unsigned>(fields.size()));
  for (PlannedPart& part : parts) {
    const std::vector<frame::Field>& columns = part.opened.reader.info().fields;
    for (const frame::Field& field : fields) {
      part.has_column.push_back(std::any_of(columns.begin(), columns.end(),
                                            [&](const auto& c) { return c.name == field.name; }));
    }
  }
}

parquet::DecodePool* TableScanner::Impl::decode_pool() {
  if (!pool && threads > 1) pool = std::make_unique<parquet::DecodePool>(threads);
  return pool.get();
}

std::optional<frame::Frame> TableScanner::Impl::read(PlannedPart& part,
                                                     const PlannedRowGroup& row_group) {
  parquet::ParquetReader& reader = part.opened.reader;
  const int64_t group_rows =
      reader.info().row_groups[static_cast<size_t>(row_group.index)].num_rows;
  RowSelection selection{.rows = {0, group_rows}};
  frame::ArrayPtr ticks;
  if (row_group.filter) {
    ++stats.row_groups_filtered;
    ticks = reader.read_row_group(row_group.index, {"tick"}).column(0);
    if (ticks->type_id() != frame::TypeId::Int64) {
      throw IoSchemaError(fmt::format("part '{}' has a tick column of type {}, not int64",
                                      part.path.string(), ticks->type()->to_string()),
                          {.path = part.path.string(), .column = "tick"});
    }
    selection = select_rows(*ticks, bounds);
    if (selection.rows.size() == 0) return std::nullopt;
  }
  // The other columns are decoded over the selected span only.
  std::vector<std::string> to_read;
  for (size_t column = 0; column < fields.size(); ++column) {
    if (part.has_column[column] && !(ticks && fields[column].name == "tick")) {
      to_read.push_back(fields[column].name);
    }
  }
  // An empty column list would read every column.
  const frame::Frame stored =
      to_read.empty()
          ? frame::Frame()
          : reader.read_row_group(
                row_group.index,
                {.columns = std::move(to_read), .rows = selection.rows, .pool = decode_pool()});
  const int64_t rows = selection.rows.size();
  std::vector<frame::ArrayPtr> columns;
  columns.reserve(fields.size());
  for (size_t column = 0; column < fields.size(); ++column) {
    const frame::Field& field = fields[column];
    if (!part.has_column[column]) {
      columns.push_back(frame::make_null_array(field.type, rows));
    } else if (ticks && field.name == "tick") {
      columns.push_back(ticks->slice(selection.rows.begin, rows));
    } else {
      columns.push_back(conform(stored.column(field.name), field.type));
    }
  }
  frame::Frame selected(names, std::move(columns));
  if (selection.indices.empty()) return selected;
  return selected.take(selection.indices);
}

TableScanner::TableScanner(FileSystem& fs, const IoSettings& settings, std::string_view run_id,
                           const TableManifest& manifest, ScanOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->fs = &fs;
  impl_->plan(settings, run_id, manifest, options);
}

TableScanner::~TableScanner() = default;
TableScanner::TableScanner(TableScanner&&) noexcept = default;
TableScanner& TableScanner::operator=(TableScanner&&) noexcept = default;

const std::vector<frame::Field>& TableScanner::fields() const {
  return impl_->fields;
}

const ScanStats& TableScanner::stats() const {
  return impl_->stats;
}

std::optional<frame::Frame> TableScanner::next() {
  Impl& impl = *impl_;
  while (impl.part_cursor < impl.parts.size()) {
    PlannedPart& part = impl.parts[impl.part_cursor];
    if (impl.row_group_cursor == part.row_groups.size()) {
      part.opened.source->close();
      ++impl.part_cursor;
      impl.row_group_cursor = 0;
      continue;
    }
    const PlannedRowGroup row_group = part.row_groups[impl.row_group_cursor++];
    std::optional<frame::Frame> rows =
        reading_part(*impl.fs, part.path, [&] { return impl.read(part, row_group); });
    if (rows && rows->num_rows() > 0) {
      impl.stats.rows_yielded += rows->num_rows();
      return rows;
    }
  }
  return std::nullopt;
}

frame::Frame TableScanner::empty_frame() const {
  std::vector<frame::ArrayPtr> columns;
  for (const frame::Field& field : impl_->fields) {
    columns.push_back(frame::make_null_array(field.type, 0));
  }
  return frame::Frame(impl_->names, std::move(columns));
}

}  // namespace crv::io
