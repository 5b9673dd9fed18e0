#include "http/router.h"

#include <gtest/gtest.h>

namespace banyan::http {
namespace {

Handler Named(std::string name) {
  return [name](Request&) { return Response::Text(200, name); };
}

std::string Call(const Router::Match& match) {
  Request request;
  return (*match.handler)(request).body;
}

TEST(Router, FindsLiteralRoute) {
  Router router;
  router.Add(Method::kGet, "/healthz", Named("health"));
  const Router::Match match = router.Find(Method::kGet, "/healthz");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route, "/healthz");
  EXPECT_EQ(Call(match), "health");
  EXPECT_TRUE(match.params.empty());
}

TEST(Router, FillsParamsInPathOrder) {
  Router router;
  router.Add(Method::kGet, "/api/v1/branches/{branch}/staff/{id}", Named("staff"));
  const Router::Match match = router.Find(Method::kGet, "/api/v1/branches/sh-01/staff/42");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.route, "/api/v1/branches/{branch}/staff/{id}");
  const std::vector<std::pair<std::string, std::string>> expected = {{"branch", "sh-01"},
                                                                     {"id", "42"}};
  EXPECT_EQ(match.params, expected);
}

TEST(Router, LiteralBeatsParameterRegardlessOfOrder) {
  Router router;
  router.Add(Method::kGet, "/staff/{id}", Named("by-id"));
  router.Add(Method::kGet, "/staff/me", Named("me"));
  EXPECT_EQ(Call(router.Find(Method::kGet, "/staff/me")), "me");
  EXPECT_EQ(Call(router.Find(Method::kGet, "/staff/7")), "by-id");
}

TEST(Router, BacktracksToParameterWhenLiteralBranchFailsDeeper) {
  Router router;
  router.Add(Method::kGet, "/staff/me/settings", Named("settings"));
  router.Add(Method::kGet, "/staff/{id}/tasks", Named("tasks"));
  const Router::Match match = router.Find(Method::kGet, "/staff/me/tasks");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(Call(match), "tasks");
  EXPECT_EQ(match.params.at(0).second, "me");
}

TEST(Router, TrailingSlashIsSignificant) {
  Router router;
  router.Add(Method::kGet, "/staff", Named("list"));
  EXPECT_EQ(router.Find(Method::kGet, "/staff/").kind, Router::Match::Kind::kNotFound);
  EXPECT_EQ(router.Find(Method::kGet, "/staff").kind, Router::Match::Kind::kFound);
}

TEST(Router, ParameterDoesNotMatchEmptySegment) {
  Router router;
  router.Add(Method::kGet, "/staff/{id}", Named("by-id"));
  EXPECT_EQ(router.Find(Method::kGet, "/staff/").kind, Router::Match::Kind::kNotFound);
}

TEST(Router, RootRoute) {
  Router router;
  router.Add(Method::kGet, "/", Named("root"));
  EXPECT_EQ(Call(router.Find(Method::kGet, "/")), "root");
  EXPECT_EQ(router.Find(Method::kGet, "").kind, Router::Match::Kind::kNotFound);
}

TEST(Router, OtherMethodIs405WithAllowListingEveryMatchingRoute) {
  Router router;
  router.Add(Method::kGet, "/staff/me", Named("me"));
  router.Add(Method::kDelete, "/staff/{id}", Named("delete"));
  router.Add(Method::kPost, "/staff/{id}", Named("update"));
  const Router::Match match = router.Find(Method::kPut, "/staff/me");
  EXPECT_EQ(match.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD, POST, DELETE");
  EXPECT_EQ(match.handler, nullptr);
  // The parameter route has the method, so DELETE /staff/me finds it by backtracking.
  EXPECT_EQ(Call(router.Find(Method::kDelete, "/staff/me")), "delete");
}

TEST(Router, HeadIsServedByGet) {
  Router router;
  router.Add(Method::kGet, "/report", Named("report"));
  const Router::Match match = router.Find(Method::kHead, "/report");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(Call(match), "report");
}

TEST(Router, UnknownMethodIs405OnAKnownPath) {
  Router router;
  router.Add(Method::kGet, "/report", Named("report"));
  EXPECT_EQ(router.Find(Method::kOther, "/report").kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(router.Find(Method::kOther, "/nothing").kind, Router::Match::Kind::kNotFound);
}

TEST(Router, AsyncRouteSetsOnlyAsyncHandler) {
  Router router;
  router.AddAsync(Method::kPost, "/events",
                  [](Request&, Responder respond) { respond(Response::NoContent()); });
  const Router::Match match = router.Find(Method::kPost, "/events");
  ASSERT_EQ(match.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(match.handler, nullptr);
  ASSERT_NE(match.async_handler, nullptr);
}

TEST(Router, TooManySegmentsMatchNothing) {
  Router router;
  router.Add(Method::kGet, "/{a}", Named("one"));
  std::string path;
  for (int i = 0; i < 100; ++i) path += "/x";
  EXPECT_EQ(router.Find(Method::kGet, path).kind, Router::Match::Kind::kNotFound);
}

TEST(RouterDeathTest, DuplicateRouteIsABug) {
  Router router;
  router.Add(Method::kGet, "/staff/{id}", Named("a"));
  EXPECT_DEATH(router.Add(Method::kGet, "/staff/{id}", Named("b")), "conflicts");
}

TEST(RouterDeathTest, MalformedPatternIsABug) {
  Router router;
  EXPECT_DEATH(router.Add(Method::kGet, "/staff/{id", Named("a")), "bad segment");
  EXPECT_DEATH(router.Add(Method::kGet, "staff", Named("a")), "must start with");
  EXPECT_DEATH(router.Add(Method::kGet, "/a/{id}/b/{id}", Named("a")), "repeats parameter");
}

}  // namespace
}  // namespace banyan::http
