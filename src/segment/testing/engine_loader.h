// EngineLoader: feeds a testing::Dataset into an engine::Engine the way engine_eval.h's contract
// asks of the server's feeder — attributes by type, home coordinates and the last event location
// as decimal attributes, consent resolved into `consent.<purpose>.<channel>` booleans, events
// with channel codes — incrementally, so a test can grow the dataset, move `now`, merge
// customers and sync again; and answers `has tag` / `in segment` from the dataset (the tag
// catalog and saved segments are not in the engine).
//
// Used by: the engine evaluator's differential test, the case runner and the benchmark's tests.
// Thread safety: one thread (Sync and Merge are the engine's writer).

#ifndef BANYAN_SEGMENT_TESTING_ENGINE_LOADER_H_
#define BANYAN_SEGMENT_TESTING_ENGINE_LOADER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "segment/catalog.h"
#include "segment/engine_eval.h"
#include "segment/testing/dataset.h"

namespace banyan::segment::testing {

class EngineLoader : public MembershipResolver {
 public:
  EngineLoader();

  // Sends what changed in `data` since the last Sync: attribute definitions the catalog added,
  // new customers, attribute values set, changed or unset (derived ones — coordinates, the last
  // event location and consent, which depend on data.now — included) and the events appended to
  // data.events since. `data` must outlive the loader's use as a resolver.
  Status Sync(const Dataset& data, const Catalog& catalog);
  // Merges `absorbed` into `survivor` in `data` (events and consent facts move, the survivor
  // keeps its attributes and takes those it lacks, tags and memberships unite) and in the engine.
  // REQUIRES: both are customers of `data`, synced.
  Status Merge(Dataset& data, int64_t survivor, int64_t absorbed);

  engine::Engine& engine() { return engine_; }
  // The engine index of a customer id, for mapping results back. Writer thread.
  std::optional<engine::CustomerIndex> Find(int64_t id) const { return engine_.Find(id); }
  // Result indexes as ascending customer ids.
  std::vector<int64_t> Ids(const engine::Bitmap& members, const engine::Snapshot& snapshot) const;
  // An EvalContext for `data`: its now and branches, this loader as the resolver.
  EvalContext Context(const Dataset& data, const BusinessCalendar& calendar) const;

  Result<engine::Bitmap> Tag(const engine::Snapshot& snapshot, std::string_view tag,
                             const std::string* value) const override;
  Result<engine::Bitmap> Segment(const engine::Snapshot& snapshot,
                                 std::string_view segment) const override;

 private:
  using Values = std::map<std::string, engine::AttributeValue, std::less<>>;
  Values EngineValues(const TestCustomer& customer, const Dataset& data,
                      const Catalog& catalog) const;
  Status DefineAttributes(const Catalog& catalog, engine::Batch& batch);

  engine::Engine engine_;
  std::map<std::string, engine::AttributeKind, std::less<>> defined_;
  std::map<int64_t, Values> sent_;  // what the engine holds, per customer
  size_t events_sent_ = 0;
  const Dataset* data_ = nullptr;
};

}  // namespace banyan::segment::testing

#endif  // BANYAN_SEGMENT_TESTING_ENGINE_LOADER_H_
