// Scrubbing erased customers out of the event log (PIPL erasure, second half).
//
// Erasure (CustomerService::Erase) removes a customer's identifiers, profile and keys from the
// database at once; the events they sent stay in the log so that aggregate counts do not change.
// ScrubErasedEvent makes such an event anonymous in the log itself: it drops the identifiers that
// were erased, the event's traits (they describe the person) and, from the context, `traits`,
// `ip` and every string equal to an erased identifier's value (context.externalIds,
// context.device.id), and replaces any property string equal to one with "[erased]". What the
// event says happened — name, type, channel, times, message id, other properties — stays, so
// funnels and counts are unchanged. CustomerService::ScrubErasedEvents runs it over the sealed
// segments with EventLog::RewriteSealed.
//
// Thread safety: a pure function of its arguments; the graph is read under its own lock.

#ifndef BANYAN_CUSTOMER_EVENT_SCRUB_H_
#define BANYAN_CUSTOMER_EVENT_SCRUB_H_

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "identity/graph.h"

namespace banyan::customer {

// The encoded event `record` with the identifiers erased before it was received removed as
// above; nullopt when it carries none (an identifier erased only after the event arrived was the
// customer's return, not the erased customer). DataLoss when the record does not decode.
Result<std::optional<std::string>> ScrubErasedEvent(std::string_view record,
                                                    const identity::IdentityGraph& graph);

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_EVENT_SCRUB_H_
