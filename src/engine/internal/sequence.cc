#include "engine/internal/sequence.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>
#include <utility>

#include "base/check.h"
#include "engine/types.h"

namespace banyan::engine::internal {

struct EventBlock {
  uint32_t capacity;           // events
  uint32_t property_capacity;  // bytes

  uint32_t* times() { return reinterpret_cast<uint32_t*>(this + 1); }
  uint16_t* types() { return reinterpret_cast<uint16_t*>(times() + capacity); }
  uint8_t* channels() { return reinterpret_cast<uint8_t*>(types() + capacity); }
  uint8_t* property_lengths() { return channels() + capacity; }
  uint8_t* properties() { return property_lengths() + capacity; }

  static size_t Bytes(uint32_t capacity, uint32_t property_capacity) {
    return sizeof(EventBlock) + size_t{capacity} * 8 + property_capacity;
  }
};
static_assert(sizeof(EventBlock) == 8);

namespace {

// Growth by half again: 10 events per customer leave less slack than doubling would.
uint32_t Grow(uint32_t needed, uint32_t current) {
  return std::max<uint32_t>(needed, std::max<uint32_t>(4, current + current / 2));
}

}  // namespace

void FreeBlock(EventBlock* block) {
  if (block == nullptr) return;
  block->~EventBlock();
  std::free(block);
}

BlockSink::~BlockSink() {
  for (EventBlock* block : fresh_) FreeBlock(block);
}

EventBlock* BlockSink::Make(uint32_t capacity, uint32_t property_capacity) {
  void* memory = std::malloc(EventBlock::Bytes(capacity, property_capacity));
  if (memory == nullptr) throw std::bad_alloc();
  auto* block = new (memory) EventBlock{capacity, property_capacity};
  fresh_.insert(block);
  return block;
}

void BlockSink::Retire(EventBlock* block) {
  if (block == nullptr) return;
  if (fresh_.erase(block) > 0) {
    FreeBlock(block);
  } else {
    retired_.push_back(block);
  }
}

std::vector<EventBlock*> BlockSink::TakeRetired() { return std::exchange(retired_, {}); }

uint32_t SequenceView::LowerBound(uint32_t time) const {
  return static_cast<uint32_t>(std::lower_bound(times, times + count, time) - times);
}

size_t SequenceView::PropertyOffset(uint32_t i) const {
  return std::accumulate(property_lengths, property_lengths + i, size_t{0});
}

SequenceView SequenceRef::View() const {
  if (block_ == nullptr) return {};
  return {block_->times(),      block_->types(), block_->channels(), block_->property_lengths(),
          block_->properties(), count_};
}

void SequenceRef::Prefetch() const {
  if (block_ == nullptr) return;
  // Header, times and (for the typical ten events) types, channels and properties: 3 lines.
  const char* start = reinterpret_cast<const char*>(block_);
  const size_t bytes = EventBlock::Bytes(0, 0) + size_t{count_} * 8 + property_bytes_;
  for (size_t line = 0; line < bytes && line < 3 * 64; line += 64) {
    __builtin_prefetch(start + line, 0, 3);
  }
}

size_t SequenceRef::AllocatedBytes() const {
  return block_ == nullptr ? 0 : EventBlock::Bytes(block_->capacity, block_->property_capacity);
}

void SequenceRef::Insert(const EncodedEvent& event, BlockSink& sink) {
  CHECK(event.properties.size() <= kEventPropertyBytesMax);
  const uint32_t bytes = static_cast<uint32_t>(event.properties.size());
  const bool in_order = count_ == 0 || block_->times()[count_ - 1] <= event.time;
  if (block_ != nullptr && in_order && count_ < block_->capacity &&
      property_bytes_ + bytes <= block_->property_capacity) {
    block_->times()[count_] = event.time;
    block_->types()[count_] = event.type;
    block_->channels()[count_] = event.channel;
    block_->property_lengths()[count_] = static_cast<uint8_t>(bytes);
    if (bytes > 0)
      std::memcpy(block_->properties() + property_bytes_, event.properties.data(), bytes);
    ++count_;
    property_bytes_ += bytes;
    return;
  }
  const SequenceView view = View();
  const uint32_t at = static_cast<uint32_t>(
      std::upper_bound(view.times, view.times + count_, event.time) - view.times);
  // A late event that still fits is placed in a block of the same size: growing on every late
  // event would multiply the capacity by 1.5 each time (a customer with 50 late events asked
  // for billions of slots).
  const uint32_t capacity = block_ == nullptr ? 0 : block_->capacity;
  const uint32_t property_capacity = block_ == nullptr ? 0 : block_->property_capacity;
  const uint32_t events = count_ + 1 <= capacity ? capacity : Grow(count_ + 1, capacity);
  const uint32_t property_bytes = property_bytes_ + bytes <= property_capacity
                                      ? property_capacity
                                      : Grow(property_bytes_ + bytes, property_capacity);
  Rebuild(events, property_bytes, &event, at, sink);
}

void SequenceRef::Rebuild(uint32_t events, uint32_t bytes, const EncodedEvent* event, uint32_t at,
                          BlockSink& sink) {
  EventBlock* block = sink.Make(events, bytes);
  const SequenceView old = View();
  const size_t split = old.PropertyOffset(at);
  auto copy_range = [&](uint32_t from, uint32_t to, uint32_t dest) {
    std::copy(old.times + from, old.times + to, block->times() + dest);
    std::copy(old.types + from, old.types + to, block->types() + dest);
    std::copy(old.channels + from, old.channels + to, block->channels() + dest);
    std::copy(old.property_lengths + from, old.property_lengths + to,
              block->property_lengths() + dest);
  };
  copy_range(0, at, 0);
  if (split > 0) std::memcpy(block->properties(), old.properties, split);
  uint32_t count = at;
  size_t property_bytes = split;
  if (event != nullptr) {
    block->times()[count] = event->time;
    block->types()[count] = event->type;
    block->channels()[count] = event->channel;
    block->property_lengths()[count] = static_cast<uint8_t>(event->properties.size());
    if (!event->properties.empty()) {
      std::memcpy(block->properties() + property_bytes, event->properties.data(),
                  event->properties.size());
    }
    ++count;
    property_bytes += event->properties.size();
  }
  copy_range(at, count_, count);
  const size_t tail = property_bytes_ - split;
  if (tail > 0) std::memcpy(block->properties() + property_bytes, old.properties + split, tail);
  count += count_ - at;
  property_bytes += tail;
  sink.Retire(block_);
  block_ = block;
  count_ = count;
  property_bytes_ = static_cast<uint32_t>(property_bytes);
}

void SequenceRef::Reserve(uint32_t events, uint32_t bytes, BlockSink& sink) {
  if (block_ != nullptr && block_->capacity >= events && block_->property_capacity >= bytes) {
    return;
  }
  Rebuild(std::max(events, count_), std::max(bytes, property_bytes_), nullptr, count_, sink);
}

void SequenceRef::Compact(BlockSink& sink) {
  if (block_ == nullptr) return;
  if (count_ == 0) {
    Clear(sink);
    return;
  }
  if (block_->capacity == count_ && block_->property_capacity == property_bytes_) return;
  Rebuild(count_, property_bytes_, nullptr, count_, sink);
}

void SequenceRef::Clear(BlockSink& sink) {
  sink.Retire(block_);
  *this = SequenceRef();
}

void SequenceRef::MergeFrom(const SequenceView& other, BlockSink& sink) {
  if (other.count == 0) return;
  const SequenceView mine = View();
  const uint32_t events = count_ + other.count;
  const size_t other_bytes = other.PropertyOffset(other.count);
  EventBlock* block = sink.Make(events, static_cast<uint32_t>(property_bytes_ + other_bytes));
  uint32_t i = 0, j = 0, n = 0;
  size_t mine_offset = 0, other_offset = 0, out_offset = 0;
  while (i < mine.count || j < other.count) {
    const bool take_mine = j == other.count || (i < mine.count && mine.times[i] <= other.times[j]);
    const SequenceView& from = take_mine ? mine : other;
    uint32_t& k = take_mine ? i : j;
    size_t& offset = take_mine ? mine_offset : other_offset;
    const uint8_t length = from.property_lengths[k];
    block->times()[n] = from.times[k];
    block->types()[n] = from.types[k];
    block->channels()[n] = from.channels[k];
    block->property_lengths()[n] = length;
    if (length > 0) std::memcpy(block->properties() + out_offset, from.properties + offset, length);
    out_offset += length;
    offset += length;
    ++k;
    ++n;
  }
  sink.Retire(block_);
  block_ = block;
  count_ = events;
  property_bytes_ = static_cast<uint32_t>(out_offset);
}

}  // namespace banyan::engine::internal
