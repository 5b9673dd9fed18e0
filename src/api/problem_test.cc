#include "api/problem.h"

#include <gtest/gtest.h>

#include "base/json.h"

namespace banyan::api {
namespace {

TEST(Problem, InvalidArgumentCarriesThePointer) {
  auto response = ErrorResponse(InvalidArgumentError("expected a string", "/username"), "req-1");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json");
  auto body = Json::parse(response.body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["request_id"], "req-1");
  EXPECT_EQ(body["errors"][0]["pointer"], "/username");
  EXPECT_EQ(body["errors"][0]["detail"], "expected a string");
}

TEST(Problem, QueryParametersAreNamedAsParameters) {
  auto body = Json::parse(ErrorResponse(InvalidArgumentError("bad", "?limit"), "r").body);
  EXPECT_EQ(body["errors"][0]["parameter"], "limit");
}

TEST(Problem, InternalErrorsDoNotLeakDetails) {
  auto response = ErrorResponse(InternalError("SELECT * FROM secret failed"), "r");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(response.body.find("secret"), std::string::npos);
}

TEST(Problem, StatusMapping) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503);
  EXPECT_EQ(ErrorResponse(ResourceExhaustedError("slow down"), "r").headers.Get("Retry-After"),
            "1");
}

}  // namespace
}  // namespace banyan::api
