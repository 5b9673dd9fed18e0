#include "engine/internal/mutation.h"

#include <span>

namespace banyan::engine::internal {

BlockGeneration::~BlockGeneration() {
  for (EventBlock* block : retired_) FreeBlock(block);
  if (!superseded_) {
    for (const auto& chunk : live_) {
      for (const SequenceRef& sequence : chunk->sequences) FreeBlock(sequence.block());
    }
  }
  // The generations after this one that only it holds go now, one by one rather than by
  // recursion (a reader that kept a snapshot through thousands of batches would hold as many).
  std::shared_ptr<BlockGeneration> next = std::move(next_);
  while (next != nullptr && next.use_count() == 1) {
    std::shared_ptr<BlockGeneration> after = std::move(next->next_);
    next.reset();
    next = std::move(after);
  }
}

void BlockGeneration::Supersede(std::vector<EventBlock*> retired,
                                std::shared_ptr<BlockGeneration> next) {
  CHECK(!superseded_, "a snapshot generation superseded twice: two writers from one snapshot");
  superseded_ = true;
  retired_ = std::move(retired);
  live_.clear();
  next_ = std::move(next);
}

std::shared_ptr<const ColumnChunk> EmptyColumn(AttributeKind kind) {
  auto column = std::make_shared<ColumnChunk>();
  if (kind != AttributeKind::kStringList) column->values.assign(kChunkCustomers, 0);
  return column;
}

Mutation::Mutation(const Snapshot& base) : next_(std::make_shared<Snapshot>(base)) {
  const size_t chunks = next_->chunks_.size();
  owned_customers_.assign(chunks, 0);
  owned_sequences_.assign(chunks, 0);
  owned_types_.assign(chunks, 0);
  owned_columns_.assign(next_->catalog_->attributes.size(), std::vector<uint8_t>(chunks, 0));
}

std::shared_ptr<const Snapshot> Mutation::Empty(std::shared_ptr<const Catalog> catalog) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->catalog_ = std::move(catalog);
  return snapshot;
}

void Mutation::SetCatalog(std::shared_ptr<const Catalog> catalog) {
  CHECK(catalog->attributes.size() >= next_->catalog_->attributes.size());
  next_->catalog_ = std::move(catalog);
  const size_t attributes = next_->catalog_->attributes.size();
  owned_columns_.resize(attributes, std::vector<uint8_t>(next_->chunks_.size(), 0));
  for (ChunkParts& chunk : next_->chunks_) {
    for (size_t a = chunk.columns.size(); a < attributes; ++a) {
      chunk.columns.push_back(EmptyColumn(next_->catalog_->attributes[a].kind));
    }
  }
}

template <typename T>
T& Mutation::Own(std::shared_ptr<const T>& part, std::vector<uint8_t>& owned, size_t i) {
  if (!owned[i]) {
    part = std::make_shared<T>(*part);
    owned[i] = 1;
  }
  // Safe: this mutation made the copy and has not published it yet.
  return const_cast<T&>(*part);
}

CustomerChunk& Mutation::Customers(uint32_t chunk) {
  return Own(next_->chunks_[chunk].customers, owned_customers_, chunk);
}
SequenceChunk& Mutation::Sequences(uint32_t chunk) {
  return Own(next_->chunks_[chunk].sequences, owned_sequences_, chunk);
}
TypeChunk& Mutation::Types(uint32_t chunk) {
  return Own(next_->chunks_[chunk].types, owned_types_, chunk);
}
ColumnChunk& Mutation::Column(uint32_t chunk, uint32_t attribute) {
  return Own(next_->chunks_[chunk].columns[attribute], owned_columns_[attribute], chunk);
}

void Mutation::AddChunk() {
  ChunkParts parts;
  parts.customers = std::make_shared<CustomerChunk>();
  parts.sequences = std::make_shared<SequenceChunk>();
  parts.types = std::make_shared<TypeChunk>();
  for (const AttributeSpec& spec : next_->catalog_->attributes) {
    parts.columns.push_back(EmptyColumn(spec.kind));
  }
  next_->chunks_.push_back(std::move(parts));
  // New parts are this mutation's own.
  owned_customers_.push_back(1);
  owned_sequences_.push_back(1);
  owned_types_.push_back(1);
  for (auto& owned : owned_columns_) owned.push_back(1);
}

CustomerIndex Mutation::AddCustomer(PersonId person) {
  CHECK(next_->index_count_ < kCustomersMax);
  const CustomerIndex index = next_->index_count_++;
  if ((index >> kChunkBits) >= next_->chunks_.size()) AddChunk();
  CustomerChunk& customers = Customers(index >> kChunkBits);
  customers.persons[index & (kChunkCustomers - 1)] = person;
  customers.live.Add(index);
  return index;
}

void Mutation::SetPerson(CustomerIndex index, PersonId person) {
  Customers(index >> kChunkBits).persons[index & (kChunkCustomers - 1)] = person;
}

void Mutation::Tombstone(CustomerIndex index) {
  CustomerChunk& customers = Customers(index >> kChunkBits);
  customers.persons[index & (kChunkCustomers - 1)] = 0;
  customers.live.Remove(index);
}

std::shared_ptr<const Snapshot> Mutation::Finish() {
  const Catalog& catalog = *next_->catalog_;
  for (uint32_t a = 0; a < catalog.attributes.size(); ++a) {
    if (!IsNumeric(catalog.attributes[a].kind)) continue;
    for (uint32_t c = 0; c < next_->chunks_.size(); ++c) {
      if (!owned_columns_[a][c]) continue;
      auto& column = const_cast<ColumnChunk&>(*next_->chunks_[c].columns[a]);
      column.range.Build(column.values, column.has_words);
    }
  }
  std::vector<const Bitmap*> live;
  for (const ChunkParts& chunk : next_->chunks_) live.push_back(&chunk.customers->live);
  next_->live_ = Bitmap::Union(live);
  next_->version_ = version_.value_or(next_->version_ + 1);
  auto generation = std::make_shared<BlockGeneration>();
  std::vector<std::shared_ptr<const SequenceChunk>> sequences;
  for (const ChunkParts& chunk : next_->chunks_) sequences.push_back(chunk.sequences);
  generation->SetLive(std::move(sequences));
  next_->generation_->Supersede(sink_.TakeRetired(), generation);
  next_->generation_ = std::move(generation);
  sink_.Published();
  std::shared_ptr<const Snapshot> result = std::move(next_);
  return result;
}

}  // namespace banyan::engine::internal
