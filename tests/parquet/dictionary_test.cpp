// Tests of dictionary encoding and decoding.

#include "parquet/dictionary.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/rle_hybrid.hpp"
#include "support/bitmap.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using ::testing::ElementsAre;
using Bytes = std::vector<uint8_t>;
using test_support::expect_error;
using test_support::make_bitmap;

std::string random_string(std::mt19937_64& rng) {
  std::string value(rng() % 24, '\0');
  for (char& c : value) c = static_cast<char>(rng());
  return value;
}

TEST(Int64Dictionary, IndicesAreDenseInFirstSeenOrder) {
  Int64DictionaryBuilder builder;
  std::vector<uint32_t> indices;
  for (int64_t value : {5, 7, 5, 9, 7, -1}) indices.push_back(builder.insert(value));
  EXPECT_THAT(indices, ElementsAre(0, 1, 0, 2, 1, 3));
  EXPECT_THAT(builder.entries(), ElementsAre(5, 7, 9, -1));
  Bytes page;
  builder.encode_dictionary_page(page);
  EXPECT_EQ(page.size(), 32u);
  EXPECT_THAT(std::vector<uint8_t>(page.begin(), page.begin() + 9),
              ElementsAre(5, 0, 0, 0, 0, 0, 0, 0, 7));
}

TEST(Int64Dictionary, IndicesStayStableThroughGrowth) {
  std::mt19937_64 rng(1);
  std::vector<int64_t> values(50000);
  // Small, large and sequential values, each many times.
  for (int64_t& value : values) {
    const int kind = static_cast<int>(rng() % 3);
    value = kind == 0   ? static_cast<int64_t>(rng() % 1000)
            : kind == 1 ? static_cast<int64_t>(rng() % 20000) << 40
                        : static_cast<int64_t>(rng());
  }
  Int64DictionaryBuilder builder;
  std::unordered_map<int64_t, uint32_t> first_index;
  for (int64_t value : values) {
    const uint32_t index = builder.insert(value);
    const auto [it, inserted] =
        first_index.emplace(value, static_cast<uint32_t>(first_index.size()));
    ASSERT_EQ(index, it->second) << value;
  }
  EXPECT_EQ(builder.size(), first_index.size());
  for (const auto& [value, index] : first_index) {
    ASSERT_EQ(builder.insert(value), index);
    ASSERT_EQ(builder.entries()[index], value);
  }
}

TEST(DoubleDictionary, DistinguishesValuesByTheirBits) {
  DoubleDictionaryBuilder builder;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(builder.insert(0.0), 0u);
  EXPECT_EQ(builder.insert(-0.0), 1u);
  EXPECT_EQ(builder.insert(nan), 2u);
  EXPECT_EQ(builder.insert(nan), 2u);
  EXPECT_EQ(builder.insert(-nan), 3u);
  EXPECT_EQ(builder.insert(0.0), 0u);
  EXPECT_EQ(builder.insert(1.5), 4u);
  EXPECT_TRUE(std::signbit(builder.entries()[1]));
  Bytes page;
  builder.encode_dictionary_page(page);
  std::vector<double> decoded;
  decode_plain<double>(page, builder.size(), decoded);
  EXPECT_EQ(std::memcmp(decoded.data(), builder.entries().data(), page.size()), 0);
}

TEST(FixedDictionary, BatchInsertSkipsNulls) {
  const std::vector<int64_t> values = {3, 99, 4, 3, 99, 4, 5};
  const Bytes validity = make_bitmap({true, false, true, true, false, true, true}, 5);
  Int64DictionaryBuilder builder;
  std::vector<uint32_t> indices = {77};
  builder.insert(values, BitmapView{validity.data(), 5}, indices);
  EXPECT_THAT(indices, ElementsAre(77, 0, 1, 0, 1, 2));
  EXPECT_THAT(builder.entries(), ElementsAre(3, 4, 5));
  const DictionarySizes sizes = builder.sizes();
  EXPECT_EQ(sizes.entries, 3u);
  EXPECT_EQ(sizes.dictionary_page_size, 24u);
}

TEST(ByteArrayDictionary, KeepsEntriesContiguousInPlainForm) {
  ByteArrayDictionaryBuilder builder;
  std::vector<uint32_t> indices;
  for (std::string_view value : {"b", "a", "b", "", "a", "ccc"}) {
    indices.push_back(builder.insert(value));
  }
  EXPECT_THAT(indices, ElementsAre(0, 1, 0, 2, 1, 3));
  EXPECT_EQ(builder.entry(0), "b");
  EXPECT_EQ(builder.entry(2), "");
  EXPECT_EQ(builder.entry(3), "ccc");
  const auto page = builder.dictionary_page();
  EXPECT_THAT(std::vector<uint8_t>(page.begin(), page.end()),
              ElementsAre(1, 0, 0, 0, 'b', 1, 0, 0, 0, 'a', 0, 0, 0, 0, 3, 0, 0, 0, 'c', 'c', 'c'));
  const DictionarySizes sizes = builder.sizes();
  EXPECT_EQ(sizes.entries, 4u);
  EXPECT_EQ(sizes.dictionary_page_size, 21u);
}

TEST(ByteArrayDictionary, BatchInsertFromStringColumns) {
  const std::vector<std::string> values = {"x", "null", "yy", "x", "", "yy"};
  const Bytes validity = make_bitmap({true, false, true, true, true, true}, 2);
  std::vector<int32_t> narrow_offsets = {0};
  std::vector<int64_t> wide_offsets = {0};
  std::string data;
  for (const std::string& value : values) {
    data += value;
    narrow_offsets.push_back(static_cast<int32_t>(data.size()));
    wide_offsets.push_back(static_cast<int64_t>(data.size()));
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  ByteArrayDictionaryBuilder builder;
  std::vector<uint32_t> indices;
  builder.insert<int32_t>(narrow_offsets, bytes, BitmapView{validity.data(), 2}, indices);
  builder.insert<int64_t>(wide_offsets, bytes, BitmapView{}, indices);
  EXPECT_THAT(indices, ElementsAre(0, 1, 0, 2, 1, /**/ 0, 3, 1, 0, 2, 1));
  EXPECT_EQ(builder.entry(3), "null");
}

TEST(ByteArrayDictionary, MatchesAReferenceMapOnManyStrings) {
  std::mt19937_64 rng(99);
  std::vector<std::string> pool(20000);
  for (std::string& value : pool) value = random_string(rng);
  ByteArrayDictionaryBuilder builder;
  std::unordered_map<std::string, uint32_t> reference;
  for (int i = 0; i < 100000; ++i) {
    const std::string& value = pool[rng() % pool.size()];
    const auto [it, inserted] = reference.emplace(value, static_cast<uint32_t>(reference.size()));
    ASSERT_EQ(builder.insert(value), it->second);
  }
  ASSERT_EQ(builder.size(), reference.size());
  for (const auto& [value, index] : reference) ASSERT_EQ(builder.entry(index), value);
}

TEST(DictionarySizes, FallbackSignals) {
  ByteArrayDictionaryBuilder builder;
  // 16000 distinct 64-byte values: a page of 16000 * 68 = 1,088,000 bytes > 1 MiB.
  for (int i = 0; i < 16000; ++i) {
    std::string value(64, 'v');
    std::snprintf(value.data(), value.size(), "%08d", i);
    builder.insert(value);
    if (i == 15000) {
      EXPECT_FALSE(builder.sizes().exceeds(kDefaultDictionaryPageLimit));
    }
  }
  EXPECT_TRUE(builder.sizes().exceeds(kDefaultDictionaryPageLimit));
  EXPECT_EQ(builder.sizes().entries, 16000u);

  Int64DictionaryBuilder repeats;
  for (int i = 0; i < 1000; ++i) repeats.insert(i % 3);
  EXPECT_EQ(repeats.sizes().entries, 3u);
  EXPECT_EQ(repeats.sizes().dictionary_page_size, 24u);

  repeats.clear();
  EXPECT_EQ(repeats.size(), 0u);
  EXPECT_EQ(repeats.sizes().dictionary_page_size, 0u);
  EXPECT_EQ(repeats.insert(42), 0u);
  builder.clear();
  EXPECT_EQ(builder.dictionary_page().size(), 0u);
  EXPECT_EQ(builder.insert("again"), 0u);
}

TEST(DictionaryGather, FixedWidth) {
  const std::vector<double> dictionary = {0.5, 1.5, 2.5};
  const std::vector<uint32_t> indices = {2, 0, 0, 1};
  std::vector<double> out = {9.0};
  gather_dictionary<double>(dictionary, indices, out);
  EXPECT_THAT(out, ElementsAre(9.0, 2.5, 0.5, 0.5, 1.5));
}

TEST(DictionaryGather, RejectsIndicesPastTheEnd) {
  const std::vector<int64_t> dictionary = {10, 20};
  const std::vector<uint32_t> indices = {1, 0, 2, 1};
  std::vector<int64_t> out;
  expect_error<IoFormatError>(
      [&] { gather_dictionary<int64_t>(dictionary, indices, out); },
      {.message_has = {"dictionary index 2 at position 2 is out of range for a dictionary "
                       "of 2 entries"}});
  EXPECT_TRUE(out.empty());
  const std::vector<uint32_t> any_index = {0};
  EXPECT_THROW(gather_dictionary<int64_t>({}, any_index, out), IoFormatError);
  std::vector<int64_t> offsets;
  Bytes data;
  EXPECT_THROW(gather_dictionary_byte_array<int64_t>({}, nullptr, any_index, offsets, data),
               IoFormatError);
}

TEST(DictionaryGather, ByteArrays) {
  const std::vector<int32_t> dictionary_offsets = {0, 3, 3, 5};
  const std::string dictionary_data = "abcde";  // "abc", "", "de"
  const std::vector<uint32_t> indices = {2, 0, 1, 2};
  std::vector<int32_t> offsets;
  Bytes data;
  gather_dictionary_byte_array<int32_t>(dictionary_offsets,
                                        reinterpret_cast<const uint8_t*>(dictionary_data.data()),
                                        indices, offsets, data);
  EXPECT_THAT(offsets, ElementsAre(0, 2, 5, 5, 7));
  EXPECT_EQ(std::string(data.begin(), data.end()), "deabcde");
}

// The whole dictionary path a column chunk takes: build, write the dictionary page and
// the bit-width-prefixed indices, read both back and gather.
TEST(DictionaryRoundTrip, StringsThroughPagesAndIndices) {
  std::mt19937_64 rng(5);
  std::vector<std::string> pool(300);
  for (std::string& value : pool) value = random_string(rng);
  std::vector<std::string> column(5000);
  for (std::string& value : column) value = pool[rng() % pool.size()];
  std::vector<int64_t> offsets = {0};
  std::string data;
  for (const std::string& value : column) {
    data += value;
    offsets.push_back(static_cast<int64_t>(data.size()));
  }

  ByteArrayDictionaryBuilder builder;
  std::vector<uint32_t> indices;
  builder.insert<int64_t>(offsets, reinterpret_cast<const uint8_t*>(data.data()), BitmapView{},
                          indices);
  const Bytes dictionary_page(builder.dictionary_page().begin(), builder.dictionary_page().end());
  Bytes index_page;
  encode_rle_hybrid(indices, bit_width_for(builder.size() - 1), RleFraming::kBitWidthPrefixed,
                    index_page);

  std::vector<int32_t> dictionary_offsets;
  Bytes dictionary_data;
  decode_plain_byte_array<int32_t>(dictionary_page, builder.size(), dictionary_offsets,
                                   dictionary_data);
  std::vector<uint32_t> decoded_indices(column.size());
  open_bit_width_prefixed_runs(index_page).decode(decoded_indices);
  std::vector<int32_t> out_offsets;
  Bytes out_data;
  gather_dictionary_byte_array<int32_t>(dictionary_offsets, dictionary_data.data(), decoded_indices,
                                        out_offsets, out_data);

  ASSERT_EQ(out_offsets.size(), column.size() + 1);
  for (size_t i = 0; i < column.size(); ++i) {
    const std::string value(out_data.begin() + out_offsets[i],
                            out_data.begin() + out_offsets[i + 1]);
    ASSERT_EQ(value, column[i]) << i;
  }
}

}  // namespace
}  // namespace crv::parquet
