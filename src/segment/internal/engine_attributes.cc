// Attribute conditions on the engine's indexes, and the window arithmetic (engine_conditions.h).

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "engine/query.h"
#include "engine/scan.h"
#include "segment/internal/engine_conditions.h"
#include "segment/internal/number.h"

namespace banyan::segment::internal {

namespace {

using engine::AttributeKind;
using engine::Bitmap;

constexpr int64_t kDaySeconds = 86400;
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

engine::Compare ToEngine(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return engine::Compare::kEq;
    case CompareOp::kNe:
      return engine::Compare::kNe;
    case CompareOp::kLt:
      return engine::Compare::kLt;
    case CompareOp::kLe:
      return engine::Compare::kLe;
    case CompareOp::kGt:
      return engine::Compare::kGt;
    case CompareOp::kGe:
      return engine::Compare::kGe;
  }
  return engine::Compare::kEq;
}

// An inclusive interval of held values [low, high]; empty when low > high.
struct Interval {
  int64_t low = kMin;
  int64_t high = kMax;
};

// One attribute of the snapshot, with its kind, and the literal conversions its kind needs.
class Attribute {
 public:
  Attribute(const engine::Snapshot& snapshot, const EvalContext& context, std::string name,
            AttributeKind kind, const Bitmap& candidates)
      : snapshot_(snapshot),
        context_(context),
        name_(std::move(name)),
        kind_(kind),
        candidates_(candidates) {}

  Result<Bitmap> Compare(CompareOp op, const Value& literal) const {
    if (kind_ == AttributeKind::kString || kind_ == AttributeKind::kBoolean) {
      if (op != CompareOp::kEq && op != CompareOp::kNe) return Bitmap();  // not ordered
      return engine::AttributeCompare(snapshot_, name_, ToEngine(op), Scalar(literal));
    }
    if (kind_ == AttributeKind::kStringList) return Mismatch(literal);
    // Numeric kinds: the literal as an interval of held values, compared by its ends, exactly.
    ASSIGN_OR_RETURN(const Interval equal, EqualInterval(literal));
    switch (op) {
      case CompareOp::kEq:
        return Between(equal);
      case CompareOp::kNe: {
        ASSIGN_OR_RETURN(Bitmap set, IsSet());
        ASSIGN_OR_RETURN(Bitmap same, Between(equal));
        return set - same;
      }
      case CompareOp::kLt:
        return Between({kMin, equal.low == kMin ? kMin : equal.low - 1}, equal.low == kMin);
      case CompareOp::kLe:
        return Between({kMin, equal.high});
      case CompareOp::kGt:
        return Between({equal.high == kMax ? kMax : equal.high + 1, kMax}, equal.high == kMax);
      case CompareOp::kGe:
        return Between({equal.low, kMax});
    }
    return Bitmap();
  }

  Result<Bitmap> BetweenValues(const Value& low, const Value& high) const {
    if (!engine::IsNumeric(kind_)) return Bitmap();  // only numbers and dates are ordered
    ASSIGN_OR_RETURN(const Interval from, EqualInterval(low));
    ASSIGN_OR_RETURN(const Interval to, EqualInterval(high));
    return Between({from.low, to.high});
  }

  Result<Bitmap> In(const std::vector<Value>& values) const {
    Bitmap any;
    for (const Value& value : values) {
      ASSIGN_OR_RETURN(Bitmap one, Compare(CompareOp::kEq, value));
      any |= one;
    }
    return any;
  }

  // An element of a list; a substring of a string (every dictionary value holding it).
  Result<Bitmap> Contains(const std::string& needle) const {
    if (kind_ == AttributeKind::kStringList) {
      return engine::AttributeContains(snapshot_, name_, needle);
    }
    if (kind_ != AttributeKind::kString) return Bitmap();
    const engine::internal::Catalog& catalog = snapshot_.catalog();
    const std::optional<uint32_t> id = catalog.FindAttribute(name_);
    std::vector<engine::AttributeValue> holding;
    for (std::string& value : catalog.attribute_values[*id]->All()) {
      if (value.find(needle) != std::string::npos) holding.emplace_back(std::move(value));
    }
    return engine::AttributeIn(snapshot_, name_, holding);
  }

  Result<Bitmap> IsSet() const { return engine::AttributeIsSet(snapshot_, name_); }

  // `within N days` / `before N days ago`: local days for dates, instants for timestamps.
  Result<Bitmap> Relative(const TimeRange& range) const {
    const bool last = range.kind == TimeRange::Kind::kLastDays;
    if (kind_ == AttributeKind::kDate) {
      const CivilDay today = context_.calendar->DayOf(context_.now);
      const int64_t today_days = DaysSinceEpoch(today);
      return last ? Between({today_days - range.days, today_days})
                  : Between({kMin, today_days - range.days - 1});
    }
    if (kind_ != AttributeKind::kTimestamp) return Bitmap();
    // Whole seconds t with now − N×24 h <= t <= now, or t < now − N×24 h.
    const int64_t edge = CeilSeconds(context_.now - std::chrono::seconds(range.days * kDaySeconds));
    return last ? Between({edge, FloorSeconds(context_.now)}) : Between({kMin, edge - 1});
  }

 private:
  static int64_t DaysSinceEpoch(CivilDay day) { return day - CivilDay(1970, 1, 1); }

  Status Mismatch(const Value& literal) const {
    return InvalidArgumentError(fmt::format("{}: the {} attribute cannot be compared with \"{}\"",
                                            name_, engine::AttributeKindName(kind_), literal.text));
  }

  engine::AttributeValue Scalar(const Value& literal) const {
    if (kind_ == AttributeKind::kBoolean) {
      if (literal.type != ValueType::kBoolean) return std::string(literal.text);  // mismatch
      return literal.text == "true";
    }
    return literal.text;
  }

  // The held values equal to `literal`: one value, none (an integer against 2.5, a decimal held
  // in fen against 0.001) or, for a timestamp against a date, the seconds of that local day.
  Result<Interval> EqualInterval(const Value& literal) const {
    if (literal.type == ValueType::kDate) {
      ASSIGN_OR_RETURN(const CivilDay day, ParseDate(literal.text));
      if (kind_ == AttributeKind::kDate) return Interval{DaysSinceEpoch(day), DaysSinceEpoch(day)};
      if (kind_ != AttributeKind::kTimestamp) return Mismatch(literal);
      const int64_t start = ToUnixSeconds(context_.calendar->StartOf(day));
      return Interval{start, ToUnixSeconds(context_.calendar->StartOf(day + 1)) - 1};
    }
    const std::optional<Micros128> micros = ParseMicros(literal.text);
    if (literal.type != ValueType::kNumber || !micros) return Mismatch(literal);
    if (kind_ != AttributeKind::kDecimal && kind_ != AttributeKind::kInteger) {
      return Mismatch(literal);
    }
    // Held units per 1: 10^scale. The literal is x millionths; held values equal to it are
    // ⌈x × 10^scale / 10^6⌉ .. ⌊x × 10^scale / 10^6⌋ (empty when it is not a whole number).
    const int scale = kind_ == AttributeKind::kInteger ? 0 : DecimalScale();
    Micros128 numerator = *micros, denominator = kMicrosPerUnit;
    for (int i = 0; i < scale; ++i) numerator *= 10;
    const Micros128 floor =
        numerator >= 0 ? numerator / denominator : -((-numerator + denominator - 1) / denominator);
    const bool whole = floor * denominator == numerator;
    const Micros128 low = whole ? floor : floor + 1;
    if (floor > kMax || low < kMin) {
      return InvalidArgumentError(
          fmt::format("{}: {} is beyond what the attribute can hold", name_, literal.text));
    }
    return Interval{static_cast<int64_t>(low), static_cast<int64_t>(floor)};
  }

  int DecimalScale() const {
    const auto it = context_.decimal_scales.find(name_);
    return it == context_.decimal_scales.end() ? kDecimalScale : it->second;
  }

  // Held values in [low, high]; `empty` forces nobody (a bound past the type's range). Few
  // candidates: their own values, read one by one.
  Result<Bitmap> Between(Interval interval, bool empty = false) const {
    if (empty || interval.low > interval.high) return Bitmap();
    if (candidates_.Cardinality() * kPointReadFraction < snapshot_.live().Cardinality()) {
      ASSIGN_OR_RETURN(auto values, engine::NumericValues(snapshot_, name_, candidates_));
      std::vector<uint32_t> kept;
      for (const auto& [index, value] : values) {
        if (value >= interval.low && value <= interval.high) kept.push_back(index);
      }
      Bitmap out;
      out.AddMany(kept);
      return out;
    }
    return engine::AttributeBetween(snapshot_, name_, interval.low, interval.high);
  }

  const engine::Snapshot& snapshot_;
  const EvalContext& context_;
  const std::string name_;
  const AttributeKind kind_;
  const Bitmap& candidates_;
};

}  // namespace

int64_t FloorSeconds(Timestamp t) { return FloorDiv(ToUnixMicros(t), 1'000'000); }
int64_t CeilSeconds(Timestamp t) { return -FloorDiv(-ToUnixMicros(t), 1'000'000); }

SecondsWindow EventWindow(const TimeRange& range, Timestamp now, const BusinessCalendar& calendar) {
  const int64_t after_now = FloorSeconds(now) + 1;  // t <= now
  const Micros days = std::chrono::seconds(range.days * kDaySeconds);
  // The engine holds no event before its epoch: the earliest bound needed.
  const int64_t earliest = engine::kEpochBaseSeconds;
  switch (range.kind) {
    case TimeRange::Kind::kNone:
      return {earliest, after_now};
    case TimeRange::Kind::kLastDays:
      return {CeilSeconds(now - days), after_now};
    case TimeRange::Kind::kBeforeDaysAgo:
      return {earliest, std::min(CeilSeconds(now - days), after_now)};
    case TimeRange::Kind::kBetween:
      return {CeilSeconds(calendar.StartOf(range.from)),
              std::min(CeilSeconds(calendar.StartOf(range.to + 1)), after_now)};
  }
  return {0, 0};
}

Result<Bitmap> AttributeCondition(const Expr& expr, const engine::Snapshot& snapshot,
                                  const EvalContext& context, const Bitmap& candidates) {
  const std::optional<uint32_t> id = snapshot.catalog().FindAttribute(expr.name);
  if (!id) {  // never held: nobody has a value
    return expr.kind == Kind::kIsSet && expr.negated ? snapshot.live() : Bitmap();
  }
  const Attribute attribute(snapshot, context, expr.name, snapshot.catalog().attributes[*id].kind,
                            candidates);
  switch (expr.kind) {
    case Kind::kCompare:
      return attribute.Compare(expr.op, expr.values[0]);
    case Kind::kBetween:
      return attribute.BetweenValues(expr.values[0], expr.values[1]);
    case Kind::kIn:
      return attribute.In(expr.values);
    case Kind::kContains:
      return attribute.Contains(expr.values[0].text);
    case Kind::kIsSet: {
      ASSIGN_OR_RETURN(Bitmap set, attribute.IsSet());
      return expr.negated ? snapshot.live() - set : set;
    }
    case Kind::kRelativeDate:
      return attribute.Relative(expr.range);
    default:
      return InvalidArgumentError(
          fmt::format("{}: not an attribute condition", KindName(expr.kind)));
  }
}

}  // namespace banyan::segment::internal
