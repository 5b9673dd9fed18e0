#include "identity/internal/identifier_index.h"

#include <utility>

namespace banyan::identity::internal {

uint32_t IdentifierIndex::Add(uint8_t type, const privacy::LookupHash& lookup, uint32_t person,
                              uint32_t last_seen_s) {
  CHECK(entries_.size() < kEntriesMax, "identifier index full");
  if ((live_ + 1) * kLoadDenominator > slots_.size() * kLoadNumerator) {
    Rehash(slots_.size() + slots_.size() / 2);
  }
  const auto index = static_cast<uint32_t>(entries_.size());
  entries_.push_back(Entry{lookup, person, last_seen_s, type, 0, 0});
  Insert(Tag(type, lookup), index);
  ++live_;
  return index;
}

void IdentifierIndex::Insert(uint32_t tag, uint32_t entry) {
  const size_t n = slots_.size();
  size_t i = Home(tag);
  while (slots_[i].entry != kNoEntry) i = i + 1 == n ? 0 : i + 1;
  slots_[i] = Slot{tag, entry};
}

void IdentifierIndex::Remove(uint32_t index) {
  Entry& e = entries_.at(index);
  if (e.flags & kEntryDead) return;
  const size_t n = slots_.size();
  size_t i = Home(Tag(e.type, e.lookup));
  for (size_t probes = 0; slots_[i].entry != index; ++probes) {
    CHECK(probes < n && slots_[i].entry != kNoEntry, "entry {} is live but not indexed", index);
    i = i + 1 == n ? 0 : i + 1;
  }
  // Backward-shift deletion: pull later members of the probe run into the hole when their home
  // does not lie cyclically in (hole, their position].
  slots_[i].entry = kNoEntry;
  size_t j = i;
  while (true) {
    j = j + 1 == n ? 0 : j + 1;
    if (slots_[j].entry == kNoEntry) break;
    const size_t home = Home(slots_[j].tag);
    const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (stays) continue;
    slots_[i] = slots_[j];
    slots_[j].entry = kNoEntry;
    i = j;
  }
  e.flags = kEntryDead;
  --live_;
}

void IdentifierIndex::Reserve(size_t entries) {
  entries_.reserve(entries);
  // A load of 0.7 leaves room to grow by 14% before the first rehash.
  const size_t slots = entries * 10 / 7 + kSlotsMin;
  if (slots > slots_.size()) Rehash(slots);
}

void IdentifierIndex::Rehash(size_t slots) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(slots, Slot{0, kNoEntry});
  for (const Slot& slot : old) {
    if (slot.entry != kNoEntry) Insert(slot.tag, slot.entry);
  }
}

}  // namespace banyan::identity::internal
