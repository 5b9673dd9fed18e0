#include "engine/snapshot_file.h"

#include <gtest/gtest.h>

#include "base/testing/temp_dir.h"
#include "engine/engine.h"
#include "engine/query.h"
#include "engine/testing/conditions.h"

namespace banyan::engine {
namespace {

using testing::On;

constexpr int64_t kT0 = 1'700'000'000;

std::unique_ptr<Engine> Sample() {
  auto engine =
      std::make_unique<Engine>(std::vector<AttributeSpec>{{"age", AttributeKind::kInteger},
                                                          {"vip", AttributeKind::kBoolean},
                                                          {"tier", AttributeKind::kString},
                                                          {"tags", AttributeKind::kStringList}});
  Batch batch;
  for (PersonId p = 1; p <= 70'000; p += 7) {
    batch.attributes.push_back({p, "age", p % 80});
    if (p % 3 == 0) batch.attributes.push_back({p, "vip", p % 2 == 0});
    batch.attributes.push_back({p, "tier", std::string(p % 5 == 0 ? "gold" : "mass")});
    if (p % 4 == 0) batch.attributes.push_back({p, "tags", std::vector<std::string>{"a", "b"}});
    batch.events.push_back({p, kT0 + p, "view", 1, {{"product", std::string("card")}}});
    batch.events.push_back({p, kT0 - p, "buy", 2, {{"amount", 12.5}}});
  }
  batch.merges = {{1, 8}};
  CHECK(engine->Apply(batch).ok());
  return engine;
}

void ExpectSameState(const Snapshot& a, const Snapshot& b) {
  EXPECT_EQ(a.version(), b.version());
  EXPECT_EQ(a.index_count(), b.index_count());
  EXPECT_EQ(a.live(), b.live());
  for (uint32_t i = 0; i < a.index_count(); ++i) {
    ASSERT_EQ(a.Person(i), b.Person(i));
    internal::SequenceView x = a.Sequence(i), y = b.Sequence(i);
    ASSERT_EQ(x.count, y.count);
    ASSERT_EQ(x.PropertyOffset(x.count), y.PropertyOffset(y.count));
    for (uint32_t e = 0; e < x.count; ++e) {
      ASSERT_EQ(x.times[e], y.times[e]);
      ASSERT_EQ(x.types[e], y.types[e]);
      ASSERT_EQ(x.channels[e], y.channels[e]);
    }
  }
  for (const char* attribute : {"age", "vip", "tier", "tags"}) {
    EXPECT_EQ(*AttributeIsSet(a, attribute), *AttributeIsSet(b, attribute)) << attribute;
  }
  EXPECT_EQ(*AttributeBetween(a, "age", 20, 40), *AttributeBetween(b, "age", 20, 40));
  EXPECT_EQ(*AttributeCompare(a, "vip", Compare::kEq, true),
            *AttributeCompare(b, "vip", Compare::kEq, true));
  EXPECT_EQ(*AttributeCompare(a, "tier", Compare::kEq, std::string("gold")),
            *AttributeCompare(b, "tier", Compare::kEq, std::string("gold")));
  EXPECT_EQ(*AttributeContains(a, "tags", "b"), *AttributeContains(b, "tags", "b"));
  EventCondition cards =
      On("view", kEpochBaseSeconds, {{"product", Compare::kEq, std::string("card")}});
  EXPECT_EQ(*CountEvents(a, a.live(), cards, Compare::kGe, 1),
            *CountEvents(b, b.live(), cards, Compare::kGe, 1));
  EXPECT_EQ(
      *AggregateProperty(a, a.live(), On("buy"), Aggregate::kSum, "amount", Compare::kEq, 25),
      *AggregateProperty(b, b.live(), On("buy"), Aggregate::kSum, "amount", Compare::kEq, 25));
}

TEST(SnapshotFile, WritesLoadsAndCompares) {
  std::unique_ptr<Engine> engine = Sample();
  banyan::testing::TempDir dir("banyan_engine");
  const std::filesystem::path path = std::filesystem::path(dir.path()) / "engine.snapshot";
  ASSERT_TRUE(WriteSnapshotFile(*engine->snapshot(), path).ok());
  Result<std::shared_ptr<const Snapshot>> loaded = LoadSnapshotFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ExpectSameState(*engine->snapshot(), **loaded);
  // An engine resumed from the file goes on where the first left off.
  Engine resumed(*loaded);
  // (Merge redirects are not in the file: OneID hands the engine roots, see docs/engine.md.)
  EXPECT_EQ(resumed.Find(1), engine->Find(1));
  EXPECT_EQ(resumed.Find(15), engine->Find(15));
  EXPECT_EQ(EncodeSnapshot(**loaded), EncodeSnapshot(*engine->snapshot()));
}

TEST(SnapshotFile, EveryDamagedByteIsDataLossNotACrash) {
  Engine engine({{"age", AttributeKind::kInteger}});
  Batch batch;
  batch.attributes = {{1, "age", int64_t{3}}};
  batch.events = {{1, kT0, "view", 1, {{"product", std::string("card")}}}};
  ASSERT_TRUE(engine.Apply(batch).ok());
  const std::string bytes = EncodeSnapshot(*engine.snapshot());
  ASSERT_TRUE(DecodeSnapshot(bytes).ok());
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x5A;
    EXPECT_EQ(DecodeSnapshot(damaged).status().code(), StatusCode::kDataLoss) << "byte " << i;
  }
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(DecodeSnapshot(bytes.substr(0, size)).ok()) << "size " << size;
  }
}

TEST(SnapshotFile, MissingFileIsNotFound) {
  EXPECT_EQ(LoadSnapshotFile("/nonexistent/engine.snapshot").status().code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace banyan::engine
