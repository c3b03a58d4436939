// Tests of the Arrow C Stream Interface: crv-io's exported streams read back by its
// importer and by hand, as a foreign consumer would; producer errors; release discipline.

#include "crv/frame/arrow_c_stream.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "frame/test_values.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;

Frame ticks(std::vector<int64_t> values, std::vector<std::optional<std::string>> names) {
  return Frame({{"tick", make_int64(values)}, {"name", make_utf8(names)}});
}

std::vector<Field> tick_fields() {
  return {{.name = "tick", .type = int64(), .nullable = false},
          {.name = "name", .type = utf8(), .nullable = true}};
}

// A source yielding `batches` in order, then nothing.
BatchSource batches_of(std::vector<Frame> batches) {
  auto remaining = std::make_shared<std::vector<Frame>>(std::move(batches));
  auto next = std::make_shared<size_t>(0);
  return [remaining, next]() -> std::optional<Frame> {
    if (*next == remaining->size()) return std::nullopt;
    return (*remaining)[(*next)++];
  };
}

TEST(ArrowCStream, BatchesRoundTripInOrderWithTheirSchema) {
  const std::vector<Frame> batches = {ticks({1, 2}, {"a", std::nullopt}), ticks({3}, {"c"})};
  ArrowArrayStream stream{};
  export_stream(tick_fields(), batches_of(batches), &stream);

  ArrowStreamReader reader(&stream);
  EXPECT_EQ(stream.release, nullptr) << "the reader takes the stream over";
  EXPECT_EQ(reader.fields(), tick_fields());
  for (const Frame& expected : batches) {
    std::optional<Frame> batch = reader.next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_TRUE(batch->equals(expected)) << batch->column("tick")->to_string();
  }
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_EQ(reader.batches_read(), 2);
}

TEST(ArrowCStream, NestedColumnsRoundTrip) {
  const ArrayPtr nested = array_from_values(testing::nested_rows());
  const Frame batch(
      {{"tick", make_int64(std::vector<int64_t>(nested->length(), 7))}, {"payload", nested}});
  const std::vector<Field> fields = {{.name = "tick", .type = int64()},
                                     {.name = "payload", .type = nested->type()}};
  ArrowArrayStream stream{};
  export_stream(fields, batches_of({batch}), &stream);
  ArrowStreamReader reader(&stream);
  std::optional<Frame> read = reader.next();
  ASSERT_TRUE(read.has_value());
  EXPECT_TRUE(read->equals(batch));
}

TEST(ArrowCStream, AForeignConsumerSeesARecordBatchSchemaAndTheEnd) {
  ArrowArrayStream stream{};
  export_stream(tick_fields(), batches_of({ticks({5}, {"e"})}), &stream);

  ArrowSchema schema{};
  ASSERT_EQ(stream.get_schema(&stream, &schema), 0);
  EXPECT_STREQ(schema.format, "+s");
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->name, "tick");
  EXPECT_STREQ(schema.children[0]->format, "l");
  EXPECT_EQ(schema.children[0]->flags & ARROW_FLAG_NULLABLE, 0);
  EXPECT_NE(schema.children[1]->flags & ARROW_FLAG_NULLABLE, 0);
  schema.release(&schema);

  ArrowArray batch{};
  ASSERT_EQ(stream.get_next(&stream, &batch), 0);
  ASSERT_NE(batch.release, nullptr);
  EXPECT_EQ(batch.length, 1);
  EXPECT_EQ(batch.n_children, 2);
  batch.release(&batch);
  ASSERT_EQ(stream.get_next(&stream, &batch), 0);
  EXPECT_EQ(batch.release, nullptr) << "a released array marks the end";
  EXPECT_EQ(stream.get_last_error(&stream), nullptr);
  stream.release(&stream);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowCStream, ASourceErrorReachesTheConsumerAsTheStreamError) {
  ArrowArrayStream stream{};
  export_stream(
      tick_fields(),
      []() -> std::optional<Frame> { throw IoFormatError("part-1.parquet is truncated"); },
      &stream);
  ArrowArray batch{};
  EXPECT_EQ(stream.get_next(&stream, &batch), EIO);
  EXPECT_THAT(stream.get_last_error(&stream), ::testing::HasSubstr("part-1.parquet is truncated"));
  stream.release(&stream);

  export_stream(
      tick_fields(), []() -> std::optional<Frame> { throw IoFormatError("page 3 is corrupt"); },
      &stream);
  ArrowStreamReader reader(&stream);
  expect_error<SchemaError>([&] { reader.next(); },
                            {.message_has = {"batch 0", "page 3 is corrupt"}});
}

TEST(ArrowCStream, ABatchThatDoesNotMatchTheSchemaIsAnError) {
  ArrowArrayStream stream{};
  export_stream(tick_fields(),
                batches_of({Frame({{"tick", make_utf8({"x"})}, {"name", make_utf8({"a"})}})}),
                &stream);
  ArrowStreamReader reader(&stream);
  expect_error<SchemaError>([&] { reader.next(); }, {.message_has = {"column 0", "tick"}});
}

// A stream written by hand, as a foreign producer would, counting its release calls.
struct CountingProducer {
  static inline int releases = 0;
  static inline const char* error = "disk on fire";
  static int get_schema(ArrowArrayStream*, ArrowSchema* out) {
    *out = ArrowSchema{.format = "l", .release = [](ArrowSchema* s) { s->release = nullptr; }};
    return 0;
  }
  static int failing_next(ArrowArrayStream*, ArrowArray*) { return EIO; }
  static const char* last_error(ArrowArrayStream*) { return error; }
  static void release(ArrowArrayStream* s) {
    ++releases;
    s->release = nullptr;
  }
  static ArrowArrayStream stream() {
    return {.get_schema = get_schema,
            .get_next = failing_next,
            .get_last_error = last_error,
            .release = release};
  }
};

TEST(ArrowCStream, AStreamWhoseSchemaIsNotAStructIsRefusedAndReleasedOnce) {
  CountingProducer::releases = 0;
  ArrowArrayStream stream = CountingProducer::stream();
  expect_error<SchemaError>([&] { ArrowStreamReader reader(&stream); },
                            {.message_has = {"must be a struct of columns", "int64"}});
  EXPECT_EQ(CountingProducer::releases, 1);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowCStream, AReleasedStreamIsRefused) {
  ArrowArrayStream stream{};
  expect_error<SchemaError>([&] { ArrowStreamReader reader(&stream); },
                            {.message_has = {"released"}});
  expect_error<SchemaError>([&] { ArrowStreamReader reader(nullptr); },
                            {.message_has = {"missing"}});
}

}  // namespace
}  // namespace crv::frame
