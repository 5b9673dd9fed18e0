// The engine evaluator's leaves (engine_eval.h): attribute conditions answered from the engine's
// indexes, behaviour conditions answered by scanning candidates' event sequences, and the
// conversion of the language's windows to the engine's half-open second ranges.
//
// Used by engine_eval.cc only. Thread safety: pure functions of an immutable snapshot.

#ifndef BANYAN_SEGMENT_INTERNAL_ENGINE_CONDITIONS_H_
#define BANYAN_SEGMENT_INTERNAL_ENGINE_CONDITIONS_H_

#include <cstdint>

#include "base/result.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"
#include "segment/ast.h"
#include "segment/engine_eval.h"

namespace banyan::segment::internal {

// [from, to) in Unix seconds: the event times (whole seconds) that `range` admits at `now`,
// never after `now` nor before the engine's epoch (engine::kEpochBaseSeconds). `in last N days` is
// [now − N×24 h, now] with both ends included, so from = ⌈now − N×24 h⌉ and to = ⌊now⌋ + 1.
struct SecondsWindow {
  int64_t from = 0;
  int64_t to = 0;
};
SecondsWindow EventWindow(const TimeRange& range, Timestamp now, const BusinessCalendar& calendar);
// ⌈t⌉ and ⌊t⌋ in Unix seconds.
int64_t CeilSeconds(Timestamp t);
int64_t FloorSeconds(Timestamp t);

// compare, between, in, contains, is set and relative dates on a customer attribute. An attribute
// the engine has never held: nobody has a value. The answer is exact for the customers of
// `candidates` (others may or may not be in it; callers AND it with their candidates): when they
// are few (under 1/kPointReadFraction of the live customers), a numeric range reads their values
// one by one instead of selecting over every customer from the range index.
inline constexpr uint64_t kPointReadFraction = 8;
Result<engine::Bitmap> AttributeCondition(const Expr& expr, const engine::Snapshot& snapshot,
                                          const EvalContext& context,
                                          const engine::Bitmap& candidates);

// did, then, first/last time and aggregates: the subset of `candidates` that satisfies `expr`.
Result<engine::Bitmap> BehaviourCondition(const Expr& expr, const engine::Snapshot& snapshot,
                                          const EvalContext& context,
                                          const engine::Bitmap& candidates);

}  // namespace banyan::segment::internal

#endif  // BANYAN_SEGMENT_INTERNAL_ENGINE_CONDITIONS_H_
