// Event codec: an Event as the compact bytes of one durable-log record, and back.
//
// The layout is versioned (the first byte) and documented in docs/formats/event_record.md.
// Encoding cannot fail for an Event that a decoder produced. Decoding checks every length,
// enum, timestamp, UTF-8 string and JSON section, so corrupt or hostile bytes come back as
// DataLoss — never a crash, never an Event that breaks an invariant.
//
// Used by the durable event log (one record per event) and by the engine when it replays it.
// Thread safety: stateless functions; safe from any thread (decoding keeps a per-thread parser).

#ifndef BANYAN_EVENTS_EVENT_CODEC_H_
#define BANYAN_EVENTS_EVENT_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "events/event.h"

namespace banyan::events {

inline constexpr uint8_t kEventRecordVersion = 1;
// No valid record is larger: every JSON section and string is bounded by kEventBytesMax.
inline constexpr size_t kEventRecordBytesMax = 4 * kEventBytesMax;

// Appends the record for `event` to `out`.
// REQUIRES: `event` satisfies the limits in event.h (every decoder guarantees this).
void EncodeEvent(const Event& event, std::string* out);
std::string EncodeEvent(const Event& event);

// Decodes exactly one record occupying all of `bytes`.
Result<Event> DecodeEvent(std::string_view bytes);

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_EVENT_CODEC_H_
