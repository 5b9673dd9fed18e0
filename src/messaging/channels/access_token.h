// AccessTokenCache: the access-token scheme WeChat official accounts and WeCom share — a GET of
// the provider's token URL (app id and secret in the query) answering {"access_token",
// "expires_in"}, kept until kTokenEarlyRefresh before it expires and fetched again when a plugin
// asks for a refresh (the provider said the token is invalid or expired).
// Thread safety: Get may be called from any thread.

#ifndef BANYAN_MESSAGING_CHANNELS_ACCESS_TOKEN_H_
#define BANYAN_MESSAGING_CHANNELS_ACCESS_TOKEN_H_

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "messaging/http_client.h"

namespace banyan::messaging::channels {

inline constexpr Micros kTokenEarlyRefresh = std::chrono::minutes(5);

class AccessTokenCache {
 public:
  // `url` holds the secret: it is never logged (errors name `what` and the HTTP status only).
  AccessTokenCache(std::string url, std::string what, HttpClient& http, const Clock& clock)
      : url_(std::move(url)), what_(std::move(what)), http_(http), clock_(clock) {}

  // The cached token, or a new one when there is none, it is about to expire or `refresh`.
  // Unavailable when the provider does not give one.
  Result<std::string> Get(bool refresh) {
    std::lock_guard lock(mutex_);
    if (!refresh && !token_.empty() && clock_.Now() < expires_at_) return token_;
    ASSIGN_OR_RETURN(HttpReply reply, http_.Send(HttpCall{"GET", url_, {}, ""}));
    auto answer = ParseJson(reply.body);
    if (reply.status != 200 || !answer.ok() || !answer->is_object() ||
        !answer->contains("access_token") || answer->value("errcode", int64_t{0}) != 0) {
      return UnavailableError(fmt::format("{}: HTTP {}", what_, reply.status));
    }
    token_ = (*answer)["access_token"].get<std::string>();
    expires_at_ =
        clock_.Now() + std::chrono::seconds(answer->value("expires_in", 7200)) - kTokenEarlyRefresh;
    return token_;
  }

 private:
  const std::string url_;
  const std::string what_;
  HttpClient& http_;
  const Clock& clock_;
  std::mutex mutex_;
  std::string token_;       // guarded by mutex_
  Timestamp expires_at_{};  // guarded by mutex_
};

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_ACCESS_TOKEN_H_
