// Keeps the property-value index (chunk.h, TypeChunk::by_property) current as events arrive,
// move to a merge's survivor or are erased: who ever did an event type with a string property
// value, per chunk.
//
// Used by the engine writer and the snapshot file loader (which rebuild it from the events: it
// is derived state, never written). Thread safety: the writer's, on a TypeChunk it owns.

#ifndef BANYAN_ENGINE_INTERNAL_PROPERTY_INDEX_H_
#define BANYAN_ENGINE_INTERNAL_PROPERTY_INDEX_H_

#include <cstdint>
#include <span>

#include "engine/internal/chunk.h"
#include "engine/internal/sequence.h"
#include "engine/types.h"

namespace banyan::engine::internal {

// Adds `index` under each string property of one event of `type` with `properties` (encoded,
// property.h), listing a new value while the (type, key) has room (kIndexedPropertyValuesMax).
void IndexEventProperties(TypeChunk& types, CustomerIndex index, uint16_t type,
                          std::span<const uint8_t> properties);
// The same for every event of `events`.
void IndexSequenceProperties(TypeChunk& types, CustomerIndex index, const SequenceView& events);
// Takes `index` out of every value listed in the chunk.
void UnindexCustomer(TypeChunk& types, CustomerIndex index);

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_PROPERTY_INDEX_H_
