// The funnel's per-customer scan: the deepest step one customer's events reach from an entry in
// the range, and the times of the chain that first reached it (funnel.h states the rules).
//
// Strict order keeps, per step k, the chain reaching k with the latest entry — a later entry
// leaves more of the window for the steps after, so it is the only one worth extending — and
// extends it with each event in time order, steps in descending order so one event never
// serves two steps. Events of the same second may be taken in any order: a run of them is
// matched to consecutive steps as a small bipartite matching.
// Any order: for each entry, the events in its window fill the earliest unfilled step each
// matches; the customer's result is the best entry.
//
// Thread safety: a FunnelScan is used by one thread.

#ifndef BANYAN_ANALYTICS_INTERNAL_FUNNEL_SCAN_H_
#define BANYAN_ANALYTICS_INTERNAL_FUNNEL_SCAN_H_

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "analytics/funnel.h"
#include "analytics/internal/event_match.h"
#include "analytics/internal/groups.h"

namespace banyan::analytics::internal {

struct FunnelOutcome {
  int level = 0;  // steps reached, 0 when the customer did not enter
  std::array<uint32_t, kFunnelStepsMax> times{};  // engine time of each step of the chain
};

struct FunnelBounds {
  uint32_t entry_from = 0;  // entries in [entry_from, entry_to)
  uint32_t entry_to = 0;
  uint32_t scan_end = 0;  // events at or after it are not seen
};

class FunnelScan {
 public:
  FunnelScan(const FilterSet& steps, FunnelOrder order, int64_t window_seconds,
             const FunnelBounds& bounds, const EventGroups* groups)
      : steps_(steps),
        n_(static_cast<int>(steps.size())),
        order_(order),
        window_(window_seconds),
        bounds_(bounds),
        groups_(groups) {}

  // With `entry_key`, only entries whose group key is it count. With `entry_keys` (grouping by
  // event only), also gives the distinct group keys of all the customer's entries in the range,
  // in time order, from the same walk.
  FunnelOutcome Run(const SequenceView& view, std::optional<uint64_t> entry_key,
                    std::vector<uint64_t>* entry_keys = nullptr) const;

 private:
  struct Chain {
    int64_t start = -1;  // entry time; -1: no chain reaches this step
    std::array<uint32_t, kFunnelStepsMax> times{};
  };
  // Steps event i passes, entry rules applied to step 1.
  uint32_t Mask(const SequenceView& view, uint32_t i, SequenceWalk& walk,
                std::optional<uint64_t> entry_key) const;
  FunnelOutcome Strict(const SequenceView& view, std::optional<uint64_t> entry_key,
                       std::vector<uint64_t>* entry_keys) const;
  FunnelOutcome AnyOrder(const SequenceView& view, std::optional<uint64_t> entry_key,
                         std::vector<uint64_t>* entry_keys) const;
  // Adds event i's group key to `keys` unless there.
  void AddKey(const SequenceView& view, uint32_t i, SequenceWalk& walk,
              std::vector<uint64_t>* keys) const;
  // The group keys of the entries from event `from` on (a walk that stopped early finishes
  // with it).
  void EntryKeysFrom(const SequenceView& view, uint32_t from, SequenceWalk& walk,
                     std::vector<uint64_t>* keys) const;
  void Single(uint32_t t, uint32_t mask, Chain* best, FunnelOutcome* outcome) const;
  void Tie(uint32_t t, const std::vector<uint32_t>& masks, Chain* best,
           FunnelOutcome* outcome) const;

  const FilterSet& steps_;
  const int n_;
  const FunnelOrder order_;
  const int64_t window_;
  const FunnelBounds bounds_;
  const EventGroups* groups_;
};

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_FUNNEL_SCAN_H_
