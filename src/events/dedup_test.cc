#include "events/dedup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "events/dedup_table.h"

namespace banyan::events {
namespace {

using Outcomes = std::vector<DedupOutcome>;
constexpr DedupOutcome kNew = DedupOutcome::kNew;
constexpr DedupOutcome kDuplicate = DedupOutcome::kDuplicate;
constexpr DedupOutcome kInFlight = DedupOutcome::kInFlight;

const Timestamp kStart = FromUnixMicros(1'767'225'600'000'000);

class DedupTest : public ::testing::Test {
 protected:
  explicit DedupTest(MessageIdDedupOptions options = {}) : dedup_(options, random_) {}
  Outcomes ReserveAndCommit(std::vector<MessageIdKey> keys, Timestamp now = kStart) {
    MessageIdReservation reservation = dedup_.Reserve(keys, now);
    Outcomes outcomes = reservation.outcomes();
    reservation.Commit();
    return outcomes;
  }
  SeededRandom random_{7};
  MessageIdDedup dedup_;
};

TEST_F(DedupTest, FirstSightingIsNewAndLaterOnesAreDuplicates) {
  EXPECT_EQ(ReserveAndCommit({{"web", "m1"}, {"web", "m2"}}), (Outcomes{kNew, kNew}));
  EXPECT_EQ(ReserveAndCommit({{"web", "m2"}, {"web", "m3"}}), (Outcomes{kDuplicate, kNew}));
  EXPECT_EQ(dedup_.Stats().entries, 3u);
  EXPECT_EQ(dedup_.Stats().in_flight, 0u);
}

TEST_F(DedupTest, SourcesAreSeparateAndKeysDoNotRunTogether) {
  EXPECT_EQ(ReserveAndCommit({{"web", "m1"}, {"app", "m1"}, {"ab", "c"}, {"a", "bc"}}),
            (Outcomes{kNew, kNew, kNew, kNew}));
}

TEST_F(DedupTest, KeyRepeatedWithinOneCallIsADuplicateOfItself) {
  EXPECT_EQ(ReserveAndCommit({{"web", "m1"}, {"web", "m1"}}), (Outcomes{kNew, kDuplicate}));
}

TEST_F(DedupTest, KeyReservedByAnotherCallIsInFlightUntilCommittedOrReleased) {
  const std::vector<MessageIdKey> key = {{"web", "m1"}};
  MessageIdReservation first = dedup_.Reserve(key, kStart);
  EXPECT_EQ(first.outcomes(), (Outcomes{kNew}));
  EXPECT_EQ(dedup_.Reserve(key, kStart).outcomes(), (Outcomes{kInFlight}));
  EXPECT_EQ(dedup_.Stats().in_flight, 1u);

  first.Release();  // the append failed: a retry must be accepted
  EXPECT_EQ(dedup_.Stats().entries, 0u);
  MessageIdReservation retry = dedup_.Reserve(key, kStart);
  EXPECT_EQ(retry.outcomes(), (Outcomes{kNew}));
  retry.Commit();
  EXPECT_EQ(dedup_.Reserve(key, kStart).outcomes(), (Outcomes{kDuplicate}));
}

TEST_F(DedupTest, DroppingAnUncommittedReservationReleasesIt) {
  const std::vector<MessageIdKey> key = {{"web", "m1"}};
  { MessageIdReservation abandoned = dedup_.Reserve(key, kStart); }
  EXPECT_EQ(ReserveAndCommit(key), (Outcomes{kNew}));
}

TEST_F(DedupTest, KeysAreForgottenAfterTheWindow) {
  const std::vector<MessageIdKey> key = {{"web", "m1"}};
  ASSERT_EQ(ReserveAndCommit(key, kStart), (Outcomes{kNew}));
  const Timestamp almost = kStart + kDedupWindowDefault - std::chrono::seconds(2);
  EXPECT_EQ(ReserveAndCommit(key, almost), (Outcomes{kDuplicate}));
  EXPECT_EQ(dedup_.Expire(almost), 0u);

  const Timestamp after = kStart + kDedupWindowDefault + std::chrono::seconds(2);
  EXPECT_EQ(dedup_.Expire(after), 1u);
  EXPECT_EQ(dedup_.Stats().entries, 0u);
  EXPECT_EQ(dedup_.Stats().expirations, 1u);
  EXPECT_EQ(ReserveAndCommit(key, after), (Outcomes{kNew}));
}

TEST_F(DedupTest, KeyPastTheWindowIsNewEvenBeforeExpireRuns) {
  const std::vector<MessageIdKey> key = {{"web", "m1"}};
  ASSERT_EQ(ReserveAndCommit(key, kStart), (Outcomes{kNew}));
  const Timestamp later = kStart + kDedupWindowDefault + std::chrono::seconds(2);
  EXPECT_EQ(ReserveAndCommit(key, later), (Outcomes{kNew}));
  EXPECT_EQ(ReserveAndCommit(key, later), (Outcomes{kDuplicate}));
}

TEST_F(DedupTest, RebuiltKeysAreDuplicatesAndKeepTheirFirstSighting) {
  dedup_.InsertForRebuild({"web", "m1"}, kStart);
  dedup_.InsertForRebuild({"web", "m1"}, kStart + std::chrono::hours(24));  // a replayed copy
  EXPECT_EQ(dedup_.Reserve(std::vector<MessageIdKey>{{"web", "m1"}}, kStart).outcomes(),
            (Outcomes{kDuplicate}));
  // Expiry counts from the first sighting.
  EXPECT_EQ(dedup_.Expire(kStart + kDedupWindowDefault + std::chrono::hours(1)), 1u);
}

class SmallDedupTest : public DedupTest {
 protected:
  SmallDedupTest() : DedupTest({.entries_max = 64 * 32}) {}
};

TEST_F(SmallDedupTest, EvictsTheOldestKeysPastEntriesMaxAndCountsThem) {
  constexpr int kKeys = 10'000;
  std::vector<std::string> ids;
  for (int i = 0; i < kKeys; ++i) ids.push_back(fmt::format("m{}", i));
  for (int i = 0; i < kKeys; ++i) {
    ReserveAndCommit({{"web", ids[i]}}, kStart + std::chrono::seconds(i));
  }
  const MessageIdDedupStats stats = dedup_.Stats();
  EXPECT_LE(stats.entries, 64u * 32);
  EXPECT_GE(stats.evictions, uint64_t{kKeys} - 64 * 32);
  EXPECT_EQ(stats.entries + stats.evictions, uint64_t{kKeys});
  // The newest keys are all still known.
  const Timestamp now = kStart + std::chrono::seconds(kKeys);
  for (int i = kKeys - 500; i < kKeys; ++i) {
    ASSERT_EQ(dedup_.Reserve(std::vector<MessageIdKey>{{"web", ids[i]}}, now).outcomes(),
              (Outcomes{kDuplicate}))
        << i;
  }
  EXPECT_EQ(ReserveAndCommit({{"web", ids[0]}}, now), (Outcomes{kNew}));
}

TEST_F(DedupTest, ConcurrentReservationsOfOneKeyYieldExactlyOneNew) {
  constexpr int kThreads = 8;
  constexpr int kKeys = 2000;
  std::vector<std::string> ids;
  for (int i = 0; i < kKeys; ++i) ids.push_back(fmt::format("message-{}", i));
  std::vector<std::vector<int>> news(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<int> order(kKeys);
      for (int i = 0; i < kKeys; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), std::mt19937(t));
      for (int i : order) {
        const std::vector<MessageIdKey> key = {{"web", ids[i]}};
        MessageIdReservation reservation = dedup_.Reserve(key, kStart);
        if (reservation.outcomes()[0] == kNew) news[t].push_back(i);
        if (i % 3 == 0 && reservation.outcomes()[0] == kNew) {
          reservation.Release();  // a failed append: someone else must get the key instead
          MessageIdReservation again = dedup_.Reserve(key, kStart);
          if (again.outcomes()[0] == kNew) {
            again.Commit();
          } else {
            news[t].pop_back();
          }
        } else {
          reservation.Commit();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::map<int, int> new_count;
  for (const auto& list : news) {
    for (int i : list) ++new_count[i];
  }
  // Keys released by everyone may end unowned; no key is ever owned twice.
  for (const auto& [key, count] : new_count) ASSERT_EQ(count, 1) << ids[key];
  EXPECT_EQ(dedup_.Stats().entries, new_count.size());
  EXPECT_EQ(dedup_.Stats().in_flight, 0u);
}

// The table against std::set, with a tiny capacity so probe runs wrap around the end.
TEST(DedupTable, MatchesASetUnderRandomInsertsAndErases) {
  internal::DedupTable table;
  std::set<std::pair<uint64_t, uint64_t>> model;
  std::mt19937_64 random(3);
  auto hash_of = [](uint64_t n) {
    // Few distinct low bits so that many keys share a home slot.
    return MessageIdHash{.low = (n * 0x9E3779B97F4A7C15ull) & 0xFF, .high = n};
  };
  for (int step = 0; step < 20'000; ++step) {
    const uint64_t n = random() % 200;
    const MessageIdHash hash = hash_of(n);
    internal::DedupSlot* slot = table.Find(hash);
    ASSERT_EQ(slot != nullptr, model.count({hash.low, hash.high}) == 1) << step;
    if (slot == nullptr) {
      table.Insert(hash, static_cast<uint32_t>(1 + n));
      model.insert({hash.low, hash.high});
    } else if (random() % 2 == 0) {
      table.Erase(slot);
      model.erase({hash.low, hash.high});
    }
    if (step % 1000 == 999) {
      const uint32_t cutoff = static_cast<uint32_t>(random() % 60);
      table.EraseIf([&](const internal::DedupSlot& s) { return s.stamp <= cutoff; });
      std::erase_if(model, [&](const auto& key) { return 1 + key.second <= cutoff; });
    }
    ASSERT_EQ(table.size(), model.size()) << step;
  }
  for (uint64_t n = 0; n < 200; ++n) {
    const MessageIdHash hash = hash_of(n);
    ASSERT_EQ(table.Find(hash) != nullptr, model.count({hash.low, hash.high}) == 1) << n;
  }
}

}  // namespace
}  // namespace banyan::events
