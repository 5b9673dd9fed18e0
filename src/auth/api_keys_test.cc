#include "auth/api_keys.h"

#include <gtest/gtest.h>

#include "auth/sessions.h"
#include "auth/testing/auth_fixture.h"

namespace banyan::auth {
namespace {

using std::chrono::seconds;

class ApiKeysTest : public testing::AuthFixture {
 protected:
  ApiKeyService& keys() { return auth_->api_keys(); }
  ApiKeyService::Created MustCreate(const Principal& actor, ApiKeyInput input) {
    Result<ApiKeyService::Created> created = keys().Create(actor, input, context_);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : ApiKeyService::Created{};
  }
};

TEST_F(ApiKeysTest, CreateAuthenticateRevoke) {
  const Principal admin = PrincipalOf(admin_.id);
  const auto created = MustCreate(
      admin, {.name = "core banking", .permissions = {"customers:read", "events:write"}});
  EXPECT_TRUE(created.secret.starts_with("bk_"));
  EXPECT_EQ(created.secret.size(), 3u + 43u);
  EXPECT_EQ(created.key.prefix, created.secret.substr(0, kApiKeyPrefixLength));
  EXPECT_EQ(created.key.created_by, admin_.id);
  EXPECT_EQ(created.key.branch_id, std::nullopt);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM api_key WHERE secret_hash LIKE '%" +
                      created.secret.substr(3) + "%'"),
            0);

  Result<Principal> p = keys().Authenticate(created.secret);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind, PrincipalKind::kApiKey);
  EXPECT_EQ(p->id, created.key.id);
  EXPECT_EQ(p->scope, ScopeKind::kAll);
  EXPECT_TRUE(p->Can(Permission::kCustomersRead));
  EXPECT_FALSE(p->Can(Permission::kCustomersWrite));
  EXPECT_FALSE(p->role.has_value());

  ASSERT_TRUE(keys().Revoke(admin, created.key.id, context_).ok());
  EXPECT_EQ(keys().Authenticate(created.secret).status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(keys().Revoke(admin, created.key.id, context_).ok());  // idempotent
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'api_key.revoke'"), 1);
  Result<ApiKey> listed = keys().Get(admin, created.key.id);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->revoked_at.has_value());
}

TEST_F(ApiKeysTest, WriteKeysOnlyWriteEvents) {
  const auto created = MustCreate(PrincipalOf(admin_.id), {.name = "app", .kind = "write"});
  EXPECT_TRUE(created.secret.starts_with("wk_"));
  EXPECT_EQ(keys().Authenticate(created.secret).status().code(), StatusCode::kUnauthenticated);
  Result<Principal> p = keys().AuthenticateWriteKey(created.secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->kind, PrincipalKind::kWriteKey);
  EXPECT_EQ(PermissionNames(p->permissions), (std::vector<std::string>{"events:write"}));
  // A tampered prefix does not turn a write key into an API key.
  EXPECT_FALSE(keys().Authenticate("bk_" + created.secret.substr(3)).ok());
  // And an API key is not a write key.
  const auto api =
      MustCreate(PrincipalOf(admin_.id), {.name = "x", .permissions = {"events:write"}});
  EXPECT_FALSE(keys().AuthenticateWriteKey(api.secret).ok());
  Result<ApiKeyService::Created> broad =
      keys().Create(PrincipalOf(admin_.id),
                    {.name = "w", .kind = "write", .permissions = {"staff:write"}}, context_);
  EXPECT_EQ(broad.status().field(), "/permissions");
}

TEST_F(ApiKeysTest, NoEscalation) {
  // A subtree principal allowed to manage keys but holding only some permissions.
  Principal manager = PrincipalOf(admin_.id);
  manager.permissions = MakePermissionSet({Permission::kApiKeysManage, Permission::kCustomersRead});
  manager.scope = ScopeKind::kSubtree;
  manager.branch_id = branch_a_.id;
  manager.branch_path = branch_a_.path;
  Result<ApiKeyService::Created> wider = keys().Create(
      manager, {.name = "k", .permissions = {"customers:read", "pii:unmask"}}, context_);
  EXPECT_EQ(wider.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(wider.status().message().find("pii:unmask"), std::string::npos);
  Result<ApiKeyService::Created> elsewhere = keys().Create(
      manager, {.name = "k", .permissions = {"customers:read"}, .branch_id = branch_b_.id},
      context_);
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(elsewhere.status().field(), "/branch_id");
  // Without a branch the key gets the creator's own branch, never the whole bank.
  const auto narrow = MustCreate(manager, {.name = "k", .permissions = {"customers:read"}});
  EXPECT_EQ(narrow.key.branch_id, branch_a_.id);
  Result<Principal> p = keys().Authenticate(narrow.secret);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scope, ScopeKind::kSubtree);
  EXPECT_EQ(p->branch_path, branch_a_.path);
  // Keys cannot mint keys.
  Principal key_principal = *p;
  key_principal.permissions.set(static_cast<size_t>(Permission::kApiKeysManage));
  EXPECT_EQ(keys()
                .Create(key_principal, {.name = "k2", .permissions = {"customers:read"}}, context_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
  // Staff without api_keys:manage cannot create any.
  const Staff rm = MustStaff(Principal::System(), "rm.one", Role::kRelationshipManager, sub_a1_.id);
  EXPECT_EQ(keys()
                .Create(PrincipalOf(rm.id), {.name = "k", .permissions = {"tasks:read"}}, context_)
                .status()
                .code(),
            StatusCode::kPermissionDenied);
}

TEST_F(ApiKeysTest, ValidatesInput) {
  const Principal admin = PrincipalOf(admin_.id);
  EXPECT_EQ(
      keys().Create(admin, {.name = "", .permissions = {"tasks:read"}}, context_).status().field(),
      "/name");
  EXPECT_EQ(keys().Create(admin, {.name = "k", .permissions = {}}, context_).status().field(),
            "/permissions");
  EXPECT_EQ(keys()
                .Create(admin, {.name = "k", .permissions = {"tasks:read", "nope"}}, context_)
                .status()
                .field(),
            "/permissions/1");
  EXPECT_EQ(
      keys()
          .Create(admin, {.name = "k", .kind = "root", .permissions = {"tasks:read"}}, context_)
          .status()
          .field(),
      "/kind");
  EXPECT_EQ(
      keys()
          .Create(admin, {.name = "k", .permissions = {"tasks:read"}, .expires_at = clock_.Now()},
                  context_)
          .status()
          .field(),
      "/expires_at");
}

TEST_F(ApiKeysTest, ExpiryAndLastUsed) {
  const auto created = MustCreate(
      PrincipalOf(admin_.id),
      {.name = "k", .permissions = {"tasks:read"}, .expires_at = clock_.Now() + seconds(3600)});
  ASSERT_TRUE(keys().Authenticate(created.secret).ok());
  const std::string last_used =
      "SELECT last_used_at FROM api_key WHERE id = " + std::to_string(created.key.id);
  EXPECT_EQ(CountRows(last_used), ToUnixMicros(clock_.Now()));
  clock_.Advance(seconds(30));
  ASSERT_TRUE(keys().Authenticate(created.secret).ok());
  EXPECT_EQ(CountRows(last_used), ToUnixMicros(clock_.Now() - seconds(30)));
  clock_.Advance(seconds(3570));
  EXPECT_EQ(keys().Authenticate(created.secret).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ApiKeysTest, RevocationInAnotherProcessIsPickedUp) {
  const auto created =
      MustCreate(PrincipalOf(admin_.id), {.name = "k", .permissions = {"tasks:read"}});
  ASSERT_TRUE(keys().Authenticate(created.secret).ok());
  ASSERT_TRUE(Sql("UPDATE api_key SET revoked_at = 1").ok());
  clock_.Advance(kCacheRecheckInterval);
  EXPECT_FALSE(keys().Authenticate(created.secret).ok());
}

TEST_F(ApiKeysTest, ListIsScopedAndPaged) {
  const Principal admin = PrincipalOf(admin_.id);
  MustCreate(admin, {.name = "bank", .permissions = {"tasks:read"}});
  MustCreate(admin, {.name = "a", .permissions = {"tasks:read"}, .branch_id = branch_a_.id});
  MustCreate(admin, {.name = "a1", .permissions = {"tasks:read"}, .branch_id = sub_a1_.id});
  MustCreate(admin, {.name = "b", .permissions = {"tasks:read"}, .branch_id = branch_b_.id});
  std::vector<std::string> names;
  std::string cursor;
  do {
    Result<Page<ApiKey>> page = keys().List(admin, cursor, 3);
    ASSERT_TRUE(page.ok());
    for (const ApiKey& k : page->items) names.push_back(k.name);
    cursor = page->next_cursor;
  } while (!cursor.empty());
  EXPECT_EQ(names, (std::vector<std::string>{"bank", "a", "a1", "b"}));

  Principal manager = admin;
  manager.scope = ScopeKind::kSubtree;
  manager.branch_id = branch_a_.id;
  manager.branch_path = branch_a_.path;
  Result<Page<ApiKey>> scoped = keys().List(manager, "", 50);
  ASSERT_TRUE(scoped.ok());
  ASSERT_EQ(scoped->items.size(), 2u);
  EXPECT_EQ(scoped->items[0].name, "a");
  EXPECT_EQ(scoped->items[1].name, "a1");
  EXPECT_EQ(keys().Revoke(manager, scoped->items[0].id + 2, context_).code(),
            StatusCode::kNotFound);  // "b" is outside A
}

}  // namespace
}  // namespace banyan::auth
