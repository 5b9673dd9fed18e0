// The JSON form: ToJson and the validating FromJson. Node shapes are documented in
// docs/segments.md ("The JSON tree").

#include <fmt/format.h>

#include "segment/ast.h"

namespace banyan::segment {
namespace {

// ---- writing ----

Json ValueJson(const Value& value) {
  switch (value.type) {
    case ValueType::kString:
      return value.text;
    case ValueType::kNumber: {
      // Canonical numbers have at most 15 significant digits, which a double holds exactly
      // enough that its shortest text is the number again.
      if (value.text.find('.') == std::string::npos) return std::stoll(value.text);
      return Json::parse(value.text);
    }
    case ValueType::kBoolean:
      return value.text == "true";
    case ValueType::kDate:
      return Json{{"date", value.text}};
  }
  return nullptr;
}

Json RangeJson(const TimeRange& range) {
  switch (range.kind) {
    case TimeRange::Kind::kLastDays:
      return {{"kind", "last_days"}, {"days", range.days}};
    case TimeRange::Kind::kBeforeDaysAgo:
      return {{"kind", "before_days_ago"}, {"days", range.days}};
    case TimeRange::Kind::kBetween:
      return {{"kind", "between"}, {"from", FormatDate(range.from)}, {"to", FormatDate(range.to)}};
    case TimeRange::Kind::kNone:
      break;
  }
  return nullptr;
}

constexpr std::string_view kTimesNames[] = {"at_least", "at_most", "exactly"};

Json NodeJson(const Expr& expr, bool in_where);

void PutStep(const EventStep& step, Json& out) {
  out["event"] = step.event;
  if (!step.channel.empty()) out["channel"] = step.channel;
  if (!step.where.empty()) out["where"] = NodeJson(step.where[0], true);
}

void PutBehaviour(const Expr& expr, Json& out) {
  if (expr.kind == Kind::kDid || expr.kind == Kind::kSequence) out["negated"] = expr.negated;
  if (expr.kind == Kind::kSequence) {
    out["steps"] = Json::array();
    for (const EventStep& step : expr.steps) {
      Json s = Json::object();
      PutStep(step, s);
      out["steps"].push_back(std::move(s));
    }
    if (expr.within_days > 0) out["within_days"] = expr.within_days;
  } else {
    PutStep(expr.steps[0], out);
  }
  if (expr.kind == Kind::kDid) {
    out["times"] = {{"kind", kTimesNames[static_cast<int>(expr.times.kind)]}, {"n", expr.times.n}};
  }
  if (expr.kind == Kind::kAggregate) {
    out["function"] = AggregateName(expr.aggregate);
    if (!expr.property.empty()) out["property"] = expr.property;
    out["op"] = CompareOpText(expr.op);
    out["value"] = ValueJson(expr.values[0]);
  }
  if (expr.range.kind != TimeRange::Kind::kNone) out["window"] = RangeJson(expr.range);
}

// compare, between, in, contains, is_set, relative_date: on an attribute, or in a where clause
// on a property.
void PutSubject(const Expr& expr, bool in_where, Json& out) {
  out[in_where ? "property" : "attribute"] = expr.name;
  switch (expr.kind) {
    case Kind::kCompare:
      out["op"] = CompareOpText(expr.op);
      out["value"] = ValueJson(expr.values[0]);
      break;
    case Kind::kBetween:
      out["low"] = ValueJson(expr.values[0]);
      out["high"] = ValueJson(expr.values[1]);
      break;
    case Kind::kIn:
      out["values"] = Json::array();
      for (const Value& v : expr.values) out["values"].push_back(ValueJson(v));
      break;
    case Kind::kContains:
      out["value"] = ValueJson(expr.values[0]);
      break;
    case Kind::kIsSet:
      out["set"] = !expr.negated;
      break;
    default:  // kRelativeDate
      out["window"] = RangeJson(expr.range);
      break;
  }
}

Json NodeJson(const Expr& expr, bool in_where) {
  Json out = {{"kind", KindName(expr.kind)}};
  switch (expr.kind) {
    case Kind::kAnd:
    case Kind::kOr:
      out["conditions"] = Json::array();
      for (const Expr& child : expr.children)
        out["conditions"].push_back(NodeJson(child, in_where));
      break;
    case Kind::kNot:
      out["condition"] = NodeJson(expr.children[0], in_where);
      break;
    case Kind::kTag:
      out["tag"] = expr.name;
      if (!expr.values.empty()) out["value"] = expr.values[0].text;
      break;
    case Kind::kSegment:
      out["segment"] = expr.name;
      break;
    case Kind::kDid:
    case Kind::kSequence:
    case Kind::kFirstTime:
    case Kind::kLastTime:
    case Kind::kAggregate:
      PutBehaviour(expr, out);
      break;
    case Kind::kNearBranch:
      out["branch"] = expr.name;
      out["distance"] = ValueJson(expr.values[0]);
      out["unit"] = expr.unit == DistanceUnit::kKilometers ? "km" : "m";
      out["from"] = expr.source == LocationSource::kHome ? "home" : "last_event";
      break;
    case Kind::kConsent:
      out["purpose"] = expr.name;
      out["channel"] = expr.channel;
      break;
    default:
      PutSubject(expr, in_where, out);
      break;
  }
  return out;
}

}  // namespace

Json ToJson(const Expr& expr) { return NodeJson(expr, false); }

}  // namespace banyan::segment
