// CustomerFixture: the whole customer path over real parts — SQLite, the event log, the
// ingestor, the key ring, the identity graph and the profile store — for the customer module's
// tests. SetUp opens the store; each test's own SetUp adds what it needs and calls Start().
// "Restart" (Stop, Start) rebuilds everything above the files; Crash drops it without flushing.
//
// Thread safety: test fixtures run on the test's thread.

#ifndef BANYAN_CUSTOMER_TESTING_CUSTOMER_FIXTURE_H_
#define BANYAN_CUSTOMER_TESTING_CUSTOMER_FIXTURE_H_

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "auth/permissions.h"
#include "auth/principal.h"

#include "customer/customer_service.h"
#include "events/ingest.h"
#include "privacy/testing/privacy_fixture.h"

namespace banyan::customer::testing {

// Relationship manager rm.xixi (staff 7) of branch XIXI (2, "/1/2/"): own customers only.
inline auth::Principal Rm() {
  auth::Principal p;
  p.kind = auth::PrincipalKind::kStaff;
  p.id = 7;
  p.permissions = auth::RolePermissions(auth::Role::kRelationshipManager);
  p.branch_id = 2;
  p.branch_path = "/1/2/";
  p.scope = auth::ScopeKind::kOwnCustomers;
  return p;
}

// A branch manager of `branch` at `path`: that branch's subtree.
inline auth::Principal Manager(int64_t branch, std::string path) {
  auth::Principal p = Rm();
  p.id = 8;
  p.permissions = auth::RolePermissions(auth::Role::kBranchManager);
  p.branch_id = branch;
  p.branch_path = std::move(path);
  p.scope = auth::ScopeKind::kSubtree;
  return p;
}

class CustomerFixture : public privacy::testing::PrivacyFixture {
 protected:
  void SetUp() override {
    PrivacyFixture::SetUp();
    audit_ = std::make_unique<auth::AuditLog>(*db_, clock_, std::string(32, 'k'));
  }
  void TearDown() override {
    Stop();
    audit_.reset();
    PrivacyFixture::TearDown();
  }

  // The organisation the scope tests use: HQ (1, "/1/") with branches XIXI (2, "/1/2/") and
  // WEST (3, "/1/3/"), relationship manager rm.xixi (staff 7) and branch manager bm.xixi
  // (staff 8, the id Manager() uses) at XIXI.
  void SeedOrg() {
    ASSERT_TRUE(db_->Write([](store::Transaction& tx) -> Status {
                     RETURN_IF_ERROR(tx.Execute(
                         "INSERT INTO branch (id, parent_id, code, name, kind, latitude, "
                         "longitude, path, created_at, updated_at) VALUES "
                         "(1, NULL, 'HQ', 'HQ', 'head_office', 0, 0, '/1/', 0, 0), "
                         "(2, 1, 'XIXI', 'Xixi', 'branch', 0, 0, '/1/2/', 0, 0), "
                         "(3, 1, 'WEST', 'West', 'branch', 0, 0, '/1/3/', 0, 0)"));
                     return tx.Execute(
                         "INSERT INTO staff (id, username, display_name, password_hash, role, "
                         "branch_id, status, locale, created_at, updated_at) VALUES "
                         "(7, 'rm.xixi', 'RM', 'x', 'relationship_manager', 2, 'active', "
                         "'zh-CN', 0, 0), "
                         "(8, 'bm.xixi', 'BM', 'x', 'branch_manager', 2, 'active', 'zh-CN', 0, 0)");
                   })
                    .ok());
  }

  // The service's options for Start.
  virtual CustomerOptions Options() const { return {}; }

  void Start() {
    auto log = events::EventLog::Open({.dir = (dir_ / "events").string()}, clock_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(*log);
    auto ingestor = events::Ingestor::Open({}, *log_, clock_, random_);
    ASSERT_TRUE(ingestor.ok());
    ingestor_ = std::move(*ingestor);
    auto graph = identity::IdentityGraph::Load(*db_, identity::IdentifierTypes(), *ring_, *keys_,
                                               random_, clock_);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    std::unique_ptr<profile::AttributeSchema> schema;
    ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                     ASSIGN_OR_RETURN(schema, profile::AttributeSchema::Load(tx));
                     return Status::Ok();
                   })
                    .ok());
    CustomerService::Deps deps{.db = *db_,
                               .log = *log_,
                               .ring = *ring_,
                               .keys = *keys_,
                               .graph = std::move(*graph),
                               .schema = std::move(schema),
                               .audit = *audit_,
                               .clock = clock_,
                               .random = random_,
                               .calendar = *BusinessCalendar::Create("Asia/Shanghai")};
    auto service = CustomerService::Open(std::move(deps), Options());
    ASSERT_TRUE(service.ok()) << service.status().ToString();
    service_ = std::move(*service);
    ingestor_->SetSink(service_.get());
  }

  // A crash: nothing is flushed; the log and the database stay as they are.
  void Crash() {
    ingestor_.reset();
    log_.reset();
    service_.reset();
  }
  void Stop() {
    ingestor_.reset();
    log_.reset();
    if (service_) {
      EXPECT_TRUE(service_->Flush().ok());
    }
    service_.reset();
  }

  // Ingests one Segment request body and waits until it is durable (and applied).
  void Send(std::string_view body) {
    auto decoded = ingestor_->DecodeSegment(body, events::SegmentCall::kFromBody);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    std::promise<Result<events::IngestReport>> done;
    ASSERT_TRUE(ingestor_
                    ->Store(std::move(decoded->events), "1",
                            [&](Result<events::IngestReport> r) { done.set_value(r); })
                    .ok());
    ASSERT_TRUE(done.get_future().get().ok());
  }

  // The one OneID holding (type, value), or 0 (with a failed expectation).
  PersonId FindOne(std::string_view type, std::string_view value,
                   const auth::Principal& who = auth::Principal::System()) {
    auto found = service_->Find(who, type, value);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found.ok() ? found->size() : 0, 1u) << type << ":" << value;
    return found.ok() && found->size() == 1 ? found->front() : 0;
  }

  std::unique_ptr<auth::AuditLog> audit_;
  std::unique_ptr<events::EventLog> log_;
  std::unique_ptr<events::Ingestor> ingestor_;
  std::unique_ptr<CustomerService> service_;
};

}  // namespace banyan::customer::testing

#endif  // BANYAN_CUSTOMER_TESTING_CUSTOMER_FIXTURE_H_
