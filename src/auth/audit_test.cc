#include "auth/audit.h"

#include <gtest/gtest.h>

#include "auth/testing/auth_fixture.h"

namespace banyan::auth {
namespace {

class AuditTest : public testing::AuthFixture {
 protected:
  void SetUp() override {
    AuthFixture::SetUp();
    // The fixture's set-up already wrote entries (branches, the admin); add a few of our own.
    for (int i = 0; i < 5; ++i) {
      AuditRecord record =
          AuditRecord::By(Principal::System(), "pii.unmask", "customer", std::to_string(100 + i));
      record.details = {{"field", "phone"}, {"n", i}};
      ASSERT_TRUE(auth_->audit().Record(record, context_).ok());
      clock_.Advance(std::chrono::seconds(1));
    }
    entries_ = CountRows("SELECT COUNT(*) FROM audit_log");
  }

  AuditLog::VerifyReport MustVerify() {
    Result<AuditLog::VerifyReport> report = auth_->audit().Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : AuditLog::VerifyReport{};
  }

  void DropTriggers() {
    ASSERT_TRUE(Sql("DROP TRIGGER audit_log_no_update").ok());
    ASSERT_TRUE(Sql("DROP TRIGGER audit_log_no_delete").ok());
  }

  int64_t entries_ = 0;
};

TEST_F(AuditTest, IntactChainVerifies) {
  const AuditLog::VerifyReport report = MustVerify();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.entries, entries_);
  EXPECT_EQ(report.first_bad_seq, 0);
  EXPECT_EQ(report.head_hash.size(), 64u);
}

TEST_F(AuditTest, TriggersRefuseUpdateAndDelete) {
  EXPECT_FALSE(Sql("UPDATE audit_log SET outcome = 'denied' WHERE seq = 2").ok());
  EXPECT_FALSE(Sql("DELETE FROM audit_log WHERE seq = 2").ok());
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(AuditTest, DetectsAnEditedRow) {
  DropTriggers();
  ASSERT_TRUE(Sql("UPDATE audit_log SET details = '{\"field\":\"email\",\"n\":0}' "
                  "WHERE seq = 4")
                  .ok());
  const AuditLog::VerifyReport report = MustVerify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 4);
  EXPECT_EQ(report.entries, entries_);
  EXPECT_NE(report.reason.find("hash"), std::string::npos) << report.reason;
}

TEST_F(AuditTest, DetectsARecomputedUnkeyedHash) {
  // Someone without the key rewrites a row and its hash with a plain SHA-256: still caught.
  DropTriggers();
  ASSERT_TRUE(Sql("UPDATE audit_log SET actor_name = 'mallory', hash = "
                  "'0000000000000000000000000000000000000000000000000000000000000000' "
                  "WHERE seq = 3")
                  .ok());
  EXPECT_EQ(MustVerify().first_bad_seq, 3);
}

TEST_F(AuditTest, DetectsADeletedRow) {
  DropTriggers();
  ASSERT_TRUE(Sql("DELETE FROM audit_log WHERE seq = 3").ok());
  const AuditLog::VerifyReport report = MustVerify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 3);
  EXPECT_NE(report.reason.find("missing"), std::string::npos) << report.reason;
}

TEST_F(AuditTest, DetectsReorderedRows) {
  DropTriggers();
  ASSERT_TRUE(Sql("UPDATE audit_log SET seq = -1 WHERE seq = 2").ok());
  ASSERT_TRUE(Sql("UPDATE audit_log SET seq = 2 WHERE seq = 3").ok());
  ASSERT_TRUE(Sql("UPDATE audit_log SET seq = 3 WHERE seq = -1").ok());
  const AuditLog::VerifyReport report = MustVerify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 2);
}

TEST_F(AuditTest, AKeyChangeBreaksTheChain) {
  AuditLog other(*db_, clock_, std::string(32, 'x'));
  const Result<AuditLog::VerifyReport> report = other.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 1);
}

TEST_F(AuditTest, AppendRollsBackWithTheCallersTransaction) {
  Status status = db_->Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(auth_->audit().Append(
        tx, AuditRecord::By(Principal::System(), "export", "segment", "7"), context_));
    return AbortedError("the change failed");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log"), entries_);
  EXPECT_TRUE(MustVerify().ok);
}

TEST_F(AuditTest, RejectsMalformedRecords) {
  AuditRecord record = AuditRecord::By(Principal::System(), "Bad Action", "x", "1");
  EXPECT_EQ(auth_->audit().Record(record, context_).code(), StatusCode::kInvalidArgument);
  record.action = "export";
  record.outcome = "maybe";
  EXPECT_EQ(auth_->audit().Record(record, context_).field(), "/outcome");
}

TEST_F(AuditTest, QueryFiltersNewestFirstWithCursors) {
  AuditFilter filter;
  filter.action = "pii.unmask";
  Result<Page<AuditEntry>> first = auth_->audit().Query(filter, "", 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[0].record.target_id, "104");
  EXPECT_EQ(first->items[1].record.target_id, "103");
  EXPECT_EQ(first->items[0].record.details["n"], 4);
  EXPECT_EQ(first->items[0].request_id, "req-1");
  EXPECT_EQ(first->items[0].remote_address, "10.0.0.1");
  ASSERT_FALSE(first->next_cursor.empty());
  std::vector<std::string> seen;
  std::string cursor = first->next_cursor;
  while (!cursor.empty()) {
    Result<Page<AuditEntry>> page = auth_->audit().Query(filter, cursor, 2);
    ASSERT_TRUE(page.ok());
    for (const AuditEntry& e : page->items) seen.push_back(e.record.target_id);
    cursor = page->next_cursor;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"102", "101", "100"}));
}

TEST_F(AuditTest, QueryByPrefixTimeAndTarget) {
  AuditFilter filter;
  filter.action = "branch.*";
  Result<Page<AuditEntry>> branches = auth_->audit().Query(filter, "", 50);
  ASSERT_TRUE(branches.ok());
  EXPECT_EQ(branches->items.size(), 4u);  // HQ, A, A1, B
  filter = {};
  filter.from = FromUnixMicros(testing::kStartMicros) + std::chrono::seconds(1);
  filter.to = FromUnixMicros(testing::kStartMicros) + std::chrono::seconds(3);
  Result<Page<AuditEntry>> window = auth_->audit().Query(filter, "", 50);
  ASSERT_TRUE(window.ok());
  ASSERT_EQ(window->items.size(), 2u);
  EXPECT_EQ(window->items[0].record.target_id, "102");
  filter = {};
  filter.target_type = "customer";
  filter.target_id = "101";
  EXPECT_EQ(auth_->audit().Query(filter, "", 50)->items.size(), 1u);
  filter.action = "no spaces allowed";
  EXPECT_EQ(auth_->audit().Query(filter, "", 50).status().field(), "/action");
  EXPECT_EQ(auth_->audit().Query({}, "@@", 50).status().field(), "/cursor");
}

TEST_F(AuditTest, ReadersSeeOnlyEntriesOfActorsInTheirScope) {
  const Staff manager =
      MustStaff(PrincipalOf(admin_.id), "manager.a", Role::kBranchManager, branch_a_.id);
  const Principal manager_principal = PrincipalOf(manager.id);
  ASSERT_TRUE(auth_->staff()
                  .Create(manager_principal,
                          MakeStaffInput("rm.a1", Role::kRelationshipManager, sub_a1_.id), context_)
                  .ok());
  const Staff auditor = MustStaff(Principal::System(), "auditor.a", Role::kAuditor, branch_a_.id);
  Result<Page<AuditEntry>> seen = auth_->audit().Query(PrincipalOf(auditor.id), {}, "", 50);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  ASSERT_EQ(seen->items.size(), 1u);  // the manager's staff.create, not the HQ admin's work
  EXPECT_EQ(seen->items[0].record.actor_name, "manager.a");
  EXPECT_EQ(seen->items[0].record.actor_branch_path, branch_a_.path);
  Result<Page<AuditEntry>> all = auth_->audit().Query(PrincipalOf(admin_.id), {}, "", 200);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(static_cast<int64_t>(all->items.size()), entries_ + 3);
  EXPECT_EQ(auth_->audit().Query(manager_principal, {}, "", 50).status().code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(MustVerify().ok);
}

}  // namespace
}  // namespace banyan::auth
