// Tests of buffers' alignment, padding and growth.

#include "crv/frame/buffer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/bitmap.hpp"

namespace crv::frame {
namespace {

bool aligned(const void* pointer) {
  return reinterpret_cast<uintptr_t>(pointer) % kBufferAlignment == 0;
}

TEST(BufferBuilderTest, GrowsKeepingContentAndFinishesAligned) {
  BufferBuilder builder;
  for (int64_t i = 0; i < 10000; ++i) builder.append_value(i * 3);
  EXPECT_EQ(builder.size(), 10000 * 8);
  const BufferPtr buffer = builder.finish();
  ASSERT_EQ(buffer->size(), 10000 * 8);
  EXPECT_TRUE(aligned(buffer->data()));
  for (int64_t i = 0; i < 10000; ++i) ASSERT_EQ(buffer->data_as<int64_t>()[i], i * 3);
  EXPECT_EQ(builder.size(), 0);
  EXPECT_EQ(builder.capacity(), 0);
}

TEST(BufferBuilderTest, PaddingUpToTheAlignmentIsZero) {
  BufferBuilder builder;
  // Dirty the whole first allocation, then shrink, so stale bytes would show in padding.
  std::vector<uint8_t> ones(64, 0xFF);
  builder.append(ones.data(), 64);
  builder.resize(5);
  const BufferPtr buffer = builder.finish();
  ASSERT_EQ(buffer->size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(buffer->data()[i], 0xFF);
  for (int i = 5; i < 64; ++i) EXPECT_EQ(buffer->data()[i], 0) << "padding byte " << i;
}

TEST(BufferBuilderTest, ResizeZeroedClearsOnlyNewBytes) {
  BufferBuilder builder;
  builder.append_value<uint8_t>(7);
  builder.resize_zeroed(100);
  ASSERT_EQ(builder.size(), 100);
  EXPECT_EQ(builder.data()[0], 7);
  for (int i = 1; i < 100; ++i) EXPECT_EQ(builder.data()[i], 0);
}

TEST(BufferBuilderTest, ReusableAfterFinish) {
  BufferBuilder builder;
  builder.append_value<int32_t>(1);
  const BufferPtr first = builder.finish();
  builder.append_value<int32_t>(2);
  const BufferPtr second = builder.finish();
  EXPECT_EQ(first->data_as<int32_t>()[0], 1);
  EXPECT_EQ(second->data_as<int32_t>()[0], 2);
  EXPECT_NE(first->data(), second->data());
}

TEST(BufferTest, EmptyHasNonNullAlignedData) {
  const BufferPtr empty = Buffer::empty();
  EXPECT_EQ(empty->size(), 0);
  ASSERT_NE(empty->data(), nullptr);
  EXPECT_TRUE(aligned(empty->data()));
  BufferBuilder builder;
  EXPECT_EQ(builder.finish()->size(), 0);
}

TEST(BufferTest, CopyIsIndependentOfTheSource) {
  std::vector<uint8_t> source = {1, 2, 3};
  const BufferPtr copy = Buffer::copy(source.data(), 3);
  source[0] = 9;
  EXPECT_EQ(copy->data()[0], 1);
  EXPECT_TRUE(aligned(copy->data()));
}

TEST(BufferTest, WrapKeepsTheOwnerAliveUntilTheLastReference) {
  bool freed = false;
  auto* storage = new std::vector<int64_t>{4, 5, 6};
  std::shared_ptr<const void> owner(storage, [&freed](const void* pointer) {
    freed = true;
    delete static_cast<const std::vector<int64_t>*>(pointer);
  });
  BufferPtr buffer = Buffer::wrap(storage->data(), 24, owner);
  owner.reset();
  EXPECT_FALSE(freed);
  EXPECT_EQ(buffer->data(), reinterpret_cast<const uint8_t*>(storage->data()));
  EXPECT_EQ(buffer->data_as<int64_t>()[2], 6);
  BufferPtr second = buffer;
  buffer.reset();
  EXPECT_FALSE(freed);
  second.reset();
  EXPECT_TRUE(freed);
}

TEST(BufferTest, WrapRejectsNullDataWithBytes) {
  EXPECT_THROW(Buffer::wrap(nullptr, 8, nullptr), SchemaError);
  EXPECT_EQ(Buffer::wrap(nullptr, 0, nullptr)->size(), 0);
}

TEST(BitsTest, GetSetClearUseLsbOrder) {
  uint8_t bitmap[2] = {0, 0};
  bits::set(bitmap, 0);
  bits::set(bitmap, 9);
  EXPECT_EQ(bitmap[0], 0x01);
  EXPECT_EQ(bitmap[1], 0x02);
  bits::set_to(bitmap, 9, false);
  bits::set_to(bitmap, 7, true);
  EXPECT_EQ(bitmap[0], 0x81);
  EXPECT_EQ(bitmap[1], 0x00);
  bits::clear(bitmap, 0);
  EXPECT_FALSE(bits::get(bitmap, 0));
  EXPECT_TRUE(bits::get(bitmap, 7));
  EXPECT_EQ(bits::bytes_for(0), 0);
  EXPECT_EQ(bits::bytes_for(1), 1);
  EXPECT_EQ(bits::bytes_for(8), 1);
  EXPECT_EQ(bits::bytes_for(9), 2);
}

TEST(BitsTest, CountSetMatchesBitByBitCount) {
  std::mt19937 random(42);
  std::vector<uint8_t> bitmap(100);
  for (uint8_t& byte : bitmap) byte = static_cast<uint8_t>(random());
  for (int64_t offset : {0, 1, 7, 8, 13, 64, 65}) {
    for (int64_t length : {0, 1, 5, 8, 63, 64, 65, 200, 700}) {
      int64_t expected = 0;
      for (int64_t i = offset; i < offset + length; ++i) expected += bits::get(bitmap.data(), i);
      EXPECT_EQ(bits::count_set(bitmap.data(), offset, length), expected)
          << "offset " << offset << " length " << length;
    }
  }
}

TEST(BitmapBuilderTest, AppendsAndRunsMatchAReferenceBitVector) {
  BitmapBuilder builder;
  std::vector<bool> expected;
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    if (random() % 2 == 0) {
      const bool bit = random() % 2 == 0;
      builder.append(bit);
      expected.push_back(bit);
    } else {
      const int64_t count = random() % 30;
      const bool bit = random() % 2 == 0;
      builder.append_run(count, bit);
      expected.insert(expected.end(), static_cast<size_t>(count), bit);
    }
  }
  ASSERT_EQ(builder.length(), static_cast<int64_t>(expected.size()));
  const BufferPtr bitmap = builder.finish();
  ASSERT_EQ(bitmap->size(), bits::bytes_for(static_cast<int64_t>(expected.size())));
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(bits::get(bitmap->data(), static_cast<int64_t>(i)), expected[i]) << "bit " << i;
  }
  // Bits after the last one are zero.
  for (size_t i = expected.size(); i < static_cast<size_t>(bitmap->size() * 8); ++i) {
    EXPECT_FALSE(bits::get(bitmap->data(), static_cast<int64_t>(i)));
  }
  EXPECT_EQ(builder.length(), 0);
}

}  // namespace
}  // namespace crv::frame
