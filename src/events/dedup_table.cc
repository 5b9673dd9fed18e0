#include "events/dedup_table.h"

#include <algorithm>
#include <bit>

#include "base/check.h"

namespace banyan::events::internal {
namespace {

constexpr int64_t kStampEpochSeconds = 1'577'836'800;  // 2020-01-01T00:00:00Z

uint64_t Low(const DedupSlot& slot) { return slot.hash[0] | uint64_t{slot.hash[1]} << 32; }

bool Holds(const DedupSlot& slot, const MessageIdHash& hash) {
  return Low(slot) == hash.low && (slot.hash[2] | uint64_t{slot.hash[3]} << 32) == hash.high;
}

}  // namespace

uint32_t StampOf(Timestamp t) {
  const int64_t seconds = ToUnixSeconds(t) - kStampEpochSeconds + 1;
  return static_cast<uint32_t>(std::clamp<int64_t>(seconds, 1, kStampSecondsMask));
}

size_t DedupTable::Home(const DedupSlot& slot) const { return Low(slot) & (slots_.size() - 1); }

DedupSlot* DedupTable::Find(const MessageIdHash& hash) {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash.low & mask;; i = (i + 1) & mask) {
    DedupSlot& slot = slots_[i];
    if (slot.empty()) return nullptr;
    if (Holds(slot, hash)) return &slot;
  }
}

void DedupTable::Insert(const MessageIdHash& hash, uint32_t stamp) {
  CHECK(stamp != 0);
  if ((size_ + 1) * 5 > slots_.size() * 4) {
    Resize(std::max(kInitialSlots, slots_.size() * 2));
  }
  const size_t mask = slots_.size() - 1;
  size_t i = hash.low & mask;
  while (!slots_[i].empty()) {
    DCHECK(!Holds(slots_[i], hash), "Insert of a hash already present");
    i = (i + 1) & mask;
  }
  slots_[i] = DedupSlot{{static_cast<uint32_t>(hash.low), static_cast<uint32_t>(hash.low >> 32),
                         static_cast<uint32_t>(hash.high), static_cast<uint32_t>(hash.high >> 32)},
                        stamp};
  ++size_;
}

void DedupTable::Erase(DedupSlot* slot) {
  CHECK(slot >= slots_.data() && slot < slots_.data() + slots_.size() && !slot->empty());
  EraseAt(static_cast<size_t>(slot - slots_.data()));
}

void DedupTable::EraseAt(size_t hole) {
  const size_t mask = slots_.size() - 1;
  for (size_t next = (hole + 1) & mask; !slots_[next].empty(); next = (next + 1) & mask) {
    // The slot at `next` may fill the hole unless its home lies cyclically in (hole, next].
    const size_t home = Home(slots_[next]);
    if (((next - home) & mask) >= ((next - hole) & mask)) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole].stamp = 0;
  --size_;
}

void DedupTable::Resize(size_t slot_count) {
  CHECK(std::has_single_bit(slot_count) && size_ * 5 <= slot_count * 4);
  std::vector<DedupSlot> old = std::move(slots_);
  slots_.assign(slot_count, DedupSlot{{0, 0, 0, 0}, 0});
  const size_t mask = slot_count - 1;
  for (const DedupSlot& slot : old) {
    if (slot.empty()) continue;
    size_t i = Home(slot);
    while (!slots_[i].empty()) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void DedupTable::ShrinkIfSparse() {
  // Shrink below 10% load, to 40%: far enough from both thresholds that it cannot thrash.
  if (slots_.size() <= kInitialSlots || size_ * 10 >= slots_.size()) return;
  const size_t target = std::max(kInitialSlots, std::bit_ceil(size_ * 5 / 2 + 1));
  if (target < slots_.size()) Resize(target);
}

}  // namespace banyan::events::internal
