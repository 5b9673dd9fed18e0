#include "engine/internal/property_index.h"

#include <algorithm>

#include "engine/internal/property.h"

namespace banyan::engine::internal {

void IndexEventProperties(TypeChunk& types, CustomerIndex index, uint16_t type,
                          std::span<const uint8_t> properties) {
  const uint8_t* cursor = properties.data();
  const uint8_t* end = cursor + properties.size();
  while (cursor < end) {
    const DecodedProperty property = DecodeProperty(&cursor, end);
    if (!property.is_string) continue;
    PropertyValueIndex& entry = types.by_property[PropertyIndexKey(type, property.key)];
    const auto value = static_cast<uint32_t>(property.value);
    const auto listed = std::find(entry.values.begin(), entry.values.end(), value);
    if (listed != entry.values.end()) {
      entry.holders[listed - entry.values.begin()].Add(index);
    } else if (entry.values.size() < kIndexedPropertyValuesMax) {
      entry.values.push_back(value);
      entry.holders.emplace_back().Add(index);
    } else {
      entry.overflowed = true;
    }
  }
}

void IndexSequenceProperties(TypeChunk& types, CustomerIndex index, const SequenceView& events) {
  size_t offset = 0;
  for (uint32_t i = 0; i < events.count; ++i) {
    const uint8_t length = events.property_lengths[i];
    if (length > 0) {
      IndexEventProperties(types, index, events.types[i], {events.properties + offset, length});
    }
    offset += length;
  }
}

void UnindexCustomer(TypeChunk& types, CustomerIndex index) {
  for (auto& [key, entry] : types.by_property) {
    for (Bitmap& holders : entry.holders) holders.Remove(index);
  }
}

}  // namespace banyan::engine::internal
