// One customer's events as a time-ordered sequence in compact columns, and the reference-counted
// block that holds them.
//
// Layout of an EventBlock (one allocation): a 12-byte header, then `capacity` times (uint32,
// seconds since kEpochBaseSeconds), event types (uint16 dictionary ids), channels (uint8) and
// property lengths (uint8), then `property_capacity` bytes of encoded properties (property.h).
// Event i's properties start at the sum of the lengths before it: scans walk forward anyway, so
// a per-event offset (4 more bytes) would buy nothing. That is 8 bytes per event plus its
// properties (typically 2–4 bytes).
//
// Sharing between snapshots: a SequenceRef is (block, count). Appending an event no earlier than
// the last one writes past `count` in place when the block has room — older snapshots only read
// below their own counts, so they never see it — and any other change (a late event, a merge,
// compaction) builds a new block. Blocks are freed with their last reference.
//
// Thread safety: SequenceRef copies may be made and dropped from any thread (atomic counts);
// changing one is the engine writer's alone.

#ifndef BANYAN_ENGINE_INTERNAL_SEQUENCE_H_
#define BANYAN_ENGINE_INTERNAL_SEQUENCE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace banyan::engine::internal {

struct EventBlock;

// A read-only view of a sequence, valid while the SequenceRef it came from lives.
struct SequenceView {
  const uint32_t* times = nullptr;  // ascending
  const uint16_t* types = nullptr;
  const uint8_t* channels = nullptr;
  const uint8_t* property_lengths = nullptr;
  const uint8_t* properties = nullptr;
  uint32_t count = 0;

  // The first event at or after `time` / the first after `time`.
  uint32_t LowerBound(uint32_t time) const;
  // Byte offset of event i's properties. O(i).
  size_t PropertyOffset(uint32_t i) const;
};

// One event ready to store: its properties already encoded.
struct EncodedEvent {
  uint32_t time = 0;
  uint16_t type = 0;
  uint8_t channel = 0;
  std::span<const uint8_t> properties;  // REQUIRES: size() <= kEventPropertyBytesMax
};

class SequenceRef {
 public:
  SequenceRef() = default;
  ~SequenceRef();
  SequenceRef(const SequenceRef& other);
  SequenceRef& operator=(const SequenceRef& other);
  SequenceRef(SequenceRef&& other) noexcept;
  SequenceRef& operator=(SequenceRef&& other) noexcept;

  uint32_t count() const { return count_; }
  uint32_t property_bytes() const { return property_bytes_; }
  SequenceView View() const;
  // Asks the CPU to start loading the block's first cache lines (a scan about to read it).
  void Prefetch() const;

  // Adds `event` in time order (after events of the same second). Writer only.
  void Insert(const EncodedEvent& event);
  // This sequence followed, in time order, by `other`'s events (ours first on ties).
  void MergeFrom(const SequenceView& other);
  // Makes room for `events` events and `bytes` property bytes in all (a new block if needed).
  void Reserve(uint32_t events, uint32_t bytes);
  // Drops spare capacity (a new block when there is any). Writer only.
  void Compact();
  void Clear() { *this = SequenceRef(); }
  // Heap bytes of the block (shared blocks count in full to each holder).
  size_t AllocatedBytes() const;

 private:
  // Moves this sequence to a new block with room for `events` events and `bytes` property bytes,
  // inserting `event` at position `at` when given.
  void Rebuild(uint32_t events, uint32_t bytes, const EncodedEvent* event, uint32_t at);

  EventBlock* block_ = nullptr;
  uint32_t count_ = 0;
  uint32_t property_bytes_ = 0;
};

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_SEQUENCE_H_
