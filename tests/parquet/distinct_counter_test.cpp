// DistinctCounter: estimates of distinct values from hashed ints, doubles and strings,
// against the exact counts.

#include "parquet/distinct_counter.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "parquet/value_hash.hpp"

namespace crv::parquet {
namespace {

uint64_t hash_string(const std::string& value) {
  return hash_bytes(reinterpret_cast<const uint8_t*>(value.data()), value.size());
}

TEST(DistinctCounter, NothingAddedIsNoValues) {
  DistinctCounter counter;
  counter.reset(1000);
  EXPECT_EQ(counter.estimate(), 0);
}

TEST(DistinctCounter, RepeatsAreCountedOnce) {
  DistinctCounter counter;
  counter.reset(100'000);
  for (int round = 0; round < 50; ++round) {
    for (int64_t value = 0; value < 2'000; ++value) counter.add(hash_word(value));
  }
  EXPECT_NEAR(counter.estimate(), 2'000, 2'000 * 0.01);
}

// Shapes whose distinct counts span small to all-distinct, sized as chunks are (bitmaps
// of at least as many bits as values): within 1% of the exact count.
TEST(DistinctCounter, EstimatesAreWithinOnePercent) {
  std::mt19937_64 random(7);
  for (const int64_t distinct : {1, 12, 1'000, 43'000, 100'000, 131'072}) {
    SCOPED_TRACE(distinct);
    constexpr int64_t kValues = 131'072;
    // Integers apart in their low bits, in their high bits and in steps of 1,000; doubles
    // of six decimals; ids as strings.
    std::vector<DistinctCounter> counters(5);
    for (DistinctCounter& counter : counters) counter.reset(kValues);
    for (int64_t i = 0; i < kValues; ++i) {
      // Every distinct value at least once (the first `distinct` values), then at random.
      const auto value = static_cast<uint64_t>(i < distinct ? i : random() % distinct);
      counters[0].add(hash_word(value));
      counters[1].add(hash_word(value << 40));
      counters[2].add(hash_word(value * 1'000));
      counters[3].add(hash_word(std::bit_cast<uint64_t>(static_cast<double>(value) / 1e6)));
      counters[4].add(hash_string(fmt::format("agent-{:07d}", value)));
    }
    const auto exact = static_cast<double>(distinct);
    for (size_t shape = 0; shape < counters.size(); ++shape) {
      EXPECT_NEAR(counters[shape].estimate(), exact, exact * 0.01 + 1) << "shape " << shape;
    }
  }
}

TEST(DistinctCounter, ResetForgetsTheValuesAdded) {
  DistinctCounter counter;
  counter.reset(10'000);
  for (int64_t value = 0; value < 10'000; ++value) counter.add(hash_word(value));
  counter.reset(10'000);
  for (int64_t value = 0; value < 10; ++value) counter.add(hash_word(value));
  EXPECT_NEAR(counter.estimate(), 10, 0.5);
}

// Far more distinct values than bits: the bitmap fills, and the estimate is then what was
// added, never more.
TEST(DistinctCounter, AFullBitmapGivesTheNumberAdded) {
  DistinctCounter counter;
  counter.reset(1);
  for (int64_t value = 0; value < 200'000; ++value) counter.add(hash_word(value));
  EXPECT_EQ(counter.estimate(), 200'000);
  EXPECT_GT(counter.estimate(), 0);
}

}  // namespace
}  // namespace crv::parquet
