// Names of the tree's parts and the canonical text form (ToText).

#include "segment/ast.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace banyan::segment {
namespace {

// Words a bare name may not be: those that start a condition, join conditions or follow a
// name, so that a parser that meets them knows what comes next.
constexpr std::array<std::string_view, 23> kReserved = {
    "and",   "or",  "not", "did",     "has",     "in",     "first",     "last",
    "count", "sum", "avg", "min",     "max",     "within", "consented", "then",
    "where", "via", "at",  "exactly", "between", "true",   "false"};

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

std::string Name(std::string_view name) {
  return IsBareName(name) ? std::string(name) : Quote(name);
}

std::string ValueText(const Value& value) {
  return value.type == ValueType::kString ? Quote(value.text) : value.text;
}

std::string Days(int64_t n) { return fmt::format("{} {}", n, n == 1 ? "day" : "days"); }

std::string WindowText(const TimeRange& range) {
  switch (range.kind) {
    case TimeRange::Kind::kLastDays:
      return " in last " + Days(range.days);
    case TimeRange::Kind::kBetween:
      return fmt::format(" between {} and {}", FormatDate(range.from), FormatDate(range.to));
    case TimeRange::Kind::kBeforeDaysAgo:
      return fmt::format(" before {} ago", Days(range.days));
    case TimeRange::Kind::kNone:
      break;
  }
  return "";
}

// For first/last time and attributes, "within N days" reads better than "in last N days".
std::string WhenText(const TimeRange& range) {
  if (range.kind == TimeRange::Kind::kLastDays) return " within " + Days(range.days);
  return WindowText(range);
}

std::string Text(const Expr& expr);

// A step's where clause is a chain of `and`s that stops at the first word that is not `and`,
// so an `or` at its top needs parentheses.
std::string StepText(const EventStep& step) {
  std::string out = Name(step.event);
  if (!step.channel.empty()) out += " via " + Name(step.channel);
  if (!step.where.empty()) {
    const std::string where = Text(step.where[0]);
    const bool wrap = step.where[0].kind == Kind::kOr;
    out += " where " + (wrap ? "(" + where + ")" : where);
  }
  return out;
}

// True when the text of `expr` ends in a where clause that a following `and` would extend.
bool EndsInWhere(const Expr& expr) {
  switch (expr.kind) {
    case Kind::kNot:
      return EndsInWhere(expr.children[0]);
    case Kind::kDid:
    case Kind::kSequence:
      return !expr.steps.back().where.empty() && expr.times == Times{} &&
             expr.range.kind == TimeRange::Kind::kNone && expr.within_days == 0;
    default:
      return false;
  }
}

std::string Joined(const Expr& expr, std::string_view joiner) {
  std::string out;
  for (size_t i = 0; i < expr.children.size(); ++i) {
    const Expr& child = expr.children[i];
    const bool last = i + 1 == expr.children.size();
    bool wrap = child.kind == expr.kind;  // (a and b) and c keeps its shape
    if (expr.kind == Kind::kAnd)
      wrap = wrap || child.kind == Kind::kOr || (!last && EndsInWhere(child));
    if (i > 0) out += joiner;
    out += wrap ? "(" + Text(child) + ")" : Text(child);
  }
  return out;
}

std::string TimesText(const Times& times) {
  if (times == Times{}) return "";
  static constexpr std::string_view kWords[] = {"at least", "at most", "exactly"};
  return fmt::format(" {} {} {}", kWords[static_cast<int>(times.kind)], times.n,
                     times.n == 1 ? "time" : "times");
}

std::string BehaviourText(const Expr& expr) {
  std::string out = expr.negated ? "did not " : "did ";
  for (size_t i = 0; i < expr.steps.size(); ++i) {
    if (i > 0) out += " then ";
    out += StepText(expr.steps[i]);
  }
  if (expr.within_days > 0) out += " within " + Days(expr.within_days);
  return out + TimesText(expr.times) + WindowText(expr.range);
}

std::string AggregateText(const Expr& expr) {
  const EventStep& step = expr.steps[0];
  std::string inside = Name(step.event);
  if (!expr.property.empty()) inside += "." + Name(expr.property);
  if (!step.channel.empty()) inside += " via " + Name(step.channel);
  // Inside the parentheses the where clause may be an `or` without its own parentheses.
  if (!step.where.empty()) inside += " where " + Text(step.where[0]);
  return fmt::format("{}({}){} {} {}", AggregateName(expr.aggregate), inside,
                     WindowText(expr.range), CompareOpText(expr.op), expr.values[0].text);
}

std::string ListText(const std::vector<Value>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i > 0 ? ", " : "") + ValueText(values[i]);
  return out + ")";
}

std::string Text(const Expr& expr) {
  switch (expr.kind) {
    case Kind::kAnd:
      return Joined(expr, " and ");
    case Kind::kOr:
      return Joined(expr, " or ");
    case Kind::kNot: {
      const Expr& child = expr.children[0];
      const bool wrap = child.kind == Kind::kAnd || child.kind == Kind::kOr;
      return "not " + (wrap ? "(" + Text(child) + ")" : Text(child));
    }
    case Kind::kCompare:
      return fmt::format("{} {} {}", Name(expr.name), CompareOpText(expr.op),
                         ValueText(expr.values[0]));
    case Kind::kBetween:
      return fmt::format("{} between {} and {}", Name(expr.name), ValueText(expr.values[0]),
                         ValueText(expr.values[1]));
    case Kind::kIn:
      return Name(expr.name) + " in " + ListText(expr.values);
    case Kind::kContains:
      return Name(expr.name) + " contains " + ValueText(expr.values[0]);
    case Kind::kIsSet:
      return Name(expr.name) + (expr.negated ? " is not set" : " is set");
    case Kind::kRelativeDate:
      return Name(expr.name) + WhenText(expr.range);
    case Kind::kTag:
      return "has tag " + Name(expr.name) +
             (expr.values.empty() ? "" : " = " + ValueText(expr.values[0]));
    case Kind::kSegment:
      return "in segment " + Name(expr.name);
    case Kind::kDid:
    case Kind::kSequence:
      return BehaviourText(expr);
    case Kind::kFirstTime:
    case Kind::kLastTime:
      return fmt::format("{} time did {}{}", expr.kind == Kind::kFirstTime ? "first" : "last",
                         StepText(expr.steps[0]), WhenText(expr.range));
    case Kind::kAggregate:
      return AggregateText(expr);
    case Kind::kNearBranch:
      return fmt::format("within {} {} of branch {} from {}", expr.values[0].text,
                         expr.unit == DistanceUnit::kKilometers ? "km" : "m", Name(expr.name),
                         expr.source == LocationSource::kHome ? "home" : "last event location");
    case Kind::kConsent:
      return "consented to " + Name(expr.name) +
             (expr.channel == "all" ? "" : " via " + Name(expr.channel));
  }
  return "";
}

}  // namespace

std::string Origin::ToString() const {
  if (line > 0) return fmt::format("{}:{}", line, column);
  return path;
}

std::string_view CompareOpText(CompareOp op) {
  static constexpr std::string_view kText[] = {"=", "!=", "<", "<=", ">", ">="};
  return kText[static_cast<int>(op)];
}

bool HoldsFor(int order, CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return order == 0;
    case CompareOp::kNe:
      return order != 0;
    case CompareOp::kLt:
      return order < 0;
    case CompareOp::kLe:
      return order <= 0;
    case CompareOp::kGt:
      return order > 0;
    case CompareOp::kGe:
      return order >= 0;
  }
  return false;
}

std::string_view AggregateName(Aggregate a) {
  static constexpr std::string_view kNames[] = {"count", "sum", "avg", "min", "max"};
  return kNames[static_cast<int>(a)];
}

std::string_view KindName(Kind kind) {
  static constexpr std::string_view kNames[] = {
      "and",      "or",         "not",           "compare",   "between",     "in",
      "contains", "is_set",     "relative_date", "tag",       "segment",     "did",
      "sequence", "first_time", "last_time",     "aggregate", "near_branch", "consent"};
  return kNames[static_cast<int>(kind)];
}

bool IsBareName(std::string_view name) {
  if (name.empty()) return false;
  std::string lower;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
    lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  for (std::string_view word : kReserved) {
    if (lower == word) return false;
  }
  return true;
}

std::string ToText(const Expr& expr) { return Text(expr); }

int Depth(const Expr& expr) {
  int depth = 0;
  for (const Expr& child : expr.children) depth = std::max(depth, 1 + Depth(child));
  for (const EventStep& step : expr.steps) {
    for (const Expr& where : step.where) depth = std::max(depth, 1 + Depth(where));
  }
  return depth;
}

size_t ConditionCount(const Expr& expr) {
  size_t count = 0;
  for (const Expr& child : expr.children) count += ConditionCount(child);
  for (const EventStep& step : expr.steps) {
    for (const Expr& where : step.where) count += ConditionCount(where);
  }
  const bool leaf = expr.kind != Kind::kAnd && expr.kind != Kind::kOr && expr.kind != Kind::kNot;
  return count + (leaf ? 1 : 0);
}

Status CheckSize(const Expr& expr) {
  if (Depth(expr) > kDepthMax) {
    return InvalidArgumentError(
        fmt::format("conditions nest deeper than {} levels (the limit)", kDepthMax));
  }
  if (ConditionCount(expr) > kConditionsMax) {
    return InvalidArgumentError(fmt::format("more than {} conditions (the limit)", kConditionsMax));
  }
  return Status::Ok();
}

}  // namespace banyan::segment
