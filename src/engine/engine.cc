#include "engine/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

#include "engine/internal/columns.h"
#include "engine/internal/mutation.h"
#include "engine/internal/property.h"
#include "engine/internal/property_index.h"

namespace banyan::engine {

namespace {

using internal::Catalog;
using internal::CodedValue;

std::shared_ptr<Catalog> NewCatalog() {
  auto catalog = std::make_shared<Catalog>();
  catalog->event_types = std::make_shared<Dictionary>("event types", kEventTypesMax);
  catalog->property_keys = std::make_shared<Dictionary>("event property keys", kPropertyKeysMax);
  catalog->property_values =
      std::make_shared<Dictionary>("event property values", kDictionaryValuesMax);
  return catalog;
}

// `catalog` with `added` appended; InvalidArgument for a bad or duplicate name.
Result<std::shared_ptr<const Catalog>> ExtendCatalog(const Catalog& catalog,
                                                     const std::vector<AttributeSpec>& added) {
  auto next = std::make_shared<Catalog>(catalog);
  for (size_t i = 0; i < added.size(); ++i) {
    const AttributeSpec& spec = added[i];
    const std::string field = fmt::format("/new_attributes/{}", i);
    if (spec.name.empty()) return InvalidArgumentError("attribute name is empty", field);
    if (next->FindAttribute(spec.name)) {
      return InvalidArgumentError(fmt::format("attribute {} already exists", spec.name), field);
    }
    if (next->attributes.size() >= kAttributesMax) {
      return TooLargeError(fmt::format("more than {} attributes", kAttributesMax), field);
    }
    next->attributes.push_back(spec);
    const bool coded =
        spec.kind == AttributeKind::kString || spec.kind == AttributeKind::kStringList;
    next->attribute_values.push_back(
        coded ? std::make_shared<Dictionary>(spec.name, kDictionaryValuesMax) : nullptr);
  }
  return std::shared_ptr<const Catalog>(std::move(next));
}

}  // namespace

// One Apply call: first everything that can fail (coding values and events against the
// dictionaries, which only ever grow), then the changes, which cannot.
class Engine::BatchApplier {
 public:
  BatchApplier(Engine& engine, const Snapshot& base) : engine_(engine), mutation_(base) {}

  Status Prepare(const Batch& batch);
  std::shared_ptr<const Snapshot> Run(const Batch& batch);
  const ApplyReport& report() const { return report_; }
  ChangeSet TakeChange() { return std::move(change_); }

 private:
  struct PreparedChange {
    PersonId person;
    uint32_t attribute;
    CodedValue value;
  };
  struct PreparedEvent {
    PersonId person;
    uint32_t time;
    uint16_t type;
    uint8_t channel;
    uint32_t properties_begin, properties_end;  // in properties_
  };

  CustomerIndex IndexFor(PersonId person);
  void ApplyEvent(const PreparedEvent& event);
  void ApplyMerge(const MergeRecord& merge);
  void ApplyErasure(PersonId person);
  void MoveHistory(CustomerIndex from, CustomerIndex to);

  Engine& engine_;
  internal::Mutation mutation_;
  std::vector<PreparedChange> changes_;
  std::vector<PreparedEvent> events_;
  std::vector<uint8_t> properties_;
  ApplyReport report_;
  ChangeSet change_;
};

Status Engine::BatchApplier::Prepare(const Batch& batch) {
  if (!batch.new_attributes.empty()) {
    ASSIGN_OR_RETURN(auto catalog, ExtendCatalog(mutation_.catalog(), batch.new_attributes));
    mutation_.SetCatalog(std::move(catalog));
  }
  const Catalog& catalog = mutation_.catalog();
  for (size_t i = 0; i < batch.attributes.size(); ++i) {
    const AttributeChange& change = batch.attributes[i];
    std::optional<uint32_t> attribute = catalog.FindAttribute(change.attribute);
    if (!attribute) {
      return InvalidArgumentError(fmt::format("unknown attribute {}", change.attribute),
                                  fmt::format("/attributes/{}", i));
    }
    Result<CodedValue> coded = internal::CodeValue(catalog.attributes[*attribute], change.value,
                                                   catalog.attribute_values[*attribute].get());
    if (!coded.ok()) return coded.status().WithFieldPrefix(fmt::format("/attributes/{}", i));
    changes_.push_back({change.person, *attribute, std::move(coded).value()});
  }
  std::vector<uint8_t> encoded;
  for (const EventRecord& event : batch.events) {
    if (event.time_seconds < kEpochBaseSeconds || event.time_seconds > kEventTimeSecondsMax) {
      ++report_.events_rejected;
      continue;
    }
    ASSIGN_OR_RETURN(uint32_t type, catalog.event_types->Intern(event.type));
    ASSIGN_OR_RETURN(size_t dropped,
                     internal::EncodeProperties(event.properties, *catalog.property_keys,
                                                *catalog.property_values, encoded));
    report_.properties_dropped += dropped;
    const auto begin = static_cast<uint32_t>(properties_.size());
    properties_.insert(properties_.end(), encoded.begin(), encoded.end());
    events_.push_back({event.person, static_cast<uint32_t>(event.time_seconds - kEpochBaseSeconds),
                       static_cast<uint16_t>(type), event.channel, begin,
                       static_cast<uint32_t>(properties_.size())});
  }
  return Status::Ok();
}

CustomerIndex Engine::BatchApplier::IndexFor(PersonId person) {
  person = engine_.FollowMerges(person);
  auto [it, added] = engine_.index_of_.try_emplace(person, 0);
  if (added) {
    it->second = mutation_.AddCustomer(person);
    ++report_.customers_added;
  }
  return it->second;
}

void Engine::BatchApplier::ApplyEvent(const PreparedEvent& event) {
  const CustomerIndex index = IndexFor(event.person);
  const uint32_t chunk = index >> kChunkBits;
  internal::SequenceRef& sequence =
      mutation_.Sequences(chunk).sequences[index & (kChunkCustomers - 1)];
  if (sequence.count() >= kEventsPerCustomerMax) {
    ++report_.events_rejected;
    return;
  }
  sequence.Insert({event.time, event.type, event.channel,
                   std::span<const uint8_t>(properties_.data() + event.properties_begin,
                                            event.properties_end - event.properties_begin)},
                  mutation_.sink());
  internal::TypeChunk& types = mutation_.Types(chunk);
  if (event.type >= types.by_type.size()) types.by_type.resize(event.type + 1);
  types.by_type[event.type].Add(index);
  if (event.properties_end > event.properties_begin) {
    internal::IndexEventProperties(
        types, index, event.type,
        std::span<const uint8_t>(properties_.data() + event.properties_begin,
                                 event.properties_end - event.properties_begin));
  }
  change_.customers.Add(index);
  change_.event_types.push_back(event.type);
  ++report_.events_applied;
}

std::shared_ptr<const Snapshot> Engine::BatchApplier::Run(const Batch& batch) {
  const Catalog& catalog = mutation_.catalog();
  for (const PreparedChange& change : changes_) {
    const CustomerIndex index = IndexFor(change.person);
    internal::WriteValue(mutation_.Column(index >> kChunkBits, change.attribute),
                         catalog.attributes[change.attribute].kind, index, change.value);
    change_.customers.Add(index);
    change_.attributes.push_back(change.attribute);
    ++report_.attribute_changes;
  }
  for (const PreparedEvent& event : events_) ApplyEvent(event);
  for (const MergeRecord& merge : batch.merges) ApplyMerge(merge);
  for (const PersonId person : batch.erasures) ApplyErasure(person);
  for (std::vector<uint32_t>* ids : {&change_.attributes, &change_.event_types}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  return mutation_.Finish();
}

void Engine::BatchApplier::ApplyMerge(const MergeRecord& merge) {
  const PersonId survivor = engine_.FollowMerges(merge.survivor);
  const PersonId absorbed = engine_.FollowMerges(merge.absorbed);
  if (survivor == absorbed) return;
  ++report_.merges;
  engine_.merged_into_[absorbed] = survivor;
  auto from = engine_.index_of_.find(absorbed);
  if (from == engine_.index_of_.end()) return;  // nothing of it here: later data follows
  const CustomerIndex from_index = from->second;
  engine_.index_of_.erase(from);
  auto to = engine_.index_of_.find(survivor);
  change_.merges_or_erasures = true;
  change_.customers.Add(from_index);
  if (to == engine_.index_of_.end()) {
    // The survivor is new to the engine: it takes over the absorbed index as it is.
    engine_.index_of_.emplace(survivor, from_index);
    mutation_.SetPerson(from_index, survivor);
    return;
  }
  change_.customers.Add(to->second);
  MoveHistory(from_index, to->second);
  mutation_.Tombstone(from_index);
}

// Moves `from`'s events (in time order) and the attributes `to` lacks to `to`, and clears
// `from` from every column and bitmap.
void Engine::BatchApplier::MoveHistory(CustomerIndex from, CustomerIndex to) {
  const uint32_t from_chunk = from >> kChunkBits, to_chunk = to >> kChunkBits;
  internal::SequenceRef& from_sequence =
      mutation_.Sequences(from_chunk).sequences[from & (kChunkCustomers - 1)];
  internal::SequenceRef& to_sequence =
      mutation_.Sequences(to_chunk).sequences[to & (kChunkCustomers - 1)];
  const internal::SequenceView moved = from_sequence.View();
  std::set<uint16_t> types(moved.types, moved.types + moved.count);
  // Before the merge: `moved` reads the absorbed block, which Clear may free.
  internal::IndexSequenceProperties(mutation_.Types(to_chunk), to, moved);
  internal::UnindexCustomer(mutation_.Types(from_chunk), from);
  to_sequence.MergeFrom(moved, mutation_.sink());
  from_sequence.Clear(mutation_.sink());
  for (uint16_t type : types) {
    std::vector<Bitmap>& to_types = mutation_.Types(to_chunk).by_type;
    if (type >= to_types.size()) to_types.resize(type + 1);
    to_types[type].Add(to);
    mutation_.Types(from_chunk).by_type[type].Remove(from);
  }
  const Catalog& catalog = mutation_.catalog();
  for (uint32_t a = 0; a < catalog.attributes.size(); ++a) {
    const AttributeKind kind = catalog.attributes[a].kind;
    const auto& parts = mutation_.current();
    CodedValue value = internal::ReadValue(*parts.chunk(from_chunk).columns[a], kind, from);
    if (!value.set) continue;
    if (!internal::ReadValue(*parts.chunk(to_chunk).columns[a], kind, to).set) {
      internal::WriteValue(mutation_.Column(to_chunk, a), kind, to, value);
    }
    internal::WriteValue(mutation_.Column(from_chunk, a), kind, from, CodedValue{});
  }
}

// Drops the customer's events, who-did-it bits and attribute values and tombstones its index, so
// it is in no result; the person is forgotten by the writer's map.
void Engine::BatchApplier::ApplyErasure(PersonId person) {
  auto found = engine_.index_of_.find(engine_.FollowMerges(person));
  if (found == engine_.index_of_.end()) return;
  const CustomerIndex index = found->second;
  engine_.index_of_.erase(found);
  change_.merges_or_erasures = true;
  change_.customers.Add(index);
  const uint32_t chunk = index >> kChunkBits;
  internal::SequenceRef& sequence =
      mutation_.Sequences(chunk).sequences[index & (kChunkCustomers - 1)];
  const internal::SequenceView events = sequence.View();
  const std::set<uint16_t> types(events.types, events.types + events.count);
  sequence.Clear(mutation_.sink());
  for (uint16_t type : types) mutation_.Types(chunk).by_type[type].Remove(index);
  internal::UnindexCustomer(mutation_.Types(chunk), index);
  const Catalog& catalog = mutation_.catalog();
  for (uint32_t a = 0; a < catalog.attributes.size(); ++a) {
    const AttributeKind kind = catalog.attributes[a].kind;
    if (!internal::ReadValue(*mutation_.current().chunk(chunk).columns[a], kind, index).set) {
      continue;
    }
    internal::WriteValue(mutation_.Column(chunk, a), kind, index, CodedValue{});
  }
  mutation_.Tombstone(index);
  ++report_.erasures;
}

Engine::Engine(std::vector<AttributeSpec> attributes) {
  Result<std::shared_ptr<const Catalog>> catalog = ExtendCatalog(*NewCatalog(), attributes);
  CHECK(catalog.ok(), "engine attributes: {}", catalog.status().ToString());
  published_ = internal::Mutation::Empty(std::move(catalog).value());
}

Engine::Engine(std::shared_ptr<const Snapshot> state) : published_(std::move(state)) {
  const Bitmap& live = published_->live();
  live.ForEach([&](uint32_t index) {
    index_of_.emplace(*published_->Person(index), index);
    return true;
  });
}

std::optional<ChangeSet> Engine::ChangesSince(uint64_t version) const {
  std::lock_guard lock(published_mutex_);
  ChangeSet out;
  out.from_version = version;
  out.to_version = published_->version();
  if (version >= out.to_version) return out;
  // The entries are contiguous: each starts where the previous one ended.
  auto first = std::find_if(change_log_.begin(), change_log_.end(),
                            [&](const ChangeSet& c) { return c.from_version == version; });
  if (first == change_log_.end()) return std::nullopt;
  std::vector<const Bitmap*> customers;
  for (auto it = first; it != change_log_.end(); ++it) {
    customers.push_back(&it->customers);
    out.attributes.insert(out.attributes.end(), it->attributes.begin(), it->attributes.end());
    out.event_types.insert(out.event_types.end(), it->event_types.begin(), it->event_types.end());
    out.merges_or_erasures |= it->merges_or_erasures;
  }
  out.customers = Bitmap::Union(customers);
  for (std::vector<uint32_t>* ids : {&out.attributes, &out.event_types}) {
    std::sort(ids->begin(), ids->end());
    ids->erase(std::unique(ids->begin(), ids->end()), ids->end());
  }
  return out;
}

std::shared_ptr<const Snapshot> Engine::snapshot() const {
  std::lock_guard lock(published_mutex_);
  return published_;
}

void Engine::Publish(std::shared_ptr<const Snapshot> next, ChangeSet change) {
  std::shared_ptr<const Snapshot> old;
  {
    std::lock_guard lock(published_mutex_);
    change.from_version = published_->version();
    change.to_version = next->version();
    change_log_.push_back(std::move(change));
    if (change_log_.size() > kChangeLogVersionsMax) change_log_.pop_front();
    old = std::exchange(published_, std::move(next));
  }
  // `old` is released here, outside the lock: freeing a state's parts can take a while.
}

Result<ApplyReport> Engine::Apply(const Batch& batch) {
  BatchApplier applier(*this, *snapshot());
  RETURN_IF_ERROR(applier.Prepare(batch));
  std::shared_ptr<const Snapshot> next = applier.Run(batch);
  Publish(std::move(next), applier.TakeChange());
  return applier.report();
}

void Engine::Compact() {
  internal::Mutation mutation(*snapshot());
  const Snapshot& current = mutation.current();
  for (uint32_t c = 0; c < current.chunk_count(); ++c) {
    for (internal::SequenceRef& sequence : mutation.Sequences(c).sequences) {
      sequence.Compact(mutation.sink());
    }
  }
  Publish(mutation.Finish());
}

PersonId Engine::FollowMerges(PersonId person) const {
  for (size_t hops = 0; hops < 1000; ++hops) {
    auto it = merged_into_.find(person);
    if (it == merged_into_.end()) return person;
    person = it->second;
  }
  CHECK(false, "merge chain from {} does not end", person);
  return person;
}

std::optional<CustomerIndex> Engine::Find(PersonId person) const {
  auto it = index_of_.find(FollowMerges(person));
  if (it == index_of_.end()) return std::nullopt;
  return it->second;
}

size_t Engine::WriterMemoryBytes() const {
  // An unordered_map node: the pair, a next pointer and the cached hash; plus a bucket pointer.
  const size_t node = sizeof(void*) * 2 + 16 + sizeof(void*);
  return (index_of_.size() + merged_into_.size()) * node;
}

}  // namespace banyan::engine
