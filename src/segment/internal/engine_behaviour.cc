// Behaviour conditions on the engine (engine_conditions.h): each step compiled against the
// snapshot's dictionaries, then the candidates' sequences scanned with engine::EventCursor —
// except a plain `did E [times] [window]`, which is engine::CountEvents as it is.

#include <fmt/format.h>

#include <algorithm>

#include "engine/query.h"
#include "engine/scan.h"
#include "events/event.h"
#include "segment/internal/engine_conditions.h"
#include "segment/internal/number.h"

namespace banyan::segment::internal {

namespace {

using engine::Bitmap;
using engine::EventCursor;
using engine::PropertyCell;

// Event property numbers are held as value × kPropertyScale; the language compares millionths.
constexpr Micros128 kMicrosPerHeldUnit = kMicrosPerUnit / engine::kPropertyScale;

template <typename T>
int Order(T a, T b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// A where clause with its property keys and string literals looked up once.
struct WhereNode {
  const Expr* expr = nullptr;
  std::optional<uint32_t> key;                  // leaves: the property key, if ever seen
  std::vector<std::optional<uint32_t>> values;  // leaves: ids of string literals
  std::vector<WhereNode> children;
};

// One step of a behaviour condition against the snapshot's dictionaries.
struct Step {
  bool possible = true;  // false: no event can match (unknown type or channel)
  uint32_t type = 0;
  int channel = -1;  // -1: any
  std::optional<WhereNode> where;
};

class Scanner {
 public:
  Scanner(const engine::Snapshot& snapshot, const EvalContext& context)
      : snapshot_(snapshot), context_(context), catalog_(snapshot.catalog()) {}

  Step Compile(const EventStep& step) const {
    Step out;
    const std::optional<uint32_t> type = catalog_.event_types->Find(step.event);
    out.possible = type.has_value();
    out.type = type.value_or(0);
    if (!step.channel.empty()) {
      const std::optional<events::Channel> channel = events::ChannelFromName(step.channel);
      if (!channel || *channel == events::Channel::kUnknown) out.possible = false;
      out.channel = channel ? static_cast<int>(*channel) : 0;
    }
    if (!step.where.empty()) out.where = CompileWhere(step.where[0]);
    return out;
  }

  bool Matches(const Step& step, const EventCursor& event) const {
    if (event.type() != step.type) return false;
    if (step.channel >= 0 && event.channel() != step.channel) return false;
    return !step.where || Where(*step.where, event);
  }

  // The number (up to `limit`) of `index`'s events matching `step` in `window`.
  int64_t Count(uint32_t index, const Step& step, SecondsWindow window, int64_t limit) const {
    EventCursor cursor(snapshot_, index, window.from, window.to);
    int64_t count = 0;
    while (count < limit && cursor.Next()) count += Matches(step, cursor) ? 1 : 0;
    return count;
  }

  // The times of `index`'s events matching `step` in `window`, ascending.
  std::vector<int64_t> Times(uint32_t index, const Step& step, SecondsWindow window) const {
    std::vector<int64_t> times;
    EventCursor cursor(snapshot_, index, window.from, window.to);
    while (cursor.Next()) {
      if (Matches(step, cursor)) times.push_back(cursor.time_seconds());
    }
    return times;
  }

  // The numeric value (millionths) of `property` on the current event: a number, or a string
  // that reads as one.
  std::optional<Micros128> Number(const EventCursor& event, std::optional<uint32_t> key) const {
    if (!key) return std::nullopt;
    const std::optional<PropertyCell> cell = event.Property(*key);
    if (!cell) return std::nullopt;
    if (!cell->is_string) return Micros128{cell->value} * kMicrosPerHeldUnit;
    return ParseMicros(catalog_.property_values->Name(static_cast<uint32_t>(cell->value)));
  }

  const engine::Snapshot& snapshot() const { return snapshot_; }
  const engine::internal::Catalog& catalog() const { return catalog_; }

 private:
  WhereNode CompileWhere(const Expr& expr) const {
    WhereNode node;
    node.expr = &expr;
    if (expr.kind == Kind::kAnd || expr.kind == Kind::kOr || expr.kind == Kind::kNot) {
      for (const Expr& child : expr.children) node.children.push_back(CompileWhere(child));
      return node;
    }
    node.key = catalog_.property_keys->Find(expr.name);
    for (const Value& value : expr.values) {
      node.values.push_back(value.type == ValueType::kString
                                ? catalog_.property_values->Find(value.text)
                                : std::nullopt);
    }
    return node;
  }

  bool Where(const WhereNode& node, const EventCursor& event) const {
    switch (node.expr->kind) {
      case Kind::kAnd:
        return std::all_of(node.children.begin(), node.children.end(),
                           [&](const WhereNode& c) { return Where(c, event); });
      case Kind::kOr:
        return std::any_of(node.children.begin(), node.children.end(),
                           [&](const WhereNode& c) { return Where(c, event); });
      case Kind::kNot:
        return !Where(node.children[0], event);
      default:
        break;
    }
    const std::optional<PropertyCell> cell = node.key ? event.Property(*node.key) : std::nullopt;
    const Expr& e = *node.expr;
    if (e.kind == Kind::kIsSet) return cell.has_value() != e.negated;
    if (!cell) return false;
    switch (e.kind) {
      case Kind::kCompare:
        return Compare(*cell, e.values[0], node.values[0], e.op);
      case Kind::kBetween:
        return Compare(*cell, e.values[0], node.values[0], CompareOp::kGe) &&
               Compare(*cell, e.values[1], node.values[1], CompareOp::kLe);
      case Kind::kIn:
        for (size_t i = 0; i < e.values.size(); ++i) {
          if (Compare(*cell, e.values[i], node.values[i], CompareOp::kEq)) return true;
        }
        return false;
      case Kind::kContains:
        return cell->is_string && Text(*cell).find(e.values[0].text) != std::string::npos;
      default:
        return false;
    }
  }

  std::string Text(PropertyCell cell) const {
    return catalog_.property_values->Name(static_cast<uint32_t>(cell.value));
  }

  // The property `cell` against `literal` (whose dictionary id is `id` for a string), with the
  // reference's coercions: numbers from numeric strings, dates from date or RFC 3339 strings.
  bool Compare(PropertyCell cell, const Value& literal, std::optional<uint32_t> id,
               CompareOp op) const {
    const bool ordering = op != CompareOp::kEq && op != CompareOp::kNe;
    switch (literal.type) {
      case ValueType::kString:
        if (!cell.is_string || ordering) return false;
        return HoldsFor(id && static_cast<int64_t>(*id) == cell.value ? 0 : 1, op);
      case ValueType::kBoolean: {  // held as 1 / 0 (or the strings "true" / "false")
        if (ordering) return false;
        const bool is_true = literal.text == "true";
        const bool same = cell.is_string ? Text(cell) == literal.text
                                         : cell.value == (is_true ? 1 : 0) * engine::kPropertyScale;
        return HoldsFor(same ? 0 : 1, op);
      }
      case ValueType::kNumber: {
        const std::optional<Micros128> have =
            cell.is_string ? ParseMicros(Text(cell))
                           : std::optional<Micros128>(Micros128{cell.value} * kMicrosPerHeldUnit);
        if (!have) return false;
        return HoldsFor(Order(*have, *ParseMicros(literal.text)), op);
      }
      case ValueType::kDate: {
        if (!cell.is_string) return false;
        const std::string text = Text(cell);
        std::optional<CivilDay> day;
        if (Result<CivilDay> d = ParseDate(text); d.ok() && text.size() == 10) {
          day = *d;
        } else if (Result<Timestamp> t = ParseRfc3339(text); t.ok()) {
          day = context_.calendar->DayOf(*t);
        }
        if (!day) return false;
        return HoldsFor(Order(*day, *ParseDate(literal.text)), op);
      }
    }
    return false;
  }

  const engine::Snapshot& snapshot_;
  const EvalContext& context_;
  const engine::internal::Catalog& catalog_;
};

// The candidates that did every step's type are scanned with keep(index); the others (who cannot
// have a matching event for some step) match when `absent_matches`.
template <typename Keep>
Bitmap ScanCandidates(const Scanner& scanner, const Bitmap& candidates,
                      const std::vector<const Step*>& steps, bool absent_matches, Keep&& keep) {
  Bitmap present = candidates & scanner.snapshot().live();
  for (const Step* step : steps) {
    if (!step->possible) return absent_matches ? present : Bitmap();
    present &= scanner.snapshot().EverDid(step->type);
  }
  Bitmap result = absent_matches ? candidates - present : Bitmap();
  std::vector<uint32_t> kept;
  present.ForEach([&](uint32_t index) {
    if (keep(index)) kept.push_back(index);
    return true;
  });
  result.AddMany(kept);
  return result;
}

engine::Compare TimesCompare(Times::Kind kind) {
  switch (kind) {
    case Times::Kind::kAtLeast:
      return engine::Compare::kGe;
    case Times::Kind::kAtMost:
      return engine::Compare::kLe;
    case Times::Kind::kExactly:
      return engine::Compare::kEq;
  }
  return engine::Compare::kGe;
}

// `did [not] E [via C] [where ...] [times] [window]`.
Result<Bitmap> Did(const Scanner& scanner, const Expr& expr, SecondsWindow window,
                   const Bitmap& candidates) {
  const EventStep& step = expr.steps[0];
  const int64_t n = expr.times.n;
  if (step.channel.empty() && step.where.empty()) {  // the engine's own primitive
    engine::EventCondition condition;
    condition.type = step.event;
    condition.from_seconds = window.from;
    condition.to_seconds = window.to;
    ASSIGN_OR_RETURN(Bitmap did, engine::CountEvents(scanner.snapshot(), candidates, condition,
                                                     TimesCompare(expr.times.kind), n));
    return expr.negated ? candidates - did : did;
  }
  const Step compiled = scanner.Compile(step);
  auto holds = [&](int64_t count) {
    return engine::Satisfies(count, TimesCompare(expr.times.kind), n) != expr.negated;
  };
  return ScanCandidates(scanner, candidates, {&compiled}, holds(0), [&](uint32_t index) {
    return holds(scanner.Count(index, compiled, window, n + 1));  // n + 1 decides every op
  });
}

// `did [not] A then B ... [within N days] [window]`: for each A, the earliest strictly later B,
// and so on (the earliest choice leaves the most room for the rest).
Result<Bitmap> Sequence(const Scanner& scanner, const Expr& expr, SecondsWindow window,
                        const Bitmap& candidates) {
  std::vector<Step> steps;
  for (const EventStep& step : expr.steps) steps.push_back(scanner.Compile(step));
  std::vector<const Step*> pointers;
  for (const Step& step : steps) pointers.push_back(&step);
  const int64_t within_seconds = expr.within_days * 86400;
  Bitmap done = ScanCandidates(scanner, candidates, pointers, false, [&](uint32_t index) {
    std::vector<std::vector<int64_t>> times;
    for (const Step& step : steps) times.push_back(scanner.Times(index, step, window));
    for (const int64_t start : times[0]) {
      int64_t previous = start;
      bool complete = true;
      for (size_t i = 1; i < times.size() && complete; ++i) {
        const auto next = std::upper_bound(times[i].begin(), times[i].end(), previous);
        complete = next != times[i].end();
        if (complete) previous = *next;
      }
      if (!complete) return false;  // a later start has even less room
      if (expr.within_days == 0 || previous - start <= within_seconds) return true;
    }
    return false;
  });
  return expr.negated ? candidates - done : done;
}

// `first|last time did E ... WHEN`: the earliest / latest matching event up to now lies in WHEN.
Result<Bitmap> FirstLast(const Scanner& scanner, const Expr& expr, const EvalContext& context,
                         const Bitmap& candidates) {
  const Step step = scanner.Compile(expr.steps[0]);
  const SecondsWindow ever = EventWindow(TimeRange{}, context.now, *context.calendar);
  const SecondsWindow when = EventWindow(expr.range, context.now, *context.calendar);
  const bool first = expr.kind == Kind::kFirstTime;
  return ScanCandidates(scanner, candidates, {&step}, false, [&](uint32_t index) {
    EventCursor cursor(scanner.snapshot(), index, ever.from, ever.to);
    std::optional<int64_t> time;
    while (cursor.Next()) {
      if (!scanner.Matches(step, cursor)) continue;
      time = cursor.time_seconds();
      if (first) break;
    }
    return time && when.from <= *time && *time < when.to;
  });
}

// `count|sum|avg|min|max(E[.P] ...) [window] OP NUMBER`, exactly (millionths in 128 bits).
Result<Bitmap> AggregateOf(const Scanner& scanner, const Expr& expr, SecondsWindow window,
                           const Bitmap& candidates) {
  const Step step = scanner.Compile(expr.steps[0]);
  const std::optional<uint32_t> key = scanner.catalog().property_keys->Find(expr.property);
  const Micros128 target = *ParseMicros(expr.values[0].text);
  auto holds = [&](Micros128 x, Micros128 y) { return HoldsFor(Order(x, y), expr.op); };
  const bool additive = expr.aggregate == Aggregate::kCount || expr.aggregate == Aggregate::kSum;
  return ScanCandidates(scanner, candidates, {&step}, additive && holds(0, target),
                        [&](uint32_t index) {
                          EventCursor cursor(scanner.snapshot(), index, window.from, window.to);
                          Micros128 count = 0, sum = 0, low = 0, high = 0;
                          while (cursor.Next()) {
                            if (!scanner.Matches(step, cursor)) continue;
                            if (expr.aggregate == Aggregate::kCount) {
                              ++count;
                              continue;
                            }
                            const std::optional<Micros128> value = scanner.Number(cursor, key);
                            if (!value) continue;
                            low = count == 0 ? *value : std::min(low, *value);
                            high = count == 0 ? *value : std::max(high, *value);
                            ++count;
                            sum += *value;
                          }
                          switch (expr.aggregate) {
                            case Aggregate::kCount:
                              return holds(count * kMicrosPerUnit, target);
                            case Aggregate::kSum:
                              return holds(sum, target);
                            case Aggregate::kAvg:
                              return count > 0 && holds(sum, target * count);
                            case Aggregate::kMin:
                              return count > 0 && holds(low, target);
                            case Aggregate::kMax:
                              return count > 0 && holds(high, target);
                          }
                          return false;
                        });
}

}  // namespace

Result<Bitmap> BehaviourCondition(const Expr& expr, const engine::Snapshot& snapshot,
                                  const EvalContext& context, const Bitmap& candidates) {
  const Scanner scanner(snapshot, context);
  const SecondsWindow window = EventWindow(expr.range, context.now, *context.calendar);
  switch (expr.kind) {
    case Kind::kDid:
      return Did(scanner, expr, window, candidates);
    case Kind::kSequence:
      return Sequence(scanner, expr, window, candidates);
    case Kind::kFirstTime:
    case Kind::kLastTime:
      return FirstLast(scanner, expr, context, candidates);
    case Kind::kAggregate:
      return AggregateOf(scanner, expr, window, candidates);
    default:
      return InvalidArgumentError(
          fmt::format("{}: not a behaviour condition", KindName(expr.kind)));
  }
}

}  // namespace banyan::segment::internal
