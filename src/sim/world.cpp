// The synthetic run's price paths and position sizes.

#include "sim/world.hpp"

#include <cmath>
#include <numbers>

namespace crv::sim {

double market_price(uint64_t seed, int token, int64_t tick) {
  Random shape(seed, Stream::kPriceShape, token);
  const double phase = shape.between(0.0, 2.0 * std::numbers::pi);
  const double slow_period = shape.between(25.0, 60.0);
  const auto t = static_cast<double>(tick);
  const double level =
      1.0 + 0.18 * std::sin(t / slow_period + phase) + 0.05 * std::sin(t / 6.0 + 2.0 * phase);
  return round_to(kBasePrices[static_cast<size_t>(token)] * level, 2);
}

int64_t World::quantity(int64_t agent, int token, int64_t tick) const {
  Random shape(seed, Stream::kHoldingShape, agent, token);
  const int64_t usual = 20 + shape.below(480);
  const int64_t swing = shape.below(usual + usual / 4);
  const double period = shape.between(15.0, 75.0);
  const double phase = shape.between(0.0, 2.0 * std::numbers::pi);
  const auto swung = static_cast<int64_t>(std::llround(
      static_cast<double>(swing) * std::sin(static_cast<double>(tick) / period + phase)));
  return std::max<int64_t>(0, usual + swung);
}

}  // namespace crv::sim
