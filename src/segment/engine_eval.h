// Evaluation of segment expressions on the analytic engine: Evaluate(expr, snapshot, context)
// returns the matching customers as a Bitmap of the snapshot's customer indexes, with exactly
// the meaning of docs/segments.md (the reference evaluator in testing/ is the oracle it is
// differentially tested against).
//
// Plan: an `and` evaluates its cheap children first — attribute, tag, segment and consent
// conditions, each one bitmap from the engine's indexes — and passes the survivors to the
// expensive ones: geography (a box on the coordinate range indexes, then haversine per
// survivor) and behaviour (a scan of the survivors' event sequences). `or` is a union, each
// child seeing only the candidates not yet matched; `not X` is candidates − X.
// docs/segments.md, "Evaluation on the engine", maps each condition to its primitive.
//
// What the engine must hold (the contract with whoever feeds it, e.g. customer/engine_feed.h):
//   - attributes under their own names: string and enum as kString, string_list as kStringList,
//     integer, boolean and date as such, decimal as kDecimal scaled by 10^scale (the scale named
//     in EvalContext::decimal_scales, else kDecimalScale; literals compare exactly whatever the
//     scale), timestamp as kTimestamp in whole seconds;
//   - home coordinates as the decimals `home_latitude` / `home_longitude`; the location of the
//     customer's latest event that has one as `last_location_latitude` / `last_location_longitude`
//     (kept current by the feeder, merges included);
//   - consent as booleans `consent.<purpose>.<channel>` (ConsentAttribute) holding the resolved
//     state for every purpose and every channel of the vocabulary, `all` included: the channel's
//     own latest fact, else the `all` state, withdrawals applied; unset means no consent;
//   - events with their channel as events::Channel, numeric properties as numbers (two fraction
//     digits, engine/types.h), booleans as 1/0, other properties as strings.
// Tags and saved segments are not in the engine: a MembershipResolver answers them.
//
// Thread safety: Evaluate only reads the snapshot and the context; call from any thread, as long
// as the resolver allows it.

#ifndef BANYAN_SEGMENT_ENGINE_EVAL_H_
#define BANYAN_SEGMENT_ENGINE_EVAL_H_

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "base/time.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"
#include "segment/ast.h"
#include "segment/geo.h"

namespace banyan::segment {

// Decimal attributes are held as value × 10^6 unless EvalContext::decimal_scales says otherwise:
// the language's numbers have at most six fraction digits, so this scale holds every literal.
inline constexpr int kDecimalScale = 6;
inline constexpr std::string_view kHomeLatitude = "home_latitude";
inline constexpr std::string_view kHomeLongitude = "home_longitude";
inline constexpr std::string_view kLastLocationLatitude = "last_location_latitude";
inline constexpr std::string_view kLastLocationLongitude = "last_location_longitude";

// "consent.marketing.sms": the boolean attribute holding the resolved consent state.
std::string ConsentAttribute(std::string_view purpose, std::string_view channel);

// Who has a tag or belongs to a saved segment, as indexes of `snapshot`. Tags and saved segments
// live outside the engine (the tag catalog and the segment store compute them).
class MembershipResolver {
 public:
  virtual ~MembershipResolver() = default;
  // Holders of `tag`; with `value`, holders of that value only. An unknown tag: nobody.
  virtual Result<engine::Bitmap> Tag(const engine::Snapshot& snapshot, std::string_view tag,
                                     const std::string* value) const = 0;
  // Members of the saved segment `segment`. An unknown segment: nobody.
  virtual Result<engine::Bitmap> Segment(const engine::Snapshot& snapshot,
                                         std::string_view segment) const = 0;
};

struct EvalContext {
  Timestamp now{};                                        // events after it are not seen
  const BusinessCalendar* calendar = nullptr;             // the bank's zone; REQUIRES: set
  const MembershipResolver* memberships = nullptr;        // null: tag/segment conditions fail
  std::map<std::string, GeoPoint, std::less<>> branches;  // branch code -> coordinates
  // Fraction digits a decimal attribute is held with (the profile schema's, e.g. 2 for amounts
  // in fen); absent: kDecimalScale. Coordinates must have 6.
  std::map<std::string, int, std::less<>> decimal_scales;
};

// The customers of `snapshot` matching `expr` at `context.now`. REQUIRES: `expr` passed Validate
// against the catalog the data was fed under. Errors: FailedPrecondition for a tag or segment
// condition without a resolver, the resolver's errors, InvalidArgument for a literal that does
// not fit the attribute's kind in the engine (which Validate rules out).
Result<engine::Bitmap> Evaluate(const Expr& expr, const engine::Snapshot& snapshot,
                                const EvalContext& context);

// The customers of `candidates` (live ones only) matching `expr`: the same answer as
// Evaluate(...) & candidates, at the cost of scanning only the candidates' events (index
// conditions still read their whole bitmaps). Live segments re-check changed customers with it.
Result<engine::Bitmap> EvaluateAmong(const Expr& expr, const engine::Snapshot& snapshot,
                                     const EvalContext& context, const engine::Bitmap& candidates);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_ENGINE_EVAL_H_
