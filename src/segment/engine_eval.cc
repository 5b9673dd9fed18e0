#include "segment/engine_eval.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/check.h"
#include "engine/query.h"
#include "engine/scan.h"
#include "segment/internal/engine_conditions.h"
#include "segment/internal/number.h"

namespace banyan::segment {

namespace {

using engine::Bitmap;

// Above this many candidates a geographic condition narrows them with a coordinate box on the
// range indexes before reading coordinates; below, reading each candidate's is cheaper than two
// range selections over every customer (a box around a city branch holds ~10^5 of 10^6).
constexpr uint64_t kBoxAboveCandidates = 65536;

// What a condition costs, in the order an `and` evaluates its children.
enum class Cost { kIndex = 0, kGeo = 1, kScan = 2 };

Cost CostOf(const Expr& expr) {
  switch (expr.kind) {
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNot: {
      Cost cost = Cost::kIndex;
      for (const Expr& child : expr.children) cost = std::max(cost, CostOf(child));
      return cost;
    }
    case Kind::kNearBranch:
      return Cost::kGeo;
    case Kind::kDid:
    case Kind::kSequence:
    case Kind::kFirstTime:
    case Kind::kLastTime:
    case Kind::kAggregate:
      return Cost::kScan;
    default:
      return Cost::kIndex;
  }
}

// An unknown attribute is one nobody has a value of.
Result<Bitmap> NobodyIfUnknown(Result<Bitmap> result) {
  if (!result.ok() && result.status().code() == StatusCode::kNotFound) return Bitmap();
  return result;
}

class Evaluator {
 public:
  Evaluator(const engine::Snapshot& snapshot, const EvalContext& context)
      : snapshot_(snapshot), context_(context) {}

  // The subset of `candidates` matching `expr`.
  Result<Bitmap> Eval(const Expr& expr, const Bitmap& candidates) const {
    switch (expr.kind) {
      case Kind::kAnd:
        return And(expr, candidates);
      case Kind::kOr:
        return Or(expr, candidates);
      case Kind::kNot: {
        ASSIGN_OR_RETURN(Bitmap matched, Eval(expr.children[0], candidates));
        return candidates - matched;
      }
      case Kind::kNearBranch:
        return NearBranch(expr, candidates);
      default:
        break;
    }
    if (CostOf(expr) == Cost::kScan) {
      return internal::BehaviourCondition(expr, snapshot_, context_, candidates);
    }
    ASSIGN_OR_RETURN(Bitmap all, IndexLeaf(expr, candidates));
    return all & candidates;
  }

 private:
  // Cheap children first; each child sees only what its predecessors kept.
  Result<Bitmap> And(const Expr& expr, const Bitmap& candidates) const {
    std::vector<const Expr*> order;
    for (const Expr& child : expr.children) order.push_back(&child);
    std::stable_sort(order.begin(), order.end(),
                     [](const Expr* a, const Expr* b) { return CostOf(*a) < CostOf(*b); });
    Bitmap kept = candidates;
    for (const Expr* child : order) {
      if (kept.IsEmpty()) break;
      ASSIGN_OR_RETURN(kept, Eval(*child, kept));
    }
    return kept;
  }

  // A union; an expensive child scans only the candidates not matched yet.
  Result<Bitmap> Or(const Expr& expr, const Bitmap& candidates) const {
    std::vector<const Expr*> order;
    for (const Expr& child : expr.children) order.push_back(&child);
    std::stable_sort(order.begin(), order.end(),
                     [](const Expr* a, const Expr* b) { return CostOf(*a) < CostOf(*b); });
    Bitmap matched;
    for (const Expr* child : order) {
      const Bitmap rest = candidates - matched;
      if (rest.IsEmpty()) break;
      ASSIGN_OR_RETURN(Bitmap more,
                       Eval(*child, CostOf(*child) == Cost::kIndex ? candidates : rest));
      matched |= more;
    }
    return matched;
  }

  // Attribute, tag, segment and consent conditions: one bitmap over every customer.
  // Exact for `candidates` (index conditions may answer for more customers).
  Result<Bitmap> IndexLeaf(const Expr& expr, const Bitmap& candidates) const {
    switch (expr.kind) {
      case Kind::kTag:
      case Kind::kSegment: {
        if (context_.memberships == nullptr) {
          return FailedPreconditionError(
              fmt::format("{}: tags and segments need a membership resolver", expr.name));
        }
        if (expr.kind == Kind::kSegment) return context_.memberships->Segment(snapshot_, expr.name);
        return context_.memberships->Tag(snapshot_, expr.name,
                                         expr.values.empty() ? nullptr : &expr.values[0].text);
      }
      case Kind::kConsent:
        return NobodyIfUnknown(engine::AttributeCompare(
            snapshot_, ConsentAttribute(expr.name, expr.channel), engine::Compare::kEq, true));
      default:
        return internal::AttributeCondition(expr, snapshot_, context_, candidates);
    }
  }

  // The exact distance per candidate; when the candidates are many, a latitude/longitude box
  // from the range indexes first, so only customers near the branch are read.
  Result<Bitmap> NearBranch(const Expr& expr, const Bitmap& candidates) const {
    const auto branch = context_.branches.find(expr.name);
    if (branch == context_.branches.end()) return Bitmap();
    const bool home = expr.source == LocationSource::kHome;
    const std::string_view latitude = home ? kHomeLatitude : kLastLocationLatitude;
    const std::string_view longitude = home ? kHomeLongitude : kLastLocationLongitude;
    // The same arithmetic as the reference evaluator, so the edge of the radius agrees.
    const double meters = static_cast<double>(*internal::ParseMicros(expr.values[0].text)) / 1e6 *
                          (expr.unit == DistanceUnit::kKilometers ? 1000.0 : 1.0);
    constexpr double kScale = 1e6;  // coordinates are held in millionths of a degree
    Bitmap kept = candidates;
    if (candidates.Cardinality() > kBoxAboveCandidates) {
      ASSIGN_OR_RETURN(kept, InBox(BoxAround(branch->second, meters), latitude, longitude));
      kept &= candidates;
    }
    if (kept.IsEmpty()) return kept;
    ASSIGN_OR_RETURN(auto latitudes, engine::NumericValues(snapshot_, latitude, kept));
    ASSIGN_OR_RETURN(auto longitudes, engine::NumericValues(snapshot_, longitude, kept));
    std::vector<uint32_t> near;
    size_t j = 0;
    for (const auto& [index, lat] : latitudes) {
      while (j < longitudes.size() && longitudes[j].first < index) ++j;
      if (j == longitudes.size() || longitudes[j].first != index) continue;
      const GeoPoint point{static_cast<double>(lat) / kScale,
                           static_cast<double>(longitudes[j].second) / kScale};
      if (HaversineMeters(point, branch->second) <= meters) near.push_back(index);
    }
    Bitmap result;
    result.AddMany(near);
    return result;
  }

  // Customers whose coordinates lie in `box` (range indexes on both).
  Result<Bitmap> InBox(const GeoBox& box, std::string_view latitude,
                       std::string_view longitude) const {
    auto held = [](double degrees, bool up) {  // millionths of a degree, rounded outwards
      return static_cast<int64_t>(up ? std::ceil(degrees * 1e6) : std::floor(degrees * 1e6));
    };
    ASSIGN_OR_RETURN(Bitmap kept, NobodyIfUnknown(engine::AttributeBetween(
                                      snapshot_, latitude, held(box.latitude_min, false),
                                      held(box.latitude_max, true))));
    if (!box.longitude || kept.IsEmpty()) return kept;
    ASSIGN_OR_RETURN(Bitmap in_band, NobodyIfUnknown(engine::AttributeBetween(
                                         snapshot_, longitude, held(box.longitude->first, false),
                                         held(box.longitude->second, true))));
    return kept & in_band;
  }

  const engine::Snapshot& snapshot_;
  const EvalContext& context_;
};

}  // namespace

std::string ConsentAttribute(std::string_view purpose, std::string_view channel) {
  return fmt::format("consent.{}.{}", purpose, channel);
}

Result<Bitmap> Evaluate(const Expr& expr, const engine::Snapshot& snapshot,
                        const EvalContext& context) {
  CHECK(context.calendar != nullptr, "EvalContext without a calendar");
  const Evaluator evaluator(snapshot, context);
  return evaluator.Eval(expr, snapshot.live());
}

Result<Bitmap> EvaluateAmong(const Expr& expr, const engine::Snapshot& snapshot,
                             const EvalContext& context, const Bitmap& candidates) {
  CHECK(context.calendar != nullptr, "EvalContext without a calendar");
  const Evaluator evaluator(snapshot, context);
  return evaluator.Eval(expr, candidates & snapshot.live());
}

}  // namespace banyan::segment
