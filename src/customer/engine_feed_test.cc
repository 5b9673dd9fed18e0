// The customer service feeding the analytic engine, over real parts (SQLite, the event log, the
// ingestor, the key ring, the identity graph): what ingestion, merges, erasure and a restart
// leave in the engine's snapshot.

#include "customer/engine_feed.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>

#include "customer/customer_service.h"
#include "customer/testing/customer_fixture.h"
#include "engine/query.h"

namespace banyan::customer {
namespace {

class EngineFeedTest : public testing::CustomerFixture {
 protected:
  void SetUp() override {
    CustomerFixture::SetUp();
    SeedOrg();
    Start();
  }
  CustomerOptions Options() const override {
    CustomerOptions options;
    options.engine = true;
    return options;
  }

  // Flushes the service and waits for the engine to apply everything queued.
  std::shared_ptr<const engine::Snapshot> Settled() {
    EXPECT_TRUE(service_->Flush().ok());
    service_->WaitForEngine();
    return service_->engine().snapshot();
  }
};

engine::EventCondition Did(std::string type) {
  engine::EventCondition condition;
  condition.type = std::move(type);
  condition.from_seconds = engine::kEpochBaseSeconds;
  return condition;
}

// The OneIDs in `bitmap`.
std::vector<PersonId> Persons(const engine::Snapshot& snapshot, const engine::Bitmap& bitmap) {
  std::vector<PersonId> out;
  bitmap.ForEach([&](uint32_t index) {
    out.push_back(snapshot.Person(index).value_or(-1));
    return true;
  });
  return out;
}

std::vector<PersonId> WhoDid(const engine::Snapshot& snapshot, std::string type, int64_t n = 1) {
  auto matched =
      engine::CountEvents(snapshot, snapshot.live(), Did(std::move(type)), engine::Compare::kGe, n);
  EXPECT_TRUE(matched.ok()) << matched.status().ToString();
  return matched.ok() ? Persons(snapshot, *matched) : std::vector<PersonId>{};
}

std::vector<PersonId> Where(const engine::Snapshot& snapshot, std::string_view attribute,
                            engine::AttributeValue value) {
  auto matched = engine::AttributeCompare(snapshot, attribute, engine::Compare::kEq, value);
  EXPECT_TRUE(matched.ok()) << matched.status().ToString();
  return matched.ok() ? Persons(snapshot, *matched) : std::vector<PersonId>{};
}

TEST_F(EngineFeedTest, EventsAndTraitsShowUpAsTheirCustomer) {
  Send(R"({"type":"identify","userId":"u1","messageId":"m1",
           "traits":{"phone":"13812345678","city":"杭州","aum":"523410.25","name":"王小明"}})");
  Send(R"({"type":"track","event":"view_product","userId":"u1","messageId":"m2",
           "properties":{"product":"fund","amount":12.5,"nested":{"a":1}}})");
  Send(R"({"type":"track","event":"view_product","userId":"u2","messageId":"m3"})");

  auto snapshot = Settled();

  const PersonId u1 = FindOne("phone", "13812345678");
  EXPECT_EQ(Where(*snapshot, "city", std::string("杭州")), std::vector<PersonId>{u1});
  EXPECT_EQ(Where(*snapshot, "aum", int64_t{52341025}), std::vector<PersonId>{u1});
  EXPECT_EQ(WhoDid(*snapshot, "$identify"), std::vector<PersonId>{u1});
  EXPECT_EQ(WhoDid(*snapshot, "view_product").size(), 2u);
  EXPECT_FALSE(snapshot->catalog().FindAttribute("name").has_value());
  EXPECT_FALSE(snapshot->catalog().FindAttribute("phone").has_value());
  EXPECT_EQ(service_->engine_feed()->counters().properties_skipped.load(), 1);  // "nested"
}

TEST_F(EngineFeedTest, ConsentBecomesABooleanPerPurposeAndChannel) {
  Send(R"({"type":"track","event":"$consent","userId":"u1","messageId":"c1",
           "properties":{"purpose":"marketing","channel":"sms","granted":true}})");
  Send(R"({"type":"track","event":"$consent","userId":"u2","messageId":"c2",
           "properties":{"purpose":"marketing","channel":"sms","granted":false}})");

  auto snapshot = Settled();

  EXPECT_EQ(Where(*snapshot, "consent.marketing.sms", true),
            std::vector<PersonId>{FindOne("app_user_id", "u1")});
  EXPECT_EQ(Where(*snapshot, "consent.marketing.sms", false),
            std::vector<PersonId>{FindOne("app_user_id", "u2")});
}

TEST_F(EngineFeedTest, AMergeReHomesTheAbsorbedHistory) {
  Send(R"({"type":"track","event":"open_app","anonymousId":"a1","messageId":"m1"})");
  Send(R"({"type":"track","event":"login","userId":"u1","messageId":"m2"})");
  ASSERT_EQ(Settled()->live().Cardinality(), 2u);

  Send(R"({"type":"identify","userId":"u1","anonymousId":"a1","messageId":"m3",
           "traits":{"city":"杭州"}})");
  auto snapshot = Settled();

  const PersonId one = FindOne("app_user_id", "u1");
  EXPECT_EQ(snapshot->live().Cardinality(), 1u);
  EXPECT_EQ(WhoDid(*snapshot, "open_app"), std::vector<PersonId>{one});
  EXPECT_EQ(WhoDid(*snapshot, "login"), std::vector<PersonId>{one});
  EXPECT_EQ(Where(*snapshot, "city", std::string("杭州")), std::vector<PersonId>{one});
}

TEST_F(EngineFeedTest, AnErasureRemovesTheCustomer) {
  Send(R"({"type":"identify","userId":"u1","messageId":"m1","traits":{"city":"杭州"}})");
  Send(R"({"type":"track","event":"view_product","userId":"u1","messageId":"m2"})");
  Send(R"({"type":"track","event":"view_product","userId":"u2","messageId":"m3"})");
  ASSERT_EQ(Settled()->live().Cardinality(), 2u);

  ASSERT_TRUE(service_->Erase(auth::Principal::System(), FindOne("app_user_id", "u1"), {}).ok());
  auto snapshot = Settled();

  EXPECT_EQ(snapshot->live().Cardinality(), 1u);
  EXPECT_EQ(WhoDid(*snapshot, "view_product"), std::vector<PersonId>{FindOne("app_user_id", "u2")});
  EXPECT_TRUE(Where(*snapshot, "city", std::string("杭州")).empty());
  EXPECT_EQ(snapshot->Memory().events, 1u);
}

TEST_F(EngineFeedTest, VisibleCustomersFollowTheReadScope) {
  Send(R"({"type":"identify","userId":"mine","messageId":"m1",
           "traits":{"home_branch":"XIXI","relationship_manager":"rm.xixi"}})");
  Send(R"({"type":"identify","userId":"xixi","messageId":"m2","traits":{"home_branch":"XIXI"}})");
  Send(R"({"type":"identify","userId":"west","messageId":"m3","traits":{"home_branch":"WEST"}})");
  Send(R"({"type":"identify","userId":"nowhere","messageId":"m4"})");
  auto snapshot = Settled();
  const PersonId mine = FindOne("app_user_id", "mine"), xixi = FindOne("app_user_id", "xixi");
  const PersonId west = FindOne("app_user_id", "west");
  auto visible = [&](const auth::Principal& who) {
    auto bitmap = service_->VisibleCustomers(who, *snapshot);
    EXPECT_TRUE(bitmap.ok()) << bitmap.status().ToString();
    std::vector<PersonId> persons =
        bitmap.ok() ? Persons(*snapshot, *bitmap) : std::vector<PersonId>{};
    std::sort(persons.begin(), persons.end());
    return persons;
  };
  auto sorted = [](std::vector<PersonId> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(visible(testing::Rm()), std::vector<PersonId>{mine});
  EXPECT_EQ(visible(testing::Manager(2, "/1/2/")), sorted({mine, xixi}));
  EXPECT_EQ(visible(testing::Manager(3, "/1/3/")), std::vector<PersonId>{west});
  EXPECT_EQ(visible(testing::Manager(1, "/1/")).size(), 3u);  // not the one without a branch
  EXPECT_EQ(visible(auth::Principal::System()).size(), 4u);
  auth::Principal stranger = testing::Manager(9, "/1/9/");
  EXPECT_TRUE(visible(stranger).empty());
}

TEST_F(EngineFeedTest, ARestartRebuildsTheSameState) {
  Send(R"({"type":"identify","userId":"u1","messageId":"m1",
           "traits":{"city":"杭州","risk_level":"R3","products":["fund","card"]}})");
  Send(R"({"type":"track","event":"open_app","anonymousId":"a1","messageId":"m2"})");
  Send(R"({"type":"identify","userId":"u1","anonymousId":"a1","messageId":"m3"})");
  Send(R"({"type":"page","name":"home","userId":"u2","messageId":"m4"})");
  Send(R"({"type":"track","event":"$consent","userId":"u2","messageId":"c1",
           "properties":{"purpose":"marketing","channel":"all","granted":true}})");
  auto before = Settled();
  const engine::MemoryStats counts = before->Memory();

  Stop();
  Start();
  auto after = service_->engine().snapshot();

  EXPECT_EQ(after->Memory().customers, counts.customers);
  EXPECT_EQ(after->Memory().events, counts.events);
  const PersonId u1 = FindOne("app_user_id", "u1"), u2 = FindOne("app_user_id", "u2");
  EXPECT_EQ(Where(*after, "risk_level", std::string("R3")), std::vector<PersonId>{u1});
  EXPECT_EQ(WhoDid(*after, "open_app"), std::vector<PersonId>{u1});
  EXPECT_EQ(WhoDid(*after, "$page"), std::vector<PersonId>{u2});
  EXPECT_EQ(Where(*after, "consent.marketing.wechat", true), std::vector<PersonId>{u2});
  auto products = engine::AttributeContains(*after, "products", "card");
  ASSERT_TRUE(products.ok());
  EXPECT_EQ(Persons(*after, *products), std::vector<PersonId>{u1});
}

TEST(EngineFeed, AFullQueueTurnsIngestionAwayAndCountsWhatItDrops) {
  banyan::testing::ManualClock clock(FromUnixMicros(1'700'000'000'000'000));
  EngineFeedOptions options;
  options.batch_interval = std::chrono::hours(1);  // only WaitIdle drains
  options.queue_events_soft_max = 2;
  options.queue_events_max = 3;
  EngineFeed feed({}, clock, options);
  for (int i = 0; i < 5; ++i) feed.AddEvent({1, 1'700'000'000 + i, "login", 0, {}});

  EXPECT_TRUE(feed.Backpressure());
  clock.Advance(std::chrono::seconds(2));
  EXPECT_DOUBLE_EQ(feed.ApplyLagSeconds(), 2.0);
  feed.WaitIdle();

  EXPECT_FALSE(feed.Backpressure());
  EXPECT_EQ(feed.ApplyLagSeconds(), 0.0);
  EXPECT_EQ(feed.counters().queue_full.load(), 1);      // the third, over the soft bound
  EXPECT_EQ(feed.counters().events_dropped.load(), 2);  // the fourth and fifth
  EXPECT_EQ(feed.engine().snapshot()->Memory().events, 3u);
}

TEST(EngineFeed, NothingAddressedToAnErasedPersonComesBack) {
  banyan::testing::ManualClock clock(FromUnixMicros(1'700'000'000'000'000));
  EngineFeed feed({{"city", engine::AttributeKind::kString}}, clock);
  feed.AddEvent({1, 1'700'000'000, "login", 0, {}});
  feed.AddEvent({2, 1'700'000'000, "login", 0, {}});
  feed.AddErasure({1});
  feed.WaitIdle();
  // Resolved before the erasure, queued after it.
  feed.AddEvent({1, 1'700'000'001, "login", 0, {}});
  feed.AddAttributes({{1, "city", std::string("杭州")}});
  feed.AddMerge({2, 1});
  feed.WaitIdle();

  auto snapshot = feed.engine().snapshot();
  EXPECT_EQ(snapshot->live().Cardinality(), 1u);
  EXPECT_EQ(snapshot->Memory().events, 1u);
  EXPECT_EQ(Persons(*snapshot, snapshot->live()), std::vector<PersonId>{2});
  EXPECT_EQ(feed.counters().erasures.load(), 1);
  EXPECT_EQ(feed.counters().attributes_skipped.load(), 1);
}

}  // namespace
}  // namespace banyan::customer
