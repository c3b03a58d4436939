#pragma once
// The synthetic run's deterministic randomness. Counter-based: a row's random stream is
// seeded from (seed, stream, tick, key), so any tick can be generated without generating
// the ticks before it.

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace crv::sim {

constexpr uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One per kind of random choice, so unrelated choices never share random numbers.
enum class Stream : uint64_t {
  kActivity = 1,
  kPortfolio,
  kPriceShape,
  kHoldingShape,
  kCostBasis,
  kValuation,
  kDecision,
  kEstimates,
  kExchange,
  kVenueQuote,
  kEdges,
  kScenario,
  kMessage,
  kOracle,
  kContext,
  kPersona,
  kRepresentation,
};

class Random {
 public:
  Random(uint64_t seed, Stream stream, int64_t a, int64_t b = 0)
      : state_(mix(mix(mix(seed ^ static_cast<uint64_t>(stream)) + static_cast<uint64_t>(a)) +
                   static_cast<uint64_t>(b))) {}

  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix(state_);
  }
  // Uniform in [0, bound), bound >= 1.
  int64_t below(int64_t bound) {
    return static_cast<int64_t>(next() % static_cast<uint64_t>(bound));
  }
  bool one_in(int64_t n) { return below(n) == 0; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double between(double low, double high) { return low + (high - low) * unit(); }
  template <size_t N>
  std::string_view pick(const std::array<std::string_view, N>& choices) {
    return choices[static_cast<size_t>(below(N))];
  }

 private:
  uint64_t state_;
};

// Rounds to 0..4 decimal digits, as prices, weights and scores are quoted.
inline double round_to(double value, int digits) {
  static constexpr std::array<double, 5> kScales = {1.0, 10.0, 100.0, 1000.0, 10000.0};
  const double scale = kScales[static_cast<size_t>(digits)];
  return std::round(value * scale) / scale;
}

// 16 hex digits drawn from the stream (seed, stream, a, b), for ids that look like hashes.
std::string hex_hash(uint64_t seed, Stream stream, int64_t a, int64_t b = 0);

}  // namespace crv::sim
