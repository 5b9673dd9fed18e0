#include "segment/testing/reference_evaluator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "segment/internal/number.h"

namespace banyan::segment::testing {
namespace {

using internal::Micros128;
constexpr Micros kDay = std::chrono::hours(24);

// `v` as a literal of type `want`, or nullopt when it is not one: numbers from JSON numbers and
// numeric strings, dates from "YYYY-MM-DD" or from an RFC 3339 time (its local business day).
std::optional<Value> Coerce(const Json& v, ValueType want, const BusinessCalendar& calendar) {
  switch (want) {
    case ValueType::kString:
      if (v.is_string()) return Value::String(v.get<std::string>());
      return std::nullopt;
    case ValueType::kBoolean:
      if (v.is_boolean()) return Value::Boolean(v.get<bool>());
      return std::nullopt;
    case ValueType::kNumber: {
      const std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
      if (!internal::ParseMicros(text)) return std::nullopt;
      return Value::Number(text);
    }
    case ValueType::kDate: {
      if (!v.is_string()) return std::nullopt;
      const std::string text = v.get<std::string>();
      if (Result<CivilDay> day = ParseDate(text); day.ok() && text.size() == 10) {
        return Value::Date(*day);
      }
      if (Result<Timestamp> t = ParseRfc3339(text); t.ok()) {
        return Value::Date(calendar.DayOf(*t));
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// -1, 0 or 1. REQUIRES: both of one type.
int Order(const Value& a, const Value& b) {
  if (a.type == ValueType::kNumber) {
    const Micros128 x = *internal::ParseMicros(a.text), y = *internal::ParseMicros(b.text);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

class Evaluator {
 public:
  Evaluator(const Dataset& data, const Catalog& catalog, const BusinessCalendar& calendar)
      : data_(data), catalog_(catalog), calendar_(calendar) {
    // Each customer's events up to now, by time; equal times keep arrival order.
    for (const TestEvent& event : data.events) {
      if (event.time <= data.now) events_[event.customer].push_back(&event);
    }
    for (auto& [id, list] : events_) {
      std::stable_sort(list.begin(), list.end(),
                       [](const TestEvent* a, const TestEvent* b) { return a->time < b->time; });
    }
  }

  Result<bool> Matches(const Expr& expr, const TestCustomer& customer) const {
    switch (expr.kind) {
      case Kind::kAnd:
      case Kind::kOr: {
        const bool is_and = expr.kind == Kind::kAnd;
        for (const Expr& child : expr.children) {
          ASSIGN_OR_RETURN(const bool m, Matches(child, customer));
          if (m != is_and) return m;
        }
        return is_and;
      }
      case Kind::kNot: {
        ASSIGN_OR_RETURN(const bool m, Matches(expr.children[0], customer));
        return !m;
      }
      case Kind::kRelativeDate:
        return RelativeDate(expr, customer);
      case Kind::kTag: {
        const auto it = customer.tags.find(expr.name);
        if (it == customer.tags.end()) return false;
        return expr.values.empty() || it->second.contains(expr.values[0].text);
      }
      case Kind::kSegment:
        return customer.segments.contains(expr.name);
      case Kind::kDid:
      case Kind::kSequence:
      case Kind::kFirstTime:
      case Kind::kLastTime:
      case Kind::kAggregate:
        return Behaviour(expr, customer);
      case Kind::kNearBranch:
        return NearBranch(expr, customer);
      case Kind::kConsent:
        return Consented(expr, customer);
      default: {
        if (!catalog_.attributes.contains(expr.name)) {
          return InvalidArgumentError(fmt::format("unknown attribute \"{}\"", expr.name));
        }
        const auto it = customer.attributes.find(expr.name);
        return Leaf(expr, it == customer.attributes.end() ? nullptr : &it->second);
      }
    }
  }

 private:
  // compare, between, in, contains, is set on one value (null or absent: not set).
  bool Leaf(const Expr& expr, const Json* v) const {
    const bool set = v != nullptr && !v->is_null();
    if (expr.kind == Kind::kIsSet) return set != expr.negated;
    if (!set) return false;
    if (expr.kind == Kind::kContains) {
      const std::string& needle = expr.values[0].text;
      if (v->is_string()) return v->get<std::string>().find(needle) != std::string::npos;
      if (!v->is_array()) return false;
      return std::any_of(v->begin(), v->end(),
                         [&](const Json& item) { return item.is_string() && item == needle; });
    }
    auto compare = [&](const Value& literal, CompareOp op) {
      const std::optional<Value> x = Coerce(*v, literal.type, calendar_);
      if (!x) return false;
      const bool ordering = op != CompareOp::kEq && op != CompareOp::kNe;
      if (ordering && (literal.type == ValueType::kString || literal.type == ValueType::kBoolean)) {
        return false;  // only numbers and dates are ordered
      }
      return HoldsFor(Order(*x, literal), op);
    };
    switch (expr.kind) {
      case Kind::kCompare:
        return compare(expr.values[0], expr.op);
      case Kind::kBetween:
        return compare(expr.values[0], CompareOp::kGe) && compare(expr.values[1], CompareOp::kLe);
      case Kind::kIn:
        return std::any_of(expr.values.begin(), expr.values.end(),
                           [&](const Value& literal) { return compare(literal, CompareOp::kEq); });
      default:
        return false;
    }
  }

  bool Where(const Expr& expr, const Json& properties) const {
    switch (expr.kind) {
      case Kind::kAnd:
        return std::all_of(expr.children.begin(), expr.children.end(),
                           [&](const Expr& c) { return Where(c, properties); });
      case Kind::kOr:
        return std::any_of(expr.children.begin(), expr.children.end(),
                           [&](const Expr& c) { return Where(c, properties); });
      case Kind::kNot:
        return !Where(expr.children[0], properties);
      default: {
        const auto it = properties.find(expr.name);
        return Leaf(expr, it == properties.end() ? nullptr : &*it);
      }
    }
  }

  Result<bool> RelativeDate(const Expr& expr, const TestCustomer& customer) const {
    const auto type = catalog_.attributes.find(expr.name);
    if (type == catalog_.attributes.end()) {
      return InvalidArgumentError(fmt::format("unknown attribute \"{}\"", expr.name));
    }
    const auto it = customer.attributes.find(expr.name);
    if (it == customer.attributes.end() || !it->second.is_string()) return false;
    const std::string text = it->second.get<std::string>();
    const bool last = expr.range.kind == TimeRange::Kind::kLastDays;
    if (type->second.type == AttributeType::kDate) {
      const Result<CivilDay> day = ParseDate(text);
      if (!day.ok()) return false;
      const CivilDay today = calendar_.DayOf(data_.now);
      const CivilDay edge = today - expr.range.days;
      return last ? (edge <= *day && *day <= today) : *day < edge;
    }
    const Result<Timestamp> t = ParseRfc3339(text);
    if (!t.ok()) return false;
    return InRange(*t, expr.range);
  }

  bool InRange(Timestamp t, const TimeRange& range) const {
    const Timestamp now = data_.now;
    switch (range.kind) {
      case TimeRange::Kind::kNone:
        return t <= now;
      case TimeRange::Kind::kLastDays:
        return now - range.days * kDay <= t && t <= now;
      case TimeRange::Kind::kBeforeDaysAgo:
        return t < now - range.days * kDay;
      case TimeRange::Kind::kBetween:
        return calendar_.StartOf(range.from) <= t && t < calendar_.StartOf(range.to + 1);
    }
    return false;
  }

  bool StepMatches(const EventStep& step, const TestEvent& event) const {
    if (event.name != step.event) return false;
    if (!step.channel.empty() && event.channel != step.channel) return false;
    return step.where.empty() || Where(step.where[0], event.properties);
  }

  // The customer's events matching `step` inside `range`, by time.
  std::vector<const TestEvent*> Matching(const EventStep& step, const TestCustomer& customer,
                                         const TimeRange& range) const {
    std::vector<const TestEvent*> out;
    const auto it = events_.find(customer.id);
    if (it == events_.end()) return out;
    for (const TestEvent* event : it->second) {
      if (StepMatches(step, *event) && InRange(event->time, range)) out.push_back(event);
    }
    return out;
  }

  bool Behaviour(const Expr& expr, const TestCustomer& customer) const {
    switch (expr.kind) {
      case Kind::kDid: {
        const auto n = static_cast<int64_t>(Matching(expr.steps[0], customer, expr.range).size());
        const Times& times = expr.times;
        const bool ok = times.kind == Times::Kind::kAtLeast  ? n >= times.n
                        : times.kind == Times::Kind::kAtMost ? n <= times.n
                                                             : n == times.n;
        return ok != expr.negated;
      }
      case Kind::kSequence:
        return Sequence(expr, customer) != expr.negated;
      case Kind::kFirstTime:
      case Kind::kLastTime: {
        const std::vector<const TestEvent*> all = Matching(expr.steps[0], customer, TimeRange{});
        if (all.empty()) return false;
        const TestEvent* chosen = expr.kind == Kind::kFirstTime ? all.front() : all.back();
        return InRange(chosen->time, expr.range);
      }
      default:
        return AggregateHolds(expr, customer);
    }
  }

  // Some start event of step 1, then for each next step the earliest matching event strictly
  // later than the previous one; the earliest choice leaves the most room for the rest, so trying
  // every start is exhaustive.
  bool Sequence(const Expr& expr, const TestCustomer& customer) const {
    std::vector<std::vector<const TestEvent*>> candidates;
    for (const EventStep& step : expr.steps) {
      candidates.push_back(Matching(step, customer, expr.range));
    }
    for (const TestEvent* start : candidates[0]) {
      Timestamp previous = start->time;
      bool complete = true;
      for (size_t i = 1; i < candidates.size() && complete; ++i) {
        const auto next = std::find_if(candidates[i].begin(), candidates[i].end(),
                                       [&](const TestEvent* e) { return e->time > previous; });
        complete = next != candidates[i].end();
        if (complete) previous = (*next)->time;
      }
      if (!complete) continue;
      if (expr.within_days == 0 || previous - start->time <= expr.within_days * kDay) return true;
    }
    return false;
  }

  bool AggregateHolds(const Expr& expr, const TestCustomer& customer) const {
    const std::vector<const TestEvent*> events = Matching(expr.steps[0], customer, expr.range);
    const Micros128 target = *internal::ParseMicros(expr.values[0].text);
    auto holds = [&](Micros128 x, Micros128 y) {
      return HoldsFor(x < y ? -1 : x > y ? 1 : 0, expr.op);
    };
    if (expr.aggregate == Aggregate::kCount) {
      return holds(static_cast<Micros128>(events.size()) * internal::kMicrosPerUnit, target);
    }
    std::vector<Micros128> values;
    for (const TestEvent* event : events) {
      const auto it = event->properties.find(expr.property);
      if (it == event->properties.end()) continue;
      const std::optional<Value> v = Coerce(*it, ValueType::kNumber, calendar_);
      if (v) values.push_back(*internal::ParseMicros(v->text));
    }
    Micros128 sum = 0;
    for (Micros128 v : values) sum += v;
    switch (expr.aggregate) {
      case Aggregate::kSum:
        return holds(sum, target);
      case Aggregate::kAvg:  // sum / n op target, kept exact as sum op target × n
        return !values.empty() && holds(sum, target * static_cast<Micros128>(values.size()));
      case Aggregate::kMin:
        return !values.empty() && holds(*std::min_element(values.begin(), values.end()), target);
      case Aggregate::kMax:
        return !values.empty() && holds(*std::max_element(values.begin(), values.end()), target);
      default:
        return false;
    }
  }

  bool NearBranch(const Expr& expr, const TestCustomer& customer) const {
    const auto branch = data_.branches.find(expr.name);
    if (branch == data_.branches.end()) return false;
    std::optional<GeoPoint> from = customer.home;
    if (expr.source == LocationSource::kLastEvent) {
      from.reset();
      const auto it = events_.find(customer.id);
      if (it != events_.end()) {
        for (const TestEvent* event : it->second) {
          if (event->location) from = event->location;  // the latest one wins
        }
      }
    }
    if (!from) return false;
    const double limit = static_cast<double>(*internal::ParseMicros(expr.values[0].text)) / 1e6 *
                         (expr.unit == DistanceUnit::kKilometers ? 1000.0 : 1.0);
    return HaversineMeters(*from, branch->second) <= limit;
  }

  // The latest fact for (purpose, channel) by time, later in the list on ties; a channel's own
  // state overrides the "all" state; no fact: not consented.
  bool Consented(const Expr& expr, const TestCustomer& customer) const {
    std::map<std::string, std::pair<Timestamp, bool>> latest;  // channel -> (at, granted)
    for (const TestConsent& fact : data_.consents) {
      if (fact.customer != customer.id || fact.purpose != expr.name || fact.at > data_.now) {
        continue;
      }
      const auto it = latest.find(fact.channel);
      if (it == latest.end() || fact.at >= it->second.first) {
        latest[fact.channel] = {fact.at, fact.granted};
      }
    }
    auto it = latest.find(expr.channel);
    if (it == latest.end()) it = latest.find("all");
    return it != latest.end() && it->second.second;
  }

  const Dataset& data_;
  const Catalog& catalog_;
  const BusinessCalendar& calendar_;
  std::map<int64_t, std::vector<const TestEvent*>> events_;
};

}  // namespace

Result<std::vector<int64_t>> Evaluate(const Expr& expr, const Dataset& data, const Catalog& catalog,
                                      const BusinessCalendar& calendar) {
  const Evaluator evaluator(data, catalog, calendar);
  std::vector<int64_t> out;
  for (const auto& [id, customer] : data.customers) {
    ASSIGN_OR_RETURN(const bool m, evaluator.Matches(expr, customer));
    if (m) out.push_back(id);
  }
  return out;
}

}  // namespace banyan::segment::testing
