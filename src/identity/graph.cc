// IdentityGraph: resolution (Resolve) and the in-memory reads. Persistence is in graph_store.cc,
// unmerge, conflict review and erasure in graph_admin.cc.
//
// Resolve runs in phases over the call's identifiers, strongest first:
//   1. look up each identifier's holders (persons erased or being erased are invisible);
//   2. strong known identifiers merge their persons into one group (the target), refusing — and
//      recording a conflict for — any person whose one-per-person types overlap the group's;
//   3. new one-per-person values the target already has a different value for go to a new
//      person, in conflict with the target; the call resolves to the person of its strongest
//      identifier;
//   4. weak known identifiers link their persons when at most one side is identified;
//   5. new identifiers join the resolved person (created if there is none); shared identifiers
//      gain the resolved person as a holder; known identifiers of the resolved person are touched.

#include "identity/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "base/json.h"

namespace banyan::identity {

using internal::Entry;
using internal::kNoEntry;
using internal::Person;

struct IdentityGraph::Item {
  uint8_t type = 0;
  uint8_t strength = 0;
  Cardinality cardinality = Cardinality::kMany;
  uint8_t bit = 0;  // one-per-person bit, 0 for other cardinalities
  privacy::LookupHash lookup{};
  std::string value;
  // previous_id: `lookup` is its app_user_id form, `alternative` its anonymous_id form.
  bool previous_id = false;
  privacy::LookupHash alternative{};
  // Lookup results: holders[holders_begin, holders_end) of call.holders are the entries of
  // live persons holding this identifier; `roots` how many distinct roots they have.
  size_t holders_begin = 0;
  size_t holders_end = 0;
  size_t roots = 0;            // distinct roots of the holders: 0, 1, or 2 for "several"
  uint32_t recent = kNoEntry;  // the most recently seen holder's entry
  bool conflict = false;       // a new one-per-person value the target cannot take
  bool dropped = false;        // a duplicate, or a second value of a one-per-person type

  bool known() const { return holders_end > holders_begin; }
  bool strong() const { return strength >= kStrongStrengthMin; }
  // Whether the holders link: a shared value held by several OneIDs links nobody. (A value of
  // another type has one holder — two only after an abandoned erasure let a call make a new
  // person for it; linking both heals that.)
  bool links() const { return known() && (cardinality != Cardinality::kShared || roots == 1); }
  bool placeable() const { return !known() && !conflict && !dropped; }
};

struct IdentityGraph::Call {
  explicit Call(const Evidence& ev) : evidence(ev) {}
  const Evidence& evidence;
  std::vector<Item> items;
  std::vector<uint32_t> holders;
  uint32_t target = 0;           // the group of the strong known identifiers
  uint32_t conflict_person = 0;  // holds new one-per-person values the target cannot take
  uint32_t resolved = 0;         // the person the call resolves to (0: not yet known)
  bool new_strong = false;       // the call brings a new strong identifier to `resolved`
  uint32_t now_s = 0;
  int64_t now_us = 0;
  ResolveResult result;
};

namespace {

uint32_t Seconds(Timestamp at) {
  const int64_t s = ToUnixSeconds(at);
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 0, std::numeric_limits<uint32_t>::max()));
}

// Recency order of two holder entries: later last-seen, then the higher person id.
bool Newer(const Entry& a, const Entry& b) {
  return std::tie(a.last_seen_s, a.person) > std::tie(b.last_seen_s, b.person);
}

}  // namespace

IdentityGraph::IdentityGraph(IdentifierTypes types, const privacy::KeyRing& ring,
                             privacy::PersonKeys& keys, Random& random, const Clock& clock,
                             GraphOptions options)
    : types_(std::move(types)),
      ring_(ring),
      keys_(keys),
      random_(random),
      clock_(clock),
      options_(options) {
  app_user_id_type_ = types_.IndexOf(events::kAppUserId);
  anonymous_id_type_ = types_.IndexOf(events::kAnonymousId);
}

IdentityGraph::~IdentityGraph() = default;

privacy::LookupHash IdentityGraph::Lookup(std::string_view type,
                                          std::string_view normalised) const {
  return privacy::KeyedHash(ring_, type, normalised);
}

Result<ResolveResult> IdentityGraph::Resolve(std::span<const events::Identifier> ids,
                                             const Evidence& evidence) {
  Call call(evidence);
  call.now_s = Seconds(evidence.at);
  call.now_us = ToUnixMicros(evidence.at);
  RETURN_IF_ERROR(PrepareItems(ids, call));  // normalising and hashing need no lock
  if (call.items.empty()) {
    return NotFoundError(fmt::format("none of the {} identifiers is usable ({} skipped)",
                                     ids.size(), call.result.skipped_identifiers));
  }
  std::unique_lock lock(mutex_);
  const size_t changes_max = 4 * call.items.size() + 4;
  if (pending_.size() + changes_max > options_.pending_changes_max) {
    return ResourceExhaustedError(
        fmt::format("identity: {} changes pending; flush before resolving more", pending_.size()));
  }
  if (forest_.next_id() + call.items.size() + 2 > internal::kPersonsMax) {
    return ResourceExhaustedError("identity: person ids exhausted");
  }
  LookupLocked(call);
  LinkStrongLocked(call);
  PlaceNewOnePerPersonLocked(call);
  LinkWeakLocked(call);
  FinishLocked(call);
  return std::move(call.result);
}

Status IdentityGraph::PrepareItems(std::span<const events::Identifier> ids, Call& call) const {
  call.items.reserve(ids.size());
  for (const events::Identifier& id : ids) {
    Item item;
    std::optional<size_t> type;
    if (id.type == events::kPreviousId && app_user_id_type_ && anonymous_id_type_) {
      item.previous_id = true;
      type = app_user_id_type_;
    } else {
      type = types_.IndexOf(id.type);
    }
    if (!type) {
      ++call.result.skipped_identifiers;
      continue;
    }
    Result<std::string> value = types_.Normalize(*type, id.value);
    if (!value.ok()) {
      ++call.result.skipped_identifiers;
      continue;
    }
    const IdentifierType& info = types_.at(*type);
    item.type = static_cast<uint8_t>(*type);
    item.strength = static_cast<uint8_t>(info.strength);
    item.cardinality = info.cardinality;
    const std::optional<int> bit = types_.OnePerPersonBit(*type);
    item.bit = bit ? static_cast<uint8_t>(1u << *bit) : 0;
    item.value = std::move(*value);
    item.lookup = Lookup(info.name, item.value);
    if (item.previous_id) {
      item.alternative = Lookup(types_.at(*anonymous_id_type_).name, item.value);
    }
    call.items.push_back(std::move(item));
  }
  return Status::Ok();
}

void IdentityGraph::LookupLocked(Call& call) const {
  call.holders.reserve(2 * call.items.size());
  for (const Item& item : call.items) index_.Prefetch(item.type, item.lookup);
  auto collect = [&](Item& item) {
    item.holders_begin = call.holders.size();
    index_.ForEachMatch(item.type, item.lookup, [&](uint32_t e) {
      const Person& p = forest_.at(index_.at(e).person);
      if (p.flags & (internal::kPersonErased | internal::kPersonErasing)) return true;
      call.holders.push_back(e);
      return true;
    });
    item.holders_end = call.holders.size();
  };
  for (Item& item : call.items) {
    collect(item);
    if (item.previous_id && !item.known()) {
      // Nobody holds it as a login id: it is the anonymous id the client had before.
      call.holders.resize(item.holders_begin);
      const IdentifierType& anonymous = types_.at(*anonymous_id_type_);
      item.type = static_cast<uint8_t>(*anonymous_id_type_);
      item.strength = static_cast<uint8_t>(anonymous.strength);
      item.cardinality = anonymous.cardinality;
      item.lookup = item.alternative;
      collect(item);
    }
  }
  // Distinct roots (0, 1 or "2": several) and the most recent holder of each identifier.
  for (Item& item : call.items) {
    uint32_t first_root = 0;
    for (size_t h = item.holders_begin; h < item.holders_end; ++h) {
      const uint32_t e = call.holders[h];
      const uint32_t root = forest_.Root(index_.at(e).person);
      if (first_root == 0) {
        first_root = root;
        item.roots = 1;
      } else if (root != first_root) {
        item.roots = 2;
      }
      if (item.recent == kNoEntry || Newer(index_.at(e), index_.at(item.recent))) item.recent = e;
    }
  }
  // Strongest first, call order among equals (an insertion sort: at most kIdentifiersMax items
  // and no allocation); then drop exact duplicates, which previous_id can produce.
  for (size_t i = 1; i < call.items.size(); ++i) {
    for (size_t j = i; j > 0 && call.items[j - 1].strength < call.items[j].strength; --j) {
      std::swap(call.items[j - 1], call.items[j]);
    }
  }
  for (size_t i = 0; i < call.items.size(); ++i) {
    for (size_t j = 0; j < i && !call.items[i].dropped; ++j) {
      if (!call.items[j].dropped && call.items[j].type == call.items[i].type &&
          call.items[j].lookup == call.items[i].lookup) {
        call.items[i].dropped = true;
      }
    }
  }
}

void IdentityGraph::LinkStrongLocked(Call& call) {
  for (Item& item : call.items) {
    if (item.dropped || !item.strong() || !item.links()) continue;
    for (size_t h = item.holders_begin; h < item.holders_end; ++h) {
      const uint32_t root = forest_.Root(index_.at(call.holders[h]).person);
      if (call.target == 0) {
        call.target = root;
      } else if (root != call.target) {
        if (const uint8_t shared = SharedBits(call.target, root)) {
          ConflictLocked(call.target, root, shared, item.type, call);
        } else {
          call.target =
              MergeLocked(call.target, root, EvidenceJson(call.evidence, item.type), call);
        }
      }
    }
  }
}

void IdentityGraph::PlaceNewOnePerPersonLocked(Call& call) {
  const uint8_t taken = call.target ? forest_.at(call.target).agg_one_per_person : 0;
  uint8_t seen = 0;
  const Item* first_conflict = nullptr;
  for (Item& item : call.items) {
    if (item.bit == 0 || item.known() || item.dropped) continue;
    if (seen & item.bit) {  // a second value of the type on one call: contradictory, skipped
      item.dropped = true;
      ++call.result.skipped_identifiers;
      continue;
    }
    seen |= item.bit;
    if (taken & item.bit) {
      item.conflict = true;
      if (first_conflict == nullptr) first_conflict = &item;
    }
  }
  if (first_conflict != nullptr) {
    call.conflict_person = NewPersonLocked(call);
    for (Item& item : call.items) {
      if (item.conflict) AttachLocked(call.conflict_person, item, call);
    }
    ConflictLocked(call.target, call.conflict_person, first_conflict->bit, first_conflict->type,
                   call);
  }
  // The call resolves to the person of its strongest identifier.
  const Item* strongest = nullptr;
  for (const Item& item : call.items) {
    if (!item.dropped) {
      strongest = &item;
      break;
    }
  }
  call.resolved = strongest != nullptr && strongest->conflict ? call.conflict_person : call.target;
  for (const Item& item : call.items) {
    if (item.placeable() && item.strong()) call.new_strong = true;
  }
}

void IdentityGraph::LinkWeakLocked(Call& call) {
  for (Item& item : call.items) {
    if (item.dropped || item.strong() || !item.links()) continue;
    for (size_t h = item.holders_begin; h < item.holders_end; ++h) {
      const uint32_t root = forest_.Root(index_.at(call.holders[h]).person);
      const bool other_identified = Identified(root);
      if (call.resolved == 0) {
        // A weak link to an identified person from a call identified otherwise is no link.
        if (!(call.new_strong && other_identified)) call.resolved = root;
        continue;
      }
      if (root == call.resolved) continue;
      const bool this_identified = Identified(call.resolved) || call.new_strong;
      if (this_identified && other_identified) continue;  // weak links never join two people
      if (SharedBits(call.resolved, root) != 0) continue;
      call.resolved =
          MergeLocked(call.resolved, root, EvidenceJson(call.evidence, item.type), call);
    }
  }
}

void IdentityGraph::FinishLocked(Call& call) {
  bool any_new = false;
  for (const Item& item : call.items) any_new = any_new || item.placeable();
  if (call.resolved == 0 && any_new) {
    call.resolved = NewPersonLocked(call);
    call.result.created = true;
  } else if (call.resolved == 0) {
    // Only shared identifiers with several holders: their most recent user.
    for (const Item& item : call.items) {
      if (!item.dropped && item.known()) {
        call.resolved = forest_.Root(index_.at(item.recent).person);
        break;
      }
    }
  }
  CHECK(call.resolved != 0, "a call with usable identifiers resolved to nobody");
  if (call.resolved == call.conflict_person) call.result.created = true;
  for (Item& item : call.items) {
    if (!item.placeable()) continue;
    if (item.bit & forest_.at(call.resolved).agg_one_per_person) {
      // Cannot happen by construction (only unidentified persons join after phase 3, and they
      // hold no one-per-person type), but never attach a second value.
      DCHECK(false, "one-per-person type {} already held", item.type);
      ++call.result.skipped_identifiers;
      continue;
    }
    AttachLocked(call.resolved, item, call);
  }
  for (Item& item : call.items) {
    if (item.dropped || !item.known()) continue;
    bool held = false;
    for (size_t h = item.holders_begin; h < item.holders_end; ++h) {
      const uint32_t e = call.holders[h];
      if (forest_.Root(index_.at(e).person) != call.resolved) continue;
      held = true;
      // A shared value changing hands is written at once, so a reload keeps who used it last.
      const Entry& recent = index_.at(item.recent);
      const uint32_t after = std::max(index_.at(e).last_seen_s, call.now_s);
      const bool changed_hands =
          item.cardinality == Cardinality::kShared && item.recent != e &&
          std::tie(after, index_.at(e).person) > std::tie(recent.last_seen_s, recent.person);
      TouchLocked(e, call.now_s, changed_hands);
    }
    const size_t holders = item.holders_end - item.holders_begin;
    if (!held && item.cardinality == Cardinality::kShared && holders < kSharedHoldersMax) {
      AttachLocked(call.resolved, item, call);
    }
  }
  call.result.person = call.resolved;
}

uint32_t IdentityGraph::MergeLocked(uint32_t a, uint32_t b, std::string evidence, Call& call) {
  // Survivor: holds a one-per-person identifier, else the strongest identifier, else older.
  auto rank = [&](uint32_t p) {
    const Person& x = forest_.at(p);
    return std::make_tuple(x.agg_one_per_person != 0, x.agg_strength, -static_cast<int64_t>(p));
  };
  const uint32_t survivor = rank(a) >= rank(b) ? a : b;
  const uint32_t absorbed = survivor == a ? b : a;
  forest_.Link(survivor, absorbed);
  const int64_t id = next_merge_id_++;
  pending_.Push(internal::NewMerge{id, survivor, absorbed, call.now_us, std::move(evidence)});
  ++merges_live_;
  call.result.merge_ids.push_back(id);
  return survivor;
}

void IdentityGraph::ConflictLocked(uint32_t a, uint32_t b, uint8_t bits, uint8_t via_type,
                                   Call& call) {
  // Name the conflict after the strongest one-per-person type both hold.
  int type = -1;
  for (size_t t = 0; t < types_.size(); ++t) {
    const std::optional<int> bit = types_.OnePerPersonBit(t);
    if (!bit || !(bits & (1u << *bit))) continue;
    if (type < 0 || types_.at(t).strength > types_.at(type).strength) type = static_cast<int>(t);
  }
  CHECK(type >= 0, "conflict without a one-per-person type (bits {})", bits);
  const auto key = std::make_tuple(std::min(a, b), std::max(a, b), static_cast<uint8_t>(type));
  if (!conflict_pairs_.insert(key).second) return;  // already recorded for review
  const int64_t id = next_conflict_id_++;
  pending_.Push(internal::NewConflict{id, a, b, static_cast<uint8_t>(type), call.now_us,
                                      EvidenceJson(call.evidence, via_type)});
  ++conflicts_open_;
  call.result.conflict_ids.push_back(id);
}

Status IdentityGraph::MergeForConflict(int64_t conflict_id, const ConflictRow& row,
                                       int64_t staff_id) {
  std::unique_lock lock(mutex_);
  for (const uint32_t p : {row.person_a, row.person_b}) {
    if (!forest_.Exists(p) ||
        (forest_.at(p).flags & (internal::kPersonErased | internal::kPersonErasing))) {
      return FailedPreconditionError(fmt::format(
          "identity_conflict {}: person {} is unknown, erased or being erased", conflict_id, p));
    }
  }
  const uint32_t a = forest_.Root(row.person_a);
  const uint32_t b = forest_.Root(row.person_b);
  if (a == b) return Status::Ok();  // merged since, through other evidence
  if (const uint8_t bits = SharedBits(a, b)) {
    std::string names;
    for (size_t t = 0; t < types_.size(); ++t) {
      const std::optional<int> bit = types_.OnePerPersonBit(t);
      if (!bit || !(bits & (1u << *bit))) continue;
      names += (names.empty() ? "" : ", ") + types_.at(t).name;
    }
    return FailedPreconditionError(fmt::format(
        "identity_conflict {}: persons {} and {} each hold a different {}; merging them would "
        "give one person two",
        conflict_id, a, b, names));
  }
  Evidence evidence{"api", 0, "", clock_.Now()};
  Call call(evidence);
  call.now_s = Seconds(evidence.at);
  call.now_us = ToUnixMicros(evidence.at);
  Json json = {{"source", "api"}, {"conflict_id", conflict_id}, {"staff_id", staff_id}};
  MergeLocked(a, b, json.dump(), call);
  return Status::Ok();
}

uint32_t IdentityGraph::NewPersonLocked(Call& call) {
  const uint32_t id = forest_.Create();
  ++persons_live_;
  pending_.Push(internal::NewPerson{id, call.now_us});
  return id;
}

void IdentityGraph::AttachLocked(uint32_t person, Item& item, Call& call) {
  const uint32_t e = index_.Add(item.type, item.lookup, person, call.now_s);
  forest_.Hold(person, item.strength, item.bit);
  pending_.Push(internal::NewIdentifier{e, person, item.type, item.lookup, item.value, call.now_us,
                                        call.evidence.source});
}

void IdentityGraph::TouchLocked(uint32_t entry, uint32_t now_s, bool holder_changed) {
  Entry& e = index_.at(entry);
  const uint32_t before = e.last_seen_s;
  e.last_seen_s = std::max(before, now_s);
  const bool new_interval =
      e.last_seen_s / kLastSeenWriteIntervalSeconds != before / kLastSeenWriteIntervalSeconds;
  if ((holder_changed || new_interval) && !(e.flags & internal::kEntryTouchQueued)) {
    e.flags |= internal::kEntryTouchQueued;
    pending_.Push(internal::TouchIdentifier{entry});
  }
}

bool IdentityGraph::Identified(uint32_t root) const {
  return forest_.at(root).agg_strength >= kStrongStrengthMin;
}

uint8_t IdentityGraph::SharedBits(uint32_t a, uint32_t b) const {
  return forest_.at(a).agg_one_per_person & forest_.at(b).agg_one_per_person;
}

std::string IdentityGraph::EvidenceJson(const Evidence& evidence, uint8_t via_type) const {
  Json json = {{"source", evidence.source},
               {"event_sequence", evidence.event_sequence},
               {"message_id", evidence.message_id.substr(0, kEvidenceMessageIdBytesMax)},
               {"via", types_.at(via_type).name}};
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace banyan::identity
