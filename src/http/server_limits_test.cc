// End-to-end tests of the server's limits, timeouts and shutdown.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "base/json.h"
#include "http/internal/gzip_testing.h"
#include "http/internal/test_server.h"
#include "http/server.h"

namespace banyan::http {
namespace {

using std::chrono::milliseconds;
using testing::BodyRequest;
using testing::GetRequest;
using testing::TestClient;
using testing::TestOptions;
using testing::TestServer;

using testing::Gzip;

ServerOptions SmallLimits() {
  ServerOptions options = TestOptions();
  options.body_limit_bytes = 1024;
  options.header_limit_bytes = 1024;
  return options;
}

class LimitsTest : public ::testing::Test {
 protected:
  LimitsTest() {
    router_.Add(Method::kPost, "/echo",
                [](Request& request) { return Response::Text(200, request.body); });
    router_.Add(Method::kGet, "/ok", [](Request&) { return Response::Text(200, "ok"); });
  }

  // Sends `raw` and expects a problem+json answer with `status`. A request refused while it
  // is being read closes the connection (its rest is unread); one refused after it was read
  // whole leaves the connection usable.
  void ExpectRefusal(TestServer& server, const std::string& raw, int status, bool closes = true) {
    TestClient client(server.port());
    const auto response = client.RoundTrip(raw);
    ASSERT_TRUE(response) << "no answer";
    EXPECT_EQ(response->result_int(), status);
    EXPECT_EQ((*response)[boost::beast::http::field::content_type], "application/problem+json");
    EXPECT_EQ(Json::parse(response->body())["status"], status);
    EXPECT_FALSE((*response)["X-Request-Id"].empty());
    if (closes) {
      EXPECT_FALSE(response->keep_alive());
      EXPECT_TRUE(client.WaitForClose());
    } else {
      EXPECT_TRUE(response->keep_alive());
      const auto next = client.RoundTrip(GetRequest("/ok"));
      ASSERT_TRUE(next);
      EXPECT_EQ(next->result_int(), 200);
    }
  }

  Router router_;
};

TEST_F(LimitsTest, BodyOverLimitByContentLengthIs413) {
  TestServer server(router_, SmallLimits());
  ExpectRefusal(server, BodyRequest("POST", "/echo", std::string(2000, 'a')), 413);
  // Just at the limit is fine.
  TestClient client(server.port());
  const auto response = client.RoundTrip(BodyRequest("POST", "/echo", std::string(1024, 'a')));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
}

TEST_F(LimitsTest, BodyOverLimitWhenChunkedIs413) {
  TestServer server(router_, SmallLimits());
  std::string raw = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) raw += "200\r\n" + std::string(512, 'b') + "\r\n";
  raw += "0\r\n\r\n";
  ExpectRefusal(server, raw, 413);
}

TEST_F(LimitsTest, HeaderOverLimitIs431) {
  TestServer server(router_, SmallLimits());
  ExpectRefusal(server, GetRequest("/ok", "X-Big: " + std::string(2000, 'h') + "\r\n"), 431);
}

TEST_F(LimitsTest, GzipBombIs413) {
  const std::string bomb = Gzip(std::string(10 << 20, '\0'));  // 10 MiB of zeros, ~10 KiB
  ASSERT_LT(bomb.size(), 1024u * 16);
  ServerOptions options = SmallLimits();
  options.body_limit_bytes = 64 << 10;  // the compressed body fits; the decoded one does not
  TestServer roomy(router_, options);
  ExpectRefusal(roomy, BodyRequest("POST", "/echo", bomb, "Content-Encoding: gzip\r\n"), 413,
                /*closes=*/false);
}

TEST_F(LimitsTest, CorruptGzipIs400) {
  TestServer server(router_, SmallLimits());
  TestClient client(server.port());
  const std::string compressed = Gzip(std::string(500, 'z'));
  const auto response = client.RoundTrip(BodyRequest(
      "POST", "/echo", compressed.substr(0, compressed.size() - 6), "Content-Encoding: gzip\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
  const Json body = Json::parse(response->body());
  EXPECT_EQ(body["type"], "urn:banyan:problem:invalid_gzip_body");
  EXPECT_TRUE(response->keep_alive());  // the request was read whole; the connection is fine
}

TEST_F(LimitsTest, UnknownContentEncodingIs415) {
  TestServer server(router_, SmallLimits());
  TestClient client(server.port());
  const auto response =
      client.RoundTrip(BodyRequest("POST", "/echo", "abc", "Content-Encoding: br\r\n"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 415);
}

TEST_F(LimitsTest, MalformedRequestIs400) {
  TestServer server(router_, SmallLimits());
  ExpectRefusal(server, "GET /ok HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n", 400);
  ExpectRefusal(server, GetRequest("/a/../ok"), 400, /*closes=*/false);
  // Framing a smuggler could exploit is refused outright.
  ExpectRefusal(server,
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                400);
  ExpectRefusal(server,
                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                "0\r\n\r\n",
                400);
  ExpectRefusal(server,
                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                "Content-Length: 4\r\n\r\nabcd",
                400);
}

TEST_F(LimitsTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options = TestOptions();
  options.idle_timeout = milliseconds(150);
  TestServer server(router_, options);
  TestClient client(server.port());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/ok")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
}

TEST_F(LimitsTest, IncompleteRequestIsDroppedAfterReadTimeout) {
  ServerOptions options = TestOptions();
  options.read_timeout = milliseconds(150);
  TestServer server(router_, options);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send("GET /ok HTTP/1.1\r\nHost: t\r\n"));  // never finished
  EXPECT_TRUE(client.WaitForClose());
}

TEST_F(LimitsTest, ClientThatStopsReadingIsDroppedAfterWriteTimeout) {
  // Larger than the loopback socket buffers on both sides, so the write blocks.
  router_.Add(Method::kGet, "/big",
              [](Request&) { return Response::Text(200, std::string(32 << 20, 'x')); });
  ServerOptions options = TestOptions();
  options.write_timeout = milliseconds(150);
  TestServer server(router_, options);
  TestClient client(server.port());
  ASSERT_TRUE(client.Send(GetRequest("/big")));  // and never read the answer
  EXPECT_TRUE(testing::EventuallyExported(server.metrics(), "route=\"/big\",status=\"200\"} 1"));
  EXPECT_TRUE(testing::EventuallyExported(server.metrics(), "banyan_http_open_connections 0"));
}

TEST_F(LimitsTest, ConnectionsOverTheLimitAreClosed) {
  ServerOptions options = TestOptions();
  options.connections_max = 1;
  TestServer server(router_, options);
  TestClient first(server.port());
  ASSERT_TRUE(first.RoundTrip(GetRequest("/ok")));  // the first connection is surely accepted
  TestClient second(server.port());
  EXPECT_TRUE(second.WaitForClose());
  EXPECT_TRUE(
      testing::EventuallyExported(server.metrics(), "banyan_http_connections_refused_total 1"));
  const auto still = first.RoundTrip(GetRequest("/ok"));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->result_int(), 200);
}

TEST(ServerShutdown, StopLetsInFlightRequestFinish) {
  std::promise<void> started;
  Router router;
  router.Add(Method::kGet, "/slow", [&](Request&) {
    started.set_value();
    std::this_thread::sleep_for(milliseconds(300));
    return Response::Text(200, "done");
  });
  TestServer server(router);
  TestClient slow(server.port());
  TestClient idle(server.port());
  ASSERT_TRUE(slow.Send(GetRequest("/slow")));
  started.get_future().wait();
  EXPECT_EQ(server.server().InFlight(), 1u);
  EXPECT_FALSE(server.server().Stopping());
  const auto stop_at = std::chrono::steady_clock::now();
  server.server().Stop();
  EXPECT_TRUE(server.server().Stopping());
  EXPECT_TRUE(idle.WaitForClose());  // idle keep-alive connections close at once
  const auto response = slow.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), "done");
  EXPECT_FALSE(response->keep_alive());  // "Connection: close" while draining
  server.StopAndJoin();                  // Run returns
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, milliseconds(1500));
  EXPECT_EQ(server.server().InFlight(), 0u);
}

TEST(ServerShutdown, RunReturnsWhenAHandlerHangsPastTheGrace) {
  // A handler that outlives the server keeps using the router and metrics, so they outlive the
  // test on purpose.
  static auto* const release = new std::promise<void>();
  static auto* const router = new Router();
  static auto* const metrics = new Metrics();
  std::promise<void> started;
  router->Add(Method::kGet, "/hang", [&started](Request&) {
    started.set_value();
    release->get_future().wait();
    return Response::Text(200, "late");
  });
  ServerOptions options = TestOptions();
  options.shutdown_grace = milliseconds(200);
  auto server = std::make_unique<Server>(options, *router, *metrics);
  ASSERT_TRUE(server->Start().ok());
  std::thread runner([&] { server->Run(false); });
  TestClient client(server->port());
  ASSERT_TRUE(client.Send(GetRequest("/hang")));
  started.get_future().wait();
  const auto stop_at = std::chrono::steady_clock::now();
  server->Stop();
  runner.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, milliseconds(2000));
  server.reset();
  release->set_value();  // the abandoned thread finishes on its own
}

TEST(ServerShutdown, StopBeforeRunReturnsPromptly) {
  Router router;
  Metrics metrics;
  Server server(TestOptions(), router, metrics);
  ASSERT_TRUE(server.Start().ok());
  server.Stop();
  server.Run(false);  // returns at once: nothing to drain
  SUCCEED();
}

TEST(ServerStart, BusyPortIsUnavailable) {
  Router router;
  Metrics metrics;
  Server first(TestOptions(), router, metrics);
  ASSERT_TRUE(first.Start().ok());
  ServerOptions options = TestOptions();
  options.port = first.port();
  Server second(options, router, metrics);
  const Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("127.0.0.1:" + std::to_string(first.port())), std::string::npos)
      << status.message();
  ServerOptions bad = TestOptions();
  bad.address = "not-an-address";
  EXPECT_EQ(Server(bad, router, metrics).Start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace banyan::http
