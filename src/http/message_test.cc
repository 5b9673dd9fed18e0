#include "http/message.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "http/server.h"

namespace banyan::http {
namespace {

TEST(Headers, NamesCompareCaseInsensitively) {
  Headers headers;
  headers.Add("Set-Cookie", "a=1");
  headers.Add("set-cookie", "b=2");
  headers.Add("Content-Type", "text/plain");
  EXPECT_EQ(headers.Get("SET-COOKIE"), "a=1");
  EXPECT_TRUE(headers.Has("content-type"));
  EXPECT_EQ(headers.Get("X-Missing"), "");
  headers.Set("SET-cookie", "c=3");
  EXPECT_EQ(headers.entries().size(), 2u);
  EXPECT_EQ(headers.Get("Set-Cookie"), "c=3");
  headers.Remove("CONTENT-TYPE");
  EXPECT_FALSE(headers.Has("Content-Type"));
}

TEST(Request, QueryParametersArePercentDecoded) {
  Request request;
  request.query_string = "name=Li+Lei&city=%E4%B8%8A%E6%B5%B7&name=second&flag&bad=%zz";
  EXPECT_EQ(request.Query("name"), "Li Lei");
  EXPECT_EQ(request.Query("city"), "\xE4\xB8\x8A\xE6\xB5\xB7");
  EXPECT_EQ(request.Query("flag"), "");
  EXPECT_EQ(request.Query("missing"), std::nullopt);
  EXPECT_EQ(request.Query("bad"), std::nullopt);
  const auto params = request.QueryParams();
  ASSERT_EQ(params.size(), 4u);  // the malformed pair is skipped
  EXPECT_EQ(params[2], (std::pair<std::string, std::string>("name", "second")));
}

TEST(Request, ParamAndCookie) {
  Request request;
  request.path_params = {{"id", "42"}};
  request.headers.Add("Cookie", "theme=dark; session=\"abc\"");
  request.headers.Add("Cookie", "lang=zh");
  EXPECT_EQ(request.Param("id"), "42");
  EXPECT_EQ(request.Param("other"), "");
  EXPECT_EQ(request.Cookie("session"), "abc");
  EXPECT_EQ(request.Cookie("lang"), "zh");
  EXPECT_EQ(request.Cookie("sess"), "");
}

TEST(PercentDecode, RejectsBadEscapes) {
  EXPECT_EQ(PercentDecode("a%2Fb+c", false), "a/b+c");
  EXPECT_EQ(PercentDecode("a+c", true), "a c");
  EXPECT_EQ(PercentDecode("%4", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%", false), std::nullopt);
  EXPECT_EQ(PercentDecode("%g0", false), std::nullopt);
  EXPECT_EQ(PercentDecode("", false), "");
}

TEST(Response, Factories) {
  const Response json = Response::Json(201, "{}");
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.headers.Get("Content-Type"), "application/json");
  EXPECT_EQ(Response::Text(200, "hi").headers.Get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Response::NoContent().status, 204);
  EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
  EXPECT_TRUE(IsStateChanging(Method::kPatch));
  EXPECT_FALSE(IsStateChanging(Method::kHead));
}

TEST(ProblemResponse, StandardTitleTypeComesFromTheStatusPhrase) {
  const Response response = ProblemResponse(404, "Not Found", "no route", {}, "req-1");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.headers.Get("Content-Type"), "application/problem+json");
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body["type"], "urn:banyan:problem:not_found");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["detail"], "no route");
  EXPECT_EQ(body["request_id"], "req-1");
  EXPECT_FALSE(body.contains("errors"));
}

TEST(ProblemResponse, OwnTitleGetsTypeAndFieldErrors) {
  const Response response =
      ProblemResponse(422, "Invalid Amount!", "expected a number", "/events/3/properties/amount");
  const Json body = Json::parse(response.body);
  EXPECT_EQ(body["type"], "urn:banyan:problem:invalid_amount");
  EXPECT_EQ(body["request_id"], "");
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["pointer"], "/events/3/properties/amount");
  EXPECT_EQ(body["errors"][0]["detail"], "expected a number");
}

TEST(ProblemResponse, InvalidUtf8InDetailDoesNotThrow) {
  const Response response = ProblemResponse(400, "Bad Request", "bad \xff byte");
  EXPECT_TRUE(Json::accept(response.body));
}

}  // namespace
}  // namespace banyan::http
