// ResultCache: analytics results kept in memory, keyed by the query, who asked and the engine
// snapshot's version, so repeating a query on unchanged data costs a hash look-up, and any new
// data (a new snapshot version) makes a new key — stale results are never served, only evicted.
//
// Least recently used entries go first, past kResultCacheEntriesMax entries or
// kResultCacheBytesMax bytes of result text. Used by the analytics API.
// Thread safety: every method is safe from any thread (one mutex).

#ifndef BANYAN_ANALYTICS_RESULT_CACHE_H_
#define BANYAN_ANALYTICS_RESULT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace banyan::analytics {

inline constexpr size_t kResultCacheEntriesMax = 512;
inline constexpr size_t kResultCacheBytesMax = 64 << 20;

class ResultCache {
 public:
  // The cached text for `key`, marking it recently used.
  std::shared_ptr<const std::string> Find(const std::string& key);
  // Keeps `result` under `key`; a result over a quarter of kResultCacheBytesMax is not kept.
  void Put(const std::string& key, std::string result);
  size_t size() const;
  uint64_t hits() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const std::string> result;
  };
  void EvictLocked();

  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
};

}  // namespace banyan::analytics

#endif  // BANYAN_ANALYTICS_RESULT_CACHE_H_
