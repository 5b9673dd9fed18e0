// The segment service over real parts (SQLite, the event log, the customer service feeding the
// engine): tags of every kind, saved segments with live membership and their transitions,
// previews, overlap, export, snapshots, scope, and the errors a caller gets.

#include "segment/segment_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "base/random.h"
#include "customer/testing/customer_fixture.h"

namespace banyan::segment {
namespace {

using customer::testing::Manager;
using customer::testing::Rm;
using identity::PersonId;

class SegmentServiceTest : public customer::testing::CustomerFixture {
 protected:
  void SetUp() override {
    CustomerFixture::SetUp();
    SeedOrg();
    Start();
    OpenSegments();
  }
  void TearDown() override {
    segments_.reset();
    CustomerFixture::TearDown();
  }
  customer::CustomerOptions Options() const override {
    customer::CustomerOptions options;
    options.engine = true;
    return options;
  }

  void OpenSegments() {
    segments_.reset();
    SegmentOptions options;
    options.monitor = false;
    options.expiry_interval = std::chrono::hours(1);
    auto service = SegmentService::Open({.db = *db_,
                                         .customers = *service_,
                                         .audit = *audit_,
                                         .clock = clock_,
                                         .calendar = calendar_},
                                        options);
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    segments_ = std::move(*service);
  }

  // Flushes the customer service, waits for the engine, runs one live round.
  void Settle(bool expire = false) {
    ASSERT_TRUE(service_->Flush().ok());
    service_->WaitForEngine();
    Status round = segments_->Refresh(expire);
    ASSERT_TRUE(round.ok()) << round.ToString();
  }

  // A track event `seconds_ago` before the clock.
  void Track(std::string_view user, std::string_view event, int64_t seconds_ago = 60,
             std::string_view properties = "{}") {
    static int n = 0;
    const Timestamp at = clock_.Now() - std::chrono::seconds(seconds_ago);
    Send(fmt::format(R"({{"type":"track","event":"{}","userId":"{}","messageId":"t{}",
                        "timestamp":"{}","properties":{}}})",
                     event, user, ++n, FormatRfc3339(at), properties));
  }
  void Identify(std::string_view user, std::string_view traits) {
    static int n = 0;
    Send(fmt::format(R"({{"type":"identify","userId":"{}","messageId":"i{}","traits":{}}})", user,
                     ++n, traits));
  }

  uint64_t Count(std::string_view text, const auth::Principal& who = auth::Principal::System()) {
    auto expr = segments_->ReadExpression(Json{{"expression", text}});
    EXPECT_TRUE(expr.ok()) << expr.status().ToString();
    if (!expr.ok()) return 0;
    auto count = segments_->Count(who, *expr);
    EXPECT_TRUE(count.ok()) << count.status().ToString();
    return count.ok() ? *count : 0;
  }

  SegmentDef MustCreate(Json body, const auth::Principal& who = auth::Principal::System()) {
    auto created = segments_->CreateSegment(who, body, {});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : SegmentDef{};
  }

  std::vector<SegmentDef> AllSegments() {
    auto list = segments_->ListSegments(auth::Principal::System());
    EXPECT_TRUE(list.ok());
    return list.ok() ? *list : std::vector<SegmentDef>{};
  }

  std::vector<Transition> TransitionsOf(int64_t id, int64_t after = 0) {
    auto t = segments_->Transitions(auth::Principal::System(), id, after, kTransitionPageMax);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? *t : std::vector<Transition>{};
  }

  const BusinessCalendar calendar_ = *BusinessCalendar::Create("Asia/Shanghai");
  std::unique_ptr<SegmentService> segments_;
};

TEST_F(SegmentServiceTest, ANewBankHasTheAumTiersAndTheLifecycleTag) {
  Identify("u1", R"({"aum":"30000","customer_since":"2020-01-01"})");
  Identify("u2", R"({"aum":"50000"})");
  Identify("u3", R"({"aum":"600000"})");
  Identify("u4", R"({"aum":"12000000"})");
  Settle();
  EXPECT_EQ(Count(R"(has tag aum_tier = "mass")"), 1u);
  EXPECT_EQ(Count(R"(has tag aum_tier = "gold")"), 1u);  // 50k is gold: min included
  EXPECT_EQ(Count(R"(has tag aum_tier = "wealth")"), 1u);
  EXPECT_EQ(Count(R"(has tag aum_tier = "private")"), 1u);
  EXPECT_EQ(Count("has tag aum_tier"), 4u);
  auto tags = segments_->ListTags();
  ASSERT_TRUE(tags.ok());
  ASSERT_EQ(tags->size(), 2u);
  EXPECT_EQ((*tags)[0].buckets[2].label, "金葵花");
  auto counts = segments_->TagCounts(auth::Principal::System(), (*tags)[0].id);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["total"], 4);

  // Deleted built-ins stay deleted across restarts.
  ASSERT_TRUE(segments_->DeleteTag(auth::Principal::System(), (*tags)[1].id, {}).ok());
  OpenSegments();
  EXPECT_EQ(segments_->ListTags()->size(), 1u);
}

TEST_F(SegmentServiceTest, BucketNamesAndBoundsAreTheBanksToChange) {
  auto tiers = segments_->ListTags()->front();
  auto updated = segments_->UpdateTag(auth::Principal::System(), tiers.id,
                                      Json::parse(R"({"definition":{"attribute":"aum","buckets":[
          {"value":"small","label":"小额","max":100000},
          {"value":"large","label":"大额","min":100000}]}})"),
                                      {});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->version, 2);
  Identify("u1", R"({"aum":"99999.99"})");
  Identify("u2", R"({"aum":"100000"})");
  Settle();
  EXPECT_EQ(Count(R"(has tag aum_tier = "small")"), 1u);
  EXPECT_EQ(Count(R"(has tag aum_tier = "large")"), 1u);

  // Overlapping ranges, a text attribute and a stale version are refused, naming the field.
  auto overlap = segments_->UpdateTag(auth::Principal::System(), tiers.id,
                                      Json::parse(R"({"definition":{"attribute":"aum","buckets":[
          {"value":"a","max":100},{"value":"b","min":50}]}})"),
                                      {});
  EXPECT_EQ(overlap.status().field(), "/definition/buckets");
  auto text = segments_->UpdateTag(
      auth::Principal::System(), tiers.id,
      Json::parse(R"({"definition":{"attribute":"city","buckets":[{"value":"a","max":1}]}})"), {});
  EXPECT_EQ(text.status().field(), "/definition/attribute");
  auto stale = segments_->UpdateTag(auth::Principal::System(), tiers.id,
                                    Json::parse(R"({"version":1,"description":"x"})"), {});
  EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
}

TEST_F(SegmentServiceTest, RuleAndImportedTags) {
  Identify("u1", R"({"phone":"13800000001","aum":"800000"})");
  Identify("u2", R"({"phone":"13800000002","aum":"100"})");
  Track("u1", "buy");
  Settle();
  auto rule =
      segments_->CreateTag(auth::Principal::System(),
                           Json::parse(R"({"name":"高净值活跃","category":"价值","kind":"rule",
                      "definition":{"expression":"aum > 500000 and did buy in last 30 days"}})"),
                           {});
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  EXPECT_EQ(rule->refresh, TagRefresh::kLive);
  EXPECT_EQ(Count(R"(has tag "高净值活跃")"), 1u);

  auto imported = segments_->CreateTag(
      auth::Principal::System(),
      Json::parse(R"({"name":"event_guests","category":"活动","kind":"imported"})"), {});
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  auto report = segments_->ImportTagMembers(auth::Principal::System(), imported->id,
                                            "type,value,tag_value\n"
                                            "phone,13800000001,vip\n"
                                            "phone,13800000002\n"
                                            "phone,13900000000\n",
                                            {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ((*report)["customers"], 2);
  EXPECT_EQ((*report)["unmatched"], 1);
  EXPECT_EQ(Count("has tag event_guests"), 2u);
  EXPECT_EQ(Count(R"(has tag event_guests = "vip")"), 1u);
  const PersonId u1 = FindOne("phone", "13800000001");
  auto held = segments_->TagsOf(auth::Principal::System(), u1);
  ASSERT_TRUE(held.ok());
  std::set<std::string> names;
  for (const Json& t : *held) names.insert(t["tag"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"aum_tier", "event_guests", "lifecycle", "高净值活跃"}));

  auto bad = segments_->ImportTagMembers(auth::Principal::System(), imported->id, "phone\n", {});
  EXPECT_EQ(bad.status().field(), "line 1");
  auto not_imported = segments_->ImportTagMembers(auth::Principal::System(), rule->id, "", {});
  EXPECT_EQ(not_imported.status().code(), StatusCode::kFailedPrecondition);
  auto selfish = segments_->CreateTag(auth::Principal::System(),
                                      Json::parse(R"({"name":"loop","category":"x","kind":"rule",
                      "definition":{"expression":"has tag loop"}})"),
                                      {});
  EXPECT_EQ(selfish.status().field(), "/definition/expression");
  // Other engine readers resolve tags through the service.
  auto resolver = segments_->NewResolver(clock_.Now());
  auto snapshot = service_->engine().snapshot();
  const std::string vip = "vip";
  EXPECT_EQ(resolver->Tag(*snapshot, "event_guests", &vip)->Cardinality(), 1u);
  auto used = MustCreate(Json{{"name", "guests"}, {"expression", "has tag event_guests"}});
  auto refused = segments_->DeleteTag(auth::Principal::System(), imported->id, {});
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("guests"), std::string::npos);
}

TEST_F(SegmentServiceTest, DailyTagsHoldForTheDayUnlessRefreshed) {
  Identify("u1", R"({"aum":"800000"})");
  Settle();
  auto daily = segments_->CreateTag(
      auth::Principal::System(),
      Json::parse(R"({"name":"rich_daily","category":"价值","kind":"rule","refresh":"daily",
                      "definition":{"expression":"aum > 500000"}})"),
      {});
  ASSERT_TRUE(daily.ok()) << daily.status().ToString();
  EXPECT_EQ(Count("has tag rich_daily"), 1u);
  Identify("u2", R"({"aum":"900000"})");
  Settle();
  EXPECT_EQ(Count("has tag rich_daily"), 1u);  // today's answer
  ASSERT_TRUE(segments_->RefreshTag(daily->id).ok());
  EXPECT_EQ(Count("has tag rich_daily"), 2u);
  Identify("u3", R"({"aum":"900000"})");
  clock_.Advance(std::chrono::hours(24));
  Settle();
  EXPECT_EQ(Count("has tag rich_daily"), 3u);  // a new day
}

TEST_F(SegmentServiceTest, LiveSegmentsFollowEventsAndProfileChanges) {
  Identify("u1", R"({"aum":"600000"})");
  Identify("u2", R"({"aum":"600000"})");
  Track("u1", "view_product");
  Settle();
  const SegmentDef hot = MustCreate(
      Json{{"name", "hot"},
           {"expression", "aum > 500000 and did view_product at least 2 times in last 7 days"}});
  EXPECT_EQ(segments_->LiveStatus(hot.id)->members, 0u);

  Track("u1", "view_product");
  Track("u2", "view_product");
  Settle();
  auto status = segments_->LiveStatus(hot.id);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->members, 1u);
  EXPECT_EQ(status->engine_version, service_->engine().snapshot()->version());
  auto t = TransitionsOf(hot.id);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_TRUE(t[0].entered);
  EXPECT_EQ(t[0].one_id, FindOne("app_user_id", "u1"));

  // A profile change moves u1 out; an unrelated event re-checks nothing.
  Identify("u1", R"({"aum":"100"})");
  Settle();
  t = TransitionsOf(hot.id, t.back().seq);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_FALSE(t[0].entered);
  const int64_t skipped = segments_->counters().skipped.load();
  Track("u2", "logout");
  Settle();
  EXPECT_EQ(segments_->counters().skipped.load(), skipped + 1);
}

TEST_F(SegmentServiceTest, TimeWindowsExpireOnTheTimer) {
  Track("u1", "login", 3600);  // an hour ago
  Settle();
  const SegmentDef recent =
      MustCreate(Json{{"name", "recent"}, {"expression", "did login in last 1 days"}});
  EXPECT_EQ(segments_->LiveStatus(recent.id)->members, 1u);
  clock_.Advance(std::chrono::hours(24));
  Settle();  // the expiry interval (1 h) has passed: a full evaluation
  EXPECT_EQ(segments_->LiveStatus(recent.id)->members, 0u);
  auto t = TransitionsOf(recent.id);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_FALSE(t[0].entered);
}

TEST_F(SegmentServiceTest, MembershipStaysEqualToTheTruthThroughARandomStream) {
  // Live segments of several shapes; a stream of events, profile changes and merges; at each
  // checkpoint the live members equal a fresh evaluation, and replaying the transitions from
  // the baseline gives the same members.
  const std::vector<std::string> expressions = {
      "did view_product at least 2 times",
      "aum > 100000 and did buy",
      "not did buy and did view_product",
      "did view_product then buy within 7 days",
      "city = \"杭州\" or has tag aum_tier = \"wealth\"",
      "in segment live0 and aum < 500000",
      "sum(buy.amount) > 100",
  };
  for (size_t i = 0; i < expressions.size(); ++i) {
    Identify("seed", R"({"city":"杭州","aum":"1"})");
    Track("seed", "view_product");
    Track("seed", "buy", 60, R"({"amount":1})");
    Settle();
    MustCreate(Json{{"name", fmt::format("live{}", i)}, {"expression", expressions[i]}});
  }
  std::map<int64_t, std::set<int64_t>> replayed;  // segment -> members from transitions
  std::map<int64_t, int64_t> cursor;
  for (const SegmentDef& s : AllSegments()) {
    auto bitmap =
        segments_->Members(auth::Principal::System(), s.id, *service_->engine().snapshot());
    auto snapshot = service_->engine().snapshot();
    bitmap->ForEach([&](uint32_t i) {
      replayed[s.id].insert(*snapshot->Person(i));
      return true;
    });
  }
  SeededRandom random(7);
  auto pick = [&](int64_t low, int64_t high) {
    return low + static_cast<int64_t>(random.Uniform(static_cast<uint64_t>(high - low + 1)));
  };
  const std::vector<std::string> cities = {"杭州", "宁波"};
  for (int checkpoint = 0; checkpoint < 12; ++checkpoint) {
    for (int step = 0; step < 25; ++step) {
      const std::string user = fmt::format("c{}", pick(0, 15));
      switch (pick(0, 4)) {
        case 0:
          Track(user, "view_product", pick(0, 86400 * 10));
          break;
        case 1:
          Track(user, "buy", pick(0, 86400 * 10), fmt::format(R"({{"amount":{}}})", pick(1, 80)));
          break;
        case 2:
          Identify(user, fmt::format(R"({{"aum":"{}","city":"{}"}})", pick(0, 900000),
                                     cities[pick(0, 1)]));
          break;
        case 3:
          Track(user, "logout");
          break;
        default: {
          // A merge: an anonymous id seen with one user, then identified as another.
          const std::string other = fmt::format("c{}", pick(0, 15));
          const std::string anon = fmt::format("a{}-{}", checkpoint, step);
          Send(fmt::format(R"({{"type":"track","event":"view_product","userId":"{}",
                              "anonymousId":"{}","messageId":"m{}-{}"}})",
                           user, anon, checkpoint, step));
          Send(fmt::format(R"({{"type":"identify","userId":"{}","anonymousId":"{}",
                              "messageId":"n{}-{}"}})",
                           other, anon, checkpoint, step));
          break;
        }
      }
    }
    if (checkpoint % 4 == 3) clock_.Advance(std::chrono::hours(30));
    Settle();
    auto snapshot = service_->engine().snapshot();
    for (const SegmentDef& s : AllSegments()) {
      auto expr = Parse(s.expression);
      ASSERT_TRUE(expr.ok());
      auto truth = segments_->Count(auth::Principal::System(), *expr);
      ASSERT_TRUE(truth.ok());
      auto live = segments_->LiveStatus(s.id);
      ASSERT_TRUE(live.has_value());
      EXPECT_EQ(live->members, *truth) << s.name << " at checkpoint " << checkpoint;
      for (const Transition& t : TransitionsOf(s.id, cursor[s.id])) {
        if (t.entered) {
          replayed[s.id].insert(t.one_id);
        } else {
          replayed[s.id].erase(t.one_id);
        }
        cursor[s.id] = t.seq;
      }
      std::set<int64_t> members;
      segments_->Members(auth::Principal::System(), s.id, *snapshot)->ForEach([&](uint32_t i) {
        members.insert(*snapshot->Person(i));
        return true;
      });
      EXPECT_EQ(replayed[s.id], members) << s.name << " at checkpoint " << checkpoint;
    }
  }
  EXPECT_GT(segments_->counters().rechecks.load(), 0);
  EXPECT_GT(segments_->counters().transitions.load(), 0);
}

TEST_F(SegmentServiceTest, ReadsAreScopedMaskedAndExportsAudited) {
  Identify("mine", R"({"home_branch":"XIXI","relationship_manager":"rm.xixi","aum":"600000",
                      "phone":"13812345678"})");
  Identify("west", R"({"home_branch":"WEST","aum":"700000"})");
  Settle();
  const SegmentDef rich = MustCreate(Json{{"name", "rich"}, {"expression", "aum > 500000"}});
  const SegmentDef all = MustCreate(Json{{"name", "all"}, {"expression", "aum is set"}});
  EXPECT_EQ(Count("aum > 500000"), 2u);
  EXPECT_EQ(Count("aum > 500000", Rm()), 1u);
  EXPECT_EQ(Count("aum > 500000", Manager(3, "/1/3/")), 1u);

  auto preview = segments_->PreviewSegment(Rm(), rich.id, 10);
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  ASSERT_EQ(preview->sample.size(), 1u);
  EXPECT_EQ(preview->sample[0].one_id, FindOne("app_user_id", "mine"));
  EXPECT_EQ(preview->sample[0].profile.dump().find("13812345678"), std::string::npos);

  auto overlap = segments_->Overlap(auth::Principal::System(), {rich.id, all.id});
  ASSERT_TRUE(overlap.ok()) << overlap.status().ToString();
  EXPECT_EQ((*overlap)["regions"][0]["count"], 0);  // rich only
  EXPECT_EQ((*overlap)["regions"][1]["count"], 0);  // all only
  EXPECT_EQ((*overlap)["regions"][2]["count"], 2);  // both
  EXPECT_EQ(segments_->Overlap(auth::Principal::System(), {rich.id}).status().field(), "/segments");

  const int64_t before =
      CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'segment.export'");
  auto exported = segments_->Export(Manager(3, "/1/3/"), rich.id, {});
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(*exported, std::vector<int64_t>{FindOne("app_user_id", "west")});
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'segment.export'"),
            before + 1);

  auto snapshot = segments_->TakeSnapshot(auth::Principal::System(), rich.id, {});
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ((*snapshot)["member_count"], 2);
}

TEST_F(SegmentServiceTest, StaticSegmentsKeepTheirMembers) {
  Identify("u1", R"({"aum":"600000"})");
  Identify("u2", R"({"aum":"10"})");
  Settle();
  const PersonId u1 = FindOne("app_user_id", "u1");
  auto frozen = segments_->CreateStaticSegment(auth::Principal::System(), "dropped at step 2",
                                               "from a funnel", "funnel step 2", {u1}, {});
  ASSERT_TRUE(frozen.ok()) << frozen.status().ToString();
  EXPECT_EQ(frozen->kind, SegmentKind::kStatic);
  Identify("u1", R"({"aum":"1"})");
  Settle();
  EXPECT_EQ(Count(R"(in segment "dropped at step 2")"), 1u);
  const SegmentDef via_api =
      MustCreate(Json{{"name", "frozen"}, {"kind", "static"}, {"expression", "aum < 100"}});
  Identify("u1", R"({"aum":"900000"})");
  Settle();
  EXPECT_EQ(Count(R"(in segment frozen)"), 2u);  // still u1 and u2
  OpenSegments();                                // and after a restart
  EXPECT_EQ(Count(R"(in segment frozen)"), 2u);
  auto edit = segments_->UpdateSegment(auth::Principal::System(), via_api.id,
                                       Json{{"expression", "aum > 1"}}, {});
  EXPECT_EQ(edit.status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(SegmentServiceTest, BadDefinitionsAreRefusedWithWhereAndWhat) {
  auto syntax = segments_->CreateSegment(auth::Principal::System(),
                                         Json{{"name", "x"}, {"expression", "aum >"}}, {});
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(syntax.status().field(), "/expression");
  EXPECT_NE(syntax.status().message().find("1:6"), std::string::npos) << syntax.status().message();
  auto unknown = segments_->CreateSegment(auth::Principal::System(),
                                          Json{{"name", "x"}, {"expression", "agee > 3"}}, {});
  EXPECT_NE(unknown.status().message().find("agee"), std::string::npos);
  auto tree = segments_->CreateSegment(
      auth::Principal::System(), Json{{"name", "x"}, {"tree", Json{{"kind", "compare"}}}}, {});
  EXPECT_EQ(tree.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.status().field().rfind("/tree", 0), 0u) << tree.status().field();
  auto unnamed =
      segments_->CreateSegment(auth::Principal::System(), Json{{"expression", "aum > 1"}}, {});
  EXPECT_EQ(unnamed.status().field(), "/name");

  const SegmentDef a = MustCreate(Json{{"name", "a"}, {"expression", "aum > 1"}});
  MustCreate(Json{{"name", "b"}, {"expression", "in segment a"}});
  auto cycle = segments_->UpdateSegment(auth::Principal::System(), a.id,
                                        Json{{"expression", "in segment b"}}, {});
  EXPECT_EQ(cycle.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(cycle.status().message().find("itself"), std::string::npos);
  EXPECT_EQ(segments_->DeleteSegment(auth::Principal::System(), a.id, {}).code(),
            StatusCode::kFailedPrecondition);
  auto twice = segments_->CreateSegment(auth::Principal::System(),
                                        Json{{"name", "a"}, {"expression", "aum > 2"}}, {});
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);
  // Staff of another branch do not see a branch's segment.
  const SegmentDef mine =
      MustCreate(Json{{"name", "xixi only"}, {"expression", "aum > 1"}}, Manager(2, "/1/2/"));
  EXPECT_EQ(segments_->GetSegment(Manager(3, "/1/3/"), mine.id).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(segments_->GetSegment(Manager(2, "/1/2/"), mine.id).ok());
}

}  // namespace
}  // namespace banyan::segment
