// FakeProvider: a provider's HTTP API on 127.0.0.1:0 (our own server, src/http) for the channel
// plugins' tests. It records every request exactly as received and answers with a configurable
// body, or fails on demand (the next N requests get a given status), so tests can assert the
// exact request a provider receives and drive the retry, fallback and dead-letter paths.
//
// Thread safety: every method is safe from any thread (requests arrive on server threads).

#ifndef BANYAN_TESTS_MESSAGING_FAKE_PROVIDER_H_
#define BANYAN_TESTS_MESSAGING_FAKE_PROVIDER_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/router.h"
#include "http/server.h"

namespace banyan::messaging::testing {

struct Recorded {
  std::string method;
  std::string path;
  std::string query;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (n.size() == name.size() &&
          std::equal(n.begin(), n.end(), name.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return v;
      }
    }
    return "";
  }
};

class FakeProvider {
 public:
  // Answers POST (and GET) on each of `paths` with 200 and `ok_body` unless told to fail.
  FakeProvider(std::vector<std::string> paths, std::string ok_body) : ok_body_(std::move(ok_body)) {
    for (const std::string& path : paths) {
      for (auto method : {http::Method::kPost, http::Method::kGet}) {
        router_.Add(method, path, [this](http::Request& request) { return Answer(request); });
      }
    }
    http::ServerOptions options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.access_log = false;
    options.shutdown_grace = std::chrono::milliseconds(100);
    server_ = std::make_unique<http::Server>(options, router_, metrics_);
    const Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
    thread_ = std::thread([this] { server_->Run(false); });
  }
  ~FakeProvider() {
    server_->Stop();
    thread_.join();
  }

  std::string Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }
  // The next `count` requests are answered with `status` and `body`.
  void FailNext(int count, int status, std::string body = "{}") {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < count; ++i) failures_.emplace_back(status, body);
  }
  // A check every request passes before it is answered, as the real provider authenticates it:
  // it returns the (status, body) of a refusal, or nothing to accept the request.
  using Check = std::function<std::optional<std::pair<int, std::string>>(const Recorded&)>;
  void SetCheck(Check check) {
    std::lock_guard lock(mutex_);
    check_ = std::move(check);
  }
  void SetOkBody(std::string body) {
    std::lock_guard lock(mutex_);
    ok_body_ = std::move(body);
  }
  std::vector<Recorded> Requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t Count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  http::Response Answer(http::Request& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back({std::string(http::MethodName(request.method)), request.path,
                         request.query_string, request.body, request.headers.entries()});
    if (check_) {
      if (auto refused = check_(requests_.back())) {
        return http::Response::Json(refused->first, refused->second);
      }
    }
    if (!failures_.empty()) {
      auto [status, body] = failures_.front();
      failures_.pop_front();
      return http::Response::Json(status, body);
    }
    return http::Response::Json(200, ok_body_);
  }

  http::Router router_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string ok_body_;                               // guarded by mutex_
  Check check_;                                       // guarded by mutex_
  std::deque<std::pair<int, std::string>> failures_;  // guarded by mutex_
  std::vector<Recorded> requests_;                    // guarded by mutex_
};

#ifdef BANYAN_SOURCE_DIR
// Aliyun's signature check, computed independently of Banyan's signing code by
// tests/messaging/aliyun_verify.py (Python's hmac, hashlib and urllib): a request whose Signature
// does not match is refused as Aliyun refuses it (HTTP 400, SignatureDoesNotMatch).
inline FakeProvider::Check AliyunSignatureCheck(std::string secret) {
  return [secret](const Recorded& request) -> std::optional<std::pair<int, std::string>> {
    const std::string command = std::string("python3 ") + BANYAN_SOURCE_DIR +
                                "/tests/messaging/aliyun_verify.py '" + secret + "' " +
                                request.method;
    FILE* pipe = popen(command.c_str(), "w");
    if (pipe == nullptr) return std::make_pair(500, std::string(R"({"Code":"NoPython"})"));
    fwrite(request.body.data(), 1, request.body.size(), pipe);
    const int status = pclose(pipe);
    if (status == 0) return std::nullopt;
    return std::make_pair(400, std::string(R"({"Code":"SignatureDoesNotMatch","Message":)"
                                           R"("Specified signature is not matched with our )"
                                           R"(calculation."})"));
  };
}
#endif  // BANYAN_SOURCE_DIR

}  // namespace banyan::messaging::testing

#endif  // BANYAN_TESTS_MESSAGING_FAKE_PROVIDER_H_
