// Test support for the http module's own tests: a Server running on 127.0.0.1:0 in a
// background thread, and a small blocking client that writes raw bytes and reads responses
// with Beast. Every socket read has a timeout, so a broken server fails a test instead of
// hanging it. Not for use outside src/http tests.
// Thread safety: a TestServer may be stopped from any thread; a TestClient is for one thread.

#ifndef BANYAN_HTTP_INTERNAL_TEST_SERVER_H_
#define BANYAN_HTTP_INTERNAL_TEST_SERVER_H_

// <utility> before any Asio header (see core.h).
#include <utility>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "http/server.h"

namespace banyan::http::testing {

// Options suitable for tests: quiet, two threads, short timeouts.
inline ServerOptions TestOptions() {
  ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.access_log = false;
  options.read_timeout = std::chrono::milliseconds(2000);
  options.idle_timeout = std::chrono::milliseconds(2000);
  options.shutdown_grace = std::chrono::milliseconds(2000);
  return options;
}

class TestServer {
 public:
  TestServer(const Router& router, ServerOptions options = TestOptions())
      : server_(std::move(options), router, metrics_) {
    const Status status = server_.Start();
    EXPECT_TRUE(status.ok()) << status.ToString();
    thread_ = std::thread([this] { server_.Run(/*handle_signals=*/false); });
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer() { StopAndJoin(); }

  void StopAndJoin() {
    server_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }
  Metrics& metrics() { return metrics_; }

 private:
  Metrics metrics_;
  Server server_;
  std::thread thread_;
};

using TestResponse = boost::beast::http::response<boost::beast::http::string_body>;

class TestClient {
 public:
  explicit TestClient(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(5))
      : socket_(io_context_) {
    namespace asio = boost::asio;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  // Writes `raw` as is; false if the server has closed the connection.
  bool Send(std::string_view raw) {
    boost::system::error_code ec;
    boost::asio::write(socket_, boost::asio::buffer(raw.data(), raw.size()), ec);
    return !ec;
  }

  // Reads one response; nullopt when the connection closed or timed out first.
  std::optional<TestResponse> Read(bool head_request = false) {
    boost::beast::http::response_parser<boost::beast::http::string_body> parser;
    parser.skip(head_request);
    parser.body_limit(64 << 20);
    boost::system::error_code ec;
    boost::beast::http::read(socket_, buffer_, parser, ec);
    if (ec) return std::nullopt;
    return parser.release();
  }

  // Sends `raw` and reads the response.
  std::optional<TestResponse> RoundTrip(std::string_view raw) {
    if (!Send(raw)) return std::nullopt;
    return Read();
  }

  // True when the server closes the connection (EOF or reset) within the read timeout.
  bool WaitForClose() {
    char byte;
    boost::system::error_code ec;
    socket_.read_some(boost::asio::buffer(&byte, 1), ec);
    return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
  }

 private:
  boost::asio::io_context io_context_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// Metrics are recorded once a response is written, which can be just after the client has read
// it; this waits up to two seconds for `needle` to appear in the exposition.
inline bool EventuallyExported(const Metrics& metrics, std::string_view needle) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (metrics.Export().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// "GET <target> HTTP/1.1" with a Host header and `extra` header lines (each ending in \r\n).
inline std::string GetRequest(std::string_view target, std::string_view extra = {}) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra) + "\r\n";
}

// A request with a Content-Length body.
inline std::string BodyRequest(std::string_view method, std::string_view target,
                               std::string_view body, std::string_view extra = {}) {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" +
         std::string(extra) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

}  // namespace banyan::http::testing

#endif  // BANYAN_HTTP_INTERNAL_TEST_SERVER_H_
