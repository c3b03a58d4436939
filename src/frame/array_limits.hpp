#pragma once
// The largest array frame accepts, from its own builders or from another producer.

#include <cstdint>

namespace crv::frame {

class Array;

// Lengths and offsets above this are refused, which keeps every byte-size computation on
// them far from int64 overflow.
inline constexpr int64_t kMaxSlots = int64_t{1} << 56;

// SchemaError when copying slots of `source` (take, partition) would end its string or
// list offsets at `end`, past what int32 offsets hold.
void require_int32_offset(int64_t end, const Array& source);

}  // namespace crv::frame
