// One customer's events as a time-ordered sequence in compact columns, and the block that holds
// them.
//
// Layout of an EventBlock (one allocation): an 8-byte header, then `capacity` times (uint32,
// seconds since kEpochBaseSeconds), event types (uint16 dictionary ids), channels (uint8) and
// property lengths (uint8), then `property_capacity` bytes of encoded properties (property.h).
// Event i's properties start at the sum of the lengths before it: scans walk forward anyway, so
// a per-event offset (4 more bytes) would buy nothing. That is 8 bytes per event plus its
// properties (typically 2–4 bytes).
//
// Sharing between snapshots: a SequenceRef is a plain (block, count) handle, free to copy — a
// batch copies the references of every chunk it touches (65,536 per chunk), so a reference count
// per block would cost a cache miss per customer per batch. Appending an event no earlier than
// the last one writes past `count` in place when the block has room — older snapshots only read
// below their own counts, so they never see it — and any other change (a late event, a merge,
// compaction, erasure) builds a new block and hands the old one to the writer's BlockSink. Blocks
// the writer made in this batch and replaced again are freed at once (no snapshot saw them);
// the rest are freed with the snapshot generation that last read them (chunk.h,
// BlockGeneration).
//
// Thread safety: SequenceRef copies may be made and read from any thread; changing one, and a
// BlockSink, are the engine writer's alone.

#ifndef BANYAN_ENGINE_INTERNAL_SEQUENCE_H_
#define BANYAN_ENGINE_INTERNAL_SEQUENCE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_set>
#include <vector>

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

// Frees a block (null: nothing). Only for blocks no snapshot can read any more.
void FreeBlock(EventBlock* block);

// Where one writer's blocks come from and where the ones it replaces go.
class BlockSink {
 public:
  BlockSink() = default;
  ~BlockSink();  // frees the blocks made and never published (an abandoned batch)
  BlockSink(const BlockSink&) = delete;
  BlockSink& operator=(const BlockSink&) = delete;

  EventBlock* Make(uint32_t capacity, uint32_t property_capacity);
  // `block` (null: nothing) is no longer in the writer's state: freed now if this sink made it,
  // else kept for TakeRetired.
  void Retire(EventBlock* block);
  // The replaced blocks that published snapshots may still read.
  std::vector<EventBlock*> TakeRetired();
  // The blocks made so far are now in a published snapshot: no longer this sink's to free.
  void Published() { fresh_.clear(); }

 private:
  std::unordered_set<EventBlock*> fresh_;
  std::vector<EventBlock*> retired_;
};

class SequenceRef {
 public:
  uint32_t count() const { return count_; }
  uint32_t property_bytes() const { return property_bytes_; }
  SequenceView View() const;
  // Asks the CPU to start loading the block's first cache lines (a scan about to read it).
  void Prefetch() const;
  // The block, for freeing the blocks of a generation's last snapshot (chunk.h).
  EventBlock* block() const { return block_; }

  // The changes below are the writer's: a replaced block goes to `sink`.
  // Adds `event` in time order (after events of the same second).
  void Insert(const EncodedEvent& event, BlockSink& sink);
  // This sequence followed, in time order, by `other`'s events (ours first on ties).
  void MergeFrom(const SequenceView& other, BlockSink& sink);
  // Makes room for `events` events and `bytes` property bytes in all (a new block if needed).
  void Reserve(uint32_t events, uint32_t bytes, BlockSink& sink);
  // Drops spare capacity (a new block when there is any).
  void Compact(BlockSink& sink);
  void Clear(BlockSink& sink);
  // Heap bytes of the block (shared blocks count in full to each holder).
  size_t AllocatedBytes() const;

 private:
  // Moves this sequence to a new block with room for `events` events and `bytes` property bytes,
  // inserting `event` at position `at` when given.
  void Rebuild(uint32_t events, uint32_t bytes, const EncodedEvent* event, uint32_t at,
               BlockSink& sink);

  EventBlock* block_ = nullptr;
  uint32_t count_ = 0;
  uint32_t property_bytes_ = 0;
};

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_SEQUENCE_H_
