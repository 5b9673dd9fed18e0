#include "engine/snapshot.h"

#include <algorithm>

namespace banyan::engine {

std::optional<uint32_t> internal::Catalog::FindAttribute(std::string_view name) const {
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (attributes[i].name == name) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

std::optional<PersonId> Snapshot::Person(CustomerIndex index) const {
  if (index >= index_count_ || !live_.Contains(index)) return std::nullopt;
  return chunks_[index >> kChunkBits].customers->persons[index & (kChunkCustomers - 1)];
}

internal::SequenceView Snapshot::Sequence(CustomerIndex index) const {
  CHECK(index < index_count_, "index {} of {}", index, index_count_);
  return chunks_[index >> kChunkBits].sequences->sequences[index & (kChunkCustomers - 1)].View();
}

void Snapshot::PrefetchSequence(CustomerIndex index) const {
  chunks_[index >> kChunkBits].sequences->sequences[index & (kChunkCustomers - 1)].Prefetch();
}

Bitmap Snapshot::EverDid(uint32_t type) const {
  std::vector<const Bitmap*> parts;
  for (const internal::ChunkParts& chunk : chunks_) {
    if (type < chunk.types->by_type.size()) parts.push_back(&chunk.types->by_type[type]);
  }
  return Bitmap::Union(parts);
}

Bitmap Snapshot::EverDidWith(uint32_t type, uint32_t key, std::span<const uint32_t> values) const {
  std::vector<const Bitmap*> parts;
  const uint64_t property = internal::PropertyIndexKey(type, key);
  for (const internal::ChunkParts& chunk : chunks_) {
    const internal::TypeChunk& types = *chunk.types;
    if (type >= types.by_type.size()) continue;
    const auto found = types.by_property.find(property);
    if (found == types.by_property.end()) continue;  // nobody here sent `key` as a string
    const internal::PropertyValueIndex& entry = found->second;
    for (const uint32_t value : values) {
      const auto listed = std::find(entry.values.begin(), entry.values.end(), value);
      if (listed != entry.values.end()) {
        parts.push_back(&entry.holders[listed - entry.values.begin()]);
      } else if (entry.overflowed) {
        parts.push_back(&types.by_type[type]);  // not listed: anyone who did the type may have
        break;
      }
    }
  }
  return Bitmap::Union(parts);
}

MemoryStats Snapshot::Memory() const {
  MemoryStats stats;
  stats.customers = live_.Cardinality();
  for (const internal::ChunkParts& chunk : chunks_) {
    stats.customer_bytes += chunk.customers->persons.capacity() * sizeof(PersonId) +
                            chunk.customers->live.SizeInBytes() +
                            chunk.sequences->sequences.capacity() * sizeof(internal::SequenceRef);
    for (const internal::SequenceRef& sequence : chunk.sequences->sequences) {
      stats.events += sequence.count();
      stats.event_bytes += sequence.AllocatedBytes();
    }
    for (const Bitmap& bitmap : chunk.types->by_type) {
      stats.event_type_bytes += bitmap.SizeInBytes();
    }
    for (const auto& [key, entry] : chunk.types->by_property) {
      stats.property_index_bytes += entry.values.capacity() * sizeof(uint32_t);
      for (const Bitmap& bitmap : entry.holders) stats.property_index_bytes += bitmap.SizeInBytes();
    }
    for (const auto& column : chunk.columns) {
      stats.column_bytes += column->values.capacity() * sizeof(int64_t) +
                            column->has_words.capacity() * sizeof(uint64_t) +
                            column->has.SizeInBytes();
      stats.index_bytes += column->range.MemoryBytes();
      for (const Bitmap& bitmap : column->by_value) stats.index_bytes += bitmap.SizeInBytes();
    }
  }
  const internal::Catalog& catalog = *catalog_;
  stats.dictionary_bytes = catalog.event_types->MemoryBytes() +
                           catalog.property_keys->MemoryBytes() +
                           catalog.property_values->MemoryBytes();
  for (const auto& dictionary : catalog.attribute_values) {
    if (dictionary != nullptr) stats.dictionary_bytes += dictionary->MemoryBytes();
  }
  return stats;
}

}  // namespace banyan::engine
