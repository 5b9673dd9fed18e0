// Validate and FindProblems: an expression checked against a Catalog.

#include <fmt/format.h>

#include <algorithm>

#include "segment/catalog.h"
#include "segment/internal/number.h"

namespace banyan::segment {
namespace {

constexpr size_t kProblemsMax = 100;

std::string Article(AttributeType type) {
  const std::string_view name = AttributeTypeName(type);
  const bool vowel = name[0] == 'a' || name[0] == 'e' || name[0] == 'i';
  return fmt::format("{} {}", vowel ? "an" : "a", name);
}

std::string Describe(const Value& value) {
  switch (value.type) {
    case ValueType::kString:
      return fmt::format("the string \"{}\"", value.text);
    case ValueType::kNumber:
      return fmt::format("the number {}", value.text);
    case ValueType::kBoolean:
      return value.text;
    case ValueType::kDate:
      return fmt::format("the date {}", value.text);
  }
  return value.text;
}

// The literal type that values of `type` compare with.
ValueType LiteralFor(AttributeType type) {
  switch (type) {
    case AttributeType::kInteger:
    case AttributeType::kDecimal:
      return ValueType::kNumber;
    case AttributeType::kBoolean:
      return ValueType::kBoolean;
    case AttributeType::kDate:
    case AttributeType::kTimestamp:
      return ValueType::kDate;
    default:
      return ValueType::kString;
  }
}

std::string_view LiteralName(ValueType type) {
  static constexpr std::string_view kNames[] = {"a \"string\"", "a number", "true or false",
                                                "a date (YYYY-MM-DD, without quotes)"};
  return kNames[static_cast<int>(type)];
}

bool Ordered(AttributeType type) {
  return type == AttributeType::kInteger || type == AttributeType::kDecimal ||
         type == AttributeType::kDate || type == AttributeType::kTimestamp;
}

class Checker {
 public:
  explicit Checker(const Catalog& catalog) : catalog_(catalog) {}

  void Check(const Expr& expr) {
    switch (expr.kind) {
      case Kind::kAnd:
      case Kind::kOr:
      case Kind::kNot:
        for (const Expr& child : expr.children) Check(child);
        return;
      case Kind::kCompare:
      case Kind::kBetween:
      case Kind::kIn:
      case Kind::kContains:
      case Kind::kIsSet:
      case Kind::kRelativeDate: {
        const auto it = catalog_.attributes.find(expr.name);
        if (it == catalog_.attributes.end()) {
          return Add(expr, fmt::format("unknown attribute \"{}\"", expr.name));
        }
        return CheckTyped(expr, "", it->second.type, it->second.enum_values);
      }
      case Kind::kDid:
      case Kind::kSequence:
      case Kind::kFirstTime:
      case Kind::kLastTime:
      case Kind::kAggregate:
        return CheckBehaviour(expr);
      default:
        return CheckNamed(expr);
    }
  }

  std::vector<Problem> TakeProblems() { return std::move(problems_); }

 private:
  void Add(const Expr& at, std::string message) { Add(at.origin, std::move(message)); }
  void Add(const Origin& at, std::string message) {
    if (problems_.size() < kProblemsMax) problems_.push_back({at, std::move(message)});
  }

  // A condition on an attribute or (`what` = "property of EVENT") an event property.
  void CheckTyped(const Expr& expr, std::string_view what, AttributeType type,
                  const std::vector<std::string>& enum_values) {
    const std::string subject = fmt::format("{}{} is {}", expr.name, what, Article(type));
    if (expr.kind == Kind::kIsSet) return;
    if (expr.kind == Kind::kContains) {
      if (type != AttributeType::kString && type != AttributeType::kStringList) {
        Add(expr, subject + ": contains takes a string or a string list");
      }
      return;
    }
    if (expr.kind == Kind::kRelativeDate) {
      if (type != AttributeType::kDate && type != AttributeType::kTimestamp) {
        Add(expr, subject + ": within/before N days take a date or a timestamp");
      }
      return;
    }
    if (type == AttributeType::kStringList) {
      return Add(expr, subject + ": use contains or is set");
    }
    const bool ordering =
        expr.kind == Kind::kBetween ||
        (expr.kind == Kind::kCompare && expr.op != CompareOp::kEq && expr.op != CompareOp::kNe);
    if (ordering && !Ordered(type)) {
      return Add(expr, subject + ": it takes =, != and in, not an ordering");
    }
    if (expr.kind == Kind::kIn && type == AttributeType::kBoolean) {
      return Add(expr, subject + ": compare it with = true or = false");
    }
    const ValueType want = LiteralFor(type);
    for (const Value& value : expr.values) {
      if (value.type != want) {
        return Add(expr, fmt::format("{}: expected {}, found {}", subject, LiteralName(want),
                                     Describe(value)));
      }
      if (type == AttributeType::kEnum &&
          std::find(enum_values.begin(), enum_values.end(), value.text) == enum_values.end()) {
        std::string all;
        for (const std::string& v : enum_values) all += (all.empty() ? "" : ", ") + v;
        return Add(expr, fmt::format("{}: \"{}\" is not one of {}", subject, value.text, all));
      }
    }
    if (expr.kind == Kind::kBetween && IsAbove(expr.values[0], expr.values[1])) {
      Add(expr, fmt::format("{} between {} and {} is empty: the first bound is above the second",
                            expr.name, expr.values[0].text, expr.values[1].text));
    }
  }

  static bool IsAbove(const Value& low, const Value& high) {
    if (low.type == ValueType::kNumber) {
      return internal::ParseMicros(low.text) > internal::ParseMicros(high.text);
    }
    return low.type == ValueType::kDate && low.text > high.text;
  }

  void CheckWhere(const Expr& where, const std::string& event, const EventInfo& info) {
    if (where.kind == Kind::kAnd || where.kind == Kind::kOr || where.kind == Kind::kNot) {
      for (const Expr& child : where.children) CheckWhere(child, event, info);
      return;
    }
    if (info.properties.empty()) return;  // undeclared properties: any name goes
    const auto it = info.properties.find(where.name);
    if (it == info.properties.end()) {
      return Add(where, fmt::format("event \"{}\" has no property \"{}\"", event, where.name));
    }
    CheckTyped(where, fmt::format(" (a property of {})", event), it->second, {});
  }

  void CheckBehaviour(const Expr& expr) {
    for (const EventStep& step : expr.steps) {
      const auto it = catalog_.events.find(step.event);
      if (it == catalog_.events.end()) {
        Add(step.origin, fmt::format("unknown event \"{}\"", step.event));
        continue;
      }
      if (!step.channel.empty() && !catalog_.event_channels.contains(step.channel)) {
        Add(step.origin, fmt::format("unknown channel \"{}\"", step.channel));
      }
      for (const Expr& where : step.where) CheckWhere(where, step.event, it->second);
      if (expr.kind == Kind::kAggregate && !expr.property.empty()) {
        CheckAggregated(expr, step.event, it->second);
      }
    }
  }

  void CheckAggregated(const Expr& expr, const std::string& event, const EventInfo& info) {
    if (info.properties.empty()) return;
    const auto it = info.properties.find(expr.property);
    if (it == info.properties.end()) {
      return Add(expr, fmt::format("event \"{}\" has no property \"{}\"", event, expr.property));
    }
    if (it->second != AttributeType::kInteger && it->second != AttributeType::kDecimal) {
      Add(expr, fmt::format("{}.{} is {}: {} takes a number", event, expr.property,
                            Article(it->second), AggregateName(expr.aggregate)));
    }
  }

  void CheckNamed(const Expr& expr) {
    switch (expr.kind) {
      case Kind::kTag: {
        const auto it = catalog_.tags.find(expr.name);
        if (it == catalog_.tags.end())
          return Add(expr, fmt::format("unknown tag \"{}\"", expr.name));
        const std::vector<std::string>& values = it->second.values;
        if (expr.values.empty()) return;
        if (values.empty()) {
          return Add(expr, fmt::format("tag \"{}\" has no values: write has tag \"{}\"", expr.name,
                                       expr.name));
        }
        if (std::find(values.begin(), values.end(), expr.values[0].text) == values.end()) {
          Add(expr, fmt::format("tag \"{}\" has no value \"{}\"", expr.name, expr.values[0].text));
        }
        return;
      }
      case Kind::kSegment:
        if (!catalog_.segments.contains(expr.name)) {
          Add(expr, fmt::format("unknown segment \"{}\"", expr.name));
        }
        return;
      case Kind::kNearBranch:
        if (!catalog_.branches.contains(expr.name)) {
          Add(expr, fmt::format("unknown branch \"{}\"", expr.name));
        }
        return;
      default:  // kConsent
        if (!catalog_.consent_purposes.contains(expr.name)) {
          Add(expr, fmt::format("unknown consent purpose \"{}\"", expr.name));
        } else if (!catalog_.consent_channels.contains(expr.channel)) {
          Add(expr, fmt::format("unknown consent channel \"{}\"", expr.channel));
        }
        return;
    }
  }

  const Catalog& catalog_;
  std::vector<Problem> problems_;
};

}  // namespace

std::vector<Problem> FindProblems(const Expr& expr, const Catalog& catalog) {
  Checker checker(catalog);
  checker.Check(expr);
  return checker.TakeProblems();
}

Status Validate(const Expr& expr, const Catalog& catalog) {
  const std::vector<Problem> problems = FindProblems(expr, catalog);
  if (problems.empty()) return Status::Ok();
  return InvalidArgumentError(problems[0].ToString());
}

}  // namespace banyan::segment
