// Pending changes: what the identity graph has changed in memory and not yet written to the
// store, in the order it changed it, and the code that writes them.
//
// Every write is idempotent and guarded by the state it depends on, so writing a change twice —
// a flush whose transaction committed but whose caller has not yet said so, followed by another
// flush — leaves the same rows as writing it once:
//   person      INSERT ... ON CONFLICT (id) DO NOTHING
//   identifier  INSERT ... unless the person is erased ... ON CONFLICT DO NOTHING (the value is
//               sealed under the person's data key with associated data
//               "identifier/<person>/<type>")
//   touch       last_seen_at raised, never lowered
//   merge       INSERT ... ON CONFLICT (id) DO NOTHING; person.merged_into set unless that merge
//               has been undone
//   conflict    INSERT ... ON CONFLICT (id) DO NOTHING
// Person and identifier rows are inserted up to 32 to a statement.
//
// Used by: graph_store.cc. Thread safety: none; the graph guards the queue with its mutex.

#ifndef BANYAN_IDENTITY_INTERNAL_PENDING_H_
#define BANYAN_IDENTITY_INTERNAL_PENDING_H_

#include <cstdint>
#include <deque>
#include <string>
#include <variant>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "identity/identifier_types.h"
#include "privacy/keyed_hash.h"
#include "privacy/person_keys.h"
#include "store/database.h"

namespace banyan::identity::internal {

struct NewPerson {
  uint32_t id;
  int64_t at_us;
};
struct NewIdentifier {
  uint32_t entry;  // index in the identifier index
  uint32_t person;
  uint8_t type;
  privacy::LookupHash lookup;
  std::string value;  // clear and normalised: sealed when written
  int64_t at_us;
  std::string source;
};
// last_seen_at of an entry moved on; the value is read from the entry when the flush copies it.
struct TouchIdentifier {
  uint32_t entry;
};
struct NewMerge {
  int64_t id;
  uint32_t survivor;
  uint32_t absorbed;
  int64_t at_us;
  std::string evidence;
};
struct NewConflict {
  int64_t id;
  uint32_t person_a;
  uint32_t person_b;
  uint8_t type;
  int64_t at_us;
  std::string evidence;
};
// A change cancelled before it was written (an identifier of an erased person).
struct Dropped {};

using Change =
    std::variant<Dropped, NewPerson, NewIdentifier, TouchIdentifier, NewMerge, NewConflict>;

// A touch as written: the entry's key and its last-seen time when the flush copied it.
struct TouchWrite {
  uint8_t type;
  privacy::LookupHash lookup;
  uint32_t person;
  int64_t last_seen_us;
};
using WriteOp = std::variant<NewPerson, NewIdentifier, TouchWrite, NewMerge, NewConflict>;

// Changes numbered from 0 in the order they were made; a prefix is dropped once durable.
class PendingQueue {
 public:
  void Push(Change change) { changes_.push_back(std::move(change)); }
  uint64_t begin() const { return first_; }
  uint64_t end() const { return first_ + changes_.size(); }
  size_t size() const { return changes_.size(); }
  Change& at(uint64_t number) { return changes_[number - first_]; }
  const Change& at(uint64_t number) const { return changes_[number - first_]; }
  // Forgets changes numbered below `number` (they are in the store).
  void DropBefore(uint64_t number) {
    while (first_ < number && !changes_.empty()) {
      changes_.pop_front();
      ++first_;
    }
  }

 private:
  std::deque<Change> changes_;
  uint64_t first_ = 0;
};

// Everything WriteOps needs besides the operations.
struct WriteContext {
  const IdentifierTypes& types;
  privacy::PersonKeys& keys;
  Random& random;
};

// Writes `ops` in order in `tx`.
Status WriteOps(store::Transaction& tx, const std::vector<WriteOp>& ops, const WriteContext& ctx);

// "identifier/<person>/<type>": the associated data an identifier value is sealed with.
std::string IdentifierAssociatedData(int64_t person_id, std::string_view type);

}  // namespace banyan::identity::internal

#endif  // BANYAN_IDENTITY_INTERNAL_PENDING_H_
