#include "segment/dependencies.h"

#include "segment/engine_eval.h"

namespace banyan::segment {
namespace {

void Collect(const Expr& expr, Dependencies& out) {
  const auto relative = [](const TimeRange& range) {
    return range.kind == TimeRange::Kind::kLastDays ||
           range.kind == TimeRange::Kind::kBeforeDaysAgo;
  };
  switch (expr.kind) {
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNot:
      for (const Expr& child : expr.children) Collect(child, out);
      return;
    case Kind::kCompare:
    case Kind::kBetween:
    case Kind::kIn:
    case Kind::kContains:
    case Kind::kIsSet:
      out.attributes.insert(expr.name);
      return;
    case Kind::kRelativeDate:
      out.attributes.insert(expr.name);
      out.time_dependent = true;
      return;
    case Kind::kTag:
      out.tags.insert(expr.name);
      return;
    case Kind::kSegment:
      out.segments.insert(expr.name);
      return;
    case Kind::kDid:
    case Kind::kSequence:
    case Kind::kFirstTime:
    case Kind::kLastTime:
    case Kind::kAggregate:
      for (const EventStep& step : expr.steps) out.events.insert(step.event);
      if (relative(expr.range)) out.time_dependent = true;
      return;
    case Kind::kNearBranch:
      if (expr.source == LocationSource::kHome) {
        out.attributes.insert(std::string(kHomeLatitude));
        out.attributes.insert(std::string(kHomeLongitude));
      } else {
        out.attributes.insert(std::string(kLastLocationLatitude));
        out.attributes.insert(std::string(kLastLocationLongitude));
      }
      return;
    case Kind::kConsent:
      // The resolved state of a channel follows the channel's own facts and the `all` ones.
      out.attributes.insert(ConsentAttribute(expr.name, expr.channel));
      out.attributes.insert(ConsentAttribute(expr.name, "all"));
      return;
  }
}

}  // namespace

Dependencies DependenciesOf(const Expr& expr) {
  Dependencies out;
  Collect(expr, out);
  return out;
}

}  // namespace banyan::segment
