// Dictionary: an append-only map between strings and dense uint32 ids (0, 1, 2, ...).
//
// The engine codes event types, property keys, property string values and each string attribute
// through one Dictionary each. Ids are never reused or removed, so every snapshot may share the
// one Dictionary: an old snapshot asked about a newer string gets an id none of its data holds,
// which is the right answer ("nobody").
//
// Thread safety: Intern is called by the engine's one writer; Find, Name and size may be called
// from any thread at the same time (a reader-writer lock held for one hash look-up).

#ifndef BANYAN_ENGINE_DICTIONARY_H_
#define BANYAN_ENGINE_DICTIONARY_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace banyan::engine {

class Dictionary {
 public:
  // `what` names the dictionary in errors ("event types"); at most `size_max` strings.
  Dictionary(std::string what, size_t size_max);

  // The id of `text`, adding it if new; TooLarge when the dictionary is full.
  Result<uint32_t> Intern(std::string_view text);
  std::optional<uint32_t> Find(std::string_view text) const;
  // REQUIRES: id < size().
  std::string Name(uint32_t id) const;
  size_t size() const;
  std::vector<std::string> All() const;
  size_t MemoryBytes() const;

 private:
  const std::string what_;
  const size_t size_max_;
  mutable std::shared_mutex mutex_;
  std::deque<std::string> names_;  // deque: stable addresses for the map's string_views
  std::unordered_map<std::string_view, uint32_t> ids_;
  size_t bytes_ = 0;
};

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_DICTIONARY_H_
