#include "analytics/internal/groups.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>

#include "engine/query.h"
#include "engine/scan.h"
#include "events/event.h"

namespace banyan::analytics::internal {
namespace {

constexpr std::string_view kNamePointer = "/group_by/name";

struct Group {
  std::string name;
  engine::Bitmap members;
};

Status TooManyValues(std::string_view attribute, size_t values) {
  return InvalidArgumentError(
      fmt::format(
          "{} has {} values; group by an attribute with at most {} (kGroupAttributeValuesMax)",
          attribute, values, kGroupAttributeValuesMax),
      std::string(kNamePointer));
}

std::string NumericName(engine::AttributeKind kind, int64_t value) {
  if (kind == engine::AttributeKind::kDate) {
    return FormatDate(CivilDay(1970, 1, 1) + value);
  }
  return std::to_string(value);
}

Result<std::vector<Group>> AttributeGroups(const engine::Snapshot& snapshot,
                                           std::string_view attribute,
                                           const engine::Bitmap& candidates) {
  const engine::internal::Catalog& catalog = snapshot.catalog();
  const std::optional<uint32_t> id = catalog.FindAttribute(attribute);
  std::vector<Group> groups;
  if (!id) {  // nobody has it yet: everyone is "(none)"
    groups.push_back({std::string(kGroupNone), candidates});
    return groups;
  }
  const engine::AttributeKind kind = catalog.attributes[*id].kind;
  if (kind == engine::AttributeKind::kString || kind == engine::AttributeKind::kStringList) {
    const std::vector<std::string> values = catalog.attribute_values[*id]->All();
    if (values.size() > kGroupAttributeValuesMax) return TooManyValues(attribute, values.size());
    for (const std::string& value : values) {
      ASSIGN_OR_RETURN(engine::Bitmap holders,
                       engine::AttributeContains(snapshot, attribute, value));
      holders &= candidates;
      if (!holders.IsEmpty()) groups.push_back({value, std::move(holders)});
    }
  } else if (kind == engine::AttributeKind::kBoolean) {
    for (const bool value : {true, false}) {
      ASSIGN_OR_RETURN(engine::Bitmap holders,
                       engine::AttributeCompare(snapshot, attribute, engine::Compare::kEq, value));
      holders &= candidates;
      if (!holders.IsEmpty()) groups.push_back({value ? "true" : "false", std::move(holders)});
    }
  } else {
    ASSIGN_OR_RETURN(const auto values, engine::NumericValues(snapshot, attribute, candidates));
    std::map<int64_t, std::vector<uint32_t>> by_value;
    for (const auto& [index, value] : values) {
      by_value[value].push_back(index);
      if (by_value.size() > kGroupAttributeValuesMax) {
        return TooManyValues(attribute, by_value.size());
      }
    }
    for (auto& [value, indexes] : by_value) {
      engine::Bitmap members;
      members.AddMany(indexes);
      groups.push_back({NumericName(kind, value), std::move(members)});
    }
  }
  ASSIGN_OR_RETURN(const engine::Bitmap set, engine::AttributeIsSet(snapshot, attribute));
  engine::Bitmap none = candidates - set;
  if (!none.IsEmpty()) groups.push_back({std::string(kGroupNone), std::move(none)});
  return groups;
}

Result<std::vector<Group>> TagGroups(const QueryContext& context, const GroupBy& group_by,
                                     const engine::Bitmap& candidates) {
  if (context.tags == nullptr) {
    return FailedPreconditionError("grouping by tag needs the tag catalog, which is not available");
  }
  std::vector<Group> groups;
  engine::Bitmap holders;
  if (group_by.values.empty()) {
    ASSIGN_OR_RETURN(holders, context.tags->Tag(*context.snapshot, group_by.name, nullptr));
    holders &= candidates;
    groups.push_back({group_by.name, holders});
  } else {
    for (const std::string& value : group_by.values) {
      ASSIGN_OR_RETURN(engine::Bitmap members,
                       context.tags->Tag(*context.snapshot, group_by.name, &value));
      members &= candidates;
      holders |= members;
      groups.push_back({value, std::move(members)});
    }
  }
  engine::Bitmap none = candidates - holders;
  if (!none.IsEmpty()) groups.push_back({std::string(kGroupNone), std::move(none)});
  return groups;
}

}  // namespace

std::vector<uint32_t> FoldGroups(const std::vector<std::string>& names,
                                 const std::vector<int64_t>& sizes,
                                 std::vector<std::string>* folded_names) {
  std::vector<uint32_t> out(names.size());
  if (names.size() <= kGroupsMax) {
    std::iota(out.begin(), out.end(), 0u);
    *folded_names = names;
    return out;
  }
  std::vector<uint32_t> order(names.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return sizes[a] > sizes[b]; });
  folded_names->clear();
  const uint32_t other = kGroupsMax - 1;
  for (size_t rank = 0; rank < order.size(); ++rank) {
    if (rank < other) {
      out[order[rank]] = static_cast<uint32_t>(folded_names->size());
      folded_names->push_back(names[order[rank]]);
    } else {
      out[order[rank]] = other;
    }
  }
  folded_names->push_back(std::string(kGroupOther));
  return out;
}

Result<CustomerGroups> CustomerGroups::Make(const QueryContext& context, const GroupBy& group_by,
                                            const engine::Bitmap& candidates) {
  std::vector<Group> groups;
  switch (group_by.kind) {
    case GroupKind::kAttribute: {
      ASSIGN_OR_RETURN(groups, AttributeGroups(*context.snapshot, group_by.name, candidates));
      break;
    }
    case GroupKind::kBranch: {
      ASSIGN_OR_RETURN(groups, AttributeGroups(*context.snapshot, kBranchAttribute, candidates));
      break;
    }
    case GroupKind::kTag: {
      ASSIGN_OR_RETURN(groups, TagGroups(context, group_by, candidates));
      break;
    }
    default:
      return InvalidArgumentError("not a grouping by customer", "/group_by/kind");
  }
  std::vector<std::string> names;
  std::vector<int64_t> sizes;
  for (const Group& group : groups) {
    names.push_back(group.name);
    sizes.push_back(static_cast<int64_t>(group.members.Cardinality()));
  }
  CustomerGroups out;
  const std::vector<uint32_t> fold = FoldGroups(names, sizes, &out.names_);
  out.members_.resize(out.names_.size());
  for (size_t g = 0; g < groups.size(); ++g) out.members_[fold[g]] |= groups[g].members;
  out.single_.assign(context.snapshot->index_count(), -2);
  for (uint32_t g = 0; g < out.members_.size(); ++g) {
    out.members_[g].ForEach([&](uint32_t index) {
      if (index >= out.single_.size()) return false;
      int32_t& single = out.single_[index];
      if (single == -2) {
        single = static_cast<int32_t>(g);
      } else if (single >= 0) {
        out.multi_[index] = {static_cast<uint32_t>(single), g};
        single = -1;
      } else {
        out.multi_[index].push_back(g);
      }
      return true;
    });
  }
  return out;
}

void CustomerGroups::Of(engine::CustomerIndex index, std::vector<uint32_t>* out) const {
  if (index >= single_.size()) return;
  const int32_t single = single_[index];
  if (single >= 0) {
    out->push_back(static_cast<uint32_t>(single));
  } else if (single == -1) {
    const auto& groups = multi_.at(index);
    out->insert(out->end(), groups.begin(), groups.end());
  }
}

engine::Bitmap CustomerGroups::Members(uint32_t g) const { return members_[g]; }

bool ReadsEvents(const GroupBy& group_by) {
  return group_by.kind == GroupKind::kChannel || group_by.kind == GroupKind::kProperty;
}

EventGroups::EventGroups(const engine::Snapshot& snapshot, const GroupBy& group_by)
    : snapshot_(&snapshot), kind_(group_by.kind) {
  if (kind_ == GroupKind::kProperty) {
    const std::optional<uint32_t> key = snapshot.catalog().property_keys->Find(group_by.name);
    property_known_ = key.has_value();
    property_ = key.value_or(0);
  }
}

// Keys: a channel is its number; a property is 1 when absent, else (value << 2) | 2 | is_string
// (values are at most 2^61 in magnitude: numbers are scaled doubles of at most 15 digits).
uint64_t EventGroups::Key(const SequenceView& view, uint32_t i, SequenceWalk& walk) const {
  if (kind_ == GroupKind::kChannel) return view.channels[i];
  if (!property_known_) return 1;
  const std::optional<PropertyCellValue> cell = FindProperty(walk.Properties(i), property_);
  if (!cell) return 1;
  return (static_cast<uint64_t>(cell->value) << 2) | 2 | (cell->is_string ? 1 : 0);
}

uint32_t EventGroups::Group(uint64_t key) {
  const auto [it, added] = groups_.emplace(key, static_cast<uint32_t>(keys_.size()));
  if (added) keys_.push_back(key);
  return it->second;
}

std::string EventGroups::Name(uint32_t group) const {
  const uint64_t key = keys_[group];
  if (kind_ == GroupKind::kChannel) {
    return std::string(events::ChannelName(static_cast<events::Channel>(key)));
  }
  if (key == 1) return std::string(kGroupNone);
  const int64_t value = static_cast<int64_t>(key) >> 2;
  if ((key & 1) != 0)
    return snapshot_->catalog().property_values->Name(static_cast<uint32_t>(value));
  return fmt::format("{}", static_cast<double>(value) / engine::kPropertyScale);
}

}  // namespace banyan::analytics::internal
