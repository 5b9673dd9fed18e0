// The loops analytics scans run: each candidate customer in index order, with the query's
// deadline checked every few thousand customers so a long query stops with a clear error, and
// each customer's event sequence prefetched a few customers ahead (a scan is otherwise one cache
// miss per customer: the sequences are separate allocations).
//
// ForEachSlice splits the candidates over threads for scans whose per-customer work is
// independent: contiguous slices in index order, so results merged slice by slice come out in
// the order one thread would have produced.
//
// Thread safety: ForEachCustomer runs `fn` on the calling thread; ForEachSlice runs `fn` once
// per slice, concurrently, each call on its own thread (slice 0 on the caller's).

#ifndef BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_
#define BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_

#include <algorithm>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "analytics/query.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"

namespace banyan::analytics::internal {

inline constexpr uint32_t kDeadlineEvery = 4096;  // customers between deadline checks
inline constexpr size_t kPrefetchAhead = 8;       // customers whose sequences load ahead

// Calls fn(index) for each of `customers` (in order), prefetching ahead; stops with the
// deadline's error.
template <typename Fn>
Status ForEachIn(const QueryContext& context, std::span<const uint32_t> customers, Fn&& fn) {
  const engine::Snapshot& snapshot = *context.snapshot;
  const size_t n = customers.size();
  for (size_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) snapshot.PrefetchSequence(customers[i + kPrefetchAhead]);
    if ((i + 1) % kDeadlineEvery == 0) RETURN_IF_ERROR(context.deadline.Check());
    fn(customers[i]);
  }
  return Status::Ok();
}

// Calls fn(index) for each member of `candidates` in ascending order; stops with the deadline's
// error. REQUIRES: every member < context.snapshot->index_count().
template <typename Fn>
Status ForEachCustomer(const QueryContext& context, const engine::Bitmap& candidates, Fn&& fn) {
  uint32_t from = 0;
  while (true) {
    const std::vector<uint32_t> batch = candidates.Take(from, kDeadlineEvery);
    if (batch.empty()) return Status::Ok();
    RETURN_IF_ERROR(context.deadline.Check());
    RETURN_IF_ERROR(ForEachIn(context, batch, fn));
    if (batch.back() == UINT32_MAX) return Status::Ok();
    from = batch.back() + 1;
  }
}

// How many slices a scan of `customers` candidates uses: context.threads, fewer when there are
// too few customers to pay for the threads.
inline int SliceCount(const QueryContext& context, size_t customers) {
  const size_t worth =
      std::max<size_t>(1, customers / std::max<size_t>(1, context.slice_customers_min));
  return static_cast<int>(std::clamp<size_t>(worth, 1, std::max(1, context.threads)));
}

// Splits `customers` into `slices` contiguous parts of near-equal size and calls
// fn(slice, part) for each, concurrently. Returns the first slice's error in slice order.
// `fn` returns Status and must only touch state of its own slice.
template <typename Fn>
Status ForEachSlice(std::span<const uint32_t> customers, int slices, Fn&& fn) {
  slices = std::max(1, slices);
  std::vector<Status> statuses(slices);
  const auto part = [&](int s) {
    const size_t begin = customers.size() * s / slices;
    const size_t end = customers.size() * (s + 1) / slices;
    return customers.subspan(begin, end - begin);
  };
  {
    std::vector<std::jthread> threads;
    for (int s = 1; s < slices; ++s) {
      threads.emplace_back([&, s] { statuses[s] = fn(s, part(s)); });
    }
    statuses[0] = fn(0, part(0));
  }
  for (const Status& status : statuses) RETURN_IF_ERROR(status);
  return Status::Ok();
}

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_SCAN_LOOP_H_
