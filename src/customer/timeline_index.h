// TimelineIndex: which event-log sequences belong to which person, so a customer's timeline is a
// few record reads (EventLog::Read) instead of a scan of the log.
//
// Events are indexed under the OneID they resolved to when applied; a OneID's timeline is the
// union of its members' lists (identity never rewrites a merged person, so after an unmerge each
// side keeps the events filed under it). Each person keeps at most
// `per_person_max` newest sequences; older ones fall off (the full history stays in the log and is
// reachable by export). Memory: 8 bytes per indexed event plus ~40 bytes per person with events.
//
// Used by CustomerService. Thread safety: internally synchronised; Add comes from the
// ingestion writer thread, reads from API threads.

#ifndef BANYAN_CUSTOMER_TIMELINE_INDEX_H_
#define BANYAN_CUSTOMER_TIMELINE_INDEX_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace banyan::customer {

class TimelineIndex {
 public:
  explicit TimelineIndex(size_t per_person_max) : per_person_max_(per_person_max) {}

  // REQUIRES: sequences for one person arrive in increasing order (log order).
  void Add(int64_t person, uint64_t sequence);
  // Removes and returns `person`'s sequences (ascending).
  std::vector<uint64_t> Take(int64_t person);
  // Up to `limit` sequences of `person`, newest first, all older than `before` when given.
  std::vector<uint64_t> Newest(int64_t person, std::optional<uint64_t> before, size_t limit) const;
  size_t Count(int64_t person) const;
  size_t MemoryBytes() const;

 private:
  void TrimLocked(std::vector<uint64_t>& list);

  const size_t per_person_max_;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, std::vector<uint64_t>> by_person_;  // guarded by mutex_
  size_t sequences_ = 0;                                          // guarded by mutex_
};

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_TIMELINE_INDEX_H_
