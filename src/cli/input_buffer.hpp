#pragma once
// Text input read in large chunks: a pipe then costs no more than a file, and a record
// is parsed where it lies in the buffer instead of being copied out line by line.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>

namespace crv::cli {

class InputBuffer {
 public:
  // Reads `input` (named `source` in errors; it must outlive the buffer) `chunk_bytes`
  // at a time.
  InputBuffer(std::istream& input, std::string source, size_t chunk_bytes);

  // The bytes read but not consumed yet; valid until the next refill().
  char* data() { return buffer_.data() + consumed_; }
  size_t size() const { return buffer_.size() - consumed_; }
  void consume(size_t bytes) { consumed_ += bytes; }

  // Appends the next chunk after the unconsumed bytes; false when the input has nothing
  // more. IoError when reading fails.
  bool refill();

  int64_t bytes_read() const { return bytes_read_; }

 private:
  std::istream& input_;
  std::string source_;
  size_t chunk_bytes_;
  std::string buffer_;
  size_t consumed_ = 0;
  bool input_done_ = false;
  int64_t bytes_read_ = 0;
};

}  // namespace crv::cli
