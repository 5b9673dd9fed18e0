// The segment language: the expression tree (Expr) shared by its two faces — the text form that
// analysts and the API write ("age between 25 and 35 and did view_product at least 3 times in
// last 30 days") and the JSON tree the console's builder edits — and the four conversions:
//
//   Parse(text)    -> Expr    errors "LINE:COLUMN: expected X after Y, found Z"
//   ToText(expr)   -> text    canonical; Parse(ToText(e)) == e
//   FromJson(json) -> Expr    validating; errors name the JSON path ("conditions[2].window.days")
//   ToJson(expr)   -> json    FromJson(ToJson(e)) == e
//
// The grammar, every condition, the JSON node shapes, the limits and the exact time-window
// semantics are in docs/segments.md. Names (attributes, events, tags, ...) are checked against
// what exists by Validate (catalog.h); evaluation is the engine's (and, for tests, the reference
// evaluator's in testing/).
//
// One Expr type holds every kind of node; which members a kind uses is listed at Expr. Members a
// kind does not use keep their defaults, so `==` (which ignores where a node came from) is
// structural equality of meaning.
//
// Used by: the segment API and CLI, saved segments and rule tags, the engine's compiler.
// Thread safety: values; the functions are stateless and safe from any thread.

#ifndef BANYAN_SEGMENT_AST_H_
#define BANYAN_SEGMENT_AST_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "base/time.h"

namespace banyan::segment {

// Limits on every size, count and depth; exceeding one is an InvalidArgument (TooLarge for the
// text and JSON sizes) that names the limit.
inline constexpr size_t kExpressionBytesMax = 16 * 1024;  // text form
inline constexpr size_t kJsonBytesMax = 64 * 1024;        // JSON form, as text
inline constexpr int kDepthMax = 24;                      // nesting of and/or/not/parentheses
inline constexpr size_t kConditionsMax = 100;             // leaf conditions, where-clauses included
inline constexpr size_t kListItemsMax = 500;              // values of one `in (...)` list
inline constexpr size_t kNameBytesMax = 128;              // an attribute, event, tag, ... name
inline constexpr size_t kStringBytesMax = 1024;           // one string literal
inline constexpr size_t kStepsMax = 8;                    // steps of `did A then B then ...`
inline constexpr int64_t kDaysMax = 36600;                // any day count (100 years)
inline constexpr int64_t kTimesMax = 1000000;             // `at least N times`
inline constexpr int kNumberDigitsMax = 15;               // significant digits of a number
inline constexpr int kNumberScaleMax = 6;                 // fraction digits of a number
inline constexpr int64_t kDistanceMetersMax = 1000000;    // `within N km of branch ...`

// Where a node came from: a line and column (1-based, in characters) of the text, or the JSON
// path of the node ("conditions[2]"). Not part of an expression's meaning: all Origins compare
// equal, so Parse(text) == FromJson(json) when both say the same thing.
struct Origin {
  int line = 0;
  int column = 0;
  std::string path;
  bool operator==(const Origin&) const { return true; }
  // "1:27" or "conditions[2]" (empty when neither is known).
  std::string ToString() const;
};

// A literal. `text` is canonical: a string's content; a number's shortest decimal form
// ("500000", "1.5", "-3"); "true"/"false"; a date's "YYYY-MM-DD".
enum class ValueType { kString, kNumber, kBoolean, kDate };
struct Value {
  ValueType type = ValueType::kString;
  std::string text;
  bool operator==(const Value&) const = default;

  static Value String(std::string text) { return {ValueType::kString, std::move(text)}; }
  static Value Number(std::string canonical) { return {ValueType::kNumber, std::move(canonical)}; }
  static Value Boolean(bool b) { return {ValueType::kBoolean, b ? "true" : "false"}; }
  static Value Date(CivilDay day) { return {ValueType::kDate, FormatDate(day)}; }
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view CompareOpText(CompareOp op);  // "=", "!=", "<", "<=", ">", ">="
// Whether a comparison whose left side orders `order` (<0, 0, >0) against its right holds under
// `op`. One definition for every evaluator, so they cannot drift apart on it.
bool HoldsFor(int order, CompareOp op);

// A span of time. kLastDays is [now − N×24 h, now] for events and timestamps and
// [today − N, today] (local business days) for dates; kBeforeDaysAgo is before now − N×24 h
// (before today − N for dates); kBetween is the local days from..to, both included.
struct TimeRange {
  enum class Kind { kNone, kLastDays, kBeforeDaysAgo, kBetween };
  Kind kind = Kind::kNone;
  int64_t days = 0;       // kLastDays, kBeforeDaysAgo
  CivilDay from{}, to{};  // kBetween
  bool operator==(const TimeRange&) const = default;
};

// `at least N times` (the default, N = 1), `at most N times`, `exactly N times`.
struct Times {
  enum class Kind { kAtLeast, kAtMost, kExactly };
  Kind kind = Kind::kAtLeast;
  int64_t n = 1;
  bool operator==(const Times&) const = default;
};

enum class Aggregate { kCount, kSum, kAvg, kMin, kMax };
std::string_view AggregateName(Aggregate a);  // "count", "sum", ...

enum class DistanceUnit { kKilometers, kMeters };
enum class LocationSource { kHome, kLastEvent };  // home coordinates / last event with a location

enum class Kind {
  kAnd,           // children (≥ 2)
  kOr,            // children (≥ 2)
  kNot,           // children (1)
  kCompare,       // name op values[0]               age >= 30
  kBetween,       // name values[0] values[1]        age between 25 and 35
  kIn,            // name values (≥ 1)               city in ("杭州市", "绍兴市")
  kContains,      // name values[0]                  name contains "王"
  kIsSet,         // name negated                    email is set / email is not set
  kRelativeDate,  // name range (kLastDays or kBeforeDaysAgo)    customer_since within 30 days
  kTag,           // name [values[0]]                has tag "vip" / has tag aum_tier = "gold"
  kSegment,       // name                            in segment "high_value"
  kDid,         // negated steps[0] times range    did view_product at least 3 times in last 30 days
  kSequence,    // negated steps (≥ 2) within_days range    did a then b within 7 days
  kFirstTime,   // steps[0] range                  first time did app_open within 30 days
  kLastTime,    // steps[0] range                  last time did login before 60 days ago
  kAggregate,   // aggregate steps[0] property range op values[0]
                //                                 sum(purchase.amount) in last 90 days > 10000
  kNearBranch,  // name values[0] unit source      within 1.5 km of branch "Xixi" from home
  kConsent,     // name (purpose) channel          consented to marketing via sms
};
// The node's "kind" in JSON: "and", "compare", "did", "near_branch", ...
std::string_view KindName(Kind kind);

struct Expr;

// One event of a behaviour condition: its name, optionally the channel it came through and a
// condition on its properties (kAnd/kOr/kNot/kCompare/kBetween/kIn/kContains/kIsSet nodes whose
// `name` is a property).
struct EventStep {
  Origin origin;  // of the event name
  std::string event;
  std::string channel;      // empty: any channel
  std::vector<Expr> where;  // empty, or the one condition on properties
  bool operator==(const EventStep&) const = default;
};

struct Expr {
  Kind kind = Kind::kAnd;
  Origin origin;
  std::vector<Expr> children;
  std::string name;  // attribute/property, tag, segment, branch, or consent purpose
  CompareOp op = CompareOp::kEq;
  std::vector<Value> values;
  bool negated = false;
  TimeRange range;
  Times times;
  std::vector<EventStep> steps;
  int64_t within_days = 0;  // kSequence: 0 = no limit
  Aggregate aggregate = Aggregate::kCount;
  std::string property;  // kAggregate (empty for count)
  DistanceUnit unit = DistanceUnit::kKilometers;
  LocationSource source = LocationSource::kHome;
  std::string channel;  // kConsent: "all" unless a channel is named

  bool operator==(const Expr&) const = default;

  // A node of `kind` with every other member at its default.
  static Expr Of(Kind kind, Origin origin = {}) {
    Expr expr;
    expr.kind = kind;
    expr.origin = std::move(origin);
    return expr;
  }
};

// Parses the text form. Errors are InvalidArgument "LINE:COLUMN: expected ..., found ..."
// (TooLarge beyond kExpressionBytesMax).
Result<Expr> Parse(std::string_view text);
// The canonical text form: lower-case keywords, one space between tokens, parentheses only where
// needed. REQUIRES: `expr` is well-formed (it came from Parse or FromJson).
std::string ToText(const Expr& expr);

// Reads the JSON form; errors are InvalidArgument "PATH: what was expected" with the field set to
// the JSON pointer of the offending member.
Result<Expr> FromJson(const Json& json);
Result<Expr> FromJsonText(std::string_view text);
Json ToJson(const Expr& expr);

// The nesting of `expr`: and/or/not and each where clause add a level; leaves are 0.
int Depth(const Expr& expr);
// Leaf conditions, the conditions of where clauses included.
size_t ConditionCount(const Expr& expr);
// InvalidArgument when `expr` is deeper than kDepthMax or has more than kConditionsMax
// conditions. Parse and FromJson call it, so an expression read by one is accepted by the other.
Status CheckSize(const Expr& expr);

// True when `name` can be written bare (an identifier that is not a keyword); otherwise the text
// form quotes it.
bool IsBareName(std::string_view name);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_AST_H_
