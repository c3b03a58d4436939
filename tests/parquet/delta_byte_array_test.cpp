// DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY on streams built in the test from the
// format's rules.

#include "parquet/delta_byte_array.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "parquet/delta_encoder.hpp"
#include "parquet/delta_length_byte_array.hpp"
#include "support/expect_error.hpp"

namespace crv::parquet {
namespace {

using test_encoders::Bytes;
using test_encoders::encode_delta_binary_packed;
using test_encoders::encode_delta_byte_array;
using test_encoders::encode_delta_length_byte_array;
using test_support::expect_error;
using ::testing::ElementsAre;

constexpr size_t kNoLimit = size_t{1} << 30;

struct Column {
  std::vector<int32_t> offsets;
  std::vector<uint8_t> data;

  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      out.emplace_back(data.begin() + offsets[i], data.begin() + offsets[i + 1]);
    }
    return out;
  }
};

std::vector<std::string> dlba(const Bytes& bytes, size_t skip, size_t keep, int32_t fixed = 0) {
  Column column;
  decode_delta_length_byte_array(bytes, skip, keep, fixed, column.offsets, column.data);
  return column.strings();
}

std::vector<std::string> dba(const Bytes& bytes, size_t skip, size_t keep, int32_t fixed = 0,
                             size_t limit = kNoLimit) {
  Column column;
  decode_delta_byte_array(bytes, skip, keep, fixed, limit, column.offsets, column.data);
  return column.strings();
}

// The two streams of DELTA_BYTE_ARRAY given directly.
Bytes dba_from(std::vector<int64_t> prefixes, std::vector<std::string> suffixes) {
  Bytes out = encode_delta_binary_packed(prefixes, {.value_bits = 32});
  const Bytes rest = encode_delta_length_byte_array(suffixes);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

const std::vector<std::string> kWords = {"axis", "axle", "babble", "babyhood", "",    "b",
                                         "ba",   "ba",   "",       "zzz",      "zzzz"};

TEST(DeltaLengthByteArray, SpecExampleAndRanges) {
  const std::vector<std::string> values = {"Hello", "World", "Foobar", "ABCDEF"};
  const Bytes bytes = encode_delta_length_byte_array(values);
  EXPECT_EQ(dlba(bytes, 0, 4), values);
  EXPECT_THAT(dlba(bytes, 1, 2), ElementsAre("World", "Foobar"));
  EXPECT_THAT(dlba(bytes, 3, 1), ElementsAre("ABCDEF"));
  EXPECT_TRUE(dlba(bytes, 4, 0).empty());
  EXPECT_EQ(dlba(encode_delta_length_byte_array(kWords), 0, kWords.size()), kWords);
}

TEST(DeltaLengthByteArray, AppendsAfterExistingValues) {
  Column column;
  const std::vector<std::string> first = {"ab", "c"};
  const std::vector<std::string> second = {"", "defg"};
  decode_delta_length_byte_array(encode_delta_length_byte_array(first), 0, 2, 0, column.offsets,
                                 column.data);
  decode_delta_length_byte_array(encode_delta_length_byte_array(second), 0, 2, 0, column.offsets,
                                 column.data);
  EXPECT_THAT(column.offsets, ElementsAre(0, 2, 3, 3, 7));
  EXPECT_THAT(column.strings(), ElementsAre("ab", "c", "", "defg"));
}

TEST(DeltaLengthByteArray, FixedLengthValues) {
  const std::vector<std::string> values = {"0123", "4567", "89ab"};
  EXPECT_EQ(dlba(encode_delta_length_byte_array(values), 0, 3, 4), values);
  expect_error<IoFormatError>(
      [&] { dlba(encode_delta_length_byte_array(kWords), 0, 3, 4); },
      {.message_has = {"value 2 has 6 bytes, the column's fixed length 4"}});
}

TEST(DeltaLengthByteArray, RefusesNegativeAndOverlongLengths) {
  // Lengths 3, -1: the data would be read backwards.
  Bytes negative = encode_delta_binary_packed(std::vector<int64_t>{3, -1}, {.value_bits = 32});
  negative.insert(negative.end(), {'a', 'b', 'c', 'd'});
  expect_error<IoFormatError>([&] { dlba(negative, 0, 2); },
                              {.message_has = {"value 1 has a negative length -1"}});
  // A skipped value is checked too.
  EXPECT_THROW(dlba(negative, 1, 1), IoFormatError);
  // INT32_MIN: negative in 32 bits, however the delta was computed.
  Bytes most_negative =
      encode_delta_binary_packed(std::vector<int64_t>{INT32_MIN}, {.value_bits = 32});
  expect_error<IoFormatError>([&] { dlba(most_negative, 0, 1); },
                              {.message_has = {"negative length -2147483648"}});
  // Lengths past the end of the data.
  Bytes overlong = encode_delta_binary_packed(std::vector<int64_t>{2, 5}, {.value_bits = 32});
  overlong.insert(overlong.end(), {'a', 'b', 'c', 'd'});
  expect_error<IoFormatError>(
      [&] { dlba(overlong, 0, 2); },
      {.message_has = {"value 1 declares 5 bytes but only 2 remain after byte 2"}});
  Bytes huge = encode_delta_binary_packed(std::vector<int64_t>{INT32_MAX}, {.value_bits = 32});
  expect_error<IoFormatError>([&] { dlba(huge, 0, 1); }, {.message_has = {"declares 2147483647"}});
  // Fewer values than the page needs.
  expect_error<IoFormatError>([&] { dlba(overlong, 1, 2); },
                              {.message_has = {"stream holds 2 values, the page 3"}});
}

TEST(DeltaLengthByteArray, EveryTruncationIsAFormatError) {
  const Bytes good = encode_delta_length_byte_array(kWords);
  for (size_t size = 0; size < good.size(); ++size) {
    const Bytes cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THROW(dlba(cut, 0, kWords.size()), IoFormatError) << size;
  }
}

TEST(DeltaByteArray, SpecExample) {
  // "axis", "axle", "babble", "babyhood": prefixes 0, 2, 0, 3; suffixes "axis", "le",
  // "babble", "yhood".
  const Bytes bytes = dba_from({0, 2, 0, 3}, {"axis", "le", "babble", "yhood"});
  EXPECT_THAT(dba(bytes, 0, 4), ElementsAre("axis", "axle", "babble", "babyhood"));
  EXPECT_EQ(bytes, encode_delta_byte_array(
                       std::vector<std::string>{"axis", "axle", "babble", "babyhood"}));
}

TEST(DeltaByteArray, SkippedValuesAreRebuiltForTheKeptOnes) {
  const Bytes bytes = encode_delta_byte_array(kWords);
  for (size_t skip = 0; skip <= kWords.size(); ++skip) {
    for (size_t keep = 0; skip + keep <= kWords.size(); ++keep) {
      EXPECT_EQ(dba(bytes, skip, keep),
                std::vector<std::string>(kWords.begin() + static_cast<ptrdiff_t>(skip),
                                         kWords.begin() + static_cast<ptrdiff_t>(skip + keep)))
          << skip << " " << keep;
    }
  }
}

TEST(DeltaByteArray, PrefixLengthsZeroFullAndTooLong) {
  // Prefix 0 throughout: every suffix is the value.
  EXPECT_THAT(dba(dba_from({0, 0, 0}, {"ab", "cd", ""}), 0, 3), ElementsAre("ab", "cd", ""));
  // The whole previous value as prefix, with and without a suffix.
  EXPECT_THAT(dba(dba_from({0, 3, 3, 4}, {"abc", "", "d", ""}), 0, 4),
              ElementsAre("abc", "abc", "abcd", "abcd"));
  // A prefix longer than the value before it.
  expect_error<IoFormatError>(
      [&] {
        dba(dba_from({0, 4}, {"abc", "x"}), 0, 2);
      },
      {.message_has = {"value 1 has prefix length 4, but the value before it has 3 bytes"}});
  // ...also among the skipped values, and on the first value (nothing precedes it).
  EXPECT_THROW(dba(dba_from({0, 4, 0}, {"abc", "x", "y"}), 2, 1), IoFormatError);
  expect_error<IoFormatError>(
      [&] { dba(dba_from({1}, {"x"}), 0, 1); },
      {.message_has = {"value 0 has prefix length 1, but the value before it has 0 bytes"}});
  expect_error<IoFormatError>(
      [&] {
        dba(dba_from({0, -1}, {"ab", "x"}), 0, 2);
      },
      {.message_has = {"prefix length -1"}});
}

TEST(DeltaByteArray, FixedLengthValues) {
  const std::vector<std::string> values = {"0123", "0124", "9124", "9124"};
  EXPECT_EQ(dba(encode_delta_byte_array(values), 0, 4, 4), values);
  EXPECT_EQ(dba(encode_delta_byte_array(values), 2, 2, 4),
            std::vector<std::string>(values.begin() + 2, values.end()));
  expect_error<IoFormatError>(
      [&] { dba(encode_delta_byte_array(values), 0, 4, 3); },
      {.message_has = {"value 0 has 4 bytes, the column's fixed length 3"}});
}

TEST(DeltaByteArray, RefusesCountsBelowThePage) {
  // Fewer prefixes than suffixes, and the reverse.
  expect_error<IoFormatError>(
      [&] {
        dba(dba_from({0}, {"a", "b"}), 0, 2);
      },
      {.message_has = {"holds 1 prefix lengths and 2 suffixes, the page 2 values"}});
  EXPECT_THROW(dba(dba_from({0, 1}, {"a"}), 0, 2), IoFormatError);
  // More values in both streams than the page needs is fine.
  EXPECT_THAT(dba(dba_from({0, 1, 1}, {"a", "b", "c"}), 0, 2), ElementsAre("a", "ab"));
}

TEST(DeltaByteArray, RepeatedPrefixesAreCappedBeforeAllocating) {
  // One 1000-byte value, then 200000 copies of it as prefix: 200 MB from a page of a few
  // KB (the block headers of the prefix stream). The limit stops it before anything is
  // allocated.
  std::vector<int64_t> prefixes(200'001, 1000);
  prefixes[0] = 0;
  std::vector<std::string> suffixes(200'001);
  suffixes[0] = std::string(1000, 'x');
  const Bytes bytes = dba_from(prefixes, suffixes);
  EXPECT_LT(bytes.size(), 100'000u);
  expect_error<IoFormatError>([&] { dba(bytes, 0, prefixes.size(), 0, 1 << 20); },
                              {.message_has = {"exceed 1048576 bytes once decoded"}});
  // Below the limit, the copies decode.
  const auto some = dba(bytes, 5, 100, 0, 1 << 20);
  ASSERT_EQ(some.size(), 100u);
  EXPECT_EQ(some.back(), suffixes[0]);
}

TEST(DeltaByteArray, EveryTruncationIsAFormatError) {
  const Bytes good = encode_delta_byte_array(kWords);
  for (size_t size = 0; size < good.size(); ++size) {
    const Bytes cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(size));
    EXPECT_THROW(dba(cut, 0, kWords.size()), IoFormatError) << size;
  }
}

}  // namespace
}  // namespace crv::parquet
