// Reading text input in large chunks, so records are parsed where they lie.

#include "cli/input_buffer.hpp"

#include "crv/core/errors.hpp"

namespace crv::cli {

InputBuffer::InputBuffer(std::istream& input, std::string source, size_t chunk_bytes)
    : input_(input), source_(std::move(source)), chunk_bytes_(chunk_bytes) {}

bool InputBuffer::refill() {
  if (input_done_) return false;
  buffer_.erase(0, consumed_);
  consumed_ = 0;
  const size_t kept = buffer_.size();
  buffer_.resize(kept + chunk_bytes_);
  input_.read(buffer_.data() + kept, static_cast<std::streamsize>(chunk_bytes_));
  const auto added = static_cast<size_t>(input_.gcount());
  buffer_.resize(kept + added);
  bytes_read_ += static_cast<int64_t>(added);
  if (input_.bad()) throw IoError("cannot read the input", {.path = source_});
  // istream::read stops short only at the end of the input.
  if (added < chunk_bytes_) input_done_ = true;
  return added > 0;
}

}  // namespace crv::cli
