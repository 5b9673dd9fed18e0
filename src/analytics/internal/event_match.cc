#include "analytics/internal/event_match.h"

#include <algorithm>

#include "engine/internal/property.h"

namespace banyan::analytics::internal {

std::optional<PropertyCellValue> FindProperty(std::span<const uint8_t> properties, uint32_t key) {
  const uint8_t* cursor = properties.data();
  const uint8_t* end = cursor + properties.size();
  while (cursor < end) {
    const engine::internal::DecodedProperty have = engine::internal::DecodeProperty(&cursor, end);
    if (have.key == key) return PropertyCellValue{have.is_string, have.value};
  }
  return std::nullopt;
}

CompiledFilter CompiledFilter::Compile(const engine::Snapshot& snapshot,
                                       const EventFilter& filter) {
  CompiledFilter out;
  const engine::internal::Catalog& catalog = snapshot.catalog();
  const std::optional<uint32_t> type = catalog.event_types->Find(filter.event);
  if (!type) {
    out.never_ = true;
    return out;
  }
  out.type_ = *type;
  if (filter.channel) out.channel_ = *filter.channel;
  for (const PropertyFilter& where : filter.where) {
    if (where.values.empty()) {  // ValidateFilter refuses it; nothing matches no value
      out.never_ = true;
      continue;
    }
    Condition condition;
    condition.op = where.op;
    const std::optional<uint32_t> key = catalog.property_keys->Find(where.property);
    condition.key_known = key.has_value();
    condition.key = key.value_or(0);
    condition.is_string = std::holds_alternative<std::string>(where.values.front());
    for (const engine::PropertyValue& value : where.values) {
      if (condition.is_string) {
        const std::optional<uint32_t> id =
            catalog.property_values->Find(std::get<std::string>(value));
        if (id) condition.values.push_back(*id);
      } else {
        condition.values.push_back(engine::internal::ScaleNumber(std::get<double>(value)));
      }
    }
    // `= unknown string` matches nothing at all: the filter never matches.
    if (!condition.key_known ||
        (condition.is_string && condition.op == engine::Compare::kEq && condition.values.empty())) {
      out.never_ = true;
    }
    out.where_.push_back(std::move(condition));
  }
  return out;
}

engine::Bitmap CompiledFilter::MayMatch(const engine::Snapshot& snapshot, bool use_index) const {
  if (never_) return engine::Bitmap();
  engine::Bitmap may = snapshot.EverDid(type_);
  if (!use_index) return may;
  for (const Condition& condition : where_) {
    if (!condition.is_string || condition.op != engine::Compare::kEq) continue;
    std::vector<uint32_t> values(condition.values.begin(), condition.values.end());
    may &= snapshot.EverDidWith(type_, condition.key, values);
  }
  return may;
}

bool CompiledFilter::Holds(const Condition& condition, std::span<const uint8_t> properties) {
  const std::optional<PropertyCellValue> have = FindProperty(properties, condition.key);
  if (!have || have->is_string != condition.is_string) return false;
  if (condition.op == engine::Compare::kEq) {
    return std::find(condition.values.begin(), condition.values.end(), have->value) !=
           condition.values.end();
  }
  if (condition.op == engine::Compare::kNe) {
    // A string nobody sent is unequal to every value.
    return condition.values.empty() || have->value != condition.values.front();
  }
  return engine::Satisfies(have->value, condition.op, condition.values.front());
}

bool CompiledFilter::Passes(const SequenceView& view, uint32_t i, SequenceWalk& walk) const {
  if (never_) return false;
  if (channel_ >= 0 && view.channels[i] != channel_) return false;
  if (where_.empty()) return true;
  const std::span<const uint8_t> properties = walk.Properties(i);
  for (const Condition& condition : where_) {
    if (!Holds(condition, properties)) return false;
  }
  return true;
}

FilterSet::FilterSet(std::vector<CompiledFilter> filters) : filters_(std::move(filters)) {
  for (size_t f = 0; f < filters_.size(); ++f) {
    const CompiledFilter& filter = filters_[f];
    if (filter.never()) continue;
    if (filter.type() >= by_type_.size()) by_type_.resize(filter.type() + 1, 0);
    by_type_[filter.type()] |= 1u << f;
    if (filter.has_conditions()) conditional_ |= 1u << f;
  }
}

uint32_t FilterSet::Mask(const SequenceView& view, uint32_t i, SequenceWalk& walk) const {
  uint32_t mask = TypeMask(view, i);
  uint32_t check = mask & conditional_;
  while (check != 0) {
    const int f = __builtin_ctz(check);
    check &= check - 1;
    if (!filters_[f].Passes(view, i, walk)) mask &= ~(1u << f);
  }
  return mask;
}

}  // namespace banyan::analytics::internal
