// Aligned, zero-padded byte buffers and the builder that grows them.

#include "crv/frame/buffer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <new>

#include "crv/core/errors.hpp"

namespace crv::frame {
namespace detail {

void AlignedFree::operator()(uint8_t* bytes) const noexcept {
  ::operator delete (bytes, std::align_val_t{kBufferAlignment});
}

AlignedBytes allocate_aligned(int64_t size) {
  if (size < 0) throw SchemaError(fmt::format("cannot allocate a buffer of {} bytes", size));
  const int64_t rounded = round_up_to_alignment(std::max<int64_t>(size, 1));
  return AlignedBytes(static_cast<uint8_t*>(
      ::operator new (static_cast<size_t>(rounded), std::align_val_t{kBufferAlignment})));
}

}  // namespace detail

namespace {

// Zeroes the bytes between the end of the data and the next alignment boundary, so that
// the padding a consumer may read (e.g. with wide loads) is deterministic.
void zero_padding(uint8_t* bytes, int64_t size) {
  const int64_t padded = detail::round_up_to_alignment(size);
  if (padded > size) std::memset(bytes + size, 0, static_cast<size_t>(padded - size));
}

}  // namespace

Buffer::Buffer(Token, const uint8_t* data, int64_t size, detail::AlignedBytes owned,
               std::shared_ptr<const void> foreign_owner)
    : data_(data),
      size_(size),
      owned_(std::move(owned)),
      foreign_owner_(std::move(foreign_owner)) {}

BufferPtr Buffer::wrap(const void* data, int64_t size, std::shared_ptr<const void> owner) {
  if (size < 0) throw SchemaError(fmt::format("a buffer cannot have {} bytes", size));
  if (data == nullptr && size > 0) {
    throw SchemaError(fmt::format("a buffer of {} bytes has a null data pointer", size));
  }
  if (data == nullptr) return empty();
  return std::make_shared<const Buffer>(Token{}, static_cast<const uint8_t*>(data), size,
                                        detail::AlignedBytes{}, std::move(owner));
}

BufferPtr Buffer::copy(const void* data, int64_t size) {
  BufferBuilder builder(size);
  builder.append(data, size);
  return builder.finish();
}

BufferPtr Buffer::empty() {
  alignas(kBufferAlignment) static const uint8_t zeros[kBufferAlignment] = {};
  static const BufferPtr buffer =
      std::make_shared<const Buffer>(Token{}, zeros, 0, detail::AlignedBytes{}, nullptr);
  return buffer;
}

void BufferBuilder::grow(int64_t min_capacity) {
  // Capacities stay multiples of the alignment, so finish() can always zero the padding.
  const int64_t new_capacity =
      detail::round_up_to_alignment(std::max({min_capacity, capacity_ * 2, kBufferAlignment}));
  detail::AlignedBytes larger = detail::allocate_aligned(new_capacity);
  if (size_ > 0) std::memcpy(larger.get(), bytes_.get(), static_cast<size_t>(size_));
  bytes_ = std::move(larger);
  capacity_ = new_capacity;
}

void BufferBuilder::resize_zeroed(int64_t new_size) {
  const int64_t old_size = size_;
  resize(new_size);
  if (new_size > old_size) {
    std::memset(bytes_.get() + old_size, 0, static_cast<size_t>(new_size - old_size));
  }
}

BufferPtr BufferBuilder::finish() {
  if (size_ == 0) {
    bytes_.reset();
    capacity_ = 0;
    return Buffer::empty();
  }
  zero_padding(bytes_.get(), size_);
  const uint8_t* data = bytes_.get();
  auto buffer =
      std::make_shared<const Buffer>(Buffer::Token{}, data, size_, std::move(bytes_), nullptr);
  size_ = 0;
  capacity_ = 0;
  return buffer;
}

}  // namespace crv::frame
