// Funnels, retention and trends answer the same with and without the engine's property-value
// index (QueryContext::property_index), on random data over two chunks: string `=` and `in`
// conditions on a property every chunk lists and on one past kIndexedPropertyValuesMax, unknown
// values, grouping by channel, property and attribute, members, after merges across chunks and
// erasures, and on an old snapshot read after later batches.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "analytics/funnel.h"
#include "analytics/query_json.h"
#include "analytics/retention.h"
#include "analytics/trend.h"
#include "base/random.h"
#include "engine/engine.h"

namespace banyan::analytics {
namespace {

constexpr int64_t kT0 = 1'772'323'200;  // 2026-03-01T00:00:00Z
constexpr int64_t kDay = 86'400;
constexpr engine::PersonId kPersons = 100'000;  // two chunks
constexpr int kSkus = 3 * engine::kIndexedPropertyValuesMax;

std::string Name(const char* prefix, uint64_t i) { return prefix + std::to_string(i); }

EventFilter On(std::string event, std::vector<PropertyFilter> where = {},
               std::optional<uint8_t> channel = std::nullopt) {
  return {std::move(event), channel, std::move(where)};
}
PropertyFilter Is(std::string property, std::vector<std::string> values,
                  engine::Compare op = engine::Compare::kEq) {
  PropertyFilter filter{std::move(property), op, {}};
  for (std::string& value : values) filter.values.emplace_back(std::move(value));
  return filter;
}

// Answer by answer, naming the first that differs (the texts are long).
void ExpectSame(const std::vector<std::string>& got, const std::vector<std::string>& want,
                const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_TRUE(got[i] == want[i]) << what << ": answer " << i << " differs\n"
                                   << got[i].substr(0, 400) << "\n"
                                   << want[i].substr(0, 400);
  }
}

class PropertyIndexAnswersTest : public ::testing::Test {
 protected:
  engine::Batch RandomBatch(int sessions, int merges, int erasures) {
    engine::Batch batch;
    for (int s = 0; s < sessions; ++s) {
      const engine::PersonId person = 1 + static_cast<engine::PersonId>(random_.Uniform(kPersons));
      int64_t t = kT0 + static_cast<int64_t>(random_.Uniform(60 * kDay));
      const auto channel = static_cast<uint8_t>(random_.Uniform(4));
      auto emit = [&](std::string type, std::vector<engine::EventProperty> properties) {
        batch.events.push_back({person, t, std::move(type), channel, std::move(properties)});
        t += static_cast<int64_t>(random_.Uniform(3 * kDay));
      };
      emit("view_product", {{"product", Name("p", random_.Uniform(6))},
                            {"sku", Name("s", random_.Uniform(kSkus))}});
      if (random_.Uniform(2) == 0) emit("apply", {{"product", Name("p", random_.Uniform(6))}});
      if (random_.Uniform(2) == 0) emit("submit", {{"amount", 100.0}});
      if (random_.Uniform(3) == 0) emit("approve", {});
    }
    for (int i = 0; i < 2'000; ++i) {
      const engine::PersonId person = 1 + static_cast<engine::PersonId>(random_.Uniform(kPersons));
      batch.attributes.push_back({person, "tier", Name("t", random_.Uniform(4))});
    }
    // One customer who viewed only another product, with a tier of its own: grouped by tier, the
    // card funnel shows its tier with nobody in it, index or not (groups are made of who did the
    // entry's type).
    batch.events.push_back({kPersons + 1,
                            kT0 + kDay,
                            "view_product",
                            0,
                            {{"product", std::string("p5")}, {"sku", std::string("s0")}}});
    batch.attributes.push_back({kPersons + 1, "tier", std::string("viewer_only")});
    for (int m = 0; m < merges; ++m) {
      batch.merges.push_back({1 + static_cast<engine::PersonId>(random_.Uniform(kPersons)),
                              1 + static_cast<engine::PersonId>(random_.Uniform(kPersons))});
    }
    for (int x = 0; x < erasures; ++x) {
      batch.erasures.push_back(1 + static_cast<engine::PersonId>(random_.Uniform(kPersons)));
    }
    return batch;
  }

  static std::vector<FunnelQuery> Funnels() {
    const DateRange range{CivilDay(2026, 3, 1), CivilDay(2026, 4, 15)};
    const GroupBy channel{GroupKind::kChannel, "", {}};
    const GroupBy tier{GroupKind::kAttribute, "tier", {}};
    const GroupBy product{GroupKind::kProperty, "product", {}};
    const std::vector<EventFilter> card = {On("view_product", {Is("product", {"p0"})}), On("apply"),
                                           On("submit"), On("approve")};
    return {
        {card, 7 * kDay, FunnelOrder::kStrict, range, std::nullopt, {}},
        {card, 7 * kDay, FunnelOrder::kStrict, range, std::nullopt, channel},
        {card, 3 * kDay, FunnelOrder::kAnyOrder, range,
         DateRange{CivilDay(2026, 3, 10), CivilDay(2026, 3, 20)}, tier},
        // A value past the limit in some chunk; `in`; two conditions and a channel.
        {{On("view_product", {Is("sku", {Name("s", kSkus - 1)})}),
          On("apply", {Is("product", {"p1", "p2"})})},
         10 * kDay,
         FunnelOrder::kStrict,
         range,
         std::nullopt,
         product},
        {{On("view_product", {Is("product", {"p0", "p3"}), Is("sku", {"s1"}, engine::Compare::kNe)},
             2),
          On("submit")},
         5 * kDay,
         FunnelOrder::kStrict,
         range,
         std::nullopt,
         tier},
        {{On("view_product", {Is("sku", {"s1", Name("s", kSkus - 2), "nobody"})}), On("approve")},
         5 * kDay,
         FunnelOrder::kAnyOrder,
         range,
         std::nullopt,
         channel},
        {{On("view_product", {Is("product", {"nobody"})}), On("approve")},
         5 * kDay,
         FunnelOrder::kStrict,
         range,
         std::nullopt,
         {}},
    };
  }

  // Every answer, as JSON text, with the index or without it.
  std::vector<std::string> Answers(const engine::Snapshot& snapshot, bool property_index) {
    static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
    QueryContext context;
    context.snapshot = &snapshot;
    context.calendar = &calendar;
    context.now = FromUnixMicros((kT0 + 50 * kDay) * 1'000'000);
    context.population = snapshot.live();
    context.threads = 2;
    context.slice_customers_min = 1'000;
    context.property_index = property_index;
    std::vector<std::string> out;
    for (const FunnelQuery& query : Funnels()) {
      Result<FunnelResult> result = RunFunnel(context, query);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (result.ok()) out.push_back(FunnelResultJson(query, *result).dump());
      for (const FunnelMembersKind kind :
           {FunnelMembersKind::kDroppedAt, FunnelMembersKind::kConverted}) {
        Result<engine::Bitmap> members = FunnelMembers(context, query, {std::nullopt, 2, kind});
        EXPECT_TRUE(members.ok());
        if (members.ok()) out.push_back(members->Serialize());
      }
    }
    const DateRange range{CivilDay(2026, 3, 1), CivilDay(2026, 3, 31)};
    RetentionQuery retention;
    retention.start = On("view_product", {Is("product", {"p2"})});
    retention.return_event = On("apply", {Is("product", {"p2", "p4"})});
    retention.range = range;
    retention.group_by = {GroupKind::kAttribute, "tier", {}};
    for (const bool unbounded : {false, true}) {
      retention.unbounded = unbounded;
      retention.interval = unbounded ? Interval::kWeek : Interval::kDay;
      Result<RetentionResult> result = RunRetention(context, retention);
      EXPECT_TRUE(result.ok()) << result.status().ToString();
      if (result.ok()) out.push_back(RetentionResultJson(retention, *result).dump());
    }
    retention.start = On("view_product", {Is("sku", {Name("s", kSkus - 3)})});
    retention.group_by = {GroupKind::kChannel, "", {}};
    Result<RetentionResult> by_sku = RunRetention(context, retention);
    EXPECT_TRUE(by_sku.ok());
    if (by_sku.ok()) out.push_back(RetentionResultJson(retention, *by_sku).dump());
    Result<engine::Bitmap> cohort =
        RetentionMembers(context, retention, {std::nullopt, "2026-03-02", 1});
    EXPECT_TRUE(cohort.ok()) << cohort.status().ToString();
    if (cohort.ok()) out.push_back(cohort->Serialize());
    TrendQuery trend;
    trend.event = On("apply", {Is("product", {"p5"})});
    trend.measure = TrendMeasure::kUniques;
    trend.range = range;
    trend.group_by = {GroupKind::kAttribute, "tier", {}};
    Result<TrendResult> uniques = RunTrend(context, trend);
    EXPECT_TRUE(uniques.ok());
    if (uniques.ok()) out.push_back(TrendResultJson(trend, *uniques).dump());
    trend.event = On("view_product", {Is("sku", {"s3", Name("s", kSkus - 1)})});
    trend.group_by = {GroupKind::kProperty, "product", {}};
    trend.measure = TrendMeasure::kCount;
    Result<TrendResult> count = RunTrend(context, trend);
    EXPECT_TRUE(count.ok());
    if (count.ok()) out.push_back(TrendResultJson(trend, *count).dump());
    return out;
  }

  SeededRandom random_{6};
};

TEST_F(PropertyIndexAnswersTest, SameWithAndWithoutTheIndexThroughMergesAndOnOldSnapshots) {
  engine::Engine engine({{"tier", engine::AttributeKind::kString}});
  std::shared_ptr<const engine::Snapshot> old;
  std::vector<std::string> old_answers;
  for (int b = 0; b < 3; ++b) {
    ASSERT_TRUE(
        engine.Apply(RandomBatch(b == 0 ? 150'000 : 8'000, b == 0 ? 0 : 1'500, b == 0 ? 0 : 100))
            .ok());
    const std::shared_ptr<const engine::Snapshot> snapshot = engine.snapshot();
    ASSERT_EQ(snapshot->chunk_count(), 2u);
    const std::vector<std::string> indexed = Answers(*snapshot, true);
    ExpectSame(Answers(*snapshot, false), indexed, "batch " + std::to_string(b));
    if (b == 1) {
      old = snapshot;
      old_answers = indexed;
    }
  }
  // The index narrows the card funnel's entry to the card's viewers.
  const engine::Snapshot& now = *engine.snapshot();
  const uint32_t view = *now.catalog().event_types->Find("view_product");
  const uint32_t product = *now.catalog().property_keys->Find("product");
  const uint32_t p0 = *now.catalog().property_values->Find("p0");
  EXPECT_LT(now.EverDidWith(view, product, std::span<const uint32_t>(&p0, 1)).Cardinality() * 3,
            now.EverDid(view).Cardinality());
  // An old snapshot answers as it did, with the index and without.
  ExpectSame(Answers(*old, true), old_answers, "old snapshot, indexed");
  ExpectSame(Answers(*old, false), old_answers, "old snapshot, unindexed");
}

}  // namespace
}  // namespace banyan::analytics
