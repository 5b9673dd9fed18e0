// RandomWorld: a generated, growing testing::Dataset for the engine evaluator's differential
// test — customers with every attribute type (some unset, some changed or unset later), home
// coordinates around Hangzhou, events of four types with channels, numeric and string
// properties and locations, placed on purpose at window edges (exactly N×24 h before now, at
// local midnight, at now, a second either side), late (older than what came before) and in the
// future (seen once `now` passes them); consent grants and withdrawals; tags and memberships;
// and a `now` that moves forward so windows expire. Merges are picked for the test to apply.
//
// Vocabulary() gives the expression templates over the same names (expression_generator.h).
// Deterministic for a seed. Thread safety: one owner.

#ifndef BANYAN_SEGMENT_TESTING_RANDOM_WORLD_H_
#define BANYAN_SEGMENT_TESTING_RANDOM_WORLD_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "base/random.h"
#include "base/time.h"
#include "segment/catalog.h"
#include "segment/testing/dataset.h"
#include "segment/testing/expression_generator.h"

namespace banyan::segment::testing {

class RandomWorld {
 public:
  RandomWorld(uint64_t seed, const BusinessCalendar& calendar);

  // The first state: `customers` customers, branches, now = 2026-03-01T12:00+08:00.
  void Start(Dataset& data, Catalog& catalog, int customers);
  // Moves now forward (0–5 days, sometimes by whole days, sometimes with a fraction of a second)
  // and adds `events` events, a few customers, attribute changes, consent facts and tags.
  void Advance(Dataset& data, Catalog& catalog, int events);
  // Two distinct customers to merge (survivor, absorbed), or nullopt when fewer than two.
  std::optional<std::pair<int64_t, int64_t>> PickMerge(const Dataset& data);

  static Vocabulary ExpressionVocabulary();

 private:
  void AddCustomer(Dataset& data);
  void ChangeAttributes(Dataset& data, TestCustomer& customer);
  void AddEvent(Dataset& data);
  Timestamp EventTime(const Dataset& data);
  int64_t AnyCustomer(const Dataset& data);

  SeededRandom random_;
  const BusinessCalendar& calendar_;
  int64_t next_id_ = 1;
};

}  // namespace banyan::segment::testing

#endif  // BANYAN_SEGMENT_TESTING_RANDOM_WORLD_H_
