#include "customer/timeline_index.h"

#include <gtest/gtest.h>

namespace banyan::customer {
namespace {

using Seqs = std::vector<uint64_t>;

TEST(TimelineIndex, NewestFirstWithCursorAndLimit) {
  TimelineIndex index(100);
  for (uint64_t s : {3, 5, 9, 12}) index.Add(7, s);
  index.Add(8, 4);
  EXPECT_EQ(index.Newest(7, std::nullopt, 2), (Seqs{12, 9}));
  EXPECT_EQ(index.Newest(7, 9, 10), (Seqs{5, 3}));
  EXPECT_EQ(index.Newest(7, 3, 10), Seqs{});
  EXPECT_EQ(index.Newest(99, std::nullopt, 10), Seqs{});
  EXPECT_EQ(index.Count(7), 4u);
}

TEST(TimelineIndex, ReplayedSequencesAreNotIndexedTwice) {
  TimelineIndex index(100);
  index.Add(1, 10);
  index.Add(1, 10);
  index.Add(1, 8);
  EXPECT_EQ(index.Newest(1, std::nullopt, 10), Seqs{10});
}

TEST(TimelineIndex, KeepsOnlyTheNewestPerPerson) {
  TimelineIndex index(3);
  for (uint64_t s = 1; s <= 5; ++s) index.Add(1, s);
  EXPECT_EQ(index.Newest(1, std::nullopt, 10), (Seqs{5, 4, 3}));
}

TEST(TimelineIndex, TakeRemoves) {
  TimelineIndex index(100);
  for (uint64_t s : {1, 2, 4, 5, 6}) index.Add(1, s);
  EXPECT_EQ(index.Take(1), (Seqs{1, 2, 4, 5, 6}));
  EXPECT_EQ(index.Count(1), 0u);
  EXPECT_EQ(index.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace banyan::customer
