// Normalisation shared by the wire decoders: what a request carries besides its body
// (WireContext), what a decoder returns (DecodedEvents), and the rules that turn protocol fields
// into Event fields — clock-skew correction, identifiers and the business channel.
//
// Channel derivation, first match wins:
//   1. properties.channel naming a channel or an alias of one (ChannelFromAlias: "weixin" →
//      wechat, "h5" → web, "qywx" → wecom, ...);
//   2. the campaign source (Segment context.campaign.source or properties.utm_source; Sensors
//      $latest_utm_source or $utm_source), through the same aliases;
//   3. the in-app browser named by the user agent: "wxwork" → wecom, "miniProgram" →
//      mini_program, "MicroMessenger" → wechat, "AlipayClient" → alipay, "aweme" → douyin;
//   4. the SDK: library names containing "miniprogram" → mini_program, "alipay" → alipay,
//      "analytics.js"/"javascript"/"js"/"web"/"browser" → web, "ios"/"android"/"swift"/
//      "kotlin"/"react-native"/"flutter"/"harmony" → app; server SDKs (node, java, python, ...)
//      say nothing about the customer's channel → unknown;
//   5. RudderStack's top-level "channel" ("web" → web, "mobile" → app);
//   6. unknown.
// A value that names no channel falls through to the next rule rather than becoming unknown.
//
// Thread safety: stateless functions; the structs are plain values.

#ifndef BANYAN_EVENTS_NORMALIZE_H_
#define BANYAN_EVENTS_NORMALIZE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "events/c3_filter.h"
#include "events/event.h"

namespace banyan::events {

// What the HTTP layer (or the importer) knows about a request.
struct WireContext {
  Timestamp received_at{};
  std::string write_key_id;  // copied to every event
  std::string project;       // default project; a Sensors request or record may name its own
  const C3Filter* c3_filter = nullptr;  // null: C3Filter::Default()
};

// The events of one request, in request order.
struct DecodedEvents {
  std::vector<Event> events;
  std::string write_key;  // Segment: the body's "writeKey", if any (the caller authenticates it)
  std::string project;    // Sensors: the request's "project" parameter, if any
  C3Counts c3_removed;    // C3 members removed, by rule
};

// The event time after correcting for the client's clock (Segment's rule):
//   with sent_at and original: received_at − (sent_at − original)
//   with original only:        original
//   otherwise:                 received_at
// The result is never later than received_at: an event cannot happen after we received it.
Timestamp CorrectClockSkew(Timestamp received_at, std::optional<Timestamp> sent_at,
                           std::optional<Timestamp> original);

struct ChannelHints {
  std::string_view property_channel;
  std::string_view campaign_source;
  std::string_view user_agent;
  std::string_view library_name;
  std::string_view sdk_channel;
};
Channel DeriveChannel(const ChannelHints& hints);
// Case-insensitive; '-', ' ' and '_' are equivalent. nullopt when `text` names no channel.
std::optional<Channel> ChannelFromAlias(std::string_view text);
std::optional<Channel> ChannelFromUserAgent(std::string_view user_agent);
std::optional<Channel> ChannelFromLibrary(std::string_view library_name);

// Appends {type, value} unless `value` is empty or the pair is already there. Fails with
// InvalidArgument at `field` when the value is too long or the event has too many identifiers.
Status AddIdentifier(std::string_view type, std::string_view value,
                     std::vector<Identifier>* identifiers, std::string_view field);

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_NORMALIZE_H_
