#include "events/ingest.h"

#include <fmt/format.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "base/testing/manual_clock.h"
#include "base/time.h"
#include "events/event_query.h"

namespace banyan::events {
namespace {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("banyan_ingest_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Open();
  }
  void TearDown() override {
    ingestor_.reset();
    log_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open(IngestOptions options = {}) {
    ingestor_.reset();
    log_.reset();
    auto log = EventLog::Open(EventLogOptions{.dir = dir_.string()}, clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    auto ingestor = Ingestor::Open(std::move(options), *log_, clock_, random_);
    ASSERT_TRUE(ingestor.ok()) << ingestor.status().ToString();
    ingestor_ = std::move(*ingestor);
  }
  Result<IngestReport> Send(std::string_view body, std::string source = "key-1") {
    auto decoded = ingestor_->DecodeSegment(body, SegmentCall::kFromBody);
    if (!decoded.ok()) return decoded.status();
    std::promise<Result<IngestReport>> result;
    Status submitted = ingestor_->Store(std::move(decoded->events), source,
                                        [&](Result<IngestReport> r) { result.set_value(r); });
    if (!submitted.ok()) return submitted;
    return result.get_future().get();
  }
  std::string Batch(std::vector<std::string> ids, std::string event = "view_product") {
    std::string body = R"({"batch":[)";
    for (size_t i = 0; i < ids.size(); ++i) {
      body += (i ? "," : "") + std::string(R"({"type":"track","event":")") + event +
              R"(","userId":"u1","messageId":")" + ids[i] +
              R"(","timestamp":"2026-11-22T01:00:00Z","properties":{"amount":5}})";
    }
    return body + "]}";
  }

  std::filesystem::path dir_;
  testing::ManualClock clock_{*ParseRfc3339("2026-11-22T02:00:00Z")};
  SeededRandom random_{1};
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<Ingestor> ingestor_;
};

TEST_F(IngestTest, StoresOnceAndAcknowledgesDuplicates) {
  auto first = Send(Batch({"m1", "m2", "m2"}));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->stored, 2);
  EXPECT_EQ(first->duplicates, 1);
  auto retry = Send(Batch({"m1", "m2", "m3"}));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->stored, 1);
  EXPECT_EQ(retry->duplicates, 2);
  // Another write key is another source: its m1 is a different event.
  EXPECT_EQ(Send(Batch({"m1"}), "key-2")->stored, 1);
  EXPECT_EQ(log_->Stats().records, 4u);
}

// Records what the sink saw, and checks that it is called before the request is acknowledged.
class RecordingSink : public DurableEventSink {
 public:
  void OnDurable(SequenceRange range, std::span<const Event> events) override {
    EXPECT_EQ(range.count, events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      seen.push_back(fmt::format("{}:{}", range.first + i, events[i].message_id));
    }
  }
  std::vector<std::string> seen;
};

TEST_F(IngestTest, SinkSeesEachNewDurableEventOnceInSequenceOrder) {
  RecordingSink sink;
  Open(IngestOptions{.sink = &sink});
  ASSERT_EQ(Send(Batch({"m1", "m2", "m2"}))->stored, 2);
  EXPECT_EQ(sink.seen, (std::vector<std::string>{"0:m1", "1:m2"}));  // before the ack
  ASSERT_EQ(Send(Batch({"m2", "m3"}))->stored, 1);  // the duplicate is not seen again
  EXPECT_EQ(sink.seen, (std::vector<std::string>{"0:m1", "1:m2", "2:m3"}));
}

TEST_F(IngestTest, DedupSurvivesARestart) {
  ASSERT_TRUE(Send(Batch({"m1", "m2"})).ok());
  Open();
  auto again = Send(Batch({"m1", "m2", "m3"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->stored, 1);
  EXPECT_EQ(again->duplicates, 2);
}

TEST_F(IngestTest, ForgetsIdsOutsideTheWindow) {
  ASSERT_TRUE(Send(Batch({"m1"})).ok());
  clock_.Advance(std::chrono::hours(24 * 8));
  ASSERT_TRUE(ingestor_->Maintain().ok());
  EXPECT_EQ(Send(Batch({"m1"}))->stored, 1);
}

TEST_F(IngestTest, BadRequestsStoreNothing) {
  EXPECT_EQ(Send(R"({"batch":[{"type":"track","event":"x"}]})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Send("{not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->Stats().records, 0u);
  EXPECT_EQ(ingestor_->counters().requests_invalid.load(), 2);
}

TEST_F(IngestTest, TrackingPlanRejectsAndFlags) {
  auto plan = TrackingPlan::FromJson(R"({"events":[
    {"event":"apply_card","policy":"reject","properties":{"amount":{"type":"number","required":true}}},
    {"event":"view_product","policy":"accept_and_flag","properties":{"amount":{"type":"string"}}}]})");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Open(IngestOptions{.plan = *plan});
  auto rejected =
      Send(R"({"batch":[{"type":"track","event":"apply_card","userId":"u","messageId":"a1"}]})");
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->rejected, 1);
  EXPECT_EQ(rejected->stored, 0);
  auto flagged = Send(Batch({"f1"}));
  ASSERT_TRUE(flagged.ok());
  EXPECT_EQ(flagged->flagged, 1);
  auto page = QueryEvents(*log_, EventQuery{.message_id = "f1"});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_NE(page->items[0].event.context.find("banyan_plan_violations"), std::string::npos);
  EXPECT_FALSE(ingestor_->RecentViolations().empty());
}

TEST_F(IngestTest, QueryPagesNewestFirstWithFilters) {
  std::vector<std::string> ids;
  for (int i = 0; i < 25; ++i) ids.push_back("q" + std::to_string(i));
  ASSERT_TRUE(Send(Batch(ids)).ok());
  ASSERT_TRUE(Send(Batch({"other"}, "apply_card")).ok());
  std::vector<std::string> seen;
  EventQuery query{.name = "view_product", .limit = 10};
  for (;;) {
    auto page = QueryEvents(*log_, query);
    ASSERT_TRUE(page.ok());
    for (const auto& item : page->items) seen.push_back(item.event.message_id);
    if (!page->next_before_sequence) break;
    query.before_sequence = page->next_before_sequence;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), "q24");
  EXPECT_EQ(seen.back(), "q0");
  auto by_user = QueryEvents(*log_, EventQuery{.identifier = Identifier{"app_user_id", "u1"}});
  EXPECT_EQ(by_user->items.size(), 26u);
}

}  // namespace
}  // namespace banyan::events
