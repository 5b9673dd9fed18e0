#include "engine/internal/sequence.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/internal/property.h"

namespace banyan::engine::internal {
namespace {

std::vector<uint32_t> Times(const SequenceRef& sequence) {
  SequenceView view = sequence.View();
  return {view.times, view.times + view.count};
}

TEST(Sequence, LateEventsGoInTimeOrderAndOldCopiesDoNotChange) {
  const uint8_t properties[] = {2, 7};
  BlockSink sink;
  SequenceRef sequence;
  sequence.Insert({10, 1, 0, properties}, sink);
  sequence.Insert({30, 2, 0, {}}, sink);
  SequenceRef before = sequence;  // an older snapshot's reference
  sink.Published();
  sequence.Insert({40, 3, 0, {}}, sink);          // an append: in place, past `before`'s count
  sequence.Insert({20, 4, 0, properties}, sink);  // late: a new block
  EXPECT_EQ(Times(sequence), (std::vector<uint32_t>{10, 20, 30, 40}));
  EXPECT_EQ(Times(before), (std::vector<uint32_t>{10, 30}));
  SequenceView view = sequence.View();
  EXPECT_EQ(view.types[1], 4);
  EXPECT_EQ(view.PropertyOffset(2), 4u);
  EXPECT_EQ(view.property_lengths[2], 0);
  EXPECT_EQ(sequence.property_bytes(), 4u);
  // The published block was replaced: kept for the older snapshot, not freed.
  const std::vector<EventBlock*> retired = sink.TakeRetired();
  ASSERT_EQ(retired.size(), 1u);
  EXPECT_EQ(retired[0], before.block());
  for (EventBlock* block : retired) FreeBlock(block);
}

TEST(Sequence, BlocksMadeAndReplacedInOneBatchAreFreedAtOnce) {
  BlockSink sink;
  SequenceRef sequence;
  for (uint32_t i = 0; i < 100; ++i) sequence.Insert({1000 - i, 1, 0, {}}, sink);
  sequence.Compact(sink);
  EXPECT_TRUE(sink.TakeRetired().empty());  // none was published: each was freed (ASan checks)
  SequenceRef other;
  other.Insert({5, 1, 0, {}}, sink);
  sink.Published();
  other.Clear(sink);
  EXPECT_EQ(other.count(), 0u);
  const std::vector<EventBlock*> retired = sink.TakeRetired();
  EXPECT_EQ(retired.size(), 1u);
  for (EventBlock* block : retired) FreeBlock(block);
  sequence.Clear(sink);  // made before Published: retired, not freed
  for (EventBlock* block : sink.TakeRetired()) FreeBlock(block);
}

TEST(Sequence, ManyLateEventsGrowTheBlockOnlyAsNeeded) {
  // Every event earlier than the last: before the fix each one multiplied the capacity by 1.5,
  // and a few dozen asked for gigabytes (std::bad_alloc).
  BlockSink sink;
  SequenceRef sequence;
  for (uint32_t i = 0; i < 2000; ++i) sequence.Insert({1'000'000 - i, 1, 0, {}}, sink);
  EXPECT_EQ(sequence.count(), 2000u);
  EXPECT_LT(sequence.AllocatedBytes(), 64u * 1024);  // about 8 bytes per event, with slack
  std::vector<uint32_t> times = Times(sequence);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
}

TEST(Sequence, MergeKeepsTimeOrderAndProperties) {
  const uint8_t a[] = {2, 1}, b[] = {4, 9};
  BlockSink sink;
  SequenceRef left, right;
  left.Insert({5, 1, 0, a}, sink);
  left.Insert({15, 1, 0, {}}, sink);
  right.Insert({10, 2, 0, b}, sink);
  right.Insert({15, 2, 0, b}, sink);
  left.MergeFrom(right.View(), sink);
  EXPECT_EQ(Times(left), (std::vector<uint32_t>{5, 10, 15, 15}));
  SequenceView view = left.View();
  EXPECT_EQ(view.types[2], 1);  // ours first on a tie
  EXPECT_EQ(view.properties[2], 4);
  EXPECT_EQ(view.properties[3], 9);
  left.Compact(sink);
  EXPECT_EQ(left.AllocatedBytes(), 8u + 4 * 8 + 6);
}

TEST(Property, EncodingRoundTripsAndDropsWhatDoesNotFit) {
  Dictionary keys("keys", 100), values("values", 100);
  std::vector<uint8_t> out;
  std::vector<EventProperty> properties = {{"product", std::string("card")}, {"amount", -1234.567}};
  Result<size_t> dropped = EncodeProperties(properties, keys, values, out);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 0u);
  const uint8_t* cursor = out.data();
  DecodedProperty first = DecodeProperty(&cursor, out.data() + out.size());
  DecodedProperty second = DecodeProperty(&cursor, out.data() + out.size());
  EXPECT_TRUE(first.is_string);
  EXPECT_EQ(values.Name(static_cast<uint32_t>(first.value)), "card");
  EXPECT_FALSE(second.is_string);
  EXPECT_EQ(second.value, -123457);
  std::vector<EventProperty> many(200, {"k", std::string("v")});
  EXPECT_GT(*EncodeProperties(many, keys, values, out), 0u);
  EXPECT_LE(out.size(), kEventPropertyBytesMax);
}

}  // namespace
}  // namespace banyan::engine::internal
