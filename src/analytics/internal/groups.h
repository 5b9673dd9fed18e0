// Grouping of results. CustomerGroups splits customers by what they are — an attribute's current
// value, a tag, the home branch — as a look-up from customer index to group numbers, built once
// per query from the engine's indexes. EventGroups names groups read from an event — its channel
// or one of its properties — discovering them as a scan meets them.
//
// Both fold past kGroupsMax (the largest keep their names; the rest become "(other)").
// Used by funnel, retention, activity and trend. Thread safety: CustomerGroups is immutable after
// Make; an EventGroups belongs to one scan.

#ifndef BANYAN_ANALYTICS_INTERNAL_GROUPS_H_
#define BANYAN_ANALYTICS_INTERNAL_GROUPS_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/internal/event_match.h"
#include "analytics/query.h"
#include "engine/bitmap.h"

namespace banyan::analytics::internal {

// A string attribute with more values than this cannot be grouped by.
inline constexpr size_t kGroupAttributeValuesMax = 10'000;

class CustomerGroups {
 public:
  // The groups of `candidates` under `group_by` (kAttribute, kTag or kBranch). Errors:
  // InvalidArgument (field /group_by/name) for an unknown attribute or one with too many values,
  // FailedPrecondition for a tag without a resolver.
  static Result<CustomerGroups> Make(const QueryContext& context, const GroupBy& group_by,
                                     const engine::Bitmap& candidates);

  const std::vector<std::string>& names() const { return names_; }
  // Appends the groups of customer `index` (at least one: "(none)" when it has no value).
  void Of(engine::CustomerIndex index, std::vector<uint32_t>* out) const;
  // The members of group `g` among the candidates.
  engine::Bitmap Members(uint32_t g) const;

 private:
  std::vector<std::string> names_;
  std::vector<engine::Bitmap> members_;
  std::vector<int32_t> single_;  // by index: the one group, -1 several (see multi_)
  std::unordered_map<engine::CustomerIndex, std::vector<uint32_t>> multi_;
};

// Event-read group keys: a channel, or a property's value (string id or scaled number; absent is
// its own key).
class EventGroups {
 public:
  EventGroups(const engine::Snapshot& snapshot, const GroupBy& group_by);
  // The key of event i: call only when the grouping reads events.
  uint64_t Key(const SequenceView& view, uint32_t i, SequenceWalk& walk) const;
  // The group number of a key, adding it when new.
  uint32_t Group(uint64_t key);
  size_t size() const { return keys_.size(); }
  // The key of group `group` (REQUIRES: < size()): to merge the groups of several scans.
  uint64_t KeyOf(uint32_t group) const { return keys_[group]; }
  std::string Name(uint32_t group) const;

 private:
  const engine::Snapshot* snapshot_;
  GroupKind kind_;
  uint32_t property_ = 0;
  bool property_known_ = false;
  std::unordered_map<uint64_t, uint32_t> groups_;
  std::vector<uint64_t> keys_;
};

bool ReadsEvents(const GroupBy& group_by);

// Folds groups past kGroupsMax: returns, for each input group, its output group, and the output
// names; the groups with the largest `sizes` keep their names.
std::vector<uint32_t> FoldGroups(const std::vector<std::string>& names,
                                 const std::vector<int64_t>& sizes,
                                 std::vector<std::string>* folded_names);

// Orders result rows for charts: the largest `size` first, then by name; "(none)" and "(other)"
// last. `Row` has a `name`.
template <typename Row, typename Size>
void SortGroups(std::vector<Row>& rows, Size size) {
  auto special = [](const Row& row) { return row.name == kGroupNone || row.name == kGroupOther; };
  std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    if (special(a) != special(b)) return special(b);
    if (size(a) != size(b)) return size(a) > size(b);
    return a.name < b.name;
  });
}

}  // namespace banyan::analytics::internal

#endif  // BANYAN_ANALYTICS_INTERNAL_GROUPS_H_
