#pragma once
// Immutable shared byte buffers backing arrays, and the growable builder that fills them.
// Memory allocated here is 64-byte aligned and its padding up to the next 64-byte
// boundary is zeroed, as the Arrow columnar format recommends. A buffer can also wrap
// foreign memory (e.g. imported through the Arrow C Data Interface) kept alive by an owner.

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

namespace crv::frame {

inline constexpr int64_t kBufferAlignment = 64;

namespace detail {
constexpr int64_t round_up_to_alignment(int64_t size) {
  return (size + kBufferAlignment - 1) & ~(kBufferAlignment - 1);
}
struct AlignedFree {
  void operator()(uint8_t* bytes) const noexcept;
};
using AlignedBytes = std::unique_ptr<uint8_t, AlignedFree>;
// At least `size` bytes (rounded up to the alignment), 64-byte aligned, uninitialized.
AlignedBytes allocate_aligned(int64_t size);
}  // namespace detail

class Buffer;
using BufferPtr = std::shared_ptr<const Buffer>;

class Buffer {
  struct Token {};  // construction goes through the factories

 public:
  Buffer(Token, const uint8_t* data, int64_t size, detail::AlignedBytes owned,
         std::shared_ptr<const void> foreign_owner);

  // Wraps `size` bytes at `data` without copying; `owner` keeps them valid for as long as
  // the buffer (or any array using it) lives. `data` may be null only when `size` is 0.
  static BufferPtr wrap(const void* data, int64_t size, std::shared_ptr<const void> owner);
  // A new aligned buffer holding a copy of `size` bytes at `data`.
  static BufferPtr copy(const void* data, int64_t size);
  // A shared zero-length buffer whose data() is a non-null, aligned block of zeros.
  static BufferPtr empty();

  const uint8_t* data() const { return data_; }
  int64_t size() const { return size_; }
  template <class T>
  const T* data_as() const {
    return reinterpret_cast<const T*>(data_);
  }
  std::span<const uint8_t> bytes() const { return {data_, static_cast<size_t>(size_)}; }

 private:
  friend class BufferBuilder;

  const uint8_t* data_;
  int64_t size_;
  detail::AlignedBytes owned_;
  std::shared_ptr<const void> foreign_owner_;
};

// Appends bytes into an aligned allocation that grows geometrically; finish() hands the
// allocation to an immutable Buffer without copying. Move-only.
class BufferBuilder {
 public:
  BufferBuilder() = default;
  explicit BufferBuilder(int64_t capacity) { reserve(capacity); }

  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  uint8_t* data() { return bytes_.get(); }
  const uint8_t* data() const { return bytes_.get(); }
  template <class T>
  T* data_as() {
    return reinterpret_cast<T*>(bytes_.get());
  }

  // Ensures room for `additional` more bytes without reallocation.
  void reserve(int64_t additional) {
    if (size_ + additional > capacity_) grow(size_ + additional);
  }
  // Bytes added by growing are unspecified; see resize_zeroed.
  void resize(int64_t new_size) {
    reserve(new_size - size_);
    size_ = new_size;
  }
  void resize_zeroed(int64_t new_size);

  void append(const void* bytes, int64_t count) {
    reserve(count);
    if (count > 0) std::memcpy(bytes_.get() + size_, bytes, static_cast<size_t>(count));
    size_ += count;
  }
  template <class T>
  void append_value(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (size_ + static_cast<int64_t>(sizeof(T)) > capacity_) grow(size_ + sizeof(T));
    std::memcpy(bytes_.get() + size_, &value, sizeof(T));
    size_ += sizeof(T);
  }

  // The bytes appended so far as an immutable buffer; the builder is left empty.
  BufferPtr finish();

 private:
  void grow(int64_t min_capacity);

  detail::AlignedBytes bytes_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
};

}  // namespace crv::frame
