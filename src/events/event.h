// Event: the one normalised behavioural event, whatever wire protocol brought it in.
//
// The Segment decoder (segment_protocol.h), the Sensors Data decoder (sensors_protocol.h) and the
// bulk importer (import_reader.h) all produce `Event`s; the durable log stores them through
// event_codec.h; identity (OneID) resolves `identifiers`; the engine and analytics read the rest.
//
// Type mapping (Sensors types on the right):
//   track     ← Segment track; Sensors track (any event but the three below)
//   page      ← Segment page; Sensors track "$pageview"
//   screen    ← Segment screen; Sensors track "$AppViewScreen", "$MPViewScreen"
//   identify  ← Segment identify; Sensors profile_set (both set traits)
//   alias     ← Segment alias; Sensors track_signup (links the login id to the anonymous id)
//   group     ← Segment group
//   profile_set_once / profile_increment / profile_append / profile_unset ← the Sensors type of
//             the same name; their attributes are in `traits`
// The name of a page/screen/track event is kept as sent ("Loan Applied", "$pageview").
// An alias event asks OneID to link every identifier on it; "previous_id" is an id whose type
// the client did not say (Segment's previousId), while Sensors' original_id is known to be an
// anonymous_id and is typed as one.
//
// `properties`, `traits` and `context` hold compact JSON object text ("{}" when empty), C3 data
// already removed (c3_filter.h). They stay text so the hot path never builds a JSON tree; parse
// with base/json.h when a tree is needed.
//
// Thread safety: plain values.

#ifndef BANYAN_EVENTS_EVENT_H_
#define BANYAN_EVENTS_EVENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace banyan::events {

// Limits shared by every wire protocol. Sizes are bytes.
inline constexpr size_t kEventBytesMax = 32 * 1024;  // one event, as compact JSON
inline constexpr size_t kBatchEventsMax = 2500;      // events in one request
inline constexpr size_t kMessageIdBytesMax = 200;
inline constexpr size_t kEventNameBytesMax = 256;
inline constexpr size_t kIdentifierBytesMax = 256;  // type or value of one identifier
inline constexpr size_t kIdentifiersMax = 16;       // identifiers on one event
inline constexpr size_t kProjectBytesMax = 64;
inline constexpr int kJsonDepthMax = 32;  // nesting of any wire JSON document

enum class EventType : uint8_t {
  kTrack = 1,
  kIdentify = 2,
  kAlias = 3,
  kGroup = 4,
  kPage = 5,
  kScreen = 6,
  kProfileSetOnce = 7,
  kProfileIncrement = 8,
  kProfileAppend = 9,
  kProfileUnset = 10,
};
inline constexpr uint8_t kEventTypeMax = 10;

enum class EventSource : uint8_t { kSegment = 1, kSensors = 2, kImport = 3 };
inline constexpr uint8_t kEventSourceMax = 3;

// The business channel through which the customer acted.
enum class Channel : uint8_t {
  kUnknown = 0,
  kWeb = 1,
  kApp = 2,
  kMiniProgram = 3,
  kWechat = 4,
  kAlipay = 5,
  kBranch = 6,
  kDouyin = 7,
  kSms = 8,
  kEmail = 9,
  kWecom = 10,
};
inline constexpr uint8_t kChannelMax = 10;

// "track", "profile_set_once", ...
std::string_view EventTypeName(EventType type);
// "segment", "sensors", "import".
std::string_view EventSourceName(EventSource source);
// "web", "mini_program", "unknown", ...
std::string_view ChannelName(Channel channel);
// Exact canonical name ("mini_program") to Channel; nullopt when not one of ours.
std::optional<Channel> ChannelFromName(std::string_view name);

// Identifier types OneID resolves. Protocol fields map onto these (see normalize.h).
inline constexpr std::string_view kAppUserId = "app_user_id";
inline constexpr std::string_view kAnonymousId = "anonymous_id";
inline constexpr std::string_view kPreviousId = "previous_id";  // alias: the id being linked
inline constexpr std::string_view kPhone = "phone";
inline constexpr std::string_view kEmail = "email";

struct Identifier {
  std::string type;
  std::string value;
  bool operator==(const Identifier&) const = default;
};

struct Event {
  std::string message_id;  // the client's, or derived (normalize.h); the dedup key
  EventSource source = EventSource::kSegment;
  EventType type = EventType::kTrack;
  std::string name;  // event name; page/screen name; may be empty for identify etc.
  std::vector<Identifier> identifiers;  // no duplicates, at most kIdentifiersMax
  std::string group_id;                 // group events only
  Timestamp event_time{};               // when it happened, corrected for client clock skew
  Timestamp received_at{};              // when our server received it
  std::optional<Timestamp> sent_at;     // when the client sent it, if it said so
  Channel channel = Channel::kUnknown;
  std::string properties = "{}";  // compact JSON object
  std::string traits = "{}";      // compact JSON object (identify, group, profile_*)
  std::string context = "{}";     // compact JSON object (library, device, campaign, ...)
  std::string write_key_id;       // the write key that authenticated the request
  std::string project;            // the project (Sensors) or empty

  bool operator==(const Event&) const = default;

  // The value of the first identifier of `type`, or empty.
  std::string_view IdentifierValue(std::string_view type) const;
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_H_
