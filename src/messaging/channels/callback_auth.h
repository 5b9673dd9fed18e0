// Authentication of provider callbacks for plugins whose providers call a URL we give them with
// a shared secret: the token in header X-Banyan-Token or query parameter ?token=, compared in
// constant time. Providers that sign their callbacks (WeChat) check their own signature instead.
// Thread safety: stateless.

#ifndef BANYAN_MESSAGING_CHANNELS_CALLBACK_AUTH_H_
#define BANYAN_MESSAGING_CHANNELS_CALLBACK_AUTH_H_

#include "base/status.h"
#include "http/message.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {

inline constexpr std::string_view kCallbackTokenHeader = "X-Banyan-Token";

inline Status CheckCallbackToken(const http::Request& request, std::string_view token) {
  std::string given(request.headers.Get(kCallbackTokenHeader));
  if (given.empty()) given = request.Query("token").value_or("");
  if (token.empty() || !internal::ConstantTimeEquals(given, token)) {
    return UnauthenticatedError("callback token missing or wrong");
  }
  return Status::Ok();
}

}  // namespace banyan::messaging::channels

#endif  // BANYAN_MESSAGING_CHANNELS_CALLBACK_AUTH_H_
