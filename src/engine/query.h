// Query primitives over one Snapshot: what a segment evaluator compiles its conditions to.
//
// Attribute conditions return the matching customers as a Bitmap, from the column indexes
// alone (per-value bitmaps, range indexes, "is set" bitmaps). Behaviour conditions take a
// `candidates` Bitmap and return the subset that satisfies them, scanning the event sequences of
// candidates only — so an evaluator should AND its cheap attribute bitmaps first and pass the
// survivors. Before scanning, a behaviour primitive also narrows the candidates with the "ever
// did E" bitmap when a customer without E cannot match (and adds them without a scan when
// one must).
//
// Values: numeric attributes compare as int64 in the units they were written in (dates as days,
// decimals scaled by the caller's scale); numeric event properties as number * kPropertyScale;
// times are Unix seconds, windows [from, to). A string no customer has matches nobody; an
// event type never seen makes "did" match nobody and "did not" everybody. Absorbed (merged)
// customers are never in any result.
//
// Errors: NotFound for an unknown attribute; InvalidArgument for an operator or constant that
// does not fit the attribute's kind or the property's type.
// Thread safety: pure functions of an immutable snapshot; call from any thread.

#ifndef BANYAN_ENGINE_QUERY_H_
#define BANYAN_ENGINE_QUERY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"
#include "engine/types.h"

namespace banyan::engine {

// attribute op constant: =, != for every scalar kind; <, <=, >, >= for numeric kinds.
Result<Bitmap> AttributeCompare(const Snapshot& snapshot, std::string_view attribute, Compare op,
                                const AttributeValue& constant);
// low <= attribute <= high (numeric kinds).
Result<Bitmap> AttributeBetween(const Snapshot& snapshot, std::string_view attribute, int64_t low,
                                int64_t high);
// attribute equals any of `values`; for a string list, holds any of them.
Result<Bitmap> AttributeIn(const Snapshot& snapshot, std::string_view attribute,
                           std::span<const AttributeValue> values);
// A string list holds `member`; a string attribute equals it.
Result<Bitmap> AttributeContains(const Snapshot& snapshot, std::string_view attribute,
                                 std::string_view member);
Result<Bitmap> AttributeIsSet(const Snapshot& snapshot, std::string_view attribute);

struct PropertyCondition {
  std::string key;
  Compare op = Compare::kEq;  // strings: = and != only
  PropertyValue value;
};

// Events of `type` in [from_seconds, to_seconds) whose properties satisfy every `where`
// condition (an event without the property does not).
struct EventCondition {
  std::string type;
  std::vector<PropertyCondition> where;
  int64_t from_seconds = kEpochBaseSeconds;
  int64_t to_seconds = kEventTimeSecondsMax + 1;
};

// Candidates whose number of matching events `op` n (`did E at least 3 times`: kGe, 3;
// `did not`: kEq, 0).
Result<Bitmap> CountEvents(const Snapshot& snapshot, const Bitmap& candidates,
                           const EventCondition& condition, Compare op, int64_t n);

enum class Occurrence : uint8_t { kFirst, kLast };
// Candidates whose first (last) matching event's time `op` seconds; those without one do not.
Result<Bitmap> EventTime(const Snapshot& snapshot, const Bitmap& candidates,
                         const EventCondition& condition, Occurrence occurrence, Compare op,
                         int64_t seconds);

enum class Aggregate : uint8_t { kSum, kAvg, kCount, kMin, kMax };
// Candidates for which aggregate(property) over the matching events that carry it numerically
// `op` constant. With no such events sum and count are 0; avg, min and max match nobody.
Result<Bitmap> AggregateProperty(const Snapshot& snapshot, const Bitmap& candidates,
                                 const EventCondition& condition, Aggregate aggregate,
                                 std::string_view property, Compare op, double constant);

// Candidates with a `first` event followed by a `then` event at most `within_seconds` later
// (a later or same-second event that comes after it in the sequence).
Result<Bitmap> FollowedBy(const Snapshot& snapshot, const Bitmap& candidates,
                          const EventCondition& first, const EventCondition& then,
                          int64_t within_seconds);

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_QUERY_H_
