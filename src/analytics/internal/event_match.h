// Event filters compiled against one snapshot's dictionaries, and a forward walk over a
// customer's sequence that knows where each event's properties start.
//
// A filter names its event type, channel and property conditions as text; compiling turns them
// into dictionary ids once per query, so the scan compares integers. Unknown names never match
// (`=`), or match every event carrying the property (`!=` a string nobody sent).
//
// Used by every analytics scan. Thread safety: immutable after Compile; a SequenceWalk belongs
// to one scan.

#ifndef BANYAN_ANALYTICS_INTERNAL_EVENT_MATCH_H_
#define BANYAN_ANALYTICS_INTERNAL_EVENT_MATCH_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "analytics/query.h"
#include "engine/internal/sequence.h"
#include "engine/snapshot.h"

namespace banyan::analytics::internal {

using engine::internal::SequenceView;

// The properties of event `i`, found by walking forward: each event's properties start at the
// sum of the lengths before it, so a scan that moves forward pays for each length once.
class SequenceWalk {
 public:
  explicit SequenceWalk(const SequenceView& view) : view_(&view) {}
  std::span<const uint8_t> Properties(uint32_t i) {
    if (i < at_) {
      at_ = 0;
      offset_ = 0;
    }
    while (at_ < i) offset_ += view_->property_lengths[at_++];
    return {view_->properties + offset_, view_->property_lengths[i]};
  }

 private:
  const SequenceView* view_;
  uint32_t at_ = 0;
  size_t offset_ = 0;
};

// A property of an event as the engine holds it: a string id or value × kPropertyScale.
struct PropertyCellValue {
  bool is_string = false;
  int64_t value = 0;
};
std::optional<PropertyCellValue> FindProperty(std::span<const uint8_t> properties, uint32_t key);

class CompiledFilter {
 public:
  // Never fails for names the snapshot does not know: they match nothing.
  static CompiledFilter Compile(const engine::Snapshot& snapshot, const EventFilter& filter);

  bool never() const { return never_; }
  uint32_t type() const { return type_; }
  bool has_conditions() const { return channel_ >= 0 || !where_.empty(); }
  // Who may have done a matching event at some time (a superset: every customer who did is in
  // it): who did the type, narrowed by the engine's property-value index for each string `=` /
  // `in` condition. Empty when never().
  // `use_index` false: who did the type (what scans read without the index).
  engine::Bitmap MayMatch(const engine::Snapshot& snapshot, bool use_index) const;
  // Whether event `i` of `view` (already known to be of type()) passes the channel and the
  // property conditions.
  bool Passes(const SequenceView& view, uint32_t i, SequenceWalk& walk) const;

 private:
  struct Condition {
    uint32_t key = 0;
    bool key_known = false;
    engine::Compare op = engine::Compare::kEq;
    bool is_string = false;
    std::vector<int64_t> values;  // ids of known strings, or scaled numbers
  };
  static bool Holds(const Condition& condition, std::span<const uint8_t> properties);

  bool never_ = false;
  uint32_t type_ = 0;
  int channel_ = -1;
  std::vector<Condition> where_;
};

// Several filters (a funnel's steps, a trend's events) as one table: event type id -> the
// filters of that type as a bit mask, so a scan skips other events with one load.
class FilterSet {
 public:
  explicit FilterSet(std::vector<CompiledFilter> filters);
  size_t size() const { return filters_.size(); }
  const CompiledFilter& filter(size_t i) const { return filters_[i]; }
  // Filters whose type is event i's type (not yet checked against conditions).
  uint32_t TypeMask(const SequenceView& view, uint32_t i) const {
    const uint16_t type = view.types[i];
    return type < by_type_.size() ? by_type_[type] : 0;
  }
  // Filters event i passes.
  uint32_t Mask(const SequenceView& view, uint32_t i, SequenceWalk& walk) const;

 private:
  std::vector<CompiledFilter> filters_;
  std::vector<uint32_t> by_type_;
  uint32_t conditional_ = 0;  // filters with conditions
};

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_EVENT_MATCH_H_
