// Hash-like ids drawn from the synthetic run's random streams.

#include "sim/random.hpp"

#include <fmt/format.h>

namespace crv::sim {

std::string hex_hash(uint64_t seed, Stream stream, int64_t a, int64_t b) {
  return fmt::format("{:016x}", Random(seed, stream, a, b).next());
}

}  // namespace crv::sim
