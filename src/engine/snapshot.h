// Snapshot: one immutable, consistent state of the engine — every customer's attribute columns
// and indexes and event sequences as of one applied batch.
//
// Queries (query.h) take a `std::shared_ptr<const Snapshot>` from Engine::snapshot() and read it
// for as long as they like; the writer meanwhile builds the next one. Copying a state of
// millions of customers per batch is out of the question, so the state is cut into chunks of
// kChunkCustomers customers, each chunk into parts (customers, sequences, event-type bitmaps,
// one part per attribute column; internal/chunk.h), each part held by shared_ptr<const>. A batch
// copies only the parts it touches; every other part is shared with the previous snapshot.
// Event sequences go one step further: an append writes past the end of a shared block, which
// older snapshots never read (internal/sequence.h).
//
// Thread safety: immutable; any number of threads may read one snapshot.

#ifndef BANYAN_ENGINE_SNAPSHOT_H_
#define BANYAN_ENGINE_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "engine/bitmap.h"
#include "engine/internal/chunk.h"
#include "engine/types.h"

namespace banyan::engine {

namespace internal {
class Mutation;
}

// Bytes held, by kind. Shared parts count once per snapshot.
struct MemoryStats {
  uint64_t customers = 0;  // live customers
  uint64_t events = 0;
  size_t customer_bytes = 0;        // person ids, live bitmaps, sequence references
  size_t event_bytes = 0;           // event blocks (the columns and the properties)
  size_t event_type_bytes = 0;      // who-did-it bitmaps
  size_t property_index_bytes = 0;  // who-did-it-with-this-value bitmaps and value lists
  size_t column_bytes = 0;          // attribute values and "is set" bitmaps
  size_t index_bytes = 0;           // per-value bitmaps and range indexes
  size_t dictionary_bytes = 0;
  size_t total() const {
    return customer_bytes + event_bytes + event_type_bytes + property_index_bytes + column_bytes +
           index_bytes + dictionary_bytes;
  }
};

class Snapshot {
 public:
  // The number of batches applied before this state.
  uint64_t version() const { return version_; }
  // Indexes handed out so far, absorbed ones included: valid indexes are < this.
  uint32_t index_count() const { return index_count_; }
  const internal::Catalog& catalog() const { return *catalog_; }
  size_t chunk_count() const { return chunks_.size(); }
  const internal::ChunkParts& chunk(size_t i) const { return chunks_[i]; }

  // Every live customer (allocated and not absorbed by a merge).
  const Bitmap& live() const { return live_; }
  // The OneID root at `index`, or nullopt when out of range or absorbed.
  std::optional<PersonId> Person(CustomerIndex index) const;
  // The customer's events. REQUIRES: index < index_count().
  internal::SequenceView Sequence(CustomerIndex index) const;
  // A hint that Sequence(index) is about to be read: starts loading its memory. A scan calls it
  // a few customers ahead, so the walk does not wait on one cache miss per customer.
  // REQUIRES: index < index_count().
  void PrefetchSequence(CustomerIndex index) const;
  // Customers who ever did `type` (an event type id).
  Bitmap EverDid(uint32_t type) const;
  // Customers who may have done `type` with string property `key` (a property-key id) equal to
  // one of `values` (property-value ids): every customer who did is in it. From the property-value
  // index (internal/chunk.h); a chunk that does not list one of the values because it overflowed
  // kIndexedPropertyValuesMax answers EverDid(type) for its customers instead.
  Bitmap EverDidWith(uint32_t type, uint32_t key, std::span<const uint32_t> values) const;

  MemoryStats Memory() const;

 private:
  friend class internal::Mutation;
  uint64_t version_ = 0;
  uint32_t index_count_ = 0;
  std::shared_ptr<const internal::Catalog> catalog_;
  std::vector<internal::ChunkParts> chunks_;
  Bitmap live_;
  // Frees the event blocks this snapshot may read once it and every older one are gone.
  std::shared_ptr<internal::BlockGeneration> generation_ =
      std::make_shared<internal::BlockGeneration>();
};

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_SNAPSHOT_H_
