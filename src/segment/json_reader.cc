// FromJson: reads and validates the JSON form. Every error names the member by its path in
// the message ("conditions[2].window.days: expected a positive integer") and by JSON pointer in
// Status::field ("/conditions/2/window/days").

#include <fmt/format.h>

#include <initializer_list>

#include "segment/ast.h"
#include "segment/internal/lexer.h"
#include "segment/internal/number.h"

namespace banyan::segment {
namespace {

struct Path {
  std::string dotted;
  std::string pointer;

  Path Member(std::string_view key) const {
    return {dotted.empty() ? std::string(key) : fmt::format("{}.{}", dotted, key),
            JsonPointer(pointer, key)};
  }
  Path Index(size_t i) const { return {fmt::format("{}[{}]", dotted, i), JsonPointer(pointer, i)}; }
};

Status Error(const Path& path, std::string_view what) {
  const std::string where = path.dotted.empty() ? "" : path.dotted + ": ";
  return InvalidArgumentError(where + std::string(what), path.pointer);
}

// One JSON object being read: its members by name, with the path of each.
class Object {
 public:
  static Result<Object> Open(const Json& json, const Path& path) {
    if (!json.is_object()) return Error(path, "expected a JSON object");
    return Object(json, path);
  }

  const Path& path() const { return path_; }
  Path PathOf(std::string_view key) const { return path_.Member(key); }
  bool Has(std::string_view key) const { return json_->contains(key); }
  const Json& Get(std::string_view key) const { return json_->at(key); }

  Status Allow(std::initializer_list<std::string_view> keys) const {
    for (const auto& [key, value] : json_->items()) {
      bool known = key == "kind";
      for (std::string_view k : keys) known = known || key == k;
      if (!known) return Error(PathOf(key), "unknown member for this kind of node");
    }
    return Status::Ok();
  }

  Result<std::string> String(std::string_view key, size_t bytes_max) const {
    if (!Has(key)) return Error(PathOf(key), "is required");
    const Json& v = Get(key);
    if (!v.is_string()) return Error(PathOf(key), "expected a string");
    const std::string& s = v.get_ref<const std::string&>();
    if (s.empty()) return Error(PathOf(key), "cannot be empty");
    if (s.size() > bytes_max) {
      return Error(PathOf(key), fmt::format("longer than {} bytes (the limit)", bytes_max));
    }
    if (!internal::IsValidUtf8(s)) return Error(PathOf(key), "is not valid UTF-8");
    return s;
  }
  Result<std::string> Name(std::string_view key) const { return String(key, kNameBytesMax); }

  Result<int64_t> Integer(std::string_view key, int64_t min, int64_t max) const {
    if (!Has(key)) return Error(PathOf(key), "is required");
    const Json& v = Get(key);
    const bool integer = v.is_number_integer();
    const int64_t n =
        integer ? (v.is_number_unsigned() && v.get<uint64_t>() > INT64_MAX ? INT64_MAX
                                                                           : v.get<int64_t>())
                : 0;
    if (!integer || n < min) {
      return Error(PathOf(key), min == 1   ? "expected a positive integer"
                                : min == 0 ? "expected an integer of 0 or more"
                                           : "expected an integer");
    }
    if (n > max) return Error(PathOf(key), fmt::format("expected at most {}", max));
    return n;
  }

  Result<bool> Bool(std::string_view key, bool fallback) const {
    if (!Has(key)) return fallback;
    if (!Get(key).is_boolean()) return Error(PathOf(key), "expected true or false");
    return Get(key).get<bool>();
  }

 private:
  Object(const Json& json, Path path) : json_(&json), path_(std::move(path)) {}
  const Json* json_;
  Path path_;
};

Result<Value> ReadValue(const Json& v, const Path& path) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s.size() > kStringBytesMax) return Error(path, "a string longer than the limit");
    if (!internal::IsValidUtf8(s)) return Error(path, "is not valid UTF-8");
    return Value::String(s);
  }
  if (v.is_boolean()) return Value::Boolean(v.get<bool>());
  if (v.is_number()) {
    Result<std::string> canonical = internal::CanonicalNumber(v.dump());
    if (!canonical.ok()) return Error(path, "expected a decimal number (at most 15 digits)");
    return Value::Number(*canonical);
  }
  if (v.is_object() && v.size() == 1 && v.contains("date") && v["date"].is_string()) {
    const std::string& text = v["date"].get_ref<const std::string&>();
    Result<CivilDay> day = ParseDate(text);
    if (!day.ok() || FormatDate(*day) != text) {
      return Error(path.Member("date"), "expected a date YYYY-MM-DD");
    }
    return Value::Date(*day);
  }
  return Error(path,
               "expected a value: a string, a number, true, false or {\"date\": \"YYYY-MM-DD\"}");
}

Result<CompareOp> ReadOp(const Object& o) {
  ASSIGN_OR_RETURN(const std::string op, o.String("op", 2));
  for (CompareOp c : {CompareOp::kEq, CompareOp::kNe, CompareOp::kLt, CompareOp::kLe,
                      CompareOp::kGt, CompareOp::kGe}) {
    if (CompareOpText(c) == op) return c;
  }
  return Error(o.PathOf("op"), "expected one of =, !=, <, <=, >, >=");
}

// `allowed` lists the range kinds this node takes.
Result<TimeRange> ReadRange(const Object& parent, std::string_view key,
                            std::initializer_list<TimeRange::Kind> allowed) {
  ASSIGN_OR_RETURN(const Object o, Object::Open(parent.Get(key), parent.PathOf(key)));
  ASSIGN_OR_RETURN(const std::string kind, o.Name("kind"));
  TimeRange range;
  if (kind == "last_days") {
    range.kind = TimeRange::Kind::kLastDays;
  } else if (kind == "before_days_ago") {
    range.kind = TimeRange::Kind::kBeforeDaysAgo;
  } else if (kind == "between") {
    range.kind = TimeRange::Kind::kBetween;
  }
  std::string names;
  bool ok = false;
  for (TimeRange::Kind k : allowed) {
    ok = ok || k == range.kind;
    static constexpr std::string_view kNames[] = {"", "last_days", "before_days_ago", "between"};
    names += (names.empty() ? "" : ", ") + std::string(kNames[static_cast<int>(k)]);
  }
  if (!ok) return Error(o.PathOf("kind"), "expected one of " + names);
  if (range.kind == TimeRange::Kind::kBetween) {
    RETURN_IF_ERROR(o.Allow({"from", "to"}));
    for (auto [member, day] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
      ASSIGN_OR_RETURN(const std::string text, o.String(member, 10));
      Result<CivilDay> parsed = ParseDate(text);
      if (!parsed.ok() || FormatDate(*parsed) != text) {
        return Error(o.PathOf(member), "expected a date YYYY-MM-DD");
      }
      *day = *parsed;
    }
    if (range.to < range.from) return Error(o.PathOf("to"), "the window ends before it starts");
    return range;
  }
  RETURN_IF_ERROR(o.Allow({"days"}));
  const int64_t min = range.kind == TimeRange::Kind::kLastDays ? 1 : 0;
  ASSIGN_OR_RETURN(range.days, o.Integer("days", min, kDaysMax));
  return range;
}

class Reader {
 public:
  Result<Expr> Node(const Json& json, const Path& path, bool in_where, int depth);

 private:
  Status Attribute(const Object& o, Kind kind, bool in_where, Expr& expr);
  Status Behaviour(const Object& o, Kind kind, int depth, Expr& expr);
  Status ReadAggregate(const Object& o, int depth, Expr& expr);
  Result<EventStep> Step(const Object& o, int depth);
  Status Other(const Object& o, Kind kind, Expr& expr);
};

Result<Kind> ReadKind(const Object& o, bool in_where) {
  ASSIGN_OR_RETURN(const std::string name, o.Name("kind"));
  for (int k = 0; k <= static_cast<int>(Kind::kConsent); ++k) {
    if (KindName(static_cast<Kind>(k)) != name) continue;
    const Kind kind = static_cast<Kind>(k);
    if (in_where && kind > Kind::kIsSet) {
      return Error(o.PathOf("kind"),
                   "a where clause takes and, or, not, compare, between, in, "
                   "contains and is_set");
    }
    return kind;
  }
  return Error(o.PathOf("kind"), fmt::format("unknown kind \"{}\"", name));
}

Result<Expr> Reader::Node(const Json& json, const Path& path, bool in_where, int depth) {
  if (depth > kDepthMax) {
    return Error(path, fmt::format("conditions nest deeper than {} levels (the limit)", kDepthMax));
  }
  ASSIGN_OR_RETURN(const Object o, Object::Open(json, path));
  ASSIGN_OR_RETURN(const Kind kind, ReadKind(o, in_where));
  Expr expr = Expr::Of(kind, Origin{0, 0, path.dotted});
  if (kind == Kind::kAnd || kind == Kind::kOr) {
    RETURN_IF_ERROR(o.Allow({"conditions"}));
    if (!o.Has("conditions") || !o.Get("conditions").is_array() || o.Get("conditions").size() < 2) {
      return Error(o.PathOf("conditions"), "expected an array of at least 2 conditions");
    }
    const Json& list = o.Get("conditions");
    for (size_t i = 0; i < list.size(); ++i) {
      ASSIGN_OR_RETURN(Expr child,
                       Node(list[i], o.PathOf("conditions").Index(i), in_where, depth + 1));
      expr.children.push_back(std::move(child));
    }
    return expr;
  }
  if (kind == Kind::kNot) {
    RETURN_IF_ERROR(o.Allow({"condition"}));
    if (!o.Has("condition")) return Error(o.PathOf("condition"), "is required");
    ASSIGN_OR_RETURN(Expr child,
                     Node(o.Get("condition"), o.PathOf("condition"), in_where, depth + 1));
    expr.children.push_back(std::move(child));
    return expr;
  }
  if (kind <= Kind::kRelativeDate) {
    RETURN_IF_ERROR(Attribute(o, kind, in_where, expr));
  } else if (kind >= Kind::kDid && kind <= Kind::kAggregate) {
    RETURN_IF_ERROR(Behaviour(o, kind, depth, expr));
  } else {
    RETURN_IF_ERROR(Other(o, kind, expr));
  }
  return expr;
}

Status Reader::Attribute(const Object& o, Kind kind, bool in_where, Expr& expr) {
  const char* subject = in_where ? "property" : "attribute";
  ASSIGN_OR_RETURN(expr.name, o.Name(subject));
  switch (kind) {
    case Kind::kCompare: {
      RETURN_IF_ERROR(o.Allow({subject, "op", "value"}));
      ASSIGN_OR_RETURN(expr.op, ReadOp(o));
      if (!o.Has("value")) return Error(o.PathOf("value"), "is required");
      ASSIGN_OR_RETURN(Value v, ReadValue(o.Get("value"), o.PathOf("value")));
      expr.values.push_back(std::move(v));
      return Status::Ok();
    }
    case Kind::kBetween:
      RETURN_IF_ERROR(o.Allow({subject, "low", "high"}));
      for (const char* member : {"low", "high"}) {
        if (!o.Has(member)) return Error(o.PathOf(member), "is required");
        ASSIGN_OR_RETURN(Value v, ReadValue(o.Get(member), o.PathOf(member)));
        expr.values.push_back(std::move(v));
      }
      return Status::Ok();
    case Kind::kIn: {
      RETURN_IF_ERROR(o.Allow({subject, "values"}));
      if (!o.Has("values") || !o.Get("values").is_array() || o.Get("values").empty()) {
        return Error(o.PathOf("values"), "expected an array of at least one value");
      }
      const Json& list = o.Get("values");
      if (list.size() > kListItemsMax) {
        return Error(o.PathOf("values"),
                     fmt::format("more than {} values (the limit)", kListItemsMax));
      }
      for (size_t i = 0; i < list.size(); ++i) {
        ASSIGN_OR_RETURN(Value v, ReadValue(list[i], o.PathOf("values").Index(i)));
        expr.values.push_back(std::move(v));
      }
      return Status::Ok();
    }
    case Kind::kContains: {
      RETURN_IF_ERROR(o.Allow({subject, "value"}));
      ASSIGN_OR_RETURN(std::string text, o.String("value", kStringBytesMax));
      expr.values.push_back(Value::String(std::move(text)));
      return Status::Ok();
    }
    case Kind::kIsSet: {
      RETURN_IF_ERROR(o.Allow({subject, "set"}));
      ASSIGN_OR_RETURN(const bool set, o.Bool("set", true));
      expr.negated = !set;
      return Status::Ok();
    }
    default: {  // kRelativeDate
      RETURN_IF_ERROR(o.Allow({subject, "window"}));
      if (!o.Has("window")) return Error(o.PathOf("window"), "is required");
      ASSIGN_OR_RETURN(
          expr.range,
          ReadRange(o, "window", {TimeRange::Kind::kLastDays, TimeRange::Kind::kBeforeDaysAgo}));
      return Status::Ok();
    }
  }
}

Result<EventStep> Reader::Step(const Object& o, int depth) {
  EventStep step;
  step.origin.path = o.PathOf("event").dotted;
  ASSIGN_OR_RETURN(step.event, o.Name("event"));
  if (o.Has("channel")) {
    ASSIGN_OR_RETURN(step.channel, o.Name("channel"));
  }
  if (o.Has("where")) {
    ASSIGN_OR_RETURN(Expr where, Node(o.Get("where"), o.PathOf("where"), true, depth + 1));
    step.where.push_back(std::move(where));
  }
  return step;
}

Status Reader::Behaviour(const Object& o, Kind kind, int depth, Expr& expr) {
  using R = TimeRange::Kind;
  if (kind == Kind::kAggregate) return ReadAggregate(o, depth, expr);
  if (kind == Kind::kSequence) {
    RETURN_IF_ERROR(o.Allow({"negated", "steps", "within_days", "window"}));
    const Path steps_path = o.PathOf("steps");
    if (!o.Has("steps") || !o.Get("steps").is_array() || o.Get("steps").size() < 2 ||
        o.Get("steps").size() > kStepsMax) {
      return Error(steps_path, fmt::format("expected an array of 2 to {} steps", kStepsMax));
    }
    for (size_t i = 0; i < o.Get("steps").size(); ++i) {
      ASSIGN_OR_RETURN(const Object s, Object::Open(o.Get("steps")[i], steps_path.Index(i)));
      RETURN_IF_ERROR(s.Allow({"event", "channel", "where"}));
      ASSIGN_OR_RETURN(EventStep step, Step(s, depth));
      expr.steps.push_back(std::move(step));
    }
    if (o.Has("within_days")) {
      ASSIGN_OR_RETURN(expr.within_days, o.Integer("within_days", 1, kDaysMax));
    }
  } else {
    if (kind == Kind::kDid) {
      RETURN_IF_ERROR(o.Allow({"negated", "event", "channel", "where", "times", "window"}));
    } else {
      RETURN_IF_ERROR(o.Allow({"event", "channel", "where", "window"}));
    }
    ASSIGN_OR_RETURN(EventStep step, Step(o, depth));
    expr.steps.push_back(std::move(step));
  }
  if (kind == Kind::kDid || kind == Kind::kSequence) {
    ASSIGN_OR_RETURN(expr.negated, o.Bool("negated", false));
  }
  if (kind == Kind::kDid && o.Has("times")) {
    ASSIGN_OR_RETURN(const Object t, Object::Open(o.Get("times"), o.PathOf("times")));
    RETURN_IF_ERROR(t.Allow({"n"}));
    ASSIGN_OR_RETURN(const std::string name, t.Name("kind"));
    if (name == "at_least") {
      expr.times.kind = Times::Kind::kAtLeast;
    } else if (name == "at_most") {
      expr.times.kind = Times::Kind::kAtMost;
    } else if (name == "exactly") {
      expr.times.kind = Times::Kind::kExactly;
    } else {
      return Error(t.PathOf("kind"), "expected one of at_least, at_most, exactly");
    }
    const int64_t min = expr.times.kind == Times::Kind::kAtLeast ? 1 : 0;
    ASSIGN_OR_RETURN(expr.times.n, t.Integer("n", min, kTimesMax));
  }
  const bool first_last = kind == Kind::kFirstTime || kind == Kind::kLastTime;
  if (first_last && !o.Has("window")) return Error(o.PathOf("window"), "is required");
  if (o.Has("window")) {
    if (first_last) {
      ASSIGN_OR_RETURN(expr.range,
                       ReadRange(o, "window", {R::kLastDays, R::kBeforeDaysAgo, R::kBetween}));
    } else {
      ASSIGN_OR_RETURN(expr.range, ReadRange(o, "window", {R::kLastDays, R::kBetween}));
    }
  }
  return Status::Ok();
}

Status Reader::ReadAggregate(const Object& o, int depth, Expr& expr) {
  RETURN_IF_ERROR(
      o.Allow({"function", "event", "property", "channel", "where", "window", "op", "value"}));
  ASSIGN_OR_RETURN(const std::string function, o.Name("function"));
  bool known = false;
  for (Aggregate a :
       {Aggregate::kCount, Aggregate::kSum, Aggregate::kAvg, Aggregate::kMin, Aggregate::kMax}) {
    if (AggregateName(a) == function) {
      expr.aggregate = a;
      known = true;
    }
  }
  if (!known) return Error(o.PathOf("function"), "expected one of count, sum, avg, min, max");
  ASSIGN_OR_RETURN(EventStep step, Step(o, depth));
  expr.steps.push_back(std::move(step));
  if (expr.aggregate == Aggregate::kCount && o.Has("property")) {
    return Error(o.PathOf("property"), "count counts events and takes no property");
  }
  if (expr.aggregate != Aggregate::kCount) {
    ASSIGN_OR_RETURN(expr.property, o.Name("property"));
  }
  if (o.Has("window")) {
    ASSIGN_OR_RETURN(
        expr.range,
        ReadRange(o, "window", {TimeRange::Kind::kLastDays, TimeRange::Kind::kBetween}));
  }
  ASSIGN_OR_RETURN(expr.op, ReadOp(o));
  if (!o.Has("value") || !o.Get("value").is_number()) {
    return Error(o.PathOf("value"), "expected a number");
  }
  ASSIGN_OR_RETURN(Value v, ReadValue(o.Get("value"), o.PathOf("value")));
  expr.values.push_back(std::move(v));
  return Status::Ok();
}

Status Reader::Other(const Object& o, Kind kind, Expr& expr) {
  if (kind == Kind::kTag) {
    RETURN_IF_ERROR(o.Allow({"tag", "value"}));
    ASSIGN_OR_RETURN(expr.name, o.Name("tag"));
    if (o.Has("value")) {
      ASSIGN_OR_RETURN(std::string value, o.String("value", kStringBytesMax));
      expr.values.push_back(Value::String(std::move(value)));
    }
    return Status::Ok();
  }
  if (kind == Kind::kSegment) {
    RETURN_IF_ERROR(o.Allow({"segment"}));
    ASSIGN_OR_RETURN(expr.name, o.Name("segment"));
    return Status::Ok();
  }
  if (kind == Kind::kConsent) {
    RETURN_IF_ERROR(o.Allow({"purpose", "channel"}));
    ASSIGN_OR_RETURN(expr.name, o.Name("purpose"));
    expr.channel = "all";
    if (o.Has("channel")) {
      ASSIGN_OR_RETURN(expr.channel, o.Name("channel"));
    }
    return Status::Ok();
  }
  // kNearBranch
  RETURN_IF_ERROR(o.Allow({"branch", "distance", "unit", "from"}));
  ASSIGN_OR_RETURN(expr.name, o.Name("branch"));
  ASSIGN_OR_RETURN(const std::string unit, o.String("unit", 2));
  if (unit != "km" && unit != "m") return Error(o.PathOf("unit"), "expected km or m");
  expr.unit = unit == "km" ? DistanceUnit::kKilometers : DistanceUnit::kMeters;
  const Path distance_path = o.PathOf("distance");
  if (!o.Has("distance") || !o.Get("distance").is_number()) {
    return Error(distance_path, "expected a positive number");
  }
  ASSIGN_OR_RETURN(Value distance, ReadValue(o.Get("distance"), distance_path));
  const std::optional<internal::Micros128> micros = internal::ParseMicros(distance.text);
  const internal::Micros128 scale = expr.unit == DistanceUnit::kKilometers ? 1000 : 1;
  if (!micros || *micros <= 0) return Error(distance_path, "expected a positive number");
  if (*micros * scale > internal::Micros128{kDistanceMetersMax} * internal::kMicrosPerUnit) {
    return Error(distance_path, fmt::format("beyond {} km (the limit)", kDistanceMetersMax / 1000));
  }
  expr.values.push_back(std::move(distance));
  expr.source = LocationSource::kHome;
  if (o.Has("from")) {
    ASSIGN_OR_RETURN(const std::string from, o.String("from", 16));
    if (from != "home" && from != "last_event") {
      return Error(o.PathOf("from"), "expected home or last_event");
    }
    expr.source = from == "home" ? LocationSource::kHome : LocationSource::kLastEvent;
  }
  return Status::Ok();
}

}  // namespace

Result<Expr> FromJson(const Json& json) {
  ASSIGN_OR_RETURN(Expr expr, Reader().Node(json, Path{}, false, 0));
  RETURN_IF_ERROR(CheckSize(expr));
  return expr;
}

Result<Expr> FromJsonText(std::string_view text) {
  if (text.size() > kJsonBytesMax) {
    return TooLargeError(fmt::format("a JSON expression of {} bytes is longer than the limit of {}",
                                     text.size(), kJsonBytesMax));
  }
  ASSIGN_OR_RETURN(const Json json, ParseJson(text, JsonLimits{kJsonBytesMax, 2 * kDepthMax + 8}));
  return FromJson(json);
}

}  // namespace banyan::segment
