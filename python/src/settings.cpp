// IoSettings: keyword construction like the reference's, checked attributes, and load()
// with the C++ precedence (environment > crv.toml / pyproject.toml > defaults).

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "bindings.hpp"
#include "crv/core/errors.hpp"
#include "crv/io/settings.hpp"
#include "python_objects.hpp"
#include "settings.hpp"

namespace crv::python {
namespace {

using io::IoSettings;

parquet::Compression compression_named(const std::string& name) {
  const std::optional<parquet::Compression> compression = io::compression_from_string(name);
  if (!compression) {
    throw IoConfigError("compression must be one of zstd, lz4, snappy or none, not '" + name + "'");
  }
  return *compression;
}

// An attribute whose assignment is checked: an invalid value raises IoConfigError and
// leaves the settings as they were.
template <class Value, class Getter, class Setter>
void checked_property(py::class_<IoSettings>& cls, const char* name, Getter get, Setter set) {
  cls.def_property(name, get, [set](IoSettings& settings, Value value) {
    IoSettings changed = settings;
    set(changed, std::move(value));
    changed.validate();
    settings = std::move(changed);
  });
}

py::dict settings_dict(const IoSettings& s) {
  py::dict out;
  out["root_dir"] = py::cast(s.root_dir);
  out["partitioning"] = s.partitioning;
  out["tick_bucket_size"] = s.tick_bucket_size;
  out["row_group_size"] = s.row_group_size;
  out["compression"] = std::string(parquet::to_string(s.compression));
  out["compression_level"] = s.compression_level;
  out["strict_schema"] = s.strict_schema;
  out["write_manifest_every_n"] = s.write_manifest_every_n;
  out["manifest_every_commit"] = s.manifest_every_commit;
  out["iceberg_metadata"] = s.iceberg_metadata;
  out["max_open_parts"] = s.max_open_parts;
  out["max_buffered_rows"] = s.max_buffered_rows;
  out["target_part_bytes"] = s.target_part_bytes;
  out["fs_protocol"] = s.fs_protocol;
  return out;
}

}  // namespace

const IoSettings& settings_of(const py::handle& settings) {
  if (!py::isinstance<IoSettings>(settings)) {
    throw py::type_error("settings must be a crv_io.IoSettings, not " + type_name(settings));
  }
  return settings.cast<const IoSettings&>();
}

void bind_settings(py::module_& module) {
  py::class_<IoSettings> cls(module, "IoSettings",
                             "Where runs are written and how parts are encoded. Values are "
                             "checked at construction and on assignment: an invalid one is "
                             "an IoConfigError naming it.");
  cls.def(
      py::init([](std::filesystem::path root_dir, std::string partitioning,
                  int64_t tick_bucket_size, int64_t row_group_size, const std::string& compression,
                  int compression_level, bool strict_schema, int64_t write_manifest_every_n,
                  bool manifest_every_commit, bool iceberg_metadata, int64_t max_open_parts,
                  int64_t max_buffered_rows, int64_t target_part_bytes, std::string fs_protocol) {
        IoSettings settings{.root_dir = std::move(root_dir),
                            .partitioning = std::move(partitioning),
                            .tick_bucket_size = tick_bucket_size,
                            .row_group_size = row_group_size,
                            .compression = compression_named(compression),
                            .compression_level = compression_level,
                            .strict_schema = strict_schema,
                            .write_manifest_every_n = write_manifest_every_n,
                            .manifest_every_commit = manifest_every_commit,
                            .iceberg_metadata = iceberg_metadata,
                            .max_open_parts = max_open_parts,
                            .max_buffered_rows = max_buffered_rows,
                            .target_part_bytes = target_part_bytes,
                            .fs_protocol = std::move(fs_protocol)};
        settings.validate();
        return settings;
      }),
      py::kw_only(), py::arg("root_dir") = std::filesystem::path("out"),
      py::arg("partitioning") = "tick_buckets", py::arg("tick_bucket_size") = 100,
      py::arg("row_group_size") = parquet::kDefaultRowGroupSize, py::arg("compression") = "zstd",
      py::arg("compression_level") = parquet::kDefaultCompressionLevel,
      py::arg("strict_schema") = true, py::arg("write_manifest_every_n") = 1,
      py::arg("manifest_every_commit") = false, py::arg("iceberg_metadata") = true,
      py::arg("max_open_parts") = IoSettings{}.max_open_parts,
      py::arg("max_buffered_rows") = IoSettings{}.max_buffered_rows,
      py::arg("target_part_bytes") = IoSettings{}.target_part_bytes,
      py::arg("fs_protocol") = "file");

  checked_property<std::filesystem::path>(
      cls, "root_dir", [](const IoSettings& s) { return s.root_dir; },
      [](IoSettings& s, std::filesystem::path v) { s.root_dir = std::move(v); });
  checked_property<std::string>(
      cls, "partitioning", [](const IoSettings& s) { return s.partitioning; },
      [](IoSettings& s, std::string v) { s.partitioning = std::move(v); });
  checked_property<int64_t>(
      cls, "tick_bucket_size", [](const IoSettings& s) { return s.tick_bucket_size; },
      [](IoSettings& s, int64_t v) { s.tick_bucket_size = v; });
  checked_property<int64_t>(
      cls, "row_group_size", [](const IoSettings& s) { return s.row_group_size; },
      [](IoSettings& s, int64_t v) { s.row_group_size = v; });
  checked_property<std::string>(
      cls, "compression",
      [](const IoSettings& s) { return std::string(parquet::to_string(s.compression)); },
      [](IoSettings& s, std::string v) { s.compression = compression_named(v); });
  checked_property<int>(
      cls, "compression_level", [](const IoSettings& s) { return s.compression_level; },
      [](IoSettings& s, int v) { s.compression_level = v; });
  checked_property<bool>(
      cls, "strict_schema", [](const IoSettings& s) { return s.strict_schema; },
      [](IoSettings& s, bool v) { s.strict_schema = v; });
  checked_property<int64_t>(
      cls, "write_manifest_every_n", [](const IoSettings& s) { return s.write_manifest_every_n; },
      [](IoSettings& s, int64_t v) { s.write_manifest_every_n = v; });
  checked_property<bool>(
      cls, "manifest_every_commit", [](const IoSettings& s) { return s.manifest_every_commit; },
      [](IoSettings& s, bool v) { s.manifest_every_commit = v; });
  checked_property<bool>(
      cls, "iceberg_metadata", [](const IoSettings& s) { return s.iceberg_metadata; },
      [](IoSettings& s, bool v) { s.iceberg_metadata = v; });
  checked_property<int64_t>(
      cls, "max_open_parts", [](const IoSettings& s) { return s.max_open_parts; },
      [](IoSettings& s, int64_t v) { s.max_open_parts = v; });
  checked_property<int64_t>(
      cls, "max_buffered_rows", [](const IoSettings& s) { return s.max_buffered_rows; },
      [](IoSettings& s, int64_t v) { s.max_buffered_rows = v; });
  checked_property<int64_t>(
      cls, "target_part_bytes", [](const IoSettings& s) { return s.target_part_bytes; },
      [](IoSettings& s, int64_t v) { s.target_part_bytes = v; });
  checked_property<std::string>(
      cls, "fs_protocol", [](const IoSettings& s) { return s.fs_protocol; },
      [](IoSettings& s, std::string v) { s.fs_protocol = std::move(v); });

  cls.def_static(
      "load",
      [](std::optional<std::filesystem::path> config_file,
         std::optional<std::filesystem::path> search_dir, const py::object& environ) {
        io::SettingsSources sources;
        sources.config_file = std::move(config_file);
        sources.search_dir = std::move(search_dir);
        if (!environ.is_none()) {
          // Copied, so the lookup needs no Python objects (nor the GIL).
          auto variables = std::make_shared<std::map<std::string, std::string>>(
              environ.cast<std::map<std::string, std::string>>());
          sources.environment = [variables](const std::string& name) -> std::optional<std::string> {
            const auto found = variables->find(name);
            if (found == variables->end()) return std::nullopt;
            return found->second;
          };
        }
        return IoSettings::load(sources);
      },
      py::kw_only(), py::arg("config_file") = py::none(), py::arg("search_dir") = py::none(),
      py::arg("environ") = py::none(),
      "Defaults, overridden by crv.toml [io] (or pyproject.toml [tool.crv.io]) found in "
      "`search_dir` (the working directory by default) or by `config_file`, overridden by "
      "CRV_IO_<KEY> variables of `environ` (os.environ by default). IoConfigError names any "
      "invalid value and where it came from.");
  cls.def("to_dict", &settings_dict, "Every setting by name.");
  cls.def("__eq__", [](const IoSettings& a, const py::handle& b) {
    return py::isinstance<IoSettings>(b) && a == b.cast<const IoSettings&>();
  });
  cls.def("__repr__", [](const IoSettings& s) {
    std::string text = "IoSettings(";
    bool first = true;
    for (const auto& [key, value] : settings_dict(s)) {
      if (!first) text += ", ";
      first = false;
      text += key.cast<std::string>() + "=" + py::repr(value).cast<std::string>();
    }
    return text + ")";
  });
  cls.def(py::pickle([](const IoSettings& s) { return settings_dict(s); },
                     [](const py::dict& values) {
                       py::object type = py::module_::import("crv_io").attr("IoSettings");
                       return type(**values).cast<IoSettings>();
                     }));
}

}  // namespace crv::python
