// SegmentDecoder: decodes the Segment tracking API (and what RudderStack's SDKs send, which is
// the same shape) into normalised Events.
//
// Accepted requests, all JSON whatever the content type (analytics.js sends text/plain):
//   single calls  — one event object; its type comes from the endpoint (/v1/track, or the short
//                   /v1/t, /v1/i, /v1/a, /v1/g, /v1/p, /v1/s) or, when the endpoint says nothing,
//                   from the body's "type" (long or short name, any case);
//   batches       — {"batch": [...], "sentAt": "...", "context": {...}, "writeKey": "..."} from
//                   /v1/batch, /v1/import, or any endpoint when the body has "batch".
// A request is accepted whole or rejected whole; errors name the field by JSON pointer
// ("/batch/3/properties": expected an object) and are InvalidArgument or TooLarge (HTTP 400).
//
// Limits: request body kSegmentRequestBytesMax, events per batch kBatchEventsMax, one event
// kEventBytesMax measured as compact JSON, nesting kJsonDepthMax.
//
// Field rules:
//   - userId or anonymousId is required (alias: userId and previousId; group: groupId; track:
//     event). Ids may be strings or integers; "" counts as absent.
//   - Identifiers: userId → app_user_id, anonymousId → anonymous_id, previousId → previous_id;
//     identify traits "email" and "phone" (strings) → email, phone.
//   - messageId: the client's. When absent (Segment SDKs always send one; hand-written clients
//     may not) it is "derived-" + BLAKE2b-128 of the event's canonical JSON without "sentAt",
//     "_metadata" and "writeKey", so retrying an identical payload yields the same id and dedups.
//   - Time: original = "originalTimestamp" (RudderStack) or "timestamp"; sent = the event's
//     "sentAt" or the batch's. event_time = CorrectClockSkew(received_at, sent, original)
//     (normalize.h). Timestamps are RFC 3339.
//   - context: the event's context, plus members of the batch context it does not have.
//   - page/screen name: "name", else properties.name.
//   - Unknown top-level members (integrations, _metadata, rudderId, ...) are ignored.
//
// Thread safety: a SegmentDecoder is not thread-safe (it reuses parse buffers); use one per
// thread. Decoded events own their data.

#ifndef BANYAN_EVENTS_SEGMENT_PROTOCOL_H_
#define BANYAN_EVENTS_SEGMENT_PROTOCOL_H_

#include <memory>
#include <optional>
#include <string_view>

#include "base/result.h"
#include "events/event.h"
#include "events/normalize.h"

namespace banyan::events {

inline constexpr size_t kSegmentRequestBytesMax = 500 * 1024;

// What the endpoint says about the body.
enum class SegmentCall { kFromBody, kBatch, kTrack, kIdentify, kAlias, kGroup, kPage, kScreen };

// The last path segment of an endpoint ("batch", "import", "track", "t", ...) as a call;
// nullopt when it is not a Segment endpoint.
std::optional<SegmentCall> SegmentCallFromPath(std::string_view last_path_segment);
// "track" or "t" (any case) → kTrack, ...; nullopt otherwise.
std::optional<EventType> SegmentTypeFromName(std::string_view name);

class SegmentDecoder {
 public:
  SegmentDecoder();
  ~SegmentDecoder();
  SegmentDecoder(const SegmentDecoder&) = delete;
  SegmentDecoder& operator=(const SegmentDecoder&) = delete;

  // REQUIRES: `body` is the raw (already decompressed) request body.
  Result<DecodedEvents> Decode(std::string_view body, SegmentCall call, const WireContext& context);

  // One Segment-shaped event from an import file: source is import, "timestamp" is required
  // (a historical event without a time is a mistake, not "now"), derived ids start "import-".
  // C3 removals are added to `c3_removed`.
  Result<Event> DecodeImportEvent(std::string_view json, const WireContext& context,
                                  C3Counts* c3_removed);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_SEGMENT_PROTOCOL_H_
