#include "messaging/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace banyan::messaging {
namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

void EnsureGlobalInit() { static GlobalInit init; }

size_t Collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() + n > kHttpResponseBytesMax) return 0;  // aborts the transfer
  out->append(data, n);
  return n;
}

struct Upload {
  std::string_view data;
  size_t offset = 0;
};

size_t Feed(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// The scheme and host of `url`, lower-cased scheme; empty on a malformed URL.
std::pair<std::string, std::string> SchemeAndHost(std::string_view url) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return {};
  std::string scheme(url.substr(0, colon));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    return {scheme, std::string(rest.substr(0, close == std::string_view::npos ? 0 : close + 1))};
  }
  return {scheme, std::string(rest.substr(0, rest.find(':')))};
}

void SetTls(CURL* curl, const HttpClientOptions& options) {
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count() / 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count() / 1000));
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  return host.starts_with("127.") && host.find_first_not_of("0123456789.") == std::string::npos;
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  EnsureGlobalInit();
}

HttpClient::~HttpClient() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

Status HttpClient::CheckUrl(std::string_view url) const {
  const auto [scheme, host] = SchemeAndHost(url);
  if (host.empty()) return InvalidArgumentError(fmt::format("'{}' is not a URL", url));
  // smtp:// is upgraded with STARTTLS (required) unless plain loopback is allowed.
  if (scheme == "https" || scheme == "smtps" || scheme == "smtp") return Status::Ok();
  if (scheme == "http") {
    if (options_.allow_plain_loopback && IsLoopbackHost(host)) return Status::Ok();
    return InvalidArgumentError(
        fmt::format("http:// is allowed only to loopback with allow_plain_loopback; use https://"));
  }
  return InvalidArgumentError(fmt::format("unsupported URL scheme '{}'", scheme));
}

void* HttpClient::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      curl_easy_reset(static_cast<CURL*>(handle));
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpClient::Release(void* handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kHttpHandlesMax) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

Result<HttpReply> HttpClient::Send(const HttpCall& call) {
  RETURN_IF_ERROR(CheckUrl(call.url));
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return UnavailableError("curl_easy_init failed");
  HttpReply reply;
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : call.headers) {
    headers = curl_slist_append(headers, fmt::format("{}: {}", name, value).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  SetTls(curl, options_);
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  Release(curl);
  if (code != CURLE_OK) {
    return UnavailableError(fmt::format("{}: {}", call.method, curl_easy_strerror(code)));
  }
  reply.status = static_cast<int>(status);
  return reply;
}

Status HttpClient::SendMail(const MailCall& call) {
  RETURN_IF_ERROR(CheckUrl(call.url));
  CURL* curl = curl_easy_init();  // SMTP sessions are not pooled: one message, one session
  if (curl == nullptr) return UnavailableError("curl_easy_init failed");
  curl_slist* recipients = nullptr;
  for (const auto& to : call.to) recipients = curl_slist_append(recipients, to.c_str());
  Upload upload{call.message, 0};
  SetTls(curl, options_);
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  const bool plain_ok =
      options_.allow_plain_loopback && IsLoopbackHost(SchemeAndHost(call.url).second);
  if (call.url.starts_with("smtp://") && !plain_ok) {
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (!call.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, call.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, call.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, call.from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, Feed);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  const CURLcode code = curl_easy_perform(curl);
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  if (code == CURLE_OK) return Status::Ok();
  if (reply >= 500) {
    return FailedPreconditionError(fmt::format("SMTP {}: {}", reply, curl_easy_strerror(code)));
  }
  return UnavailableError(fmt::format("SMTP {}: {}", reply, curl_easy_strerror(code)));
}

}  // namespace banyan::messaging
