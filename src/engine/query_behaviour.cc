// Behaviour primitives of query.h: scans of the candidates' event sequences.

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "engine/internal/property.h"
#include "engine/query.h"

namespace banyan::engine {

namespace {

using internal::SequenceView;

struct CompiledProperty {
  uint32_t key = 0;
  bool is_string = false;
  bool known = true;  // a string value in the dictionary
  Compare op = Compare::kEq;
  int64_t value = 0;
};

// An EventCondition against the snapshot's dictionaries. `possible` is false when no event can
// match (an unknown type or property key).
struct Compiled {
  bool possible = true;
  uint16_t type = 0;
  uint32_t from = 0, to = 0;  // seconds since kEpochBaseSeconds, [from, to)
  std::vector<CompiledProperty> where;
};

uint32_t RelativeTime(int64_t seconds) {
  return static_cast<uint32_t>(
      std::clamp<int64_t>(seconds - kEpochBaseSeconds, 0, int64_t{0xFFFF'FFFF}));
}

Result<Compiled> Compile(const Snapshot& snapshot, const EventCondition& condition) {
  const internal::Catalog& catalog = snapshot.catalog();
  Compiled compiled;
  compiled.from = RelativeTime(condition.from_seconds);
  compiled.to = condition.to_seconds > kEventTimeSecondsMax ? 0xFFFF'FFFF
                                                            : RelativeTime(condition.to_seconds);
  std::optional<uint32_t> type = catalog.event_types->Find(condition.type);
  compiled.possible = type.has_value() && compiled.from < compiled.to;
  compiled.type = static_cast<uint16_t>(type.value_or(0));
  for (const PropertyCondition& where : condition.where) {
    CompiledProperty property;
    std::optional<uint32_t> key = catalog.property_keys->Find(where.key);
    if (!key) compiled.possible = false;
    property.key = key.value_or(0);
    property.op = where.op;
    if (const auto* text = std::get_if<std::string>(&where.value)) {
      if (where.op != Compare::kEq && where.op != Compare::kNe) {
        return InvalidArgumentError(fmt::format("{}.{}: {} does not apply to a string",
                                                condition.type, where.key, CompareName(where.op)));
      }
      property.is_string = true;
      std::optional<uint32_t> id = catalog.property_values->Find(*text);
      property.known = id.has_value();
      property.value = id.value_or(0);
    } else {
      property.value = internal::ScaleNumber(std::get<double>(where.value));
    }
    compiled.where.push_back(property);
  }
  return compiled;
}

bool PropertyMatches(const CompiledProperty& want, const uint8_t* begin, const uint8_t* end) {
  while (begin < end) {
    internal::DecodedProperty have = internal::DecodeProperty(&begin, end);
    if (have.key != want.key) continue;
    if (have.is_string != want.is_string) return false;
    if (want.is_string && !want.known) return want.op == Compare::kNe;
    return Satisfies(have.value, want.op, want.value);
  }
  return false;  // the event does not carry the property
}

// Calls fn(i, properties_begin, properties_end) for each event of `view` matching `c`.
template <typename Fn>
void ForEachMatch(const SequenceView& view, const Compiled& c, Fn&& fn) {
  const uint32_t begin = view.LowerBound(c.from);
  const uint32_t end = view.LowerBound(c.to);
  size_t offset = c.where.empty() ? 0 : view.PropertyOffset(begin);
  for (uint32_t i = begin; i < end; ++i) {
    const uint8_t* properties = view.properties + offset;
    offset += view.property_lengths[i];
    if (view.types[i] != c.type) continue;
    const uint8_t* properties_end = properties + view.property_lengths[i];
    bool all = true;
    for (const CompiledProperty& want : c.where) {
      if (!PropertyMatches(want, properties, properties_end)) {
        all = false;
        break;
      }
    }
    if (all && !fn(i, properties, properties_end)) return;
  }
}

// Who may have done an event matching `c` at some time: who did its type, narrowed by the
// property-value index for each `key = "string"` condition (a superset of who did it).
Bitmap EverDid(const Snapshot& snapshot, const Compiled& c) {
  Bitmap did = snapshot.EverDid(c.type);
  for (const CompiledProperty& want : c.where) {
    if (!want.is_string || !want.known || want.op != Compare::kEq) continue;
    const auto value = static_cast<uint32_t>(want.value);
    did &= snapshot.EverDidWith(c.type, want.key, std::span<const uint32_t>(&value, 1));
  }
  return did;
}

// Live candidates who may have done `c` (EverDid above), scanned with `keep(view)`; plus, when
// `zero_matches`, the live candidates who never did it (they have no matching events).
template <typename Keep>
Bitmap Scan(const Snapshot& snapshot, const Bitmap& candidates, const Compiled& c,
            bool zero_matches, Keep&& keep) {
  Bitmap live = candidates & snapshot.live();
  Bitmap did = c.possible ? EverDid(snapshot, c) : Bitmap();
  Bitmap result = zero_matches ? live - did : Bitmap();
  if (!c.possible) return zero_matches ? live : Bitmap();
  live &= did;
  std::vector<uint32_t> matched;
  live.ForEach([&](uint32_t index) {
    if (keep(snapshot.Sequence(index))) matched.push_back(index);
    return true;
  });
  result.AddMany(matched);
  return result;
}

}  // namespace

Result<Bitmap> CountEvents(const Snapshot& snapshot, const Bitmap& candidates,
                           const EventCondition& condition, Compare op, int64_t n) {
  ASSIGN_OR_RETURN(Compiled c, Compile(snapshot, condition));
  const bool zero_matches = Satisfies<int64_t>(0, op, n);
  return Scan(snapshot, candidates, c, zero_matches, [&](const SequenceView& view) {
    int64_t count = 0;
    // Stop early once more events cannot change the answer.
    const int64_t enough = (op == Compare::kGe || op == Compare::kGt) ? n + 1 : n + 2;
    ForEachMatch(view, c,
                 [&](uint32_t, const uint8_t*, const uint8_t*) { return ++count < enough; });
    return Satisfies(count, op, n);
  });
}

Result<Bitmap> EventTime(const Snapshot& snapshot, const Bitmap& candidates,
                         const EventCondition& condition, Occurrence occurrence, Compare op,
                         int64_t seconds) {
  ASSIGN_OR_RETURN(Compiled c, Compile(snapshot, condition));
  return Scan(snapshot, candidates, c, false, [&](const SequenceView& view) {
    std::optional<uint32_t> time;
    ForEachMatch(view, c, [&](uint32_t i, const uint8_t*, const uint8_t*) {
      time = view.times[i];
      return occurrence == Occurrence::kLast;  // the first match is enough for kFirst
    });
    return time && Satisfies<int64_t>(int64_t{*time} + kEpochBaseSeconds, op, seconds);
  });
}

Result<Bitmap> AggregateProperty(const Snapshot& snapshot, const Bitmap& candidates,
                                 const EventCondition& condition, Aggregate aggregate,
                                 std::string_view property, Compare op, double constant) {
  ASSIGN_OR_RETURN(Compiled c, Compile(snapshot, condition));
  std::optional<uint32_t> key = snapshot.catalog().property_keys->Find(property);
  const bool additive = aggregate == Aggregate::kSum || aggregate == Aggregate::kCount;
  const double scaled_constant =
      aggregate == Aggregate::kCount ? constant : constant * static_cast<double>(kPropertyScale);
  const bool zero_matches = additive && Satisfies(0.0, op, scaled_constant);
  if (!key) c.possible = false;
  return Scan(snapshot, candidates, c, zero_matches, [&](const SequenceView& view) {
    int64_t count = 0, sum = 0;
    int64_t low = std::numeric_limits<int64_t>::max(), high = std::numeric_limits<int64_t>::min();
    ForEachMatch(view, c, [&](uint32_t, const uint8_t* begin, const uint8_t* end) {
      while (begin < end) {
        internal::DecodedProperty have = internal::DecodeProperty(&begin, end);
        if (have.key != *key || have.is_string) continue;
        ++count;
        sum += have.value;
        low = std::min(low, have.value);
        high = std::max(high, have.value);
        break;
      }
      return true;
    });
    if (count == 0 && !additive) return false;
    double value = 0;
    switch (aggregate) {
      case Aggregate::kSum:
        value = static_cast<double>(sum);
        break;
      case Aggregate::kAvg:
        value = static_cast<double>(sum) / static_cast<double>(count);
        break;
      case Aggregate::kCount:
        value = static_cast<double>(count);
        break;
      case Aggregate::kMin:
        value = static_cast<double>(low);
        break;
      case Aggregate::kMax:
        value = static_cast<double>(high);
        break;
    }
    return Satisfies(value, op, scaled_constant);
  });
}

Result<Bitmap> FollowedBy(const Snapshot& snapshot, const Bitmap& candidates,
                          const EventCondition& first, const EventCondition& then,
                          int64_t within_seconds) {
  ASSIGN_OR_RETURN(Compiled a, Compile(snapshot, first));
  ASSIGN_OR_RETURN(Compiled b, Compile(snapshot, then));
  if (!b.possible) return Bitmap();
  Bitmap with_b = candidates & EverDid(snapshot, b);
  return Scan(snapshot, with_b, a, false, [&](const SequenceView& view) {
    // The latest `first` event before each `then` event is the one most likely within reach.
    std::vector<std::pair<uint32_t, uint32_t>> firsts;  // (position, time)
    ForEachMatch(view, a, [&](uint32_t i, const uint8_t*, const uint8_t*) {
      firsts.emplace_back(i, view.times[i]);
      return true;
    });
    bool found = false;
    size_t next_first = 0;
    std::optional<uint32_t> latest;
    ForEachMatch(view, b, [&](uint32_t i, const uint8_t*, const uint8_t*) {
      while (next_first < firsts.size() && firsts[next_first].first < i) {
        latest = firsts[next_first++].second;
      }
      found = latest && int64_t{view.times[i]} - int64_t{*latest} <= within_seconds;
      return !found;
    });
    return found;
  });
}

}  // namespace banyan::engine
