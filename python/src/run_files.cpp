// Files of a run beside its tables: the bundle manifest, the lab artifacts, and the
// library versions the bundle records.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "bindings.hpp"
#include "crv/core/errors.hpp"
#include "crv/io/artifacts.hpp"
#include "crv/io/bundle.hpp"
#include "crv/io/paths.hpp"
#include "input.hpp"
#include "python_objects.hpp"
#include "settings.hpp"

namespace crv::python {
namespace {

// `meta` as JSON; IoConfigError for what JSON cannot hold (NaN, an infinity, a cycle).
nlohmann::json meta_json(const py::object& meta) {
  if (meta.is_none()) return nullptr;
  std::string text;
  try {
    text = py::module_::import("json")
               .attr("dumps")(meta, py::arg("allow_nan") = false)
               .cast<std::string>();
  } catch (const py::error_already_set& error) {
    if (!error.matches(PyExc_ValueError)) throw;
    throw IoConfigError(fmt::format("meta cannot be written as JSON: {}",
                                    py::str(error.value()).cast<std::string>()));
  }
  return nlohmann::json::parse(text);
}

py::dict stat_dict(const io::FileStat& stat) {
  py::dict out;
  out["path"] = py::cast(stat.path);
  out["bytes"] = stat.bytes;
  return out;
}

}  // namespace

void bind_run_files(py::module_& module) {
  module.def(
      "write_run_bundle_manifest",
      [](const py::handle& settings, const std::string& run_id, const py::object& meta) {
        const nlohmann::json parsed = meta_json(meta);
        const io::IoSettings& resolved = settings_of(settings);
        py::gil_scoped_release released;
        return io::write_run_bundle_manifest(resolved, run_id, parsed);
      },
      py::arg("settings"), py::arg("run_id"), py::arg("meta") = py::none(),
      "Writes <root>/runs/<run_id>/bundle.manifest.json atomically and returns its path. "
      "`meta` must be a JSON-serialisable dict (or None): TypeError for a value json.dumps "
      "cannot write, IoConfigError for NaN, an infinity or a cycle.");
  module.def("validate_run_id", &io::validate_run_id, py::arg("run_id"),
             "GrammarError unless `run_id` is a valid run id (also the sweep names' rule).");
  module.def(
      "library_versions", [] { return json_value(io::library_versions().dump()); },
      "Versions of crv-io and the libraries it links, as the bundle records them.");

  py::tuple folders(io::kLabFolders.size());
  for (size_t i = 0; i < io::kLabFolders.size(); ++i) {
    folders[i] = py::str(std::string(io::kLabFolders[i]));
  }
  module.attr("LAB_FOLDERS") = folders;
  module.def(
      "artifacts_root",
      [](const py::handle& settings, const std::string& run_id) {
        return io::artifacts_root(settings_of(settings), run_id);
      },
      py::arg("settings"), py::arg("run_id"), "<root>/runs/<run_id>/artifacts.");
  module.def(
      "lab_dir",
      [](const py::handle& settings, const std::string& run_id, const std::string& folder) {
        return io::lab_dir(settings_of(settings), run_id, folder);
      },
      py::arg("settings"), py::arg("run_id"), py::arg("folder"),
      "<artifacts_root>/lab/<folder>, created when missing; folder is one of LAB_FOLDERS.");
  module.def(
      "file_stat", [](const std::filesystem::path& path) { return stat_dict(io::file_stat(path)); },
      py::arg("path"), "{\"path\", \"bytes\"} of a regular file; IoError when there is none.");
  module.def(
      "write_text_atomic",
      [](const std::filesystem::path& file, const std::string& text) {
        io::FileStat stat;
        {
          py::gil_scoped_release released;
          stat = io::write_text_atomic(file, text);
        }
        return stat_dict(stat);
      },
      py::arg("path"), py::arg("text"),
      "Replaces the file with `text` atomically; returns its {\"path\", \"bytes\"}.");
  module.def(
      "write_parquet_atomic",
      [](const py::handle& settings, const std::filesystem::path& file, const py::handle& data) {
        const io::IoSettings& resolved = settings_of(settings);
        const frame::Frame rows = frame_from_python(data);
        io::FileStat stat;
        {
          py::gil_scoped_release released;
          stat = io::write_parquet_atomic(resolved, file, rows);
        }
        return stat_dict(stat);
      },
      py::arg("settings"), py::arg("path"), py::arg("data"),
      "Writes `data` (anything an append accepts) as one Parquet file, atomically, with the "
      "settings' codec; returns its {\"path\", \"bytes\"}.");
  module.def(
      "index_lab_artifacts",
      [](const py::handle& settings, const std::string& run_id) {
        py::dict out;
        for (const io::LabFolderIndex& folder :
             io::index_lab_artifacts(settings_of(settings), run_id)) {
          py::list files;
          for (const io::LabArtifact& artifact : folder.files) {
            py::dict entry = stat_dict(artifact.file);
            entry["path"] = artifact.file.path.string();
            if (artifact.rows) entry["rows"] = *artifact.rows;
            files.append(entry);
          }
          out[py::str(std::string(folder.folder))] = files;
        }
        return out;
      },
      py::arg("settings"), py::arg("run_id"),
      "Folder name to [{\"path\" (relative to the run folder), \"bytes\", \"rows\"?}], as the "
      "bundle lists them.");
}

}  // namespace crv::python
