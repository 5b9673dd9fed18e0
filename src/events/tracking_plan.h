// TrackingPlan: the expected shape of named events, checked as events arrive.
//
// A plan lists, per event name, the properties it should carry (a dotted path into
// `properties`, a type, whether it is required), whether other top-level properties are
// allowed, and a policy for events that break it:
//   accept           store it; violations are still reported and counted
//   accept_and_flag  store it, flagged for review
//   reject           do not store it
// Only track, page and screen events are checked, by name; events without a plan pass as
// "unplanned". JSON form (the API will create, read, update and delete plans in this form):
//   {"events": [{"event": "Loan Applied", "policy": "reject", "allow_unexpected": false,
//                "properties": {"amount": {"type": "number", "required": true},
//                               "product.code": {"type": "string"}}}]}
// Types: string, number (any JSON number), integer (a number with no fraction), boolean,
// object, array, timestamp (an RFC 3339 string). A null value counts as absent.
//
// Every verdict is counted in TrackingPlanCounters, which the caller exports as metrics:
// violations are never silent.
// Thread safety: a const TrackingPlan is safe from any thread (Validate keeps a per-thread
// parser); TrackingPlanCounters is safe from any thread.

#ifndef BANYAN_EVENTS_TRACKING_PLAN_H_
#define BANYAN_EVENTS_TRACKING_PLAN_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/result.h"
#include "events/event.h"

namespace banyan::events {

inline constexpr size_t kPlanEventsMax = 10000;
inline constexpr size_t kPlanPropertiesMax = 256;  // per event
inline constexpr size_t kPlanPathSegmentsMax = 8;  // "a.b.c" has 3
inline constexpr size_t kPlanPathBytesMax = 256;
inline constexpr size_t kPlanViolationsMax = 64;  // reported per event; the rest are counted
inline constexpr size_t kPlanJsonBytesMax = 8 * 1024 * 1024;

enum class PlanPolicy { kAccept, kAcceptAndFlag, kReject };
enum class PropertyType { kString, kNumber, kInteger, kBoolean, kObject, kArray, kTimestamp };

struct PropertySpec {
  std::string path;  // dotted: "product.code"
  PropertyType type = PropertyType::kString;
  bool required = false;
  std::vector<std::string> segments;  // path split on '.'; filled by TrackingPlan
};

struct EventPlan {
  std::string event;
  PlanPolicy policy = PlanPolicy::kAcceptAndFlag;
  bool allow_unexpected = true;
  std::vector<PropertySpec> properties;
};

enum class ViolationKind { kMissing, kWrongType, kUnexpected };

struct Violation {
  std::string event;
  std::string path;  // JSON pointer into the event: "/properties/product/code"
  ViolationKind kind;
  std::string message;  // "expected a number"
};

enum class PlanAction { kStore, kStoreFlagged, kReject };

struct PlanVerdict {
  bool planned = false;  // a plan exists for this event
  PlanAction action = PlanAction::kStore;
  std::vector<Violation> violations;  // at most kPlanViolationsMax
  size_t violations_dropped = 0;      // found beyond kPlanViolationsMax
};

std::string_view PlanPolicyName(PlanPolicy policy);
std::string_view PropertyTypeName(PropertyType type);
std::string_view ViolationKindName(ViolationKind kind);

class TrackingPlan {
 public:
  TrackingPlan() = default;  // empty: every event is unplanned
  // Fails with InvalidArgument naming the field by JSON pointer ("/events/2/policy").
  static Result<TrackingPlan> FromJson(std::string_view json);
  static Result<TrackingPlan> Create(std::vector<EventPlan> plans);

  Json ToJson() const;
  const EventPlan* Find(std::string_view event) const;
  size_t size() const { return plans_.size(); }
  // Every planned event, by name.
  const std::map<std::string, EventPlan, std::less<>>& events() const { return plans_; }

  PlanVerdict Validate(const Event& event) const;

 private:
  std::map<std::string, EventPlan, std::less<>> plans_;
};

// Totals since start; read them with load() to export.
struct TrackingPlanCounters {
  std::atomic<int64_t> events_checked{0};    // planned events validated
  std::atomic<int64_t> events_unplanned{0};  // events with no plan
  std::atomic<int64_t> events_valid{0};
  std::atomic<int64_t> events_flagged{0};
  std::atomic<int64_t> events_rejected{0};
  std::atomic<int64_t> events_accepted_with_violations{0};
  std::atomic<int64_t> violations_missing{0};
  std::atomic<int64_t> violations_wrong_type{0};
  std::atomic<int64_t> violations_unexpected{0};
  std::atomic<int64_t> violations_dropped{0};  // beyond kPlanViolationsMax on one event

  void Record(const PlanVerdict& verdict);
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_TRACKING_PLAN_H_
