#pragma once
// Inputs the codec tests compress: log-like text that compresses, but not trivially.

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace crv::parquet::testing {

// The most bytes a test lets decompress() produce: far above any input here.
constexpr size_t kDecompressLimit = size_t{1} << 30;

// `size` bytes of text like "agent_17,token_3,52311;" with numbers drawn from `seed`.
inline std::vector<uint8_t> page_like_data(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string text;
  text.reserve(size + 64);
  while (text.size() < size) {
    text += "agent_" + std::to_string(rng() % 5000) + ",token_" + std::to_string(rng() % 40) + "," +
            std::to_string(rng() % 1000000) + ";";
  }
  text.resize(size);
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace crv::parquet::testing
