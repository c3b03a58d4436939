// Tests of import from and export to the Arrow C Data Interface.

#include "crv/frame/arrow_c.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <deque>

#include "crv/core/errors.hpp"
#include "crv/frame/builders.hpp"
#include "frame/test_values.hpp"
#include "support/expect_error.hpp"

namespace crv::frame {
namespace {

using test_support::expect_error;
using testing::nested_rows;
using testing::nested_type;

// --- a producer written by hand, as another library would: a tree of ArrowArray nodes
// over memory it owns, whose base release callback counts its calls.
class HandMadeProducer {
 public:
  // A node; the first one made is the base structure handed to the consumer.
  ArrowArray* node(int64_t length, int64_t null_count, int64_t offset,
                   std::vector<const void*> buffers, std::vector<ArrowArray*> children = {}) {
    Node& node = nodes_.emplace_back();
    node.buffers = std::move(buffers);
    node.children = std::move(children);
    node.array = ArrowArray{.length = length,
                            .null_count = null_count,
                            .offset = offset,
                            .n_buffers = static_cast<int64_t>(node.buffers.size()),
                            .n_children = static_cast<int64_t>(node.children.size()),
                            .buffers = node.buffers.data(),
                            .children = node.children.empty() ? nullptr : node.children.data(),
                            .dictionary = nullptr,
                            .release = release_child,
                            .private_data = nullptr};
    return &node.array;
  }
  // Makes `children` the children of `parent` (made earlier, e.g. the base).
  void adopt(ArrowArray* parent, std::vector<ArrowArray*> children) {
    for (Node& node : nodes_) {
      if (&node.array != parent) continue;
      node.children = std::move(children);
      parent->n_children = static_cast<int64_t>(node.children.size());
      parent->children = node.children.data();
    }
  }
  // The base structure, as the consumer receives it (by value).
  ArrowArray take_base() {
    ArrowArray base = nodes_.front().array;
    base.release = release_base;
    base.private_data = &releases_;
    nodes_.front().array.release = nullptr;
    return base;
  }
  int releases() const { return releases_; }

  template <class T>
  const void* keep(std::vector<T> values) {
    auto& stored = storage_.emplace_back(values.size() * sizeof(T) + 1);
    std::memcpy(stored.data(), values.data(), values.size() * sizeof(T));
    return stored.data();
  }

 private:
  struct Node {
    ArrowArray array{};
    std::vector<const void*> buffers;
    std::vector<ArrowArray*> children;
  };

  static void release_child(ArrowArray* array) { array->release = nullptr; }
  static void release_base(ArrowArray* array) {
    for (int64_t i = 0; i < array->n_children; ++i) {
      if (array->children[i]->release != nullptr) array->children[i]->release(array->children[i]);
    }
    ++*static_cast<int*>(array->private_data);
    array->release = nullptr;
  }

  std::deque<Node> nodes_;
  std::deque<std::vector<int64_t>> storage_;  // int64 elements keep every buffer aligned
  int releases_ = 0;
};

// A hand-made schema node (release only marks it released).
class HandMadeSchema {
 public:
  ArrowSchema* node(const char* format, const char* name, int64_t flags = ARROW_FLAG_NULLABLE,
                    std::vector<ArrowSchema*> children = {}) {
    Node& node = nodes_.emplace_back();
    node.children = std::move(children);
    node.schema = ArrowSchema{.format = format,
                              .name = name,
                              .metadata = nullptr,
                              .flags = flags,
                              .n_children = static_cast<int64_t>(node.children.size()),
                              .children = node.children.empty() ? nullptr : node.children.data(),
                              .dictionary = nullptr,
                              .release = [](ArrowSchema* schema) { schema->release = nullptr; },
                              .private_data = nullptr};
    return &node.schema;
  }

 private:
  struct Node {
    ArrowSchema schema{};
    std::vector<ArrowSchema*> children;
  };
  std::deque<Node> nodes_;
};

ArrayPtr round_trip(const ArrayPtr& array, const std::string& name = "column") {
  ArrowArray c_array;
  ArrowSchema c_schema;
  export_array(array, Field{name, array->type()}, &c_array, &c_schema);
  const Field field = import_field(&c_schema);
  EXPECT_EQ(field.name, name);
  EXPECT_EQ(*field.type, *array->type());
  ArrayPtr imported = import_array(&c_array, &c_schema);
  EXPECT_EQ(c_array.release, nullptr) << "import must mark the moved array released";
  c_schema.release(&c_schema);
  return imported;
}

TEST(ArrowExportTest, SchemaDescribesTheType) {
  const TypePtr type = struct_({{"a", int64(), false}, {"b", list(Field{"element", utf8()})}});
  ArrowSchema schema;
  export_schema(Field{"root", type, true}, &schema);
  EXPECT_STREQ(schema.format, "+s");
  EXPECT_STREQ(schema.name, "root");
  EXPECT_EQ(schema.flags, ARROW_FLAG_NULLABLE);
  EXPECT_EQ(schema.metadata, nullptr);
  EXPECT_EQ(schema.dictionary, nullptr);
  ASSERT_EQ(schema.n_children, 2);
  EXPECT_STREQ(schema.children[0]->format, "l");
  EXPECT_STREQ(schema.children[0]->name, "a");
  EXPECT_EQ(schema.children[0]->flags, 0);
  EXPECT_STREQ(schema.children[1]->format, "+l");
  ASSERT_EQ(schema.children[1]->n_children, 1);
  EXPECT_STREQ(schema.children[1]->children[0]->format, "u");
  EXPECT_STREQ(schema.children[1]->children[0]->name, "element");
  schema.release(&schema);
  EXPECT_EQ(schema.release, nullptr);
}

TEST(ArrowExportTest, ArrayDescribesItsBuffers) {
  const ArrayPtr array = make_utf8({"ab", std::nullopt, "c"})->slice(1, 2);
  ArrowArray exported;
  export_array(array, &exported);
  EXPECT_EQ(exported.length, 2);
  EXPECT_EQ(exported.offset, 1);
  EXPECT_EQ(exported.null_count, 1);
  ASSERT_EQ(exported.n_buffers, 3);
  EXPECT_EQ(exported.buffers[0], array->validity_buffer()->data());
  EXPECT_EQ(exported.buffers[1], array->offsets_buffer()->data());
  EXPECT_EQ(exported.buffers[2], array->values_buffer()->data());
  EXPECT_EQ(exported.n_children, 0);
  exported.release(&exported);
  EXPECT_EQ(exported.release, nullptr);

  ArrowArray no_nulls;
  export_array(make_int64({1, 2}), &no_nulls);
  EXPECT_EQ(no_nulls.buffers[0], nullptr);
  EXPECT_EQ(no_nulls.null_count, 0);
  no_nulls.release(&no_nulls);
}

TEST(ArrowExportTest, ExportedBuffersLiveUntilReleased) {
  ArrayPtr array = make_int64({1, 2, 3});
  const std::weak_ptr<const Array> watch = array;
  ArrowArray exported;
  export_array(array, &exported);
  array.reset();
  ASSERT_FALSE(watch.expired());
  EXPECT_EQ(static_cast<const int64_t*>(exported.buffers[1])[2], 3);
  exported.release(&exported);
  EXPECT_TRUE(watch.expired());
}

TEST(ArrowExportTest, FieldTypeMustMatchTheArray) {
  ArrowArray c_array{};
  ArrowSchema c_schema{};
  EXPECT_THROW(export_array(make_int64({1}), Field{"x", utf8()}, &c_array, &c_schema), SchemaError);
  EXPECT_EQ(c_array.release, nullptr);
  EXPECT_EQ(c_schema.release, nullptr);
}

TEST(ArrowExportTest, ConsumerMayMoveAChildOutAndReleaseTheParentFirst) {
  const ArrayPtr child_source = make_utf8({"x", std::nullopt, "z"});
  const ArrayPtr array = make_struct({{"n", make_int64({1, 2, 3})}, {"s", child_source}});
  const std::weak_ptr<const Array> watch_child = child_source;
  ArrowArray parent;
  ArrowSchema parent_schema;
  export_array(array, Field{"", array->type()}, &parent, &parent_schema);

  // Move child 1 (and its schema) out, mark the originals released, release the parents.
  ArrowArray moved = *parent.children[1];
  parent.children[1]->release = nullptr;
  ArrowSchema moved_schema = *parent_schema.children[1];
  parent_schema.children[1]->release = nullptr;
  parent.release(&parent);
  parent_schema.release(&parent_schema);

  const ArrayPtr imported = import_array(&moved, &moved_schema);
  moved_schema.release(&moved_schema);
  EXPECT_TRUE(imported->equals(*child_source));
  EXPECT_EQ(imported->values_buffer()->data(), child_source->values_buffer()->data());
}

TEST(ArrowExportTest, ReleaseRunsExactlyOnceThroughOurImporter) {
  static int calls = 0;
  static void (*original)(ArrowArray*) = nullptr;
  calls = 0;
  const std::vector<Value> rows = nested_rows();
  ArrayPtr source = array_from_values(rows, nested_type());
  const std::weak_ptr<const Array> watch = source;
  ArrowArray c_array;
  ArrowSchema c_schema;
  export_array(source, Field{"x", source->type()}, &c_array, &c_schema);
  original = c_array.release;
  c_array.release = [](ArrowArray* array) {
    ++calls;
    original(array);
  };
  ArrayPtr imported = import_array(&c_array, &c_schema);
  c_schema.release(&c_schema);
  source.reset();
  EXPECT_FALSE(watch.expired()) << "imported buffers are the exported ones";
  ArrayPtr slice = imported->slice(2, 3);
  imported.reset();
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(slice->equals(
      *array_from_values(std::vector<Value>(rows.begin() + 2, rows.begin() + 5), nested_type())));
  slice.reset();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(watch.expired());
}

TEST(ArrowRoundTripTest, EveryPrimitiveType) {
  const std::vector<ArrayPtr> arrays = {
      make_int64({1, std::nullopt, -3}),
      make_float64({0.5, std::nullopt, -0.0}),
      make_bool({true, std::nullopt, false, true, true, false, false, true, true}),
      make_utf8({"alpha", std::nullopt, "", "\xc3\xa9t\xc3\xa9"}),
      make_int64(std::vector<int64_t>{}),
      make_utf8(std::vector<std::string>{}),
  };
  for (const ArrayPtr& array : arrays) {
    const ArrayPtr imported = round_trip(array);
    EXPECT_TRUE(imported->equals(*array)) << array->to_string();
    EXPECT_EQ(imported->length(), array->length());
    if (array->length() > 1) {
      const ArrayPtr slice = array->slice(1, array->length() - 1);
      EXPECT_TRUE(round_trip(slice)->equals(*slice)) << slice->to_string();
    }
  }
}

TEST(ArrowRoundTripTest, ImportSharesTheBuffers) {
  const ArrayPtr array = make_float64({1, 2, 3});
  const ArrayPtr imported = round_trip(array);
  EXPECT_EQ(imported->float64_values(), array->float64_values());
}

TEST(ArrowRoundTripTest, NestedListsOfStructsWithNullsAtEveryLevel) {
  const std::vector<Value> rows = nested_rows();
  const ArrayPtr array = array_from_values(rows, nested_type());
  EXPECT_TRUE(round_trip(array)->equals(*array));
  for (int64_t offset = 0; offset < array->length(); ++offset) {
    const ArrayPtr slice = array->slice(offset, array->length() - offset);
    const ArrayPtr imported = round_trip(slice);
    ASSERT_TRUE(imported->equals(*slice)) << "offset " << offset;
    EXPECT_EQ(imported->offset(), offset);
  }
}

TEST(ArrowRoundTripTest, SlicedStructsKeepTheirChildrenUnsliced) {
  const ArrayPtr array =
      make_struct({{"a", make_int64({1, 2, 3, 4})}, {"b", make_utf8({"w", "x", "y", "z"})}},
                  {true, false, true, true})
          ->slice(1, 3);
  const ArrayPtr imported = round_trip(array);
  EXPECT_TRUE(imported->equals(*array));
  EXPECT_EQ(imported->offset(), 1);
  EXPECT_EQ(imported->child(0)->length(), 4);
}

TEST(ArrowRoundTripTest, Frame) {
  const Frame frame(
      {{"tick", make_int64({1, 2, 3})},
       {"payload", array_from_values(std::vector<Value>{Value::record({{"k", 1.5}}), Value(),
                                                        Value::record({{"k", nullptr}})})},
       {"pairs", array_from_values(nested_rows())->slice(0, 3)}});
  ArrowArray c_array;
  ArrowSchema c_schema;
  export_frame(frame, &c_array, &c_schema);
  EXPECT_STREQ(c_schema.format, "+s");
  EXPECT_EQ(c_schema.n_children, 3);
  EXPECT_STREQ(c_schema.children[2]->name, "pairs");
  const Frame imported = import_frame(&c_array, &c_schema);
  c_schema.release(&c_schema);
  EXPECT_TRUE(imported.equals(frame));
}

TEST(ArrowImportTest, HandMadeInt64WithOffsetAndUnknownNullCount) {
  HandMadeProducer producer;
  const uint8_t validity = 0b11101;
  producer.node(3, -1, 1,
                {producer.keep(std::vector<uint8_t>{validity}),
                 producer.keep(std::vector<int64_t>{10, 11, 12, 13})});
  HandMadeSchema schemas;
  ArrowArray base = producer.take_base();
  ArrayPtr array = import_array(&base, schemas.node("l", "n"));
  EXPECT_EQ(base.release, nullptr);
  EXPECT_EQ(array->to_string(), "[null, 12, 13]");
  EXPECT_EQ(array->null_count(), 1);
  EXPECT_EQ(producer.releases(), 0);
  array.reset();
  EXPECT_EQ(producer.releases(), 1);
}

TEST(ArrowImportTest, HandMadeNestedStructWithoutValidityBuffers) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  ArrowArray* parent = producer.node(2, 0, 0, {nullptr});
  ArrowArray* ints = producer.node(2, 0, 0, {nullptr, producer.keep(std::vector<int64_t>{7, 8})});
  ArrowArray* items = producer.node(3, 0, 0,
                                    {nullptr, producer.keep(std::vector<int32_t>{0, 1, 1, 3}),
                                     producer.keep(std::vector<char>{'a', 'b', 'c'})});
  ArrowArray* lists =
      producer.node(2, 0, 0, {nullptr, producer.keep(std::vector<int32_t>{0, 1, 3})}, {items});
  producer.adopt(parent, {ints, lists});
  ArrowSchema* schema =
      schemas.node("+s", "", 0,
                   {schemas.node("l", "i"),
                    schemas.node("+l", "l", ARROW_FLAG_NULLABLE, {schemas.node("u", "item")})});
  ArrowArray base = producer.take_base();
  {
    const ArrayPtr array = import_array(&base, schema);
    EXPECT_EQ(array->to_string(), R"([{"i": 7, "l": ["a"]}, {"i": 8, "l": ["", "bc"]}])");
    EXPECT_EQ(array->validity_bits(), nullptr);
  }
  EXPECT_EQ(producer.releases(), 1);
}

TEST(ArrowImportTest, LargeOffsetsAreNarrowed) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  producer.node(2, 0, 0,
                {nullptr, producer.keep(std::vector<int64_t>{0, 3, 5}),
                 producer.keep(std::vector<char>{'a', 'b', 'c', 'd', 'e'})});
  ArrowArray base = producer.take_base();
  const ArrayPtr strings = import_array(&base, schemas.node("U", "s"));
  EXPECT_EQ(strings->to_string(), R"(["abc", "de"])");
  EXPECT_EQ(*strings->type(), *utf8());

  HandMadeProducer list_producer;
  ArrowArray* list_node =
      list_producer.node(2, 0, 0, {nullptr, list_producer.keep(std::vector<int64_t>{0, 1, 3})});
  list_producer.adopt(
      list_node,
      {list_producer.node(3, 0, 0, {nullptr, list_producer.keep(std::vector<int64_t>{4, 5, 6})})});
  ArrowArray list_base = list_producer.take_base();
  const ArrayPtr lists = import_array(
      &list_base, schemas.node("+L", "l", ARROW_FLAG_NULLABLE, {schemas.node("l", "item")}));
  EXPECT_EQ(lists->to_string(), "[[4], [5, 6]]");
}

TEST(ArrowImportTest, LargeOffsetsBeyondInt32AreAnError) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  producer.node(1, 0, 0,
                {nullptr, producer.keep(std::vector<int64_t>{0, int64_t{1} << 32}),
                 producer.keep(std::vector<char>{'a'})});
  ArrowArray base = producer.take_base();
  expect_error<SchemaError>([&] { import_array(&base, schemas.node("U", "big")); },
                            {.message_has = {"does not fit the int32 offsets"}});
  EXPECT_EQ(producer.releases(), 1);
}

TEST(ArrowImportTest, NullTypeStaysTheNullType) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  producer.node(3, 3, 0, {});
  ArrowArray base = producer.take_base();
  const ArrayPtr array = import_array(&base, schemas.node("n", "nothing"));
  EXPECT_EQ(*array->type(), *null_type());
  EXPECT_EQ(array->null_count(), 3);
  EXPECT_TRUE(array->is_null(2));
  EXPECT_EQ(producer.releases(), 1);
  EXPECT_EQ(*import_field(schemas.node("n", "nothing")).type, *null_type());
}

TEST(ArrowRoundTripTest, NullTypedMembersExportWithoutBuffers) {
  const ArrayPtr array =
      make_struct({{"a", make_int64({1, 2})}, {"b", make_null_array(null_type(), 2)}});
  ArrowArray exported{};
  ArrowSchema schema{};
  export_array(array, Field{"s", array->type()}, &exported, &schema);
  ASSERT_EQ(exported.n_children, 2);
  EXPECT_STREQ(schema.children[1]->format, "n");
  EXPECT_EQ(exported.children[1]->n_buffers, 0);
  EXPECT_EQ(exported.children[1]->null_count, 2);
  const ArrayPtr back = import_array(&exported, &schema);
  EXPECT_TRUE(back->equals(*array));
  schema.release(&schema);
}

TEST(ArrowImportTest, MisalignedBuffersAreCopied) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  const auto* storage = static_cast<const uint8_t*>(producer.keep(std::vector<int64_t>{0, 0, 0}));
  auto* bytes = const_cast<uint8_t*>(storage);
  const int64_t values[2] = {41, 42};
  std::memcpy(bytes + 1, values, sizeof(values));
  producer.node(2, 0, 0, {nullptr, bytes + 1});
  ArrowArray base = producer.take_base();
  const ArrayPtr array = import_array(&base, schemas.node("l", "x"));
  EXPECT_EQ(array->to_string(), "[41, 42]");
}

TEST(ArrowImportTest, FieldNamesAndNullability) {
  HandMadeSchema schemas;
  const Field field = import_field(
      schemas.node("+s", "rec", 0, {schemas.node("g", "score", 0), schemas.node("b", "ok")}));
  EXPECT_EQ(field.name, "rec");
  EXPECT_FALSE(field.nullable);
  EXPECT_EQ(field.type->to_string(), "struct<score: float64 not null, ok: bool>");
}

// Each malformed input is rejected with a SchemaError, and the producer's release still
// runs exactly once.
class MalformedImportTest : public ::testing::Test {
 protected:
  void expect_rejected(ArrowSchema* schema, const std::string& fragment) {
    ArrowArray base = producer.take_base();
    expect_error<SchemaError>([&] { import_array(&base, schema); }, {.message_has = {fragment}});
    EXPECT_EQ(base.release, nullptr);
    EXPECT_EQ(producer.releases(), 1);
  }

  HandMadeProducer producer;
  HandMadeSchema schemas;
};

TEST_F(MalformedImportTest, DecreasingOffsets) {
  producer.node(2, 0, 0,
                {nullptr, producer.keep(std::vector<int32_t>{0, 2, 1}),
                 producer.keep(std::vector<char>{'a', 'b'})});
  expect_rejected(schemas.node("u", "s"), "offsets decrease");
}

TEST_F(MalformedImportTest, NegativeFirstOffset) {
  producer.node(1, 0, 0,
                {nullptr, producer.keep(std::vector<int32_t>{-1, 1}),
                 producer.keep(std::vector<char>{'a', 'b'})});
  expect_rejected(schemas.node("u", "s"), "negative offset");
}

TEST_F(MalformedImportTest, ListOffsetsBeyondTheItems) {
  ArrowArray* list_node =
      producer.node(1, 0, 0, {nullptr, producer.keep(std::vector<int32_t>{0, 5})});
  producer.adopt(list_node,
                 {producer.node(2, 0, 0, {nullptr, producer.keep(std::vector<int64_t>{1, 2})})});
  expect_rejected(schemas.node("+l", "l", ARROW_FLAG_NULLABLE, {schemas.node("l", "item")}),
                  "offsets up to 5 but only 2 items");
}

TEST_F(MalformedImportTest, WrongNumberOfBuffers) {
  producer.node(1, 0, 0, {nullptr, producer.keep(std::vector<int64_t>{1}), nullptr});
  expect_rejected(schemas.node("l", "x"), "needs 2 buffers, got 3");
}

TEST_F(MalformedImportTest, UnknownFormat) {
  producer.node(1, 0, 0, {nullptr, producer.keep(std::vector<int32_t>{1})});
  expect_rejected(schemas.node("i", "x"), "Arrow format 'i' is not supported");
}

TEST_F(MalformedImportTest, UnsupportedNestedFormatNamesTheField) {
  producer.node(1, 0, 0, {nullptr});
  expect_rejected(schemas.node("+s", "", 0, {schemas.node("tsu:UTC", "when")}),
                  "field 'when': Arrow format 'tsu:UTC' is not supported");
}

TEST_F(MalformedImportTest, DictionaryEncoded) {
  producer.node(1, 0, 0, {nullptr, producer.keep(std::vector<int32_t>{0})});
  ArrowSchema* schema = schemas.node("i", "d");
  schema->dictionary = schemas.node("u", "");
  expect_rejected(schema, "dictionary-encoded");
}

TEST_F(MalformedImportTest, NullArrayLongerThanTheLibraryHolds) {
  producer.node(int64_t{1} << 50, int64_t{1} << 50, 0, {});
  expect_rejected(schemas.node("n", "nothing"), "null array of 1125899906842624 slots");
}

TEST_F(MalformedImportTest, SchemaNestedDeeperThanSixtyFourLevels) {
  producer.node(1, 0, 0, {nullptr});
  ArrowSchema* schema = schemas.node("l", "item");
  for (int level = 0; level < 64; ++level) {
    schema = schemas.node("+l", "item", ARROW_FLAG_NULLABLE, {schema});
  }
  expect_rejected(schema, "nests deeper than 64 levels");
  // Sixty-four levels are accepted.
  HandMadeSchema shallower;
  ArrowSchema* fits = shallower.node("l", "item");
  for (int level = 0; level < 63; ++level) {
    fits = shallower.node("+l", "item", ARROW_FLAG_NULLABLE, {fits});
  }
  EXPECT_EQ(import_field(fits).name, "item");
}

TEST_F(MalformedImportTest, NullsWithoutAValidityBuffer) {
  producer.node(2, 1, 0, {nullptr, producer.keep(std::vector<int64_t>{1, 2})});
  expect_rejected(schemas.node("l", "x"), "no validity bitmap");
}

TEST_F(MalformedImportTest, NullCountThatContradictsTheBitmap) {
  producer.node(
      2, 0, 0,
      {producer.keep(std::vector<uint8_t>{0b01}), producer.keep(std::vector<int64_t>{1, 2})});
  expect_rejected(schemas.node("l", "x"), "null count is 0 but the validity bitmap has 1 nulls");
}

TEST_F(MalformedImportTest, MissingValuesBuffer) {
  producer.node(2, 0, 0, {nullptr, nullptr});
  expect_rejected(schemas.node("g", "x"), "buffer 1 is null");
}

TEST_F(MalformedImportTest, WrongNumberOfChildren) {
  producer.node(1, 0, 0, {nullptr});
  expect_rejected(schemas.node("+s", "", 0, {schemas.node("l", "a")}),
                  "needs 1 child arrays, got 0");
}

TEST_F(MalformedImportTest, InvalidUtf8) {
  producer.node(1, 0, 0,
                {nullptr, producer.keep(std::vector<int32_t>{0, 2}),
                 producer.keep(std::vector<uint8_t>{0xC3, 0x28})});
  expect_rejected(schemas.node("u", "s"), "not valid UTF-8");
}

TEST_F(MalformedImportTest, NegativeLength) {
  producer.node(-1, 0, 0, {nullptr, producer.keep(std::vector<int64_t>{1})});
  expect_rejected(schemas.node("l", "x"), "invalid array length -1");
}

TEST(ArrowImportTest, ReleasedInputsAreRefusedWithoutTouchingThem) {
  HandMadeSchema schemas;
  ArrowArray released{};
  EXPECT_THROW(import_array(&released, schemas.node("l", "x")), SchemaError);
  ArrowSchema schema{};
  EXPECT_THROW(import_field(&schema), SchemaError);
  EXPECT_THROW(import_array(nullptr, schemas.node("l", "x")), SchemaError);
}

TEST(ArrowImportTest, ImportFrameNeedsAStruct) {
  HandMadeProducer producer;
  HandMadeSchema schemas;
  producer.node(1, 0, 0, {nullptr, producer.keep(std::vector<int64_t>{1})});
  ArrowArray base = producer.take_base();
  EXPECT_THROW(import_frame(&base, schemas.node("l", "x")), SchemaError);
  EXPECT_EQ(producer.releases(), 1);
}

}  // namespace
}  // namespace crv::frame
