#include "auth/sessions.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "auth/testing/auth_fixture.h"

namespace banyan::auth {
namespace {

using std::chrono::seconds;

class SessionsTest : public testing::AuthFixture {
 protected:
  SessionService& sessions() { return auth_->sessions(); }
  Result<LoginResult> Login(std::string_view user, std::string_view password) {
    return sessions().Login(user, password, context_);
  }
  int64_t CountAudit(const std::string& action) {
    return CountRows("SELECT COUNT(*) FROM audit_log WHERE action = '" + action + "'");
  }
};

TEST_F(SessionsTest, LoginIssuesATokenStoredOnlyAsAHash) {
  Result<LoginResult> login = Login("Admin", testing::kPassword);  // usernames ignore case
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  EXPECT_EQ(login->token.size(), 43u);  // 32 bytes, unpadded base64url
  EXPECT_FALSE(login->csrf_token.empty());
  EXPECT_NE(login->csrf_token, login->token);
  EXPECT_EQ(login->principal.kind, PrincipalKind::kStaff);
  EXPECT_EQ(login->principal.id, admin_.id);
  EXPECT_EQ(login->principal.csrf_token, login->csrf_token);
  EXPECT_EQ(login->expires_at, clock_.Now() + seconds(config_.session_absolute_timeout_s));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM session WHERE id_hash = '" +
                      login->principal.session_id + "'"),
            1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM session WHERE id_hash = '" + login->token + "'"), 0);
  EXPECT_EQ(CountAudit("auth.login"), 1);
  Result<Staff> staff = auth_->staff().Get(Principal::System(), admin_.id);
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->last_login_at, clock_.Now());

  Result<Principal> p = sessions().Authenticate(login->token);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->id, admin_.id);
  EXPECT_EQ(p->csrf_token, login->csrf_token);
  EXPECT_EQ(p->session_id, login->principal.session_id);
  EXPECT_TRUE(p->Can(Permission::kStaffWrite));
}

TEST_F(SessionsTest, UnknownUserAndWrongPasswordLookAlike) {
  Result<LoginResult> unknown = Login("nobody", testing::kPassword);
  Result<LoginResult> wrong = Login("admin", "not the password");
  ASSERT_FALSE(unknown.ok());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.status().ToString(), wrong.status().ToString());
  EXPECT_EQ(CountAudit("auth.login_failed"), 2);
  // The typed username of an unknown account is not recorded (it may be a password).
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE actor_name = 'nobody'"), 0);
}

TEST_F(SessionsTest, UnknownUserStillPaysForAPasswordHash) {
  // At the production cost a verification takes tens of milliseconds; an unknown username must
  // take about as long as a wrong password, or timing would reveal which usernames exist.
  SessionService strong(*db_, clock_, random_, auth_->audit(), config_,
                        PasswordHashCost::Interactive());
  ASSERT_TRUE(Sql("UPDATE staff SET password_hash = '" +
                  *HashPassword(testing::kPassword, PasswordHashCost::Interactive()) +
                  "' WHERE id = " + std::to_string(admin_.id))
                  .ok());
  auto time_login = [&](std::string_view user) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(strong.Login(user, "wrong password here", context_).ok());
    return std::chrono::steady_clock::now() - start;
  };
  const auto known = time_login("admin");
  const auto unknown = time_login("nobody");
  EXPECT_GT(unknown, known / 3) << "unknown user answered much faster than a wrong password";
}

TEST_F(SessionsTest, LockOutAfterRepeatedFailuresThenUnlock) {
  for (int64_t i = 1; i < config_.login_failures_max; ++i) {
    EXPECT_EQ(Login("admin", "wrong password").status().code(), StatusCode::kUnauthenticated);
  }
  Result<LoginResult> locking = Login("admin", "wrong password");
  EXPECT_EQ(locking.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(locking.status().message().find("locked until 2026-01-01T00:15:00Z"), std::string::npos)
      << locking.status().message();
  // Even the right password is refused while locked, and the refusal is audited.
  Result<LoginResult> refused = Login("admin", testing::kPassword);
  EXPECT_EQ(refused.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(CountAudit("auth.lockout"), 1);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed' AND "
                      "outcome = 'denied'"),
            1);
  clock_.Advance(seconds(config_.lockout_s - 1));
  EXPECT_EQ(Login("admin", testing::kPassword).status().code(), StatusCode::kResourceExhausted);
  clock_.Advance(seconds(1));
  ASSERT_TRUE(Login("admin", testing::kPassword).ok());
  Result<Staff> staff = auth_->staff().Get(Principal::System(), admin_.id);
  EXPECT_EQ(staff->locked_until, std::nullopt);
}

TEST_F(SessionsTest, SuccessResetsTheFailureCount) {
  for (int64_t i = 1; i < config_.login_failures_max; ++i) {
    ASSERT_FALSE(Login("admin", "wrong password").ok());
  }
  ASSERT_TRUE(Login("admin", testing::kPassword).ok());
  for (int64_t i = 1; i < config_.login_failures_max; ++i) {
    EXPECT_EQ(Login("admin", "wrong password").status().code(), StatusCode::kUnauthenticated);
  }
}

TEST_F(SessionsTest, ThrottlesFailuresFromOneAddress) {
  // Successes do not count: many staff behind one NAT address may all log in.
  for (int i = 0; i < 2 * kLoginFailuresPerAddressMax; ++i) {
    ASSERT_TRUE(Login("admin", testing::kPassword).ok()) << i;
  }
  for (int i = 0; i < kLoginFailuresPerAddressMax; ++i) {
    EXPECT_EQ(Login("nobody", "whatever").status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(Login("admin", testing::kPassword).status().code(), StatusCode::kResourceExhausted);
  AuditContext elsewhere{"req-2", "10.0.0.2"};
  EXPECT_TRUE(sessions().Login("admin", testing::kPassword, elsewhere).ok());
  clock_.Advance(kLoginThrottleWindow);
  EXPECT_TRUE(Login("admin", testing::kPassword).ok());
}

TEST_F(SessionsTest, IdleExpiry) {
  Result<LoginResult> login = Login("admin", testing::kPassword);
  ASSERT_TRUE(login.ok());
  const seconds idle(config_.session_idle_timeout_s);
  // Activity keeps the session alive well past the idle timeout…
  for (int i = 0; i < 4; ++i) {
    clock_.Advance(idle - seconds(1));
    ASSERT_TRUE(sessions().Authenticate(login->token).ok()) << i;
  }
  // …and the activity reached the store, so a fresh process agrees.
  OpenSystem();
  ASSERT_TRUE(auth_->sessions().Authenticate(login->token).ok());
  clock_.Advance(idle);
  EXPECT_EQ(auth_->sessions().Authenticate(login->token).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, AbsoluteExpiry) {
  Result<LoginResult> login = Login("admin", testing::kPassword);
  ASSERT_TRUE(login.ok());
  const seconds step(config_.session_idle_timeout_s / 2);
  while (clock_.Now() + step < login->expires_at) {
    clock_.Advance(step);
    ASSERT_TRUE(sessions().Authenticate(login->token).ok());
  }
  clock_.Set(login->expires_at);
  EXPECT_FALSE(sessions().Authenticate(login->token).ok());
}

TEST_F(SessionsTest, LastSeenIsWrittenAtMostOncePerInterval) {
  Result<LoginResult> login = Login("admin", testing::kPassword);
  ASSERT_TRUE(login.ok());
  const std::string query =
      "SELECT last_seen_at FROM session WHERE id_hash = '" + login->principal.session_id + "'";
  const int64_t at_login = CountRows(query);
  clock_.Advance(seconds(30));
  ASSERT_TRUE(sessions().Authenticate(login->token).ok());
  EXPECT_EQ(CountRows(query), at_login);
  clock_.Advance(seconds(31));
  ASSERT_TRUE(sessions().Authenticate(login->token).ok());
  EXPECT_EQ(CountRows(query), ToUnixMicros(clock_.Now()));
}

TEST_F(SessionsTest, LogoutEndsOnlyThatSession) {
  Result<LoginResult> first = Login("admin", testing::kPassword);
  Result<LoginResult> second = Login("admin", testing::kPassword);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(sessions().Logout(first->principal, context_).ok());
  EXPECT_FALSE(sessions().Authenticate(first->token).ok());
  EXPECT_TRUE(sessions().Authenticate(second->token).ok());
  EXPECT_EQ(CountAudit("auth.logout"), 1);
  EXPECT_EQ(sessions().Logout(Principal::System(), context_).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(SessionsTest, RevokeAllForEndsEverySession) {
  Result<LoginResult> first = Login("admin", testing::kPassword);
  Result<LoginResult> second = Login("admin", testing::kPassword);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_TRUE(sessions().RevokeAllFor(admin_.id).ok());
  EXPECT_FALSE(sessions().Authenticate(first->token).ok());
  EXPECT_FALSE(sessions().Authenticate(second->token).ok());
}

TEST_F(SessionsTest, ChangesFromAnotherProcessArePickedUpWithinTheRecheckInterval) {
  Result<LoginResult> login = Login("admin", testing::kPassword);
  ASSERT_TRUE(login.ok());
  ASSERT_TRUE(sessions().Authenticate(login->token).ok());
  ASSERT_TRUE(Sql("DELETE FROM session").ok());  // e.g. `banyan admin` in another process
  clock_.Advance(kCacheRecheckInterval);
  EXPECT_FALSE(sessions().Authenticate(login->token).ok());
}

TEST_F(SessionsTest, ConcurrentRequestsAndLogout) {
  Result<LoginResult> login = Login("admin", testing::kPassword);
  ASSERT_TRUE(login.ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        if (!sessions().Authenticate(login->token).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(sessions().Logout(login->principal, context_).ok());
  EXPECT_FALSE(sessions().Authenticate(login->token).ok());
}

TEST_F(SessionsTest, RejectsGarbageTokens) {
  EXPECT_FALSE(sessions().Authenticate("").ok());
  EXPECT_FALSE(sessions().Authenticate(std::string(1000, 'a')).ok());
  EXPECT_EQ(sessions().Authenticate("no-such-token").status().code(), StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, SessionsPerStaffAreBounded) {
  for (int64_t i = 0; i < kSessionsPerStaffMax + 5; ++i) {
    ASSERT_TRUE(sessions().Login("admin", testing::kPassword, {"r", std::to_string(i)}).ok());
    clock_.Advance(seconds(1));
  }
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM session"), kSessionsPerStaffMax);
}

}  // namespace
}  // namespace banyan::auth
