#pragma once
// A scratch folder for tests that touch the disk.

#include <filesystem>
#include <string>
#include <string_view>

namespace crv::test_support {

// A new, empty folder under the system's temporary folder, named crv-io-test-XXXXXX so a
// leftover one is easy to recognise; removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  // Writes `content` to the file `name` in the folder and returns its path.
  std::filesystem::path write_file(std::string_view name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace crv::test_support
