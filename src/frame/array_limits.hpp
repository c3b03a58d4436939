#pragma once
// The largest array frame accepts, from its own builders or from another producer.

#include <cstdint>

namespace crv::frame {

// Lengths and offsets above this are refused, which keeps every byte-size computation on
// them far from int64 overflow.
inline constexpr int64_t kMaxSlots = int64_t{1} << 56;

}  // namespace crv::frame
