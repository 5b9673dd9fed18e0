#include "auth/internal/rows.h"

#include <cstdint>

namespace banyan::auth::internal {

std::string ContainsPattern(std::string_view text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

std::string ScopeCondition(const Principal& principal, std::string_view path_column,
                           std::vector<store::Value>& params) {
  if (principal.scope == ScopeKind::kAll) return "1 = 1";
  // Paths hold only digits and '/', so the prefix needs no LIKE escaping.
  params.emplace_back(principal.branch_path.empty() ? std::string("-")
                                                    : principal.branch_path + "%");
  return std::string(path_column) + " LIKE ?";
}

Status CheckBranchInScope(store::Transaction& tx, const Principal& principal, int64_t id) {
  Result<std::string> path =
      tx.QueryOne<std::string>("SELECT path FROM branch WHERE id = ?", {id}, "branch",
                               [](const store::Row& row) { return row.Text(0); });
  if (!path.ok() && path.status().code() != StatusCode::kNotFound) return path.status();
  if (!path.ok() || !principal.CanSeeBranchPath(*path)) {
    return Status(StatusCode::kNotFound, "branch not found", "/branch_id");
  }
  return Status::Ok();
}

bool IsPrintableUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<uint8_t>(text[i]);
    int extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    static constexpr uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

size_t CodePointCount(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xc0) != 0x80) ++count;
  }
  return count;
}

}  // namespace banyan::auth::internal
