// What one ingested event changes besides the identity graph: profile updates (identify traits,
// Sensors profile_* records) and consent facts ("$consent" track events).
//
// A "$consent" event carries properties {"purpose": "marketing" | "personalised_marketing" |
// "data_sharing", "channel": "sms" | ... | "all" (default "all"), "granted": true | false,
// "evidence": {...} (optional object)}. Its fact is idempotent per (write key, message id), so a
// replayed event records nothing twice. A malformed one is counted and otherwise ignored: the
// event is already durable and stays in the log.
//
// Used by CustomerService. Thread safety: stateless functions.

#ifndef BANYAN_CUSTOMER_EVENT_EFFECTS_H_
#define BANYAN_CUSTOMER_EVENT_EFFECTS_H_

#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "events/event.h"
#include "privacy/consent.h"
#include "profile/update.h"

namespace banyan::customer {

inline constexpr std::string_view kConsentEventName = "$consent";

// The profile updates `event` asks for (none for most events).
std::vector<profile::AttributeUpdate> ProfileUpdatesOf(const events::Event& event);

// The consent fact of a "$consent" event (person_id left 0 for the caller to set); nullopt for
// any other event; InvalidArgument naming the property when it is malformed.
Result<std::optional<privacy::ConsentFact>> ConsentOf(const events::Event& event);

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_EVENT_EFFECTS_H_
