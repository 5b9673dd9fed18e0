// IdentifierIndex: the in-memory map from (identifier type, lookup hash) to the persons holding
// that identifier. No clear values: only the keyed hash (privacy/keyed_hash.h).
//
// Entries live in an append-only array, so an entry's index never changes (pending changes and
// the graph refer to entries by index); removed entries stay as dead slots. An open-addressing
// table (linear probing, backward-shift deletion, no tombstones) of {32-bit tag, entry index}
// finds them: a probe compares tags within one cache line and touches an entry only on a tag
// match. One key may have several entries — one per holder of a shared identifier — and they
// are always found by scanning the key's probe run to the first empty slot.
//
// Memory: 28 bytes per entry plus 8 bytes per table slot at a load of 0.53..0.8 (grown by 1.5x).
//
// Used by: graph.cc only. Thread safety: none; the graph's mutex guards it.

#ifndef BANYAN_IDENTITY_INTERNAL_IDENTIFIER_INDEX_H_
#define BANYAN_IDENTITY_INTERNAL_IDENTIFIER_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "base/check.h"
#include "privacy/keyed_hash.h"

namespace banyan::identity::internal {

inline constexpr uint32_t kNoEntry = UINT32_MAX;
// Entry indexes are 32-bit; one is reserved for kNoEntry.
inline constexpr size_t kEntriesMax = UINT32_MAX - 1;

inline constexpr uint8_t kEntryDead = 1;         // removed (erasure); the index keeps its slot
inline constexpr uint8_t kEntryTouchQueued = 2;  // a last-seen update is pending for it

struct Entry {
  privacy::LookupHash lookup;
  uint32_t person;
  uint32_t last_seen_s;  // seconds since the Unix epoch
  uint8_t type;          // index into IdentifierTypes
  uint8_t flags;
  uint16_t unused;
};
static_assert(sizeof(Entry) == 28);

class IdentifierIndex {
 public:
  IdentifierIndex() { Rehash(kSlotsMin); }

  // Appends an entry for `person` and indexes it. Returns its index.
  // REQUIRES: live() < kEntriesMax.
  uint32_t Add(uint8_t type, const privacy::LookupHash& lookup, uint32_t person,
               uint32_t last_seen_s);
  // Unindexes entry `index` and marks it dead. No-op when already dead.
  void Remove(uint32_t index);

  // Calls `fn(entry_index)` for every live entry of key (type, lookup), in table order, until it
  // returns false.
  template <typename Fn>
  void ForEachMatch(uint8_t type, const privacy::LookupHash& lookup, Fn&& fn) const {
    const uint32_t tag = Tag(type, lookup);
    const size_t n = slots_.size();
    for (size_t i = Home(tag), probes = 0; probes < n; i = i + 1 == n ? 0 : i + 1, ++probes) {
      const Slot& slot = slots_[i];
      if (slot.entry == kNoEntry) return;
      if (slot.tag != tag) continue;
      const Entry& e = entries_[slot.entry];
      if (e.type == type && std::memcmp(e.lookup.data(), lookup.data(), lookup.size()) == 0) {
        if (!fn(slot.entry)) return;
      }
    }
  }

  // Starts loading the key's first table slot into the cache, so several look-ups' misses
  // overlap instead of following one another.
  void Prefetch(uint8_t type, const privacy::LookupHash& lookup) const {
    __builtin_prefetch(&slots_[Home(Tag(type, lookup))]);
  }

  Entry& at(uint32_t index) { return entries_[index]; }
  const Entry& at(uint32_t index) const { return entries_[index]; }
  // Entry indexes are 0..end()-1; some may be dead.
  uint32_t end() const { return static_cast<uint32_t>(entries_.size()); }
  size_t live() const { return live_; }
  size_t MemoryBytes() const {
    return entries_.capacity() * sizeof(Entry) + slots_.capacity() * sizeof(Slot);
  }
  // Sizes the arrays for `entries` entries without growing on the way (Load).
  void Reserve(size_t entries);

 private:
  struct Slot {
    uint32_t tag;
    uint32_t entry;  // kNoEntry when empty
  };
  static constexpr size_t kSlotsMin = 16;
  // Grow when live entries exceed 80% of the slots; grow by 1.5x.
  static constexpr size_t kLoadNumerator = 4;
  static constexpr size_t kLoadDenominator = 5;

  static uint32_t Tag(uint8_t type, const privacy::LookupHash& lookup) {
    uint32_t word;
    std::memcpy(&word, lookup.data(), sizeof(word));  // a keyed hash: already uniform
    return word ^ (static_cast<uint32_t>(type) * 0x9E3779B9u);
  }
  // Maps a tag uniformly onto the slots (Lemire's multiply-shift), so sizes need not be powers
  // of two and a rehash never needs the entries.
  size_t Home(uint32_t tag) const {
    return static_cast<size_t>((static_cast<uint64_t>(tag) * slots_.size()) >> 32);
  }
  void Insert(uint32_t tag, uint32_t entry);
  void Rehash(size_t slots);

  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t live_ = 0;
};

}  // namespace banyan::identity::internal

#endif  // BANYAN_IDENTITY_INTERNAL_IDENTIFIER_INDEX_H_
