// End-to-end tests of the server's request path: a real Server on 127.0.0.1:0 and a blocking
// client. Limits, timeouts and shutdown are in server_limits_test.cc.

#include "http/server.h"

#include <gtest/gtest.h>

#include <future>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "base/json.h"
#include "http/internal/gzip_testing.h"
#include "http/internal/test_server.h"

namespace banyan::http {
namespace {

using testing::BodyRequest;
using testing::GetRequest;
using testing::TestClient;
using testing::TestResponse;
using testing::TestServer;

using testing::Gzip;

Json ProblemBody(const TestResponse& response) {
  EXPECT_EQ(response[boost::beast::http::field::content_type], "application/problem+json");
  return Json::parse(response.body());
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(Method::kGet, "/staff/{id}", [](Request& request) {
      return Response::Json(200, Json{{"id", request.Param("id")}}.dump());
    });
    router_.Add(Method::kGet, "/staff/me", [](Request&) { return Response::Json(200, "\"me\""); });
    router_.Add(Method::kPost, "/echo", [](Request& request) {
      Response response = Response::Text(200, request.body);
      response.headers.Set("X-Had-Encoding", request.headers.Has("Content-Encoding") ? "1" : "0");
      return response;
    });
    router_.Add(Method::kGet, "/throw",
                [](Request&) -> Response { throw std::runtime_error("boom"); });
    router_.Add(Method::kGet, "/query", [](Request& request) {
      return Response::Text(200, request.path + "|" + request.Query("q").value_or("-"));
    });
  }
  Router router_;
};

TEST_F(ServerTest, RoutesWithParams) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/staff/42"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ((*response)[boost::beast::http::field::content_type], "application/json");
  EXPECT_EQ(Json::parse(response->body())["id"], "42");
  const auto me = client.RoundTrip(GetRequest("/staff/me"));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->body(), "\"me\"");
}

TEST_F(ServerTest, PathIsDecodedAndQueryKept) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/query?q=a%20b"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "/query|a b");
}

TEST_F(ServerTest, NotFoundIsProblemJson) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/nowhere"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404);
  const Json body = ProblemBody(*response);
  EXPECT_EQ(body["type"], "urn:banyan:problem:not_found");
  EXPECT_EQ(body["title"], "Not Found");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["request_id"], std::string((*response)["X-Request-Id"]));
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(BodyRequest("DELETE", "/echo", ""));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405);
  EXPECT_EQ((*response)[boost::beast::http::field::allow], "POST");
  EXPECT_EQ(ProblemBody(*response)["status"], 405);
}

TEST_F(ServerTest, EchoesSaneRequestIdAndReplacesOthers) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto echoed = client.RoundTrip(GetRequest("/staff/1", "X-Request-Id: abc.DEF_12-3\r\n"));
  ASSERT_TRUE(echoed);
  EXPECT_EQ((*echoed)["X-Request-Id"], "abc.DEF_12-3");
  const auto replaced = client.RoundTrip(GetRequest("/staff/1", "X-Request-Id: bad id!\r\n"));
  ASSERT_TRUE(replaced);
  const std::string generated((*replaced)["X-Request-Id"]);
  EXPECT_FALSE(generated.empty());
  EXPECT_NE(generated, "bad id!");
  const auto next = client.RoundTrip(GetRequest("/staff/1"));
  ASSERT_TRUE(next);
  EXPECT_NE(std::string((*next)["X-Request-Id"]), generated);
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  TestServer server(router_);
  TestClient client(server.port());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/staff/1")));
  const auto second = client.RoundTrip(GetRequest("/staff/2"));
  ASSERT_TRUE(second);
  EXPECT_EQ(Json::parse(second->body())["id"], "2");
  EXPECT_TRUE(second->keep_alive());
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server(router_);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(GetRequest("/staff/1") + GetRequest("/staff/2")));
  const auto first = client.Read();
  const auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(Json::parse(first->body())["id"], "1");
  EXPECT_EQ(Json::parse(second->body())["id"], "2");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/staff/1", "Connection: close\r\n"));
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(ServerTest, GzipBodyIsDecodedBeforeTheHandler) {
  TestServer server(router_);
  TestClient client(server.port());
  const std::string body = "{\"events\":[" + std::string(5000, ' ') + "]}";
  const auto response =
      client.RoundTrip(BodyRequest("POST", "/echo", Gzip(body), "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), body);
  EXPECT_EQ((*response)["X-Had-Encoding"], "0");
}

TEST_F(ServerTest, ChunkedBodyIsAssembled) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "hello world");
}

TEST_F(ServerTest, ExpectContinueGetsInterimResponse) {
  TestServer server(router_);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  ASSERT_TRUE(client.Send("abc"));
  const auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "abc");
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/throw"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  const Json body = ProblemBody(*response);
  EXPECT_EQ(body["status"], 500);
  EXPECT_EQ(body["detail"].get<std::string>().find("boom"), std::string::npos);  // not leaked
  const auto after = client.RoundTrip(GetRequest("/staff/3"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result_int(), 200);
}

TEST_F(ServerTest, HeadRequestGetsHeadersWithoutBody) {
  TestServer server(router_);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send("HEAD /staff/me HTTP/1.1\r\nHost: t\r\n\r\n"));
  const auto response = client.Read(/*head_request=*/true);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ((*response)[boost::beast::http::field::content_length], "4");
  EXPECT_TRUE(response->body().empty());
  const auto next = client.RoundTrip(GetRequest("/staff/me"));  // the stream is still in step
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "\"me\"");
}

TEST_F(ServerTest, DefaultHeadersAndBeforeRoutingHook) {
  ServerOptions options = testing::TestOptions();
  options.default_headers = {{"X-Frame-Options", "DENY"}};
  options.before_routing = [](Request& request) -> std::optional<Response> {
    if (request.path == "/static/app.js") return Response::Text(200, "js", "text/javascript");
    return std::nullopt;
  };
  TestServer server(router_, options);
  TestClient client(server.port());
  const auto hooked = client.RoundTrip(GetRequest("/static/app.js"));
  ASSERT_TRUE(hooked);
  EXPECT_EQ(hooked->body(), "js");
  EXPECT_EQ((*hooked)["X-Frame-Options"], "DENY");
  const auto missing = client.RoundTrip(GetRequest("/nowhere"));
  ASSERT_TRUE(missing);
  EXPECT_EQ((*missing)["X-Frame-Options"], "DENY");
  EXPECT_TRUE(
      testing::EventuallyExported(server.metrics(), "route=\"before_routing\",status=\"200\"} 1"));
  EXPECT_TRUE(
      testing::EventuallyExported(server.metrics(), "route=\"unmatched\",status=\"404\"} 1"));
}

TEST_F(ServerTest, RecordsMetricsByRoutePattern) {
  TestServer server(router_);
  TestClient client(server.port());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/staff/1")));
  ASSERT_TRUE(client.RoundTrip(GetRequest("/staff/2")));
  EXPECT_TRUE(testing::EventuallyExported(
      server.metrics(),
      "banyan_http_requests_total{method=\"GET\",route=\"/staff/{id}\",status=\"200\"} 2"))
      << server.metrics().Export();
  EXPECT_TRUE(testing::EventuallyExported(server.metrics(), "banyan_http_in_flight_requests 0"));
}

TEST_F(ServerTest, AccessLogLineOmitsQueryString) {
  ServerOptions options = testing::TestOptions();
  options.access_log = true;
  ::testing::internal::CaptureStderr();
  {
    TestServer server(router_, options);
    TestClient client(server.port());
    ASSERT_TRUE(client.RoundTrip(GetRequest("/staff/7?token=s3cret", "X-Request-Id: log-1\r\n")));
    ASSERT_TRUE(testing::EventuallyExported(server.metrics(), "status=\"200\"} 1"));
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("http.access method=GET path=/staff/7 route=/staff/{id} status=200 bytes=10"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("request_id=log-1 remote=127.0.0.1"), std::string::npos) << log;
  EXPECT_EQ(log.find("s3cret"), std::string::npos) << log;
}

// Async handlers: answered later from a thread the test owns.
class AsyncServerTest : public ::testing::Test {
 protected:
  AsyncServerTest() {
    router_.AddAsync(Method::kPost, "/later", [this](Request& request, Responder respond) {
      std::string body = request.body;  // the Request is only valid until respond is called
      workers_.emplace_back([respond = std::move(respond), body = std::move(body)] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        Response response = Response::Text(202, body);
        std::ostringstream thread_id;
        thread_id << std::this_thread::get_id();
        response.headers.Set("X-Answered-On", thread_id.str());
        respond(std::move(response));
      });
    });
    router_.AddAsync(Method::kGet, "/inline", [](Request&, Responder respond) {
      respond(Response::Text(200, "inline"));  // answered before the handler returns
    });
    router_.AddAsync(Method::kGet, "/dropped", [](Request&, Responder) {});
    router_.AddAsync(Method::kGet, "/throws",
                     [](Request&, Responder) { throw std::runtime_error("async boom"); });
  }
  ~AsyncServerTest() override {
    for (std::thread& worker : workers_) worker.join();
  }
  Router router_;
  std::vector<std::thread> workers_;  // touched only by the handler, one request at a time
};

TEST_F(AsyncServerTest, AnsweredFromAnotherThread) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(BodyRequest("POST", "/later", "payload"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 202);
  EXPECT_EQ(response->body(), "payload");
  std::ostringstream test_thread;
  test_thread << std::this_thread::get_id();
  EXPECT_FALSE((*response)["X-Answered-On"].empty());
  EXPECT_NE(std::string((*response)["X-Answered-On"]), test_thread.str());
  EXPECT_FALSE((*response)["X-Request-Id"].empty());
  const auto again = client.RoundTrip(BodyRequest("POST", "/later", "second"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body(), "second");
}

TEST_F(AsyncServerTest, AnsweredInsideTheHandler) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/inline"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "inline");
}

TEST_F(AsyncServerTest, DroppedResponderIs500) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/dropped"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  EXPECT_EQ(ProblemBody(*response)["status"], 500);
}

TEST_F(AsyncServerTest, ThrowingHandlerIs500) {
  TestServer server(router_);
  TestClient client(server.port());
  const auto response = client.RoundTrip(GetRequest("/throws"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  const auto after = client.RoundTrip(GetRequest("/inline"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result_int(), 200);
}

TEST(AsyncServerDeathTest, RespondingTwiceIsABug) {
  Router router;
  router.AddAsync(Method::kGet, "/twice", [](Request&, Responder respond) {
    respond(Response::NoContent());
    respond(Response::NoContent());
  });
  EXPECT_DEATH(
      {
        TestServer server(router);
        TestClient client(server.port());
        (void)client.RoundTrip(GetRequest("/twice"));
      },
      "called twice");
}

}  // namespace
}  // namespace banyan::http
