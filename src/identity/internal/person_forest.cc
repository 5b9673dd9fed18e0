#include "identity/internal/person_forest.h"

#include <algorithm>

#include "base/check.h"

namespace banyan::identity::internal {

void PersonForest::Ensure(uint32_t id) {
  CHECK(id > 0 && id <= kPersonsMax, "person id {} out of range", id);
  if (id >= persons_.size()) persons_.resize(static_cast<size_t>(id) + 1);
  persons_[id].flags |= kPersonExists;
}

uint32_t PersonForest::Create() {
  const uint32_t id = next_id();
  Ensure(id);
  return id;
}

uint32_t PersonForest::Root(uint32_t id) const {
  // Chains are as long as a run of merges whose survivor was later absorbed itself; bound the
  // walk so a corrupted cycle is a crash with a message rather than a hang.
  for (size_t steps = 0; persons_[id].parent != 0; ++steps) {
    CHECK(steps < persons_.size(), "merge cycle through person {}", id);
    id = persons_[id].parent;
  }
  return id;
}

void PersonForest::Hold(uint32_t id, int strength, uint8_t bits) {
  Person& p = persons_[id];
  p.own_one_per_person |= bits;
  p.own_strength = std::max<uint8_t>(p.own_strength, static_cast<uint8_t>(strength));
  Person& root = persons_[Root(id)];
  root.agg_one_per_person |= bits;
  root.agg_strength = std::max<uint8_t>(root.agg_strength, static_cast<uint8_t>(strength));
}

void PersonForest::Link(uint32_t survivor, uint32_t absorbed) {
  Person& s = persons_[survivor];
  Person& a = persons_[absorbed];
  CHECK(s.parent == 0 && a.parent == 0 && survivor != absorbed, "link {} <- {}", survivor,
        absorbed);
  a.parent = survivor;
  a.next_sibling = s.first_child;
  s.first_child = absorbed;
  s.agg_one_per_person |= a.agg_one_per_person;
  s.agg_strength = std::max(s.agg_strength, a.agg_strength);
}

void PersonForest::Unlink(uint32_t absorbed) {
  Person& a = persons_[absorbed];
  const uint32_t parent = a.parent;
  CHECK(parent != 0, "person {} is not merged", absorbed);
  uint32_t* link = &persons_[parent].first_child;
  while (*link != absorbed) {
    CHECK(*link != 0, "person {} missing from the children of {}", absorbed, parent);
    link = &persons_[*link].next_sibling;
  }
  *link = a.next_sibling;
  a.next_sibling = 0;
  a.parent = 0;
  RecomputeAggregate(absorbed);
  RecomputeAggregate(Root(parent));
}

void PersonForest::Members(uint32_t root, std::vector<uint32_t>* out) const {
  const size_t start = out->size();
  out->push_back(root);
  // The output doubles as the work list: visit each member's children in turn.
  for (size_t i = start; i < out->size(); ++i) {
    CHECK(out->size() - start <= persons_.size(), "merge cycle under person {}", root);
    for (uint32_t c = persons_[(*out)[i]].first_child; c != 0; c = persons_[c].next_sibling) {
      out->push_back(c);
    }
  }
}

void PersonForest::RecomputeAggregate(uint32_t root) {
  std::vector<uint32_t> members;
  Members(root, &members);
  uint8_t bits = 0;
  uint8_t strength = 0;
  for (uint32_t m : members) {
    bits |= persons_[m].own_one_per_person;
    strength = std::max(strength, persons_[m].own_strength);
  }
  persons_[root].agg_one_per_person = bits;
  persons_[root].agg_strength = strength;
}

}  // namespace banyan::identity::internal
