// UTF-8 validation of string arrays: checking all bytes at once must be exactly as strict
// as checking string by string.

#include "crv/frame/utf8.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crv/frame/builders.hpp"

namespace crv::frame {
namespace {

std::optional<int64_t> first_invalid(const std::vector<int32_t>& offsets, const std::string& data,
                                     const uint8_t* validity = nullptr) {
  return first_invalid_utf8_string(offsets.data(), reinterpret_cast<const uint8_t*>(data.data()),
                                   static_cast<int64_t>(offsets.size()) - 1, validity);
}

TEST(Utf8Strings, ACharacterSplitBetweenTwoStringsMakesBothInvalid) {
  // "é" is C3 A9: valid as a whole, yet no string holds all of it.
  EXPECT_EQ(first_invalid({0, 1, 2}, "\xC3\xA9"), 0);
  EXPECT_EQ(first_invalid({0, 0, 2, 3}, "a\xC3\xA9"), 1);
  EXPECT_EQ(first_invalid({0, 1, 3}, "a\xC3\xA9"), std::nullopt);
  EXPECT_EQ(first_invalid({0, 3, 4, 4}, "ab\xC3\xA9"), 0);
}

TEST(Utf8Strings, InvalidBytesAreFoundAtAnyPositionAndNullStringsAreSkipped) {
  const std::string text = "plain ascii text, then a bad one";
  for (size_t bad = 0; bad < text.size(); ++bad) {
    std::string data = text;
    data[bad] = '\xFF';
    const auto position = static_cast<int32_t>(bad);
    EXPECT_EQ(first_invalid({0, 10, 20, static_cast<int32_t>(text.size())}, data), position < 10 ? 0
                                                                                   : position < 20
                                                                                       ? 1
                                                                                       : 2);
  }
  const uint8_t second_is_null = 0b101;
  EXPECT_EQ(first_invalid({0, 2, 4, 6}, "ok\xFF\xFFok", &second_is_null), std::nullopt);
  EXPECT_EQ(first_invalid({0, 2, 4, 6}, "ok\xFF\xFFok"), 1);
}

// Past the first 32 bytes, in the bytes after the last whole 32, and with the strings
// starting past the data's first bytes: a bad byte is found wherever it is, and a valid
// two-byte character only makes the strings it straddles invalid.
TEST(Utf8Strings, LongAsciiRunsAreCheckedToTheirLastByte) {
  const std::vector<int32_t> offsets = {3, 40, 71, 100};
  const auto string_of = [&](size_t position) -> std::optional<int64_t> {
    for (size_t i = 0; i + 1 < offsets.size(); ++i) {
      if (position < static_cast<size_t>(offsets[i + 1])) {
        return position < static_cast<size_t>(offsets[0]) ? std::nullopt
                                                          : std::optional<int64_t>(i);
      }
    }
    return std::nullopt;
  };
  for (size_t at = 0; at < 100; ++at) {
    std::string bad(100, 'x');
    bad[at] = '\xFF';
    EXPECT_EQ(first_invalid(offsets, bad), string_of(at)) << "bad byte at " << at;
    if (at + 1 == 100) continue;
    std::string accented(100, 'x');
    accented.replace(at, 2, "\xC3\xA9");
    const bool straddles = at + 1 == 3 || at + 1 == 40 || at + 1 == 71;
    EXPECT_EQ(first_invalid(offsets, accented),
              straddles ? string_of(at + 1 == 3 ? 3 : at) : std::nullopt)
        << "character at " << at;
  }
}

TEST(Utf8Arrays, TheSlotAndPathOfANestedInvalidStringAreReported) {
  const ArrayPtr texts = make_utf8({"a", "b", "c", "\xC0\x80", "e"});
  const ArrayPtr items = make_struct({{"text", texts}});
  // Rows: [a], [], [b, c], [<overlong NUL>, e]; make_list would refuse the invalid string.
  const std::vector<int32_t> offsets{0, 1, 1, 3, 5};
  const ArrayPtr claims =
      Array::make({.type = list(Field{"item", items->type(), true}),
                   .length = 4,
                   .offsets = Buffer::copy(offsets.data(),
                                           static_cast<int64_t>(offsets.size() * sizeof(int32_t))),
                   .children = {items}});
  const std::optional<InvalidUtf8> found = find_invalid_utf8(*claims);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->slot, 3);
  EXPECT_EQ(found->path, "[].text");
  EXPECT_EQ(find_invalid_utf8(*claims->slice(0, 3)), std::nullopt);
  EXPECT_EQ(find_invalid_utf8(*make_utf8({"ok", std::nullopt})), std::nullopt);
}

}  // namespace
}  // namespace crv::frame
