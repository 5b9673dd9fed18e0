// MessageIdDedup: remembers which (source, messageId) pairs were accepted in the last `window`
// (default 7 days), so a retried or replayed event is counted once (issue #3 item 4).
//
// Each key is hashed with a keyed 128-bit PRF (SipHash-x-2-4 from libsodium, key drawn from the
// injected Random at construction) and stored with its first-seen time in an open-addressing table
// of 20-byte slots, split into 64 shards each behind its own mutex. The table lives in memory; at
// start-up the caller rebuilds it by scanning the event log and calling InsertForRebuild for each
// event, which is what makes dedup survive restarts. The key is per process, which is fine because
// the table is always rebuilt from the log.
//
// Ingest uses it in three steps so that nothing is both lost and acknowledged:
//   1. Reserve(keys, now): per key kNew (now reserved), kDuplicate (accepted before: drop it and
//      answer success) or kInFlight (another request holds it and has not finished: answer
//      "retry later", because that request may still fail).
//   2. Append the kNew events to the event log.
//   3. On success reservation.Commit(); on failure let the reservation go (or call Release()),
//   which
//      removes the keys it reserved so a retry is new again.
//
// Bounded: at most `entries_max` keys. Past it the oldest accepted keys are evicted, which means a
// retry of an event older than the evicted ones would be accepted a second time; Stats().evictions
// counts them and any nonzero value means entries_max is too small for the traffic (size it as
// peak events per day x window days x 1.25). Memory is 20 bytes per slot at 40-80% load, about
// 25-50 bytes per key.
//
// Thread safety: all methods of MessageIdDedup are safe from any thread; a MessageIdReservation
// belongs to one thread at a time and must not outlive its MessageIdDedup.

#ifndef BANYAN_EVENTS_DEDUP_H_
#define BANYAN_EVENTS_DEDUP_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"

namespace banyan::events {

inline constexpr Micros kDedupWindowDefault = std::chrono::hours(24 * 7);
inline constexpr uint64_t kDedupEntriesMaxDefault = 50'000'000;

struct MessageIdKey {
  std::string_view source;  // the write key's source id
  std::string_view message_id;
};

enum class DedupOutcome : uint8_t { kNew, kDuplicate, kInFlight };

struct MessageIdHash {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const MessageIdHash&) const = default;
};

struct MessageIdDedupOptions {
  Micros window = kDedupWindowDefault;  // keys older than this are forgotten
  uint64_t entries_max = kDedupEntriesMaxDefault;
};

struct MessageIdDedupStats {
  uint64_t entries = 0;
  uint64_t in_flight = 0;
  uint64_t evictions = 0;    // keys dropped inside the window to stay under entries_max
  uint64_t expirations = 0;  // keys dropped because they left the window
  uint64_t memory_bytes = 0;
};

class MessageIdDedup;

// The keys one Reserve call found new. Commit() once their events are durable; destroying an
// uncommitted reservation releases them.
class MessageIdReservation {
 public:
  MessageIdReservation(MessageIdReservation&& other) noexcept;
  MessageIdReservation& operator=(MessageIdReservation&& other) noexcept;
  ~MessageIdReservation();

  // One outcome per key passed to Reserve, in order.
  const std::vector<DedupOutcome>& outcomes() const { return outcomes_; }
  // Marks the reserved keys accepted. REQUIRES: not yet committed or released.
  void Commit();
  // Forgets the reserved keys, so they are new again. REQUIRES: not yet committed or released.
  void Release();

 private:
  friend class MessageIdDedup;
  MessageIdReservation(MessageIdDedup* dedup, Timestamp reserved_at)
      : dedup_(dedup), reserved_at_(reserved_at) {}

  MessageIdDedup* dedup_;  // null once committed or released
  Timestamp reserved_at_;
  std::vector<DedupOutcome> outcomes_;
  std::vector<MessageIdHash> reserved_;
};

class MessageIdDedup {
 public:
  // `random` supplies the hash key; it is used only here.
  MessageIdDedup(MessageIdDedupOptions options, Random& random);
  ~MessageIdDedup();
  MessageIdDedup(const MessageIdDedup&) = delete;
  MessageIdDedup& operator=(const MessageIdDedup&) = delete;

  // Classifies each key (see the file comment) and reserves the new ones as first seen at `now`.
  // A key repeated within one call is kNew the first time and kDuplicate after.
  MessageIdReservation Reserve(std::span<const MessageIdKey> keys, Timestamp now);

  // Records an event read back from the log at start-up as accepted at `received_at`.
  void InsertForRebuild(const MessageIdKey& key, Timestamp received_at);

  // Forgets keys first seen before now - window. Returns how many. For the server to call
  // periodically (each call reads the whole table).
  uint64_t Expire(Timestamp now);

  MessageIdDedupStats Stats() const;

  MessageIdHash Hash(const MessageIdKey& key) const;

 private:
  friend class MessageIdReservation;
  struct Shard;

  void CommitHashes(std::span<const MessageIdHash> hashes, Timestamp reserved_at);
  void ReleaseHashes(std::span<const MessageIdHash> hashes);
  Shard& ShardOf(const MessageIdHash& hash) const;
  DedupOutcome ReserveOne(const MessageIdHash& hash, uint32_t now_stamp, uint32_t cutoff_stamp,
                          std::span<const MessageIdHash> reserved_by_caller);
  void Insert(Shard& shard, const MessageIdHash& hash, uint32_t stamp);

  const MessageIdDedupOptions options_;
  const uint64_t shard_entries_max_;
  std::array<uint8_t, 16> hash_key_;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<uint64_t> evictions_{0};
  std::atomic<uint64_t> expirations_{0};
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_DEDUP_H_
