#include "messaging/templates.h"

#include <gtest/gtest.h>

#include "base/testing/manual_clock.h"
#include "base/testing/temp_dir.h"
#include "store/database.h"

namespace banyan::messaging {
namespace {

TEST(Render, SubstitutesTypedVariablesEverywhereInTheBody) {
  TemplateVersion v;
  v.body = {{"template_code", "SMS_1"},
            {"params", {{"amount", "{{amount}}"}, {"day", "{{day}}"}}},
            {"text", "您{{day}}到期的 {{amount}} 元理财…"}};
  v.variables = {{"amount", "amount", true}, {"day", "date", true}};
  auto rendered = Render(v, {{"amount", "1000.50"}, {"day", "2026-12-01"}});
  ASSERT_TRUE(rendered.ok()) << rendered.status().ToString();
  EXPECT_EQ((*rendered)["params"]["amount"], "1000.50");
  EXPECT_EQ((*rendered)["text"], "您2026-12-01到期的 1000.50 元理财…");
  EXPECT_EQ((*rendered)["template_code"], "SMS_1");
}

TEST(Render, NamesTheVariableThatIsWrong) {
  TemplateVersion v;
  v.body = {{"text", "{{n}}"}};
  v.variables = {{"n", "number", true}};
  auto missing = Render(v, Json::object());
  EXPECT_EQ(missing.status().field(), "/variables/n");
  EXPECT_EQ(Render(v, {{"n", "x"}}).status().message(), "expected a number");
  EXPECT_EQ(Render(v, {{"n", 1}, {"m", 2}}).status().field(), "/variables/m");
  EXPECT_EQ(*Render(v, {{"n", 3}}), Json({{"text", "3"}}));
}

TEST(ParseVersionInput, RefusesUndeclaredPlaceholdersAndBadTypes) {
  std::vector<VariableDef> out;
  EXPECT_EQ(ParseVersionInput({{"text", "{{x}}"}}, Json::array(), &out).field(), "/body");
  EXPECT_EQ(ParseVersionInput({{"text", "a"}}, {{{"name", "x"}, {"type", "blob"}}}, &out).field(),
            "/variables/0/type");
  EXPECT_EQ(ParseVersionInput({{"text", "a"}}, {{{"name", "X"}}}, &out).field(),
            "/variables/0/name");
  EXPECT_TRUE(ParseVersionInput({{"text", "{{x}}"}}, {{{"name", "x"}}}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].type, "string");
}

class TemplateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenSqlite({.path = dir_.path() + "/t.db"}, store::BuiltinMigrations());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  int64_t Create(Purpose purpose, int64_t author) {
    int64_t id = 0;
    EXPECT_TRUE(db_->Write([&](store::Transaction& tx) -> Status {
                     Template t{0, "t" + std::to_string(next_++), "sms", purpose, "", {}, {}};
                     ASSIGN_OR_RETURN(id, store_.Create(tx, t, {{"text", "hi"}}, {}, author));
                     return Status::Ok();
                   })
                    .ok());
    return id;
  }
  Status Do(const std::function<Status(store::Transaction&)>& body) { return db_->Write(body); }

  banyan::testing::TempDir dir_;
  banyan::testing::ManualClock clock_{FromUnixMicros(1'000'000)};
  std::unique_ptr<store::Database> db_;
  TemplateStore store_{clock_};
  int next_ = 0;
};

TEST_F(TemplateStoreTest, ServiceVersionIsApprovedOnSubmission) {
  const int64_t id = Create(Purpose::kService, 1);
  ASSERT_TRUE(Do([&](store::Transaction& tx) -> Status {
                auto state = store_.Submit(tx, id, 1, 1);
                EXPECT_EQ(*state, VersionState::kApproved);
                return store_.Approved(tx, id, std::nullopt).status();
              }).ok());
}

TEST_F(TemplateStoreTest, MarketingVersionNeedsASecondPerson) {
  const int64_t id = Create(Purpose::kMarketing, 1);
  ASSERT_TRUE(Do([&](store::Transaction& tx) -> Status {
                EXPECT_EQ(*store_.Submit(tx, id, 1, 1), VersionState::kSubmitted);
                EXPECT_EQ(store_.Approved(tx, id, std::nullopt).status().code(),
                          StatusCode::kFailedPrecondition);
                EXPECT_EQ(store_.Review(tx, id, 1, 1, true, "").code(),
                          StatusCode::kPermissionDenied);
                RETURN_IF_ERROR(store_.Review(tx, id, 1, 2, true, "ok"));
                ASSIGN_OR_RETURN(auto v, store_.Approved(tx, id, std::nullopt));
                EXPECT_EQ(v.reviewed_by, 2);
                EXPECT_EQ(store_.Submit(tx, id, 1, 1).status().code(),
                          StatusCode::kFailedPrecondition);  // no changing an approved version
                return Status::Ok();
              }).ok());
}

TEST_F(TemplateStoreTest, NewestApprovedVersionWinsAndNamesAreUnique) {
  const int64_t id = Create(Purpose::kService, 1);
  ASSERT_TRUE(Do([&](store::Transaction& tx) -> Status {
                RETURN_IF_ERROR(store_.Submit(tx, id, 1, 1).status());
                ASSIGN_OR_RETURN(int v2, store_.AddVersion(tx, id, {{"text", "v2"}}, {}, 1));
                EXPECT_EQ(v2, 2);
                ASSIGN_OR_RETURN(auto approved, store_.Approved(tx, id, std::nullopt));
                EXPECT_EQ(approved.version, 1);  // v2 is still a draft
                RETURN_IF_ERROR(store_.Submit(tx, id, 2, 1).status());
                ASSIGN_OR_RETURN(approved, store_.Approved(tx, id, std::nullopt));
                EXPECT_EQ(approved.version, 2);
                Template dup{0, "t0", "sms", Purpose::kService, "", {}, {}};
                EXPECT_EQ(store_.Create(tx, dup, {{"text", "x"}}, {}, 1).status().field(), "/name");
                return Status::Ok();
              }).ok());
}

}  // namespace
}  // namespace banyan::messaging
