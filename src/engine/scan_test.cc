#include "engine/scan.h"

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace banyan::engine {
namespace {

constexpr int64_t kT = 1'750'000'000;

class ScanTest : public ::testing::Test {
 protected:
  ScanTest() : engine_({{"lat", AttributeKind::kDecimal}, {"tier", AttributeKind::kString}}) {
    Batch batch;
    batch.attributes = {
        {1, "lat", int64_t{30274100}}, {3, "lat", int64_t{-5}}, {2, "tier", std::string("gold")}};
    // Out of time order on purpose: the cursor reads the sequence, which is in time order.
    batch.events = {{1, kT + 20, "buy", 2, {{"amount", 12.5}, {"sku", std::string("x")}}},
                    {1, kT, "view", 1, {{"sku", std::string("y")}}},
                    {1, kT + 10, "view", 3, {}},
                    {1, kT + 10, "buy", 2, {{"amount", 1.0}}}};
    CHECK(engine_.Apply(batch).ok());
    snapshot_ = engine_.snapshot();
  }

  // (time, type name, channel) of the events in [from, to).
  std::vector<std::tuple<int64_t, std::string, int>> Read(int64_t from, int64_t to) const {
    std::vector<std::tuple<int64_t, std::string, int>> out;
    EventCursor cursor(*snapshot_, *engine_.Find(1), from, to);
    while (cursor.Next()) {
      out.emplace_back(cursor.time_seconds(), snapshot_->catalog().event_types->Name(cursor.type()),
                       cursor.channel());
    }
    return out;
  }

  Engine engine_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(ScanTest, CursorReadsTheHalfOpenWindowInTimeOrder) {
  using E = std::tuple<int64_t, std::string, int>;
  EXPECT_EQ(Read(kT, kT + 21),
            (std::vector<E>{
                {kT, "view", 1}, {kT + 10, "view", 3}, {kT + 10, "buy", 2}, {kT + 20, "buy", 2}}));
  EXPECT_EQ(Read(kT + 10, kT + 20), (std::vector<E>{{kT + 10, "view", 3}, {kT + 10, "buy", 2}}));
  EXPECT_EQ(Read(kT + 1, kT + 10), std::vector<E>{});
  EXPECT_EQ(Read(kT + 20, kT + 20), std::vector<E>{});
  EXPECT_EQ(Read(kEpochBaseSeconds - 100, kEventTimeSecondsMax + 1).size(), 4u);
}

TEST_F(ScanTest, CursorDecodesEachEventsOwnProperties) {
  const Snapshot& s = *snapshot_;
  const uint32_t amount = *s.catalog().property_keys->Find("amount");
  const uint32_t sku = *s.catalog().property_keys->Find("sku");
  EventCursor cursor(s, *engine_.Find(1), kT, kT + 100);
  ASSERT_TRUE(cursor.Next());  // view sku=y
  EXPECT_FALSE(cursor.Property(amount).has_value());
  ASSERT_TRUE(cursor.Property(sku).has_value());
  EXPECT_TRUE(cursor.Property(sku)->is_string);
  EXPECT_EQ(s.catalog().property_values->Name(cursor.Property(sku)->value), "y");
  ASSERT_TRUE(cursor.Next());  // view, no properties
  EXPECT_FALSE(cursor.Property(sku).has_value());
  ASSERT_TRUE(cursor.Next());  // buy amount=1
  EXPECT_EQ(cursor.Property(amount)->value, 100);
  ASSERT_TRUE(cursor.Next());  // buy amount=12.5 sku=x
  EXPECT_EQ(cursor.Property(amount)->value, 1250);
  EXPECT_FALSE(cursor.Property(amount)->is_string);
  EXPECT_EQ(s.catalog().property_values->Name(cursor.Property(sku)->value), "x");
  EXPECT_FALSE(cursor.Next());
}

TEST_F(ScanTest, NumericValuesOfCandidatesThatHaveOne) {
  const Snapshot& s = *snapshot_;
  const CustomerIndex one = *engine_.Find(1), two = *engine_.Find(2), three = *engine_.Find(3);
  using V = std::vector<std::pair<CustomerIndex, int64_t>>;
  EXPECT_EQ(*NumericValues(s, "lat", Bitmap{one, two, three}), (V{{one, 30274100}, {three, -5}}));
  EXPECT_EQ(*NumericValues(s, "lat", Bitmap{two}), V{});
  EXPECT_EQ(NumericValues(s, "nope", Bitmap{one}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(NumericValues(s, "tier", Bitmap{one}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace banyan::engine
