#include "auth/page.h"

#include <fmt/format.h>

#include <charconv>

#include "base/encoding.h"

namespace banyan::auth {
namespace {
constexpr size_t kCursorLengthMax = 64;
}  // namespace

std::string EncodeCursor(int64_t id) { return Base64UrlEncode(AsBytes(std::to_string(id))); }

Result<std::optional<int64_t>> DecodeCursor(std::string_view cursor) {
  if (cursor.empty()) return std::optional<int64_t>();
  const Status invalid = InvalidArgumentError("invalid cursor", "/cursor");
  if (cursor.size() > kCursorLengthMax) return invalid;
  const std::optional<std::string> text = Base64UrlDecode(cursor);
  if (!text || text->empty()) return invalid;
  int64_t id = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, id);
  if (ec != std::errc() || ptr != end || id <= 0) return invalid;
  return std::optional<int64_t>(id);
}

Status CheckPageLimit(int limit) {
  if (limit < 1 || limit > kPageLimitMax) {
    return InvalidArgumentError(fmt::format("limit must be between 1 and {}", kPageLimitMax),
                                "/limit");
  }
  return Status::Ok();
}

}  // namespace banyan::auth
