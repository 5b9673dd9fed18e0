#include "identity/internal/identifier_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "base/random.h"

namespace banyan::identity::internal {
namespace {

privacy::LookupHash HashOf(uint64_t n) {
  privacy::LookupHash h{};
  // Spread the key like a keyed hash would; keep the low byte so tests can force tag clashes.
  uint64_t x = n * 0x9E3779B97F4A7C15ull;
  for (size_t i = 0; i < h.size(); ++i) h[i] = static_cast<uint8_t>(x >> (8 * (i % 8))) ^ i;
  return h;
}

std::vector<uint32_t> Matches(const IdentifierIndex& index, uint8_t type,
                              const privacy::LookupHash& lookup) {
  std::vector<uint32_t> out;
  index.ForEachMatch(type, lookup, [&](uint32_t e) {
    out.push_back(e);
    return true;
  });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(IdentifierIndex, FindsEveryHolderOfAKeyAndNothingElse) {
  IdentifierIndex index;
  const uint32_t a = index.Add(1, HashOf(7), 10, 100);
  const uint32_t b = index.Add(1, HashOf(7), 11, 200);  // a shared value: two holders
  const uint32_t c = index.Add(2, HashOf(7), 12, 300);  // same hash, other type
  EXPECT_EQ(Matches(index, 1, HashOf(7)), (std::vector<uint32_t>{a, b}));
  EXPECT_EQ(Matches(index, 2, HashOf(7)), (std::vector<uint32_t>{c}));
  EXPECT_TRUE(Matches(index, 1, HashOf(8)).empty());
  EXPECT_EQ(index.at(b).person, 11u);
  EXPECT_EQ(index.at(b).last_seen_s, 200u);
  EXPECT_EQ(index.live(), 3u);
}

TEST(IdentifierIndex, StopsWhenTheCallbackSaysSo) {
  IdentifierIndex index;
  index.Add(1, HashOf(1), 1, 0);
  index.Add(1, HashOf(1), 2, 0);
  int calls = 0;
  index.ForEachMatch(1, HashOf(1), [&](uint32_t) {
    ++calls;
    return false;
  });
  EXPECT_EQ(calls, 1);
}

TEST(IdentifierIndex, RemoveKeepsOtherEntriesFindable) {
  IdentifierIndex index;
  std::vector<uint32_t> entries;
  for (uint64_t i = 0; i < 1000; ++i) entries.push_back(index.Add(1, HashOf(i), 1, 0));
  for (uint64_t i = 0; i < 1000; i += 3) index.Remove(entries[i]);
  index.Remove(entries[0]);  // removing twice is a no-op
  for (uint64_t i = 0; i < 1000; ++i) {
    const std::vector<uint32_t> found = Matches(index, 1, HashOf(i));
    if (i % 3 == 0) {
      EXPECT_TRUE(found.empty()) << i;
      EXPECT_TRUE(index.at(entries[i]).flags & kEntryDead);
    } else {
      EXPECT_EQ(found, std::vector<uint32_t>{entries[i]}) << i;
    }
  }
  EXPECT_EQ(index.live(), 1000u - 334u);
}

// Random adds and removes against a std::multimap, with clustered keys so probe runs wrap and
// backward shifts cross the end of the table.
TEST(IdentifierIndex, AgreesWithAMultimapUnderRandomChurn) {
  IdentifierIndex index;
  std::multimap<std::pair<uint8_t, uint64_t>, uint32_t> model;
  SeededRandom random(7);
  for (int step = 0; step < 50000; ++step) {
    const uint8_t type = static_cast<uint8_t>(random.Uniform(3));
    const uint64_t key = random.Uniform(2000);
    if (random.Uniform(4) != 0 || model.empty()) {
      const uint32_t e = index.Add(type, HashOf(key), static_cast<uint32_t>(step), 0);
      model.emplace(std::make_pair(type, key), e);
    } else {
      auto it = model.begin();
      std::advance(it, random.Uniform(std::min<uint64_t>(model.size(), 64)));
      index.Remove(it->second);
      model.erase(it);
    }
  }
  ASSERT_EQ(index.live(), model.size());
  for (uint8_t type = 0; type < 3; ++type) {
    for (uint64_t key = 0; key < 2000; ++key) {
      std::vector<uint32_t> want;
      auto [begin, end] = model.equal_range({type, key});
      for (auto it = begin; it != end; ++it) want.push_back(it->second);
      std::sort(want.begin(), want.end());
      ASSERT_EQ(Matches(index, type, HashOf(key)), want) << int(type) << " " << key;
    }
  }
}

TEST(IdentifierIndex, ReserveSizesWithoutRehashingOnTheWay) {
  IdentifierIndex index;
  index.Reserve(100000);
  const size_t reserved = index.MemoryBytes();
  for (uint64_t i = 0; i < 100000; ++i) index.Add(0, HashOf(i), 1, 0);
  EXPECT_EQ(index.MemoryBytes(), reserved);
  // 28 bytes an entry plus the table at a load of 0.7.
  EXPECT_LT(index.MemoryBytes(), 100000u * (28 + 12));
}

}  // namespace
}  // namespace banyan::identity::internal
