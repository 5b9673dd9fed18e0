#include "engine/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/query.h"
#include "engine/testing/conditions.h"

namespace banyan::engine {
namespace {

using testing::On;

constexpr int64_t kDay = 86400;
constexpr int64_t kT0 = 1'700'000'000;  // 2023-11-14

EventRecord Event(PersonId person, int64_t time, std::string type,
                  std::vector<EventProperty> properties = {}) {
  return {person, time, std::move(type), 2, std::move(properties)};
}

Bitmap Did(const Snapshot& snapshot, std::string type) {
  return CountEvents(snapshot, snapshot.live(), On(std::move(type)), Compare::kGe, 1).value();
}

TEST(Engine, SnapshotsAreIsolatedFromLaterBatches) {
  Engine engine({{"age", AttributeKind::kInteger}});
  Batch first;
  first.attributes = {{1, "age", int64_t{30}}};
  first.events = {Event(1, kT0, "login")};
  ASSERT_TRUE(engine.Apply(first).ok());
  std::shared_ptr<const Snapshot> before = engine.snapshot();

  Batch second;
  second.attributes = {{1, "age", int64_t{31}}, {2, "age", int64_t{40}}};
  second.events = {Event(1, kT0 + 10, "login"), Event(2, kT0, "login")};
  ASSERT_TRUE(engine.Apply(second).ok());
  std::shared_ptr<const Snapshot> after = engine.snapshot();

  EXPECT_EQ(before->live().Cardinality(), 1u);
  EXPECT_EQ(before->Sequence(0).count, 1u);
  EXPECT_EQ(AttributeCompare(*before, "age", Compare::kEq, int64_t{30})->Cardinality(), 1u);
  EXPECT_EQ(after->live().Cardinality(), 2u);
  EXPECT_EQ(after->Sequence(0).count, 2u);
  EXPECT_EQ(AttributeCompare(*after, "age", Compare::kEq, int64_t{30})->Cardinality(), 0u);
  EXPECT_EQ(after->version(), before->version() + 1);
}

TEST(Engine, ChangesSinceAVersionNameTheCustomersAttributesAndEventTypes) {
  Engine engine({{"age", AttributeKind::kInteger}, {"city", AttributeKind::kString}});
  Batch first;
  first.attributes = {{1, "age", int64_t{30}}, {2, "city", std::string("杭州")}};
  ASSERT_TRUE(engine.Apply(first).ok());
  const uint64_t v1 = engine.snapshot()->version();
  Batch second;
  second.events = {Event(3, kT0, "login")};
  ASSERT_TRUE(engine.Apply(second).ok());
  engine.Compact();  // a version without changes
  Batch third;
  third.merges = {{1, 2}};  // 2 absorbed into 1
  ASSERT_TRUE(engine.Apply(third).ok());
  auto snapshot = engine.snapshot();
  const uint32_t p1 = *engine.Find(1), p3 = *engine.Find(3);

  auto since_first = engine.ChangesSince(v1);
  ASSERT_TRUE(since_first.has_value());
  EXPECT_EQ(since_first->to_version, snapshot->version());
  EXPECT_TRUE(since_first->customers.Contains(p3));
  EXPECT_TRUE(since_first->customers.Contains(p1));     // the merge's survivor
  EXPECT_EQ(since_first->customers.Cardinality(), 3u);  // and the absorbed index
  EXPECT_EQ(since_first->event_types,
            std::vector<uint32_t>{*snapshot->catalog().event_types->Find("login")});
  EXPECT_TRUE(since_first->attributes.empty());
  EXPECT_TRUE(since_first->merges_or_erasures);

  auto everything = engine.ChangesSince(0);
  ASSERT_TRUE(everything.has_value());
  EXPECT_EQ(everything->attributes, (std::vector<uint32_t>{0, 1}));
  auto nothing = engine.ChangesSince(snapshot->version());
  ASSERT_TRUE(nothing.has_value());
  EXPECT_TRUE(nothing->customers.IsEmpty());
  EXPECT_FALSE(nothing->merges_or_erasures);
}

TEST(Engine, ChangesTooLongAgoAreNotKept) {
  Engine engine;
  for (size_t i = 0; i < kChangeLogVersionsMax + 1; ++i) engine.Compact();
  EXPECT_FALSE(engine.ChangesSince(0).has_value());
  EXPECT_TRUE(engine.ChangesSince(engine.snapshot()->version() - 1).has_value());
}

TEST(Engine, ABadBatchChangesNothing) {
  Engine engine({{"age", AttributeKind::kInteger}});
  Batch batch;
  batch.events = {Event(1, kT0, "login")};
  batch.attributes = {{1, "age", std::string("thirty")}};
  Result<ApplyReport> report = engine.Apply(batch);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().field(), "/attributes/0/age");
  EXPECT_EQ(engine.snapshot()->index_count(), 0u);
  EXPECT_FALSE(engine.Find(1).has_value());
  batch.attributes = {{1, "height", int64_t{1}}};
  EXPECT_EQ(engine.Apply(batch).status().code(), StatusCode::kInvalidArgument);
}

TEST(Engine, EventsOutsideTheTimeWindowAreRejectedAndCounted) {
  Engine engine;
  Batch batch;
  batch.events = {Event(1, kEpochBaseSeconds - 1, "login"), Event(1, kT0, "login")};
  Result<ApplyReport> report = engine.Apply(batch);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->events_rejected, 1u);
  EXPECT_EQ(report->events_applied, 1u);
}

TEST(Engine, MergeRehomesHistoryAndTombstonesTheAbsorbed) {
  Engine engine({{"tier", AttributeKind::kString}, {"age", AttributeKind::kInteger}});
  Batch batch;
  batch.attributes = {
      {1, "tier", std::string("gold")}, {2, "tier", std::string("mass")}, {2, "age", int64_t{33}}};
  batch.events = {Event(1, kT0 + 2 * kDay, "view"), Event(2, kT0 + kDay, "buy"),
                  Event(2, kT0 + 3 * kDay, "view")};
  ASSERT_TRUE(engine.Apply(batch).ok());
  std::shared_ptr<const Snapshot> before = engine.snapshot();

  Batch merge;
  merge.merges = {{1, 2}};
  merge.events = {};
  ASSERT_TRUE(engine.Apply(merge).ok());
  Batch late;
  late.events = {Event(2, kT0, "login")};  // still addressed to the absorbed person
  ASSERT_TRUE(engine.Apply(late).ok());

  std::shared_ptr<const Snapshot> after = engine.snapshot();
  const CustomerIndex survivor = *engine.Find(1);
  EXPECT_EQ(engine.Find(2), survivor);
  EXPECT_EQ(after->live().ToVector(), std::vector<uint32_t>{survivor});
  internal::SequenceView view = after->Sequence(survivor);
  EXPECT_EQ(std::vector<uint32_t>(view.times, view.times + view.count),
            (std::vector<uint32_t>{kT0 - kEpochBaseSeconds, kT0 + kDay - kEpochBaseSeconds,
                                   kT0 + 2 * kDay - kEpochBaseSeconds,
                                   kT0 + 3 * kDay - kEpochBaseSeconds}));
  EXPECT_EQ(Did(*after, "buy").ToVector(), std::vector<uint32_t>{survivor});
  // The survivor keeps its own tier and takes the age it lacked.
  EXPECT_EQ(AttributeCompare(*after, "tier", Compare::kEq, std::string("gold"))->ToVector(),
            std::vector<uint32_t>{survivor});
  EXPECT_TRUE(AttributeCompare(*after, "tier", Compare::kEq, std::string("mass"))->IsEmpty());
  EXPECT_EQ(AttributeIsSet(*after, "age")->ToVector(), std::vector<uint32_t>{survivor});
  EXPECT_EQ(CountEvents(*after, after->live(), On("view"), Compare::kEq, 2)->Cardinality(), 1u);
  // The snapshot taken before the merge still has two customers.
  EXPECT_EQ(before->live().Cardinality(), 2u);
  EXPECT_EQ(Did(*before, "buy").Cardinality(), 1u);
}

TEST(Engine, MergeIntoAPersonTheEngineHasNotSeenRekeysTheIndex) {
  Engine engine;
  Batch batch;
  batch.events = {Event(5, kT0, "login")};
  ASSERT_TRUE(engine.Apply(batch).ok());
  const CustomerIndex index = *engine.Find(5);
  batch.events.clear();
  batch.merges = {{9, 5}};
  ASSERT_TRUE(engine.Apply(batch).ok());
  EXPECT_EQ(engine.Find(9), index);
  EXPECT_EQ(engine.snapshot()->Person(index), 9);
}

TEST(Engine, CompactKeepsEveryEventAndShrinksMemory) {
  Engine engine;
  Batch batch;
  for (int i = 0; i < 1000; ++i) batch.events.push_back(Event(i % 10, kT0 + i, "login"));
  ASSERT_TRUE(engine.Apply(batch).ok());
  const MemoryStats loose = engine.snapshot()->Memory();
  engine.Compact();
  const MemoryStats tight = engine.snapshot()->Memory();
  EXPECT_EQ(tight.events, 1000u);
  EXPECT_LT(tight.event_bytes, loose.event_bytes);
  EXPECT_EQ(tight.event_bytes, 10 * (8 + 100 * 8u));  // an 8-byte header and 8 bytes per event
}

// Old snapshots keep reading their events while the writer replaces blocks under them (late
// events, merges, erasure, compaction); the replaced blocks are freed only when the last snapshot
// that may read them goes. Under ASan a block freed too early is a use-after-free here, and one
// never freed a leak.
TEST(Engine, OldSnapshotsOutliveTheBlocksTheWriterReplaces) {
  std::vector<std::shared_ptr<const Snapshot>> kept;
  std::vector<std::vector<uint32_t>> expected;  // customer 0's times in each kept snapshot
  auto times_of_first = [](const Snapshot& snapshot) {
    const internal::SequenceView view = snapshot.Sequence(0);
    return std::vector<uint32_t>(view.times, view.times + view.count);
  };
  {
    Engine engine;
    for (int round = 0; round < 30; ++round) {
      Batch batch;
      // Late events (new blocks), appends (in place) and, now and then, a merge, an erasure.
      for (int p = 1; p <= 20; ++p) {
        batch.events.push_back(Event(p, kT0 + 1000 - round, "login"));
        batch.events.push_back(Event(p, kT0 + 5000 + round, "view"));
      }
      if (round % 7 == 3) batch.merges = {{1, 100 + round}};
      if (round % 5 == 4) batch.erasures = {static_cast<PersonId>(2 + round % 19)};
      Batch absorbed;
      absorbed.events = {Event(100 + round, kT0 + 3000, "login")};
      ASSERT_TRUE(engine.Apply(absorbed).ok());
      ASSERT_TRUE(engine.Apply(batch).ok());
      if (round % 4 == 0) engine.Compact();
      kept.push_back(engine.snapshot());
      expected.push_back(times_of_first(*kept.back()));
    }
    // Drop every other snapshot, oldest first, while the engine goes on.
    for (size_t i = 0; i < kept.size(); i += 2) kept[i].reset();
    Batch more;
    more.events = {Event(1, kT0, "login")};
    ASSERT_TRUE(engine.Apply(more).ok());
  }  // the engine goes; the snapshots kept still read
  for (size_t i = 1; i < kept.size(); i += 2) {
    EXPECT_EQ(times_of_first(*kept[i]), expected[i]) << "snapshot " << i;
    for (CustomerIndex c = 0; c < kept[i]->index_count(); ++c) {
      const internal::SequenceView view = kept[i]->Sequence(c);
      EXPECT_TRUE(std::is_sorted(view.times, view.times + view.count));
    }
  }
  // Newest first, then the rest: every block is freed once (ASan's leak check).
  for (size_t i = kept.size(); i-- > 0;) kept[i].reset();
}

TEST(Engine, AnErasureRemovesEventsAttributesAndTheIndex) {
  Engine engine({{"age", AttributeKind::kInteger}, {"city", AttributeKind::kString}});
  Batch batch;
  batch.attributes = {
      {1, "age", int64_t{30}}, {1, "city", std::string("杭州")}, {2, "age", int64_t{30}}};
  batch.events = {Event(1, kT0, "login"), Event(2, kT0, "login"), Event(3, kT0, "login")};
  batch.merges = {{1, 3}};
  ASSERT_TRUE(engine.Apply(batch).ok());
  std::shared_ptr<const Snapshot> before = engine.snapshot();

  Batch erase;
  erase.erasures = {3, 99};  // 3 was absorbed by 1: erasing it erases the OneID; 99 is unknown
  Result<ApplyReport> report = engine.Apply(erase);

  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->erasures, 1u);
  const Snapshot& after = *engine.snapshot();
  EXPECT_EQ(after.live().Cardinality(), 1u);
  EXPECT_EQ(Did(after, "login").Cardinality(), 1u);
  EXPECT_EQ(AttributeCompare(after, "age", Compare::kEq, int64_t{30})->Cardinality(), 1u);
  EXPECT_EQ(AttributeIsSet(after, "city")->Cardinality(), 0u);
  EXPECT_EQ(after.Sequence(0).count, 0u);
  EXPECT_FALSE(after.Person(0).has_value());
  EXPECT_FALSE(engine.Find(1).has_value());
  // The snapshot taken before still answers as it did.
  EXPECT_EQ(Did(*before, "login").Cardinality(), 2u);
  EXPECT_EQ(before->Sequence(0).count, 2u);
}

}  // namespace
}  // namespace banyan::engine
