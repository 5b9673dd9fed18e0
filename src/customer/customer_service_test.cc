#include "customer/customer_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>

#include "customer/testing/customer_fixture.h"

namespace banyan::customer {
namespace {

constexpr std::string_view kPhone = "13812345678";
constexpr std::string_view kName = "王小明";

class CustomerServiceTest : public testing::CustomerFixture {
 protected:
  void SetUp() override {
    CustomerFixture::SetUp();
    SeedOrg();
    Start();
  }

  std::string FileBytes(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

using testing::Manager;
using testing::Rm;

TEST_F(CustomerServiceTest, IdentifyMakesOneMaskedCustomerFoundByAnyIdentifier) {
  Send(R"({"batch":[
    {"type":"track","event":"app_open","anonymousId":"a1","messageId":"m1"},
    {"type":"identify","userId":"u1","anonymousId":"a1","messageId":"m2",
     "traits":{"name":"王小明","phone":"138-1234-5678","city":"杭州"}}]})");
  const PersonId id = FindOne("phone", "+86 13812345678");
  EXPECT_EQ(FindOne("anonymous_id", "a1"), id);
  EXPECT_EQ(FindOne("app_user_id", "u1"), id);
  ASSERT_TRUE(service_->Flush().ok());
  auto view = service_->Get(auth::Principal::System(), id);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ((*view)["profile"]["name"]["value"], "王**");
  EXPECT_EQ((*view)["profile"]["city"]["value"], "杭州");
  EXPECT_EQ((*view)["recent_events"].size(), 2u);
  EXPECT_EQ((*view)["recent_events"][0]["message_id"], "m2");
  const std::string text = view->dump();
  EXPECT_EQ(text.find(kName), std::string::npos);
  EXPECT_EQ(text.find(kPhone), std::string::npos);
}

// SDKs also carry identifiers and person traits in the context (Segment's context.externalIds
// and context.traits): the timeline masks them as it masks the event's own; the 360's recent
// events leave the context out.
TEST_F(CustomerServiceTest, TimelineMasksIdentifiersAndTraitsInTheContext) {
  Send(R"({"batch":[
    {"type":"track","event":"view_product","userId":"u1","messageId":"m1",
     "context":{"externalIds":[{"id":"13812345678","type":"phone","collection":"users",
                                "encoding":"none"}],
                "traits":{"name":"王小明","email":"xiaoming@example.com","plan":"gold"},
                "library":{"name":"analytics.js","version":"5.2.0"}}}]})");
  const PersonId id = FindOne("phone", kPhone);
  auto timeline = service_->Timeline(auth::Principal::System(), id, std::nullopt, 10);
  ASSERT_TRUE(timeline.ok()) << timeline.status().ToString();
  ASSERT_EQ((*timeline)["items"].size(), 1u);
  const Json& context = (*timeline)["items"][0]["context"];
  EXPECT_EQ(context["externalIds"][0]["id"], "138****5678");
  EXPECT_EQ(context["traits"]["name"], "王**");
  EXPECT_EQ(context["traits"]["plan"], "gold");
  EXPECT_NE(context["traits"]["email"], "xiaoming@example.com");
  EXPECT_EQ(context["library"]["name"], "analytics.js");
  const std::string text = timeline->dump();
  EXPECT_EQ(text.find(kName), std::string::npos);
  EXPECT_EQ(text.find(kPhone), std::string::npos);
  EXPECT_EQ(text.find("xiaoming@"), std::string::npos);

  auto view = service_->Get(auth::Principal::System(), id);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ((*view)["recent_events"].size(), 1u);
  EXPECT_FALSE((*view)["recent_events"][0].contains("context"));
  EXPECT_EQ((*view)["recent_events"][0]["name"], "view_product");
}

TEST_F(CustomerServiceTest, CrashBeforeFlushLosesNothingAndAppliesIncrementsOnce) {
  Send(R"({"type":"identify","userId":"u1","messageId":"m1","traits":{"name":"王小明"}})");
  ASSERT_TRUE(service_->Flush().ok());
  Send(R"({"type":"identify","userId":"u1","messageId":"m2","traits":{"phone":"13812345678",
           "city":"宁波"}})");
  Crash();  // m2 is durable in the log but was never flushed
  Start();
  const PersonId id = FindOne("phone", std::string(kPhone));
  EXPECT_EQ(FindOne("app_user_id", "u1"), id);
  auto view = service_->Get(auth::Principal::System(), id);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ((*view)["profile"]["city"]["value"], "宁波");
  EXPECT_EQ((*view)["recent_events"].size(), 2u);
  // Restarting again replays nothing twice.
  Stop();
  Start();
  EXPECT_EQ(FindOne("phone", std::string(kPhone)), id);
  EXPECT_EQ((*service_->Get(auth::Principal::System(), id))["recent_events"].size(), 2u);
}

TEST_F(CustomerServiceTest, ScopeHidesCustomersOutsideTheCallersBookOrBranch) {
  Send(R"({"type":"identify","userId":"mine","messageId":"m1",
           "traits":{"home_branch":"XIXI","relationship_manager":"rm.xixi"}})");
  Send(R"({"type":"identify","userId":"west","messageId":"m2","traits":{"home_branch":"WEST"}})");
  ASSERT_TRUE(service_->Flush().ok());
  const PersonId mine = FindOne("app_user_id", "mine");
  const PersonId west = FindOne("app_user_id", "west");
  EXPECT_TRUE(service_->Get(Rm(), mine).ok());
  EXPECT_EQ(service_->Get(Rm(), west).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_->Get(Manager(2, "/1/2/"), mine).ok());
  EXPECT_EQ(service_->Get(Manager(2, "/1/2/"), west).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_->Get(Manager(3, "/1/3/"), west).ok());
  EXPECT_TRUE(service_->Find(Rm(), "app_user_id", "west")->empty());
  auto page = service_->List(Rm(), {});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].one_id, mine);
}

TEST_F(CustomerServiceTest, ConsentEventsAreRecordedOnceEvenWhenReplayed) {
  Send(R"({"type":"track","event":"$consent","userId":"u1","messageId":"c1",
           "properties":{"purpose":"marketing","channel":"sms","granted":true}})");
  Crash();
  Start();
  ASSERT_TRUE(service_->Flush().ok());
  Stop();
  Start();
  auto consents =
      service_->Consents(auth::Principal::System(), FindOne("app_user_id", "u1"), std::nullopt, 50);
  ASSERT_TRUE(consents.ok()) << consents.status().ToString();
  EXPECT_EQ((*consents)["history"].size(), 1u);
  EXPECT_EQ((*consents)["current"][0]["granted"], true);
}

TEST_F(CustomerServiceTest, EraseLeavesNoIdentifierFindableAndNoClearValueOnDisk) {
  Send(R"({"type":"identify","userId":"u1","messageId":"m1",
           "traits":{"name":"王小明","phone":"13812345678"}})");
  Send(R"({"type":"track","event":"view_product","userId":"u1","messageId":"m2"})");
  ASSERT_TRUE(service_->Flush().ok());
  const PersonId id = FindOne("phone", std::string(kPhone));
  auto erased = service_->Erase(auth::Principal::System(), id, {});
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ((*erased)["events_detached"], 2);
  EXPECT_TRUE(service_->Find(auth::Principal::System(), "phone", kPhone)->empty());
  EXPECT_TRUE(service_->Find(auth::Principal::System(), "app_user_id", "u1")->empty());
  EXPECT_EQ(service_->Get(auth::Principal::System(), id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service_->graph().IsErased("app_user_id", "u1"));
  Stop();
  for (const char* file : {"banyan.db", "banyan.db-wal"}) {
    const std::string bytes = FileBytes(file);
    EXPECT_EQ(bytes.find(kPhone), std::string::npos) << file;
    EXPECT_EQ(bytes.find(kName), std::string::npos) << file;
  }
  Start();  // and it stays erased across a restart (the log still holds the events)
  EXPECT_TRUE(service_->Find(auth::Principal::System(), "phone", kPhone)->empty());
}

// The second half of erasure: the event log itself. The erased customer's events stay (counts do
// not change) but lose every identifier and personal value; other customers' events, and the
// events of an erased customer who comes back later, are untouched.
TEST_F(CustomerServiceTest, ScrubRemovesTheErasedCustomerFromTheEventLogAndKeepsCounts) {
  Send(R"({"type":"identify","userId":"erased-user-7","messageId":"m1",
           "traits":{"name":"王小明","phone":"13812345678"},
           "context":{"ip":"203.0.113.9","traits":{"email":"xiaoming@example.com"}}})");
  Send(R"({"type":"track","event":"view_product","userId":"erased-user-7","messageId":"m2",
           "properties":{"product":"credit_card","contact":"13812345678"},
           "context":{"externalIds":[{"id":"13812345678","type":"phone","collection":"users",
                                      "encoding":"none"}]}})");
  Send(R"({"type":"track","event":"view_product","userId":"kept-user-8","messageId":"m3"})");
  ASSERT_TRUE(service_->Flush().ok());
  const PersonId erased = FindOne("app_user_id", "erased-user-7");
  const PersonId kept = FindOne("app_user_id", "kept-user-8");
  clock_.Advance(Micros(1'000'000));
  ASSERT_TRUE(service_->Erase(auth::Principal::System(), erased, {}).ok());
  clock_.Advance(Micros(1'000'000));
  // The customer comes back after the erasure: a new person, whose events are not scrubbed.
  Send(R"({"type":"track","event":"app_open","userId":"erased-user-7","messageId":"m4"})");
  const uint64_t records = log_->Stats().records;

  Result<events::RewriteReport> report = service_->ScrubErasedEvents();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->records_rewritten, 2u);
  EXPECT_EQ(log_->Stats().records, records);
  std::string segments;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "events")) {
    if (entry.path().extension() == ".log")
      segments += FileBytes("events/" + entry.path().filename().string());
  }
  EXPECT_EQ(segments.find(kPhone), std::string::npos);
  EXPECT_EQ(segments.find(kName), std::string::npos);
  EXPECT_EQ(segments.find("xiaoming@"), std::string::npos);
  EXPECT_EQ(segments.find("203.0.113.9"), std::string::npos);
  EXPECT_NE(segments.find("credit_card"), std::string::npos);  // what happened stays
  EXPECT_NE(segments.find("kept-user-8"), std::string::npos);
  EXPECT_NE(segments.find("erased-user-7"), std::string::npos);  // only in the return's event

  auto timeline = service_->Timeline(auth::Principal::System(), kept, std::nullopt, 10);
  ASSERT_TRUE(timeline.ok());
  EXPECT_EQ((*timeline)["items"].size(), 1u);
  const PersonId back = FindOne("app_user_id", "erased-user-7");
  EXPECT_NE(back, erased);
  timeline = service_->Timeline(auth::Principal::System(), back, std::nullopt, 10);
  ASSERT_TRUE(timeline.ok());
  EXPECT_EQ((*timeline)["items"].size(), 1u);

  // Nothing erased since: the next pass does no work. After a restart the scrubbed events
  // replay as anonymous and the customer who came back is still one person.
  report = service_->ScrubErasedEvents();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->segments_scanned, 0u);
  Stop();
  Start();
  EXPECT_EQ(FindOne("app_user_id", "erased-user-7"), back);
  EXPECT_TRUE(service_->Find(auth::Principal::System(), "phone", kPhone)->empty());
}

}  // namespace
}  // namespace banyan::customer
