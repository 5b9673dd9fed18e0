// HttpClient: outbound HTTP(S) and SMTP for channel plugins, through libcurl.
//
// TLS certificates are verified by default (the system's CA store, or `ca_file` to trust a
// private or test CA). Plain http:// and smtp:// are refused unless `allow_plain_loopback` is
// set, and then only to loopback addresses (127.0.0.0/8, localhost, [::1]) — for fake providers
// in tests and benchmarks, never for a real provider; smtp:// must upgrade with STARTTLS except
// under the same exception. Every request has a timeout.
// Connections are kept alive: a pool of curl handles (at most kHttpHandlesMax idle) is reused.
// Request bodies and headers are never logged (they carry secrets and personal data).
//
// Thread safety: Send and SendMail are safe from any thread.

#ifndef BANYAN_MESSAGING_HTTP_CLIENT_H_
#define BANYAN_MESSAGING_HTTP_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace banyan::messaging {

inline constexpr size_t kHttpHandlesMax = 64;
inline constexpr size_t kHttpResponseBytesMax = 1 << 20;

struct HttpClientOptions {
  std::string ca_file;  // empty: the system's CA store
  bool allow_plain_loopback = false;
  Micros timeout = std::chrono::seconds(10);
  Micros connect_timeout = std::chrono::seconds(3);
};

struct HttpCall {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpReply {
  int status = 0;
  std::string body;
};

struct MailCall {
  std::string url;                 // smtp://host:port or smtps://host:port
  std::string username, password;  // empty: no AUTH
  std::string from;                // envelope sender (an address)
  std::vector<std::string> to;     // envelope recipients
  std::string message;             // the RFC 5322 message, CRLF line ends
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Any HTTP status is a reply; Unavailable for a transport failure (connect, TLS, timeout),
  // InvalidArgument for a URL this client refuses (plain http to a non-loopback host).
  Result<HttpReply> Send(const HttpCall& call);
  // Sends one e-mail. Unavailable for transport failures and 4xx SMTP replies (retry);
  // FailedPrecondition for 5xx replies (the server refused it for good).
  Status SendMail(const MailCall& call);

  // InvalidArgument unless `url` is https://, smtps://, smtp:// (STARTTLS enforced at send) or,
  // with allow_plain_loopback, http:// to loopback.
  Status CheckUrl(std::string_view url) const;

 private:
  void* Acquire();
  void Release(void* handle);

  const HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL* handles; guarded by mutex_
};

// True when `host` (as in a URL, "[::1]" allowed) is a loopback address or "localhost".
bool IsLoopbackHost(std::string_view host);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_HTTP_CLIENT_H_
