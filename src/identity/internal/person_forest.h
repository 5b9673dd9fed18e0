// PersonForest: the persons of the identity graph and their merge history as a forest. A merge
// points the absorbed root at the survivor (parent); a person's current OneID is the root of its
// tree; an unmerge cuts one edge. Children are kept as intrusive sibling lists so Members() walks
// a tree without any per-person allocation.
//
// Each person records which one-per-person types and the strongest identifier it holds itself
// (own_*); roots also hold the union over their whole tree (agg_*), which is what the merge rules
// read. Person ids are dense: ids 1..size()-1, slot 0 unused.
//
// Memory: 20 bytes per person.
//
// Used by: graph.cc only. Thread safety: none; the graph's mutex guards it.

#ifndef BANYAN_IDENTITY_INTERNAL_PERSON_FOREST_H_
#define BANYAN_IDENTITY_INTERNAL_PERSON_FOREST_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace banyan::identity::internal {

inline constexpr uint8_t kPersonExists = 1;
inline constexpr uint8_t kPersonErasing = 2;  // an erasure is planned: no new links
inline constexpr uint8_t kPersonErased = 4;   // erased (PIPL): its identifiers are gone
// Person ids are 32-bit in memory (0 means none).
inline constexpr size_t kPersonsMax = UINT32_MAX - 1;

struct Person {
  uint32_t parent = 0;  // merged_into; 0 for a root
  uint32_t first_child = 0;
  uint32_t next_sibling = 0;
  uint8_t own_one_per_person = 0;  // bits of one-per-person types this person holds
  uint8_t agg_one_per_person = 0;  // roots: union over the tree
  uint8_t own_strength = 0;        // strongest identifier this person holds (0: none)
  uint8_t agg_strength = 0;        // roots: strongest over the tree
  uint8_t flags = 0;
};
static_assert(sizeof(Person) == 20);

class PersonForest {
 public:
  PersonForest() : persons_(1) {}

  // Makes sure ids up to `id` have slots and marks `id` existing (Load, Create).
  void Ensure(uint32_t id);
  // A new root person with the next id. REQUIRES: next_id() <= kPersonsMax.
  uint32_t Create();
  uint32_t next_id() const { return static_cast<uint32_t>(persons_.size()); }

  bool Exists(uint32_t id) const {
    return id > 0 && id < persons_.size() && (persons_[id].flags & kPersonExists);
  }
  Person& at(uint32_t id) { return persons_[id]; }
  const Person& at(uint32_t id) const { return persons_[id]; }

  // The root of `id`'s tree. REQUIRES: Exists(id).
  uint32_t Root(uint32_t id) const;
  // Records that `id` holds an identifier of `strength` and one-per-person bits `bits`, updating
  // its root's aggregate.
  void Hold(uint32_t id, int strength, uint8_t bits);
  // Makes root `absorbed` a child of root `survivor` and folds its aggregate in.
  void Link(uint32_t survivor, uint32_t absorbed);
  // Makes `absorbed` a root again (with everything below it); recomputes both roots' aggregates.
  // REQUIRES: at(absorbed).parent != 0.
  void Unlink(uint32_t absorbed);
  // `root` and everything below it, root first then breadth-first, appended to `out`.
  void Members(uint32_t root, std::vector<uint32_t>* out) const;
  // Recomputes agg_* of `root` from its tree.
  void RecomputeAggregate(uint32_t root);

  size_t MemoryBytes() const { return persons_.capacity() * sizeof(Person); }
  void Reserve(size_t persons) { persons_.reserve(persons + 1); }

 private:
  std::vector<Person> persons_;
};

}  // namespace banyan::identity::internal

#endif  // BANYAN_IDENTITY_INTERNAL_PERSON_FOREST_H_
