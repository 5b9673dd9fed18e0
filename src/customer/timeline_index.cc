#include "customer/timeline_index.h"

#include <algorithm>

namespace banyan::customer {

void TimelineIndex::TrimLocked(std::vector<uint64_t>& list) {
  if (list.size() <= per_person_max_) return;
  const size_t drop = list.size() - per_person_max_;
  list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(drop));
  sequences_ -= drop;
}

void TimelineIndex::Add(int64_t person, uint64_t sequence) {
  std::lock_guard lock(mutex_);
  auto& list = by_person_[person];
  if (!list.empty() && list.back() >= sequence) return;  // a replayed event: already indexed
  list.push_back(sequence);
  ++sequences_;
  TrimLocked(list);
}

std::vector<uint64_t> TimelineIndex::Take(int64_t person) {
  std::lock_guard lock(mutex_);
  auto found = by_person_.find(person);
  if (found == by_person_.end()) return {};
  std::vector<uint64_t> out = std::move(found->second);
  by_person_.erase(found);
  sequences_ -= out.size();
  return out;
}

std::vector<uint64_t> TimelineIndex::Newest(int64_t person, std::optional<uint64_t> before,
                                            size_t limit) const {
  std::lock_guard lock(mutex_);
  std::vector<uint64_t> out;
  auto found = by_person_.find(person);
  if (found == by_person_.end()) return out;
  const auto& list = found->second;
  auto end = before ? std::lower_bound(list.begin(), list.end(), *before) : list.end();
  while (end != list.begin() && out.size() < limit) out.push_back(*--end);
  return out;
}

size_t TimelineIndex::Count(int64_t person) const {
  std::lock_guard lock(mutex_);
  auto found = by_person_.find(person);
  return found == by_person_.end() ? 0 : found->second.size();
}

size_t TimelineIndex::MemoryBytes() const {
  std::lock_guard lock(mutex_);
  // Sequences plus, per person, the vector header and the hash node (key, pointer, bucket).
  return sequences_ * sizeof(uint64_t) +
         by_person_.size() * (sizeof(std::vector<uint64_t>) + sizeof(int64_t) + 2 * sizeof(void*));
}

}  // namespace banyan::customer
