// The loop every analytics scan runs: each candidate customer in index order, with the query's
// deadline checked every few thousand customers so a long query stops with a clear error.
// Thread safety: runs `fn` on the calling thread.

#ifndef BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_
#define BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_

#include <cstdint>

#include "analytics/query.h"
#include "engine/bitmap.h"

namespace banyan::analytics::internal {

inline constexpr uint32_t kDeadlineEvery = 4096;  // customers between deadline checks

// Calls fn(index) for each member of `candidates`; stops with the deadline's error.
template <typename Fn>
Status ForEachCustomer(const QueryContext& context, const engine::Bitmap& candidates, Fn&& fn) {
  Status status;
  uint32_t seen = 0;
  candidates.ForEach([&](uint32_t index) {
    if (++seen % kDeadlineEvery == 0 && !(status = context.deadline.Check()).ok()) return false;
    fn(index);
    return true;
  });
  return status;
}

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_
