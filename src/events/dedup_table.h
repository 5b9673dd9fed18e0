// DedupTable: one shard of MessageIdDedup's memory — an open-addressing hash set of 128-bit key
// hashes, each with a 32-bit stamp, using linear probing and backward-shift deletion (no
// tombstones, so lookups never slow down as keys expire).
//
// A slot is 20 bytes: the hash as four 32-bit words and the stamp. Stamp 0 marks an empty slot;
// otherwise bit 31 is "in flight" (reserved, not committed) and bits 0-30 are whole seconds since
// 2020-01-01T00:00:00Z plus one, which lasts until 2088.
// A private part of MessageIdDedup (dedup.h); not for use elsewhere.
// Thread safety: none; MessageIdDedup guards each table with its shard's mutex.

#ifndef BANYAN_EVENTS_DEDUP_TABLE_H_
#define BANYAN_EVENTS_DEDUP_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "base/clock.h"
#include "events/dedup.h"

namespace banyan::events::internal {

inline constexpr uint32_t kStampInFlight = 1u << 31;
inline constexpr uint32_t kStampSecondsMask = kStampInFlight - 1;

// The stamp (without the in-flight bit) for time `t`, clamped to the representable range.
uint32_t StampOf(Timestamp t);

struct DedupSlot {
  uint32_t hash[4];
  uint32_t stamp;  // 0: empty

  bool empty() const { return stamp == 0; }
  bool in_flight() const { return (stamp & kStampInFlight) != 0; }
  uint32_t seconds() const { return stamp & kStampSecondsMask; }
};
static_assert(sizeof(DedupSlot) == 20);

class DedupTable {
 public:
  static constexpr size_t kInitialSlots = 64;

  // The slot holding `hash`, or nullptr. Valid until the next Insert or Erase.
  DedupSlot* Find(const MessageIdHash& hash);
  // Adds `hash`, growing the table first if it would pass 80% load.
  // REQUIRES: Find(hash) == nullptr, stamp != 0.
  void Insert(const MessageIdHash& hash, uint32_t stamp);
  // REQUIRES: `slot` came from Find on this table since the last change.
  void Erase(DedupSlot* slot);

  // Erases every occupied slot for which should_erase(slot) holds; returns how many.
  template <typename ShouldErase>
  uint64_t EraseIf(ShouldErase&& should_erase);

  template <typename Visit>
  void ForEach(Visit&& visit) const {
    for (const DedupSlot& slot : slots_) {
      if (!slot.empty()) visit(slot);
    }
  }

  uint64_t size() const { return size_; }
  uint64_t memory_bytes() const { return slots_.capacity() * sizeof(DedupSlot); }

 private:
  size_t Home(const DedupSlot& slot) const;
  void EraseAt(size_t index);
  void Resize(size_t slot_count);
  void ShrinkIfSparse();

  std::vector<DedupSlot> slots_;  // size is zero or a power of two
  uint64_t size_ = 0;
};

template <typename ShouldErase>
uint64_t DedupTable::EraseIf(ShouldErase&& should_erase) {
  uint64_t erased = 0;
  // Backward shift only moves a slot to an earlier position (or, wrapping, from the front to the
  // back, where the scan has already looked at it), so re-checking the current index after each
  // erase visits every slot.
  for (size_t i = 0; i < slots_.size();) {
    if (!slots_[i].empty() && should_erase(slots_[i])) {
      EraseAt(i);
      ++erased;
    } else {
      ++i;
    }
  }
  ShrinkIfSparse();
  return erased;
}

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_DEDUP_TABLE_H_
