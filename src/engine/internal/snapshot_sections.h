// Section kinds of the engine snapshot file (docs/formats/engine_snapshot.md).
// Thread safety: constants.

#ifndef BANYAN_ENGINE_INTERNAL_SNAPSHOT_SECTIONS_H_
#define BANYAN_ENGINE_INTERNAL_SNAPSHOT_SECTIONS_H_

#include <cstdint>

namespace banyan::engine::internal {

enum class SectionKind : uint32_t {
  kCatalog = 1,    // version, index count, attributes, dictionaries
  kCustomers = 2,  // person id per index, live bitmap
  kColumn = 3,     // one attribute's values (one section per attribute)
  kEvents = 4,     // every non-empty event sequence
};

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_SNAPSHOT_SECTIONS_H_
