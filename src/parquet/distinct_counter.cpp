// Linear counting of distinct values.

#include "parquet/distinct_counter.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace crv::parquet {
namespace {

constexpr size_t kMinBits = size_t{1} << 12;
constexpr size_t kMaxBits = size_t{1} << 23;

}  // namespace

void DistinctCounter::reset(size_t values) {
  const size_t bits = std::clamp(std::bit_ceil(std::max<size_t>(values, 1)), kMinBits, kMaxBits);
  words_.assign(bits / 64, 0);
  shift_ = 64 - std::countr_zero(bits);
  added_ = 0;
}

double DistinctCounter::estimate() const {
  size_t set = 0;
  for (const uint64_t word : words_) set += static_cast<size_t>(std::popcount(word));
  const auto bits = static_cast<double>(words_.size() * 64);
  const auto clear = bits - static_cast<double>(set);
  const auto added = static_cast<double>(added_);
  // A full bitmap says only that there were very many.
  if (clear == 0) return added;
  return std::min(added, bits * std::log(bits / clear));
}

}  // namespace crv::parquet
