#include "privacy/consent.h"

#include <gtest/gtest.h>

#include <vector>

#include "privacy/testing/privacy_fixture.h"

namespace banyan::privacy {
namespace {

using std::chrono::hours;

class ConsentTest : public testing::PrivacyFixture {
 protected:
  ConsentFact Fact(int64_t person_id, Purpose purpose, std::string channel, bool granted,
                   Timestamp at) {
    ConsentFact fact;
    fact.person_id = person_id;
    fact.purpose = purpose;
    fact.channel = std::move(channel);
    fact.granted = granted;
    fact.at = at;
    fact.source = "branch_form";
    fact.evidence = R"({"form_id":"F-1"})";
    return fact;
  }
  Status Record(ConsentFact& fact) {
    return db_->Write([&](store::Transaction& tx) { return ledger_.Record(tx, fact); });
  }
  int64_t MustRecord(ConsentFact fact) {
    Status status = Record(fact);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return fact.id;
  }
  std::vector<ConsentState> Current(std::vector<int64_t> persons) {
    std::vector<ConsentState> out;
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(out, ledger_.Current(tx, persons));
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }
  Result<std::vector<ConsentFact>> History(std::vector<int64_t> persons,
                                           std::optional<int64_t> before, int limit) {
    std::vector<ConsentFact> out;
    RETURN_IF_ERROR(db_->Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(out, ledger_.History(tx, persons, before, limit));
      return Status::Ok();
    }));
    return out;
  }
  Timestamp T(int hours_after_start) {
    return clock_.Now() - hours(100) + hours(hours_after_start);
  }

  ConsentLedger ledger_{clock_};
};

TEST_F(ConsentTest, RecordStoresTheFactAsGiven) {
  ConsentFact fact = Fact(1, Purpose::kMarketing, "sms", true, T(1));
  fact.recorded_by = 42;
  fact.idempotency_key = "evt-1";
  ASSERT_TRUE(Record(fact).ok());
  EXPECT_GT(fact.id, 0);
  EXPECT_EQ(fact.recorded_at, clock_.Now());
  Result<std::vector<ConsentFact>> history = History({1}, std::nullopt, 10);
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0], fact);
}

TEST_F(ConsentTest, BadFieldsAreNamed) {
  struct Bad {
    std::function<void(ConsentFact&)> change;
    std::string field;
  };
  const std::vector<Bad> cases = {
      {[](ConsentFact& f) { f.person_id = 0; }, "person_id"},
      {[](ConsentFact& f) { f.purpose = static_cast<Purpose>(9); }, "purpose"},
      {[](ConsentFact& f) { f.channel = "fax"; }, "channel"},
      {[](ConsentFact& f) { f.channel = ""; }, "channel"},
      {[](ConsentFact& f) { f.at = Timestamp{}; }, "at"},
      {[&](ConsentFact& f) { f.at = clock_.Now() + hours(25); }, "at"},
      {[](ConsentFact& f) { f.source = ""; }, "source"},
      {[](ConsentFact& f) { f.source = "Branch Form"; }, "source"},
      {[](ConsentFact& f) { f.source = std::string(kConsentSourceBytesMax + 1, 'a'); }, "source"},
      {[](ConsentFact& f) { f.evidence = "[1]"; }, "evidence"},
      {[](ConsentFact& f) { f.evidence = "{"; }, "evidence"},
      {[](ConsentFact& f) {
         f.evidence = R"({"x":")" + std::string(kConsentEvidenceBytesMax, 'a') + R"("})";
       },
       "evidence"},
      {[](ConsentFact& f) { f.idempotency_key = ""; }, "idempotency_key"},
      {[](ConsentFact& f) { f.idempotency_key = std::string(129, 'k'); }, "idempotency_key"},
  };
  for (const Bad& bad : cases) {
    ConsentFact fact = Fact(1, Purpose::kMarketing, "sms", true, T(1));
    bad.change(fact);
    Status status = Record(fact);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad.field;
    EXPECT_EQ(status.field(), bad.field) << status.ToString();
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM consent"), 0);
  // Within the drift allowance is fine.
  ConsentFact ahead = Fact(1, Purpose::kMarketing, "sms", true, clock_.Now() + hours(23));
  EXPECT_TRUE(Record(ahead).ok());
}

TEST_F(ConsentTest, IdempotencyKeyMakesARetryANoOp) {
  ConsentFact first = Fact(1, Purpose::kMarketing, "sms", true, T(1));
  first.idempotency_key = "msg-123";
  ASSERT_TRUE(Record(first).ok());
  ConsentFact retry = Fact(1, Purpose::kMarketing, "sms", false, T(2));
  retry.idempotency_key = "msg-123";
  ASSERT_TRUE(Record(retry).ok());
  EXPECT_EQ(retry.id, first.id);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM consent"), 1);
  EXPECT_TRUE(Current({1})[0].granted);
}

TEST_F(ConsentTest, CurrentIsTheLatestFactByAtThenId) {
  MustRecord(Fact(1, Purpose::kMarketing, "sms", true, T(5)));
  // Recorded later but acted earlier (a late import): does not override.
  MustRecord(Fact(1, Purpose::kMarketing, "sms", false, T(3)));
  // Same `at`: the later fact wins.
  MustRecord(Fact(1, Purpose::kMarketing, "email", true, T(4)));
  const int64_t email_withdrawal = MustRecord(Fact(1, Purpose::kMarketing, "email", false, T(4)));
  MustRecord(Fact(1, Purpose::kDataSharing, "all", true, T(1)));

  const std::vector<ConsentState> current = Current({1});
  ASSERT_EQ(current.size(), 3u);
  EXPECT_EQ(current[0].purpose, Purpose::kMarketing);
  EXPECT_EQ(current[0].channel, "email");
  EXPECT_FALSE(current[0].granted);
  EXPECT_EQ(current[0].fact_id, email_withdrawal);
  EXPECT_EQ(current[1].channel, "sms");
  EXPECT_TRUE(current[1].granted);
  EXPECT_EQ(current[1].at, T(5));
  EXPECT_EQ(current[1].source, "branch_form");
  EXPECT_EQ(current[2].purpose, Purpose::kDataSharing);
  EXPECT_TRUE(current[2].granted);
}

TEST_F(ConsentTest, CurrentSpansMergedPersons) {
  MustRecord(Fact(1, Purpose::kMarketing, "sms", true, T(1)));
  MustRecord(Fact(2, Purpose::kMarketing, "sms", false, T(2)));
  MustRecord(Fact(3, Purpose::kMarketing, "sms", true, T(9)));  // someone else
  const std::vector<ConsentState> merged = Current({1, 2});
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_FALSE(merged[0].granted);
  EXPECT_TRUE(Current({1})[0].granted);
  EXPECT_TRUE(Current({99}).empty());
}

TEST_F(ConsentTest, HistoryIsNewestFirstAndPaged) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(MustRecord(Fact(1 + i % 2, Purpose::kMarketing, "sms", i % 2 == 0, T(i))));
  }
  MustRecord(Fact(3, Purpose::kMarketing, "sms", true, T(1)));
  Result<std::vector<ConsentFact>> page = History({1, 2}, std::nullopt, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].id, ids[4]);
  EXPECT_EQ((*page)[1].id, ids[3]);
  page = History({1, 2}, (*page)[1].id, 200);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 3u);
  EXPECT_EQ((*page)[0].id, ids[2]);
  EXPECT_EQ((*page)[2].id, ids[0]);
  EXPECT_EQ(History({1}, std::nullopt, 0).status().field(), "limit");
  EXPECT_EQ(History({1}, std::nullopt, kConsentHistoryPageMax + 1).status().field(), "limit");
  EXPECT_EQ(History({}, std::nullopt, 10).status().field(), "person_ids");
  EXPECT_EQ(
      History(std::vector<int64_t>(kConsentPersonsMax + 1, 1), std::nullopt, 10).status().field(),
      "person_ids");
}

TEST_F(ConsentTest, EraseRemovesOnlyThosePersons) {
  MustRecord(Fact(1, Purpose::kMarketing, "sms", true, T(1)));
  MustRecord(Fact(2, Purpose::kMarketing, "sms", true, T(1)));
  MustRecord(Fact(3, Purpose::kMarketing, "sms", true, T(1)));
  const std::vector<int64_t> erased = {1, 2};
  ASSERT_TRUE(db_->Write([&](store::Transaction& tx) { return ledger_.Erase(tx, erased); }).ok());
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM consent"), 1);
  EXPECT_TRUE(Current({1, 2}).empty());
  EXPECT_EQ(Current({3}).size(), 1u);
}

ConsentState State(Purpose purpose, std::string channel, bool granted, int at_hour,
                   int64_t fact_id) {
  return {.purpose = purpose,
          .channel = std::move(channel),
          .granted = granted,
          .at = FromUnixMicros(0) + hours(at_hour),
          .source = "api",
          .fact_id = fact_id};
}

TEST(Allows, NoFactMeansNotAllowed) {
  EXPECT_FALSE(Allows({}, Purpose::kMarketing, "sms"));
  const std::vector<ConsentState> other = {State(Purpose::kDataSharing, "all", true, 1, 1)};
  EXPECT_FALSE(Allows(other, Purpose::kMarketing, "sms"));
}

TEST(Allows, AllCoversEveryChannel) {
  const std::vector<ConsentState> all = {State(Purpose::kMarketing, "all", true, 1, 1)};
  EXPECT_TRUE(Allows(all, Purpose::kMarketing, "sms"));
  EXPECT_TRUE(Allows(all, Purpose::kMarketing, "wechat"));
  EXPECT_TRUE(Allows(all, Purpose::kMarketing, "all"));
  EXPECT_FALSE(Allows(all, Purpose::kPersonalisedMarketing, "sms"));
}

TEST(Allows, ChannelStateOverridesAll) {
  // All granted, SMS withdrawn (before or after): SMS not allowed, others allowed.
  for (int sms_hour : {0, 2}) {
    const std::vector<ConsentState> s = {State(Purpose::kMarketing, "all", true, 1, 1),
                                         State(Purpose::kMarketing, "sms", false, sms_hour, 2)};
    EXPECT_FALSE(Allows(s, Purpose::kMarketing, "sms")) << sms_hour;
    EXPECT_TRUE(Allows(s, Purpose::kMarketing, "email")) << sms_hour;
  }
  // All withdrawn earlier, SMS granted later: SMS allowed, others not.
  const std::vector<ConsentState> s = {State(Purpose::kMarketing, "all", false, 1, 1),
                                       State(Purpose::kMarketing, "sms", true, 2, 2)};
  EXPECT_TRUE(Allows(s, Purpose::kMarketing, "sms"));
  EXPECT_FALSE(Allows(s, Purpose::kMarketing, "email"));
}

TEST(Allows, ANewerWithdrawalOfAllEndsAnOlderChannelGrant) {
  const std::vector<ConsentState> s = {State(Purpose::kMarketing, "sms", true, 1, 1),
                                       State(Purpose::kMarketing, "all", false, 2, 2)};
  EXPECT_FALSE(Allows(s, Purpose::kMarketing, "sms"));
  // Same `at`: the later fact (higher id) decides.
  const std::vector<ConsentState> tie = {State(Purpose::kMarketing, "sms", true, 1, 3),
                                         State(Purpose::kMarketing, "all", false, 1, 2)};
  EXPECT_TRUE(Allows(tie, Purpose::kMarketing, "sms"));
}

TEST(ConsentNames, PurposesAndChannels) {
  for (Purpose p : {Purpose::kMarketing, Purpose::kPersonalisedMarketing, Purpose::kDataSharing}) {
    EXPECT_EQ(ParsePurpose(PurposeName(p)), p);
  }
  EXPECT_EQ(PurposeName(Purpose::kPersonalisedMarketing), "personalised_marketing");
  EXPECT_EQ(ParsePurpose("Marketing"), std::nullopt);
  for (const char* c :
       {"all", "sms", "wechat", "wecom", "rcs", "email", "app_push", "phone", "webhook"}) {
    EXPECT_TRUE(IsConsentChannel(c)) << c;
  }
  EXPECT_FALSE(IsConsentChannel("SMS"));
  EXPECT_FALSE(IsConsentChannel("push"));
}

}  // namespace
}  // namespace banyan::privacy
