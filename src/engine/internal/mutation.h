// Mutation: the next snapshot under construction by the engine's writer, copying on write.
//
// Made from the current snapshot, it shares every chunk part; the first time a batch asks for a
// part to change, the part is copied and the copy is owned by this mutation from then on (later
// changes in the same batch go straight to it). Finish() rebuilds the range indexes of the
// numeric columns the batch changed and the live bitmap, and returns the new snapshot; the event
// blocks the batch replaced go to the base's BlockGeneration (chunk.h), to be freed when the
// snapshots that may read them are gone. A mutation dropped without Finish frees the blocks it
// made and changes nothing.
//
// Used by engine.cc and the snapshot file loader. Thread safety: one writer.

#ifndef BANYAN_ENGINE_INTERNAL_MUTATION_H_
#define BANYAN_ENGINE_INTERNAL_MUTATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/snapshot.h"

namespace banyan::engine::internal {

class Mutation {
 public:
  explicit Mutation(const Snapshot& base);
  // The state before the first batch: no customers, `catalog`'s attributes.
  static std::shared_ptr<const Snapshot> Empty(std::shared_ptr<const Catalog> catalog);

  const Snapshot& current() const { return *next_; }
  const Catalog& catalog() const { return *next_->catalog_; }
  void SetCatalog(std::shared_ptr<const Catalog> catalog);  // adds empty columns for new ones

  // Hands out the next index (adding a chunk when needed). REQUIRES: below kCustomersMax.
  CustomerIndex AddCustomer(PersonId person);
  void SetPerson(CustomerIndex index, PersonId person);
  void Tombstone(CustomerIndex index);

  CustomerChunk& Customers(uint32_t chunk);
  SequenceChunk& Sequences(uint32_t chunk);
  TypeChunk& Types(uint32_t chunk);
  ColumnChunk& Column(uint32_t chunk, uint32_t attribute);

  // Where the sequences' replaced blocks go (sequence.h).
  BlockSink& sink() { return sink_; }

  // The version Finish gives the snapshot (default: the base's plus one).
  void SetVersion(uint64_t version) { version_ = version; }
  std::shared_ptr<const Snapshot> Finish();

 private:
  template <typename T>
  T& Own(std::shared_ptr<const T>& part, std::vector<uint8_t>& owned, size_t i);
  void AddChunk();

  std::shared_ptr<Snapshot> next_;
  BlockSink sink_;
  std::optional<uint64_t> version_;
  std::vector<uint8_t> owned_customers_, owned_sequences_, owned_types_;
  std::vector<std::vector<uint8_t>> owned_columns_;  // [attribute][chunk]
};

// A new empty column chunk for an attribute of `kind`.
std::shared_ptr<const ColumnChunk> EmptyColumn(AttributeKind kind);

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_MUTATION_H_
