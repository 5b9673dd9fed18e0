// Tests of the socket-free parts of the server: gzip decoding, target parsing, request ids,
// response fixing and serialisation.

#include "http/internal/pipeline.h"
#include "http/internal/gzip_testing.h"

#include <gtest/gtest.h>

#include <set>

#include "base/json.h"
#include "http/internal/gzip.h"
#include "http/internal/request_id.h"
#include "http/internal/wire.h"

namespace banyan::http::internal {
namespace {

using testing::Gzip;

TEST(GzipDecode, RoundTripsAndConcatenatedMembers) {
  EXPECT_EQ(GzipDecode(Gzip("hello"), 100).value(), "hello");
  EXPECT_EQ(GzipDecode(Gzip("he") + Gzip("llo"), 100).value(), "hello");
  EXPECT_EQ(GzipDecode("", 100).value(), "");
}

TEST(GzipDecode, LimitAppliesToDecodedSize) {
  const std::string compressed = Gzip(std::string(1000, 'a'));
  EXPECT_EQ(GzipDecode(compressed, 1000).value().size(), 1000u);
  const auto over = GzipDecode(compressed, 999);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kTooLarge);
}

TEST(GzipDecode, CorruptAndTruncatedInputAreInvalid) {
  const std::string compressed = Gzip(std::string(5000, 'x') + "tail");
  const auto truncated = GzipDecode(compressed.substr(0, compressed.size() / 2), 1 << 20);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), StatusCode::kInvalidArgument);
  const auto garbage = GzipDecode("definitely not gzip", 1 << 20);
  EXPECT_EQ(garbage.status().code(), StatusCode::kInvalidArgument);
  const auto trailing = GzipDecode(compressed + "junk", 1 << 20);
  EXPECT_EQ(trailing.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseTarget, SplitsAndDecodesPath) {
  Request request;
  request.target = "/api/v1/staff/Li%20Lei?x=1&y=%20";
  ASSERT_TRUE(ParseTarget(request).ok());
  EXPECT_EQ(request.path, "/api/v1/staff/Li Lei");
  EXPECT_EQ(request.query_string, "x=1&y=%20");
  request.target = "http://example.com/a?b";
  ASSERT_TRUE(ParseTarget(request).ok());
  EXPECT_EQ(request.path, "/a");
  EXPECT_EQ(request.query_string, "b");
}

TEST(ParseTarget, RejectsDangerousPaths) {
  for (const char* target :
       {"*", "staff", "/a%2Fb", "/a%2fb", "/a%00", "/a/../b", "/a/./b", "/..", "/bad%zz"}) {
    Request request;
    request.target = target;
    EXPECT_FALSE(ParseTarget(request).ok()) << target;
  }
}

TEST(RequestId, AcceptsOnlySaneIncomingIds) {
  EXPECT_TRUE(IsAcceptableRequestId("abc-DEF_1.2"));
  EXPECT_TRUE(IsAcceptableRequestId(std::string(64, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsAcceptableRequestId(""));
  EXPECT_FALSE(IsAcceptableRequestId("a b"));
  EXPECT_FALSE(IsAcceptableRequestId("a\r\nX-Evil: 1"));
}

TEST(RequestId, GeneratedIdsAreUniqueAndAcceptable) {
  SeededRandom random(7);
  RequestIdGenerator generator(random);
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = generator.Next();
    EXPECT_TRUE(IsAcceptableRequestId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  SeededRandom other_seed(8);
  EXPECT_NE(RequestIdGenerator(other_seed).Next(), RequestIdGenerator(random).Next());
}

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    options_.access_log = false;
    options_.body_limit_bytes = 100;
    options_.default_headers = {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "x"}};
    router_.Add(Method::kGet, "/a", [](Request&) { return Response::Text(200, "a"); });
  }
  ServerOptions options_;
  Router router_;
  Metrics metrics_;
  Pipeline pipeline_{options_, router_, metrics_};
};

TEST_F(PipelineTest, UnsupportedEncodingIs415) {
  Request request;
  request.target = "/a";
  request.headers.Add("Content-Encoding", "br");
  Pipeline::Dispatch dispatch;
  const std::optional<Response> response = pipeline_.Prepare(request, dispatch);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 415);
  EXPECT_EQ(response->headers.Get("Accept-Encoding"), "gzip");
}

TEST_F(PipelineTest, FinishFixesResponses) {
  Request request;
  request.request_id = "rid";
  Response response = Response::Text(200, "x");
  response.headers.Set("Cache-Control", "no-store");
  response.headers.Set("content-length", "99");
  pipeline_.Finish(request, response);
  EXPECT_EQ(response.headers.Get("Cache-Control"), "no-store");  // the handler's value wins
  EXPECT_EQ(response.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(response.headers.Get("X-Request-Id"), "rid");
  EXPECT_FALSE(response.headers.Has("Content-Length"));

  Response split = Response::Text(200, "x");
  split.headers.Set("Location", "/a\r\nSet-Cookie: evil=1");
  pipeline_.Finish(request, split);
  EXPECT_EQ(split.status, 500);
  EXPECT_FALSE(split.headers.Has("Location"));

  Response odd = Response::Text(42, "x");
  pipeline_.Finish(request, odd);
  EXPECT_EQ(odd.status, 500);
  EXPECT_EQ(Json::parse(odd.body)["request_id"], "rid");
}

TEST(Wire, SerialisesHeadWithFraming) {
  Response response = Response::Text(201, "hello");
  std::string head;
  SerializeResponseHead(response, {.keep_alive = false, .client_http10 = false}, head);
  EXPECT_TRUE(
      head.starts_with("HTTP/1.1 201 Created\r\nContent-Type: text/plain; charset=utf-8\r\n"))
      << head;
  EXPECT_NE(head.find("\r\nContent-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nConnection: close\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nDate: "), std::string::npos);
  EXPECT_TRUE(head.ends_with(" GMT\r\nContent-Length: 5\r\nConnection: close\r\n\r\n")) << head;

  SerializeResponseHead(Response::NoContent(), {.keep_alive = true, .client_http10 = true}, head);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_NE(head.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
}

}  // namespace
}  // namespace banyan::http::internal
