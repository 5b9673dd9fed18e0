#include "analytics/result_cache.h"

namespace banyan::analytics {

std::shared_ptr<const std::string> ResultCache::Find(const std::string& key) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, it->second);
  ++hits_;
  return it->second->result;
}

void ResultCache::Put(const std::string& key, std::string result) {
  const size_t bytes = key.size() + result.size();
  if (bytes > kResultCacheBytesMax / 4) return;
  std::lock_guard lock(mutex_);
  if (const auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->key.size() + it->second->result->size();
    entries_.erase(it->second);
    index_.erase(it);
  }
  entries_.push_front(Entry{key, std::make_shared<const std::string>(std::move(result))});
  index_[key] = entries_.begin();
  bytes_ += bytes;
  EvictLocked();
}

void ResultCache::EvictLocked() {
  while (!entries_.empty() &&
         (entries_.size() > kResultCacheEntriesMax || bytes_ > kResultCacheBytesMax)) {
    const Entry& last = entries_.back();
    bytes_ -= last.key.size() + last.result->size();
    index_.erase(last.key);
    entries_.pop_back();
  }
}

size_t ResultCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

uint64_t ResultCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

}  // namespace banyan::analytics
