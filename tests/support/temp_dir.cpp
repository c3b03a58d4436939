// The scratch folder of the tests: created by mkdtemp, removed recursively.
#include "support/temp_dir.hpp"

#include <stdlib.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace crv::test_support {

TempDir::TempDir() {
  std::string name = (std::filesystem::temp_directory_path() / "crv-io-test-XXXXXX").string();
  if (::mkdtemp(name.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + name);
  }
  path_ = name;
}

TempDir::~TempDir() {
  // A destructor must not throw; a folder left behind is only clutter in the temp folder.
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempDir::write_file(std::string_view name, std::string_view content) const {
  const std::filesystem::path file = path_ / name;
  std::ofstream out(file, std::ios::binary);
  out << content;
  out.close();
  if (!out) throw std::system_error(errno, std::generic_category(), "write " + file.string());
  return file;
}

}  // namespace crv::test_support
