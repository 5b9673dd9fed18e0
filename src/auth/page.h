// Page<T>: one page of a listing, with an opaque cursor for the next one.
//
// Cursors are base64url text of the last returned row's id (or sequence number); clients must
// treat them as opaque. Listings take a limit of 1..kPageLimitMax rows. Errors name the
// request fields "/cursor" and "/limit", which the api maps to its query parameters.
//
// Used by: every listing in the auth module and the api handlers that serialise them.
// Thread safety: value types and stateless functions.

#ifndef BANYAN_AUTH_PAGE_H_
#define BANYAN_AUTH_PAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace banyan::auth {

inline constexpr int kPageLimitMax = 200;
inline constexpr int kPageLimitDefault = 50;

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty when there are no more items
};

std::string EncodeCursor(int64_t id);
// nullopt for an empty cursor (the first page); InvalidArgument at "/cursor" when malformed.
Result<std::optional<int64_t>> DecodeCursor(std::string_view cursor);
// InvalidArgument at "/limit" unless 1 <= limit <= kPageLimitMax.
Status CheckPageLimit(int limit);

// Builds a page from up to limit + 1 rows fetched in order: when the extra row is present it is
// dropped and the cursor points after the last kept row. `id_of` maps a row to its cursor id.
template <typename T, typename IdOf>
Page<T> MakePage(std::vector<T> rows, int limit, IdOf id_of) {
  Page<T> page;
  if (rows.size() > static_cast<size_t>(limit)) {
    rows.resize(static_cast<size_t>(limit));
    page.next_cursor = EncodeCursor(id_of(rows.back()));
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_PAGE_H_
