// The parts of one chunk (kChunkCustomers customers) that snapshots share and the writer copies
// on write: each part is held by shared_ptr<const>, and a batch copies only the parts of the
// chunks it touches (snapshot.h says why; mutation.h does it).
//
// All bitmaps hold global customer indexes, so a chunk's bitmaps sit in one Roaring container
// and the chunks' bitmaps union without merging containers.
// Thread safety: immutable once published in a snapshot.

#ifndef BANYAN_ENGINE_INTERNAL_CHUNK_H_
#define BANYAN_ENGINE_INTERNAL_CHUNK_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/bitmap.h"
#include "engine/dictionary.h"
#include "engine/internal/range_index.h"
#include "engine/internal/sequence.h"
#include "engine/types.h"

namespace banyan::engine::internal {

struct CustomerChunk {
  std::vector<PersonId> persons = std::vector<PersonId>(kChunkCustomers, 0);  // 0: no customer
  Bitmap live;  // allocated and not absorbed by a merge
};

struct SequenceChunk {
  std::vector<SequenceRef> sequences = std::vector<SequenceRef>(kChunkCustomers);
};

// Who frees event blocks. Snapshot k holds generation k, which holds the blocks the batch after
// it replaced (snapshot k may read them, k + 1 does not) and the next generation; so a block
// replaced after snapshot k is freed once no snapshot up to k is left, however long a reader
// keeps an old one. The newest generation also knows its snapshot's sequence chunks: when it
// goes (the engine and every snapshot gone), their blocks go with it.
//
// Thread safety: changed by the writer only while it holds the generation's snapshot (before
// the next is published); destroyed by whichever thread drops the last reference.
class BlockGeneration {
 public:
  BlockGeneration() = default;
  ~BlockGeneration();
  BlockGeneration(const BlockGeneration&) = delete;
  BlockGeneration& operator=(const BlockGeneration&) = delete;

  // Called by the writer as it publishes the next snapshot: `retired` are the blocks the next
  // snapshot no longer reads. REQUIRES: not called before on this generation (one writer, no
  // branches).
  void Supersede(std::vector<EventBlock*> retired, std::shared_ptr<BlockGeneration> next);
  // The newest snapshot's sequence chunks.
  void SetLive(std::vector<std::shared_ptr<const SequenceChunk>> live) { live_ = std::move(live); }

 private:
  bool superseded_ = false;
  std::vector<EventBlock*> retired_;
  std::vector<std::shared_ptr<const SequenceChunk>> live_;  // until superseded
  std::shared_ptr<BlockGeneration> next_;
};

// Who ever did one event type with one string property value, per value: `view_product where
// product = "card"` then walks only the customers who viewed the card, not every viewer.
// A listed value's bitmap holds every customer of the chunk with such an event (and may still
// hold absorbed or erased indexes, which are out of `live`). At most kIndexedPropertyValuesMax
// values are listed; a value seen past that sets `overflowed`, and from then on a value the
// chunk does not list may have holders — the query falls back to who did the type.
struct PropertyValueIndex {
  std::vector<uint32_t> values;  // property-value ids, in the order first seen
  std::vector<Bitmap> holders;   // parallel to `values`
  bool overflowed = false;
};

// The key of TypeChunk::by_property.
inline uint64_t PropertyIndexKey(uint32_t type, uint32_t property_key) {
  return (uint64_t{type} << 32) | property_key;
}

struct TypeChunk {
  std::vector<Bitmap> by_type;  // event type id -> customers who ever did it
  // PropertyIndexKey(type, key) -> the string values of `key` on events of `type`.
  std::map<uint64_t, PropertyValueIndex> by_property;
};

// One attribute over one chunk.
struct ColumnChunk {
  std::vector<int64_t> values;  // scalar kinds: kChunkCustomers values (bool 0/1, string id)
  std::vector<uint64_t> has_words = std::vector<uint64_t>(kChunkWords, 0);  // local "is set"
  Bitmap has;                    // the same, as global indexes
  std::vector<Bitmap> by_value;  // boolean, string, string list: value id -> holders
  RangeIndex range;              // numeric kinds; rebuilt when the batch ends
};

struct ChunkParts {
  std::shared_ptr<const CustomerChunk> customers;
  std::shared_ptr<const SequenceChunk> sequences;
  std::shared_ptr<const TypeChunk> types;
  std::vector<std::shared_ptr<const ColumnChunk>> columns;  // by attribute id
};

// What the data means: attribute definitions and the dictionaries. Copied (it is small) when an
// attribute is added; the dictionaries themselves are shared and append-only.
struct Catalog {
  std::vector<AttributeSpec> attributes;
  std::vector<std::shared_ptr<Dictionary>> attribute_values;  // per attribute: string kinds only
  std::shared_ptr<Dictionary> event_types;
  std::shared_ptr<Dictionary> property_keys;
  std::shared_ptr<Dictionary> property_values;

  std::optional<uint32_t> FindAttribute(std::string_view name) const;
};

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_CHUNK_H_
