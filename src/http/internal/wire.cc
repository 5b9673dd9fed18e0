#include "http/internal/wire.h"

#include <fmt/format.h>

#include <ctime>

#include "http/internal/reason_phrase.h"

namespace banyan::http::internal {

std::string_view HttpDateNow() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached_text;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    // Built by hand rather than with strftime, whose day and month names follow the locale.
    cached_text =
        fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[utc.tm_wday], utc.tm_mday,
                    kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_second = now;
  }
  return cached_text;
}

void SerializeResponseHead(const Response& response, const HeadOptions& options, std::string& out) {
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, "HTTP/1.1 {} {}\r\n", response.status, ReasonPhrase(response.status));
  for (const auto& [name, value] : response.headers.entries()) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("Date: ").append(HttpDateNow()).append("\r\n");
  if (response.status != 204 && response.status != 304) {
    fmt::format_to(it, "Content-Length: {}\r\n", response.body.size());
  }
  if (!options.keep_alive) {
    out.append("Connection: close\r\n");
  } else if (options.client_http10) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
}

}  // namespace banyan::http::internal
