#include "events/dedup.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

#include "base/check.h"
#include "base/logging.h"
#include "events/dedup_table.h"

namespace banyan::events {
namespace {

using internal::DedupSlot;
using internal::DedupTable;
using internal::kStampInFlight;
using internal::StampOf;

constexpr int kShardBits = 6;
constexpr size_t kShardCount = size_t{1} << kShardBits;
// Keys shorter than this are hashed from a stack buffer.
constexpr size_t kInlineKeyBytes = 256;
constexpr size_t kEvictionBuckets = 256;

static_assert(crypto_shorthash_siphashx24_BYTES == sizeof(MessageIdHash));
static_assert(crypto_shorthash_siphashx24_KEYBYTES == 16);

// Removes the oldest committed entries, at least `target` of them (more when many share a second),
// so that eviction runs once per many inserts rather than on each. Returns how many it removed.
uint64_t EvictOldest(DedupTable& table, uint64_t target) {
  uint32_t oldest = UINT32_MAX;
  uint32_t newest = 0;
  table.ForEach([&](const DedupSlot& slot) {
    if (slot.in_flight()) return;
    oldest = std::min(oldest, slot.seconds());
    newest = std::max(newest, slot.seconds());
  });
  if (oldest > newest) return 0;  // everything is in flight; nothing may be evicted
  const uint64_t width = (uint64_t{newest} - oldest) / kEvictionBuckets + 1;
  std::array<uint64_t, kEvictionBuckets> counts{};
  table.ForEach([&](const DedupSlot& slot) {
    if (!slot.in_flight()) ++counts[(slot.seconds() - oldest) / width];
  });
  uint64_t cutoff = oldest;  // evict committed entries with seconds < cutoff
  for (size_t bucket = 0, removed = 0; bucket < kEvictionBuckets && removed < target; ++bucket) {
    removed += counts[bucket];
    cutoff = oldest + (bucket + 1) * width;
  }
  return table.EraseIf(
      [cutoff](const DedupSlot& slot) { return !slot.in_flight() && slot.seconds() < cutoff; });
}

}  // namespace

struct MessageIdDedup::Shard {
  alignas(64) mutable std::mutex mutex;
  DedupTable table;
  uint64_t in_flight = 0;
};

MessageIdReservation::MessageIdReservation(MessageIdReservation&& other) noexcept
    : dedup_(std::exchange(other.dedup_, nullptr)),
      reserved_at_(other.reserved_at_),
      outcomes_(std::move(other.outcomes_)),
      reserved_(std::move(other.reserved_)) {}

MessageIdReservation& MessageIdReservation::operator=(MessageIdReservation&& other) noexcept {
  if (this != &other) {
    if (dedup_ != nullptr) Release();
    dedup_ = std::exchange(other.dedup_, nullptr);
    reserved_at_ = other.reserved_at_;
    outcomes_ = std::move(other.outcomes_);
    reserved_ = std::move(other.reserved_);
  }
  return *this;
}

MessageIdReservation::~MessageIdReservation() {
  if (dedup_ != nullptr) Release();
}

void MessageIdReservation::Commit() {
  CHECK(dedup_ != nullptr, "reservation already committed or released");
  dedup_->CommitHashes(reserved_, reserved_at_);
  dedup_ = nullptr;
}

void MessageIdReservation::Release() {
  CHECK(dedup_ != nullptr, "reservation already committed or released");
  dedup_->ReleaseHashes(reserved_);
  dedup_ = nullptr;
}

MessageIdDedup::MessageIdDedup(MessageIdDedupOptions options, Random& random)
    : options_(options),
      shard_entries_max_(
          std::max<uint64_t>(1, (options.entries_max + kShardCount - 1) / kShardCount)),
      shards_(new Shard[kShardCount]) {
  CHECK(options.window.count() > 0 && options.entries_max > 0);
  CHECK(sodium_init() >= 0, "libsodium failed to initialise");
  random.Fill(hash_key_);
}

MessageIdDedup::~MessageIdDedup() = default;

MessageIdHash MessageIdDedup::Hash(const MessageIdKey& key) const {
  // Length-prefixing the source keeps ("ab", "c") and ("a", "bc") apart.
  const size_t size = 4 + key.source.size() + key.message_id.size();
  uint8_t inline_buffer[kInlineKeyBytes];
  std::string heap_buffer;
  uint8_t* buffer = inline_buffer;
  if (size > sizeof(inline_buffer)) {
    heap_buffer.resize(size);
    buffer = reinterpret_cast<uint8_t*>(heap_buffer.data());
  }
  const uint32_t source_bytes = static_cast<uint32_t>(key.source.size());
  for (int i = 0; i < 4; ++i) buffer[i] = static_cast<uint8_t>(source_bytes >> (8 * i));
  std::memcpy(buffer + 4, key.source.data(), key.source.size());
  std::memcpy(buffer + 4 + key.source.size(), key.message_id.data(), key.message_id.size());
  uint8_t out[sizeof(MessageIdHash)];
  crypto_shorthash_siphashx24(out, buffer, size, hash_key_.data());
  MessageIdHash hash;
  std::memcpy(&hash.low, out, 8);
  std::memcpy(&hash.high, out + 8, 8);
  return hash;
}

MessageIdDedup::Shard& MessageIdDedup::ShardOf(const MessageIdHash& hash) const {
  return shards_[hash.high >> (64 - kShardBits)];
}

void MessageIdDedup::Insert(Shard& shard, const MessageIdHash& hash, uint32_t stamp) {
  if (shard.table.size() >= shard_entries_max_) {
    const uint64_t evicted =
        EvictOldest(shard.table, std::max<uint64_t>(1, shard_entries_max_ / 16));
    // Warn when the running total crosses a power of two: loud at first, never a flood.
    const uint64_t before = evictions_.fetch_add(evicted);
    if (evicted > 0 && std::bit_width(before) != std::bit_width(before + evicted)) {
      log::Warn("events.dedup.evicted", {{"entries", evicted},
                                         {"evictions_total", before + evicted},
                                         {"entries_max", options_.entries_max},
                                         {"hint",
                                          "raise entries_max: these keys were younger "
                                          "than the dedup window"}});
    }
  }
  shard.table.Insert(hash, stamp);
}

DedupOutcome MessageIdDedup::ReserveOne(const MessageIdHash& hash, uint32_t now_stamp,
                                        uint32_t cutoff_stamp,
                                        std::span<const MessageIdHash> reserved_by_caller) {
  Shard& shard = ShardOf(hash);
  std::lock_guard lock(shard.mutex);
  DedupSlot* slot = shard.table.Find(hash);
  if (slot == nullptr) {
    Insert(shard, hash, now_stamp | kStampInFlight);
    ++shard.in_flight;
    return DedupOutcome::kNew;
  }
  if (slot->seconds() >= cutoff_stamp) {
    if (!slot->in_flight()) return DedupOutcome::kDuplicate;
    const bool mine = std::find(reserved_by_caller.begin(), reserved_by_caller.end(), hash) !=
                      reserved_by_caller.end();
    return mine ? DedupOutcome::kDuplicate : DedupOutcome::kInFlight;
  }
  // Seen, but before the window: forgotten in all but memory, so new again.
  if (!slot->in_flight()) ++shard.in_flight;
  slot->stamp = now_stamp | kStampInFlight;
  return DedupOutcome::kNew;
}

MessageIdReservation MessageIdDedup::Reserve(std::span<const MessageIdKey> keys, Timestamp now) {
  MessageIdReservation reservation(this, now);
  reservation.outcomes_.reserve(keys.size());
  const uint32_t now_stamp = StampOf(now);
  const uint32_t cutoff_stamp = StampOf(now - options_.window);
  for (const MessageIdKey& key : keys) {
    const MessageIdHash hash = Hash(key);
    const DedupOutcome outcome = ReserveOne(hash, now_stamp, cutoff_stamp, reservation.reserved_);
    if (outcome == DedupOutcome::kNew) reservation.reserved_.push_back(hash);
    reservation.outcomes_.push_back(outcome);
  }
  return reservation;
}

void MessageIdDedup::CommitHashes(std::span<const MessageIdHash> hashes, Timestamp reserved_at) {
  for (const MessageIdHash& hash : hashes) {
    Shard& shard = ShardOf(hash);
    std::lock_guard lock(shard.mutex);
    DedupSlot* slot = shard.table.Find(hash);
    if (slot == nullptr) {  // expired while in flight (a reservation held past the window)
      Insert(shard, hash, StampOf(reserved_at));
    } else if (slot->in_flight()) {
      slot->stamp &= ~kStampInFlight;
      --shard.in_flight;
    }
  }
}

void MessageIdDedup::ReleaseHashes(std::span<const MessageIdHash> hashes) {
  for (const MessageIdHash& hash : hashes) {
    Shard& shard = ShardOf(hash);
    std::lock_guard lock(shard.mutex);
    DedupSlot* slot = shard.table.Find(hash);
    if (slot != nullptr && slot->in_flight()) {
      shard.table.Erase(slot);
      --shard.in_flight;
    }
  }
}

void MessageIdDedup::InsertForRebuild(const MessageIdKey& key, Timestamp received_at) {
  const MessageIdHash hash = Hash(key);
  const uint32_t stamp = StampOf(received_at);
  Shard& shard = ShardOf(hash);
  std::lock_guard lock(shard.mutex);
  DedupSlot* slot = shard.table.Find(hash);
  if (slot == nullptr) {
    Insert(shard, hash, stamp);
  } else if (!slot->in_flight() && stamp < slot->seconds()) {
    slot->stamp = stamp;  // keep the first sighting
  }
}

uint64_t MessageIdDedup::Expire(Timestamp now) {
  const uint32_t cutoff_stamp = StampOf(now - options_.window);
  uint64_t expired = 0;
  for (size_t i = 0; i < kShardCount; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard lock(shard.mutex);
    uint64_t in_flight_expired = 0;
    expired += shard.table.EraseIf([&](const DedupSlot& slot) {
      const bool old = slot.seconds() < cutoff_stamp;
      if (old && slot.in_flight()) ++in_flight_expired;
      return old;
    });
    shard.in_flight -= in_flight_expired;
  }
  expirations_ += expired;
  return expired;
}

MessageIdDedupStats MessageIdDedup::Stats() const {
  MessageIdDedupStats stats;
  for (size_t i = 0; i < kShardCount; ++i) {
    const Shard& shard = shards_[i];
    std::lock_guard lock(shard.mutex);
    stats.entries += shard.table.size();
    stats.in_flight += shard.in_flight;
    stats.memory_bytes += shard.table.memory_bytes();
  }
  stats.memory_bytes += kShardCount * sizeof(Shard);
  stats.evictions = evictions_.load();
  stats.expirations = expirations_.load();
  return stats;
}

}  // namespace banyan::events
