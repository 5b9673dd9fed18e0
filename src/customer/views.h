// JSON views of customer data for the API, with masking applied in one place: personal values
// (C2 attributes, identifier values, balances, identifier-bearing event fields) go through
// privacy::Mask by their attribute's or identifier type's rule unless the view is unmasked.
//
// Used by CustomerService (and, for events, by GET /api/v1/events). Thread safety: stateless.

#ifndef BANYAN_CUSTOMER_VIEWS_H_
#define BANYAN_CUSTOMER_VIEWS_H_

#include <span>
#include <string>
#include <vector>

#include "base/json.h"
#include "events/event.h"
#include "identity/graph.h"
#include "identity/identifier_types.h"
#include "privacy/consent.h"
#include "profile/balances.h"
#include "profile/profile_store.h"
#include "profile/schema.h"

namespace banyan::customer {

// The retail tiers of the default AUM bucket (issue 5 makes them a configurable bucket tag):
// mass < 50k, gold 50k–500k, wealth 500k–10M, private ≥ 10M yuan.
std::string_view AumTier(std::string_view aum_decimal_text);

// {"name": {"value": "张*", "masked": true, "at": ..., "source": ...}, ...} plus "age" and "tier".
Json ProfileJson(const profile::AttributeSchema& schema, const profile::Profile& profile,
                 bool masked);
// A list row: name, gender, age, tier, city, risk level, customer since, masked.
Json SummaryJson(const profile::AttributeSchema& schema, const profile::Profile& profile);
Json IdentifiersJson(const identity::IdentifierTypes& types,
                     std::span<const identity::IdentifierRecord> identifiers, bool masked);
Json ConsentStatesJson(std::span<const privacy::ConsentState> states);
Json ConsentFactsJson(std::span<const privacy::ConsentFact> facts);
Json MergesJson(std::span<const identity::MergeRecord> merges);
Json BalancesJson(std::span<const profile::DailyBalances> days, bool masked);

// An attribute definition as the schema API shows it.
Json AttributeJson(const profile::AttributeDef& def);
// An identifier type as the API shows it.
Json IdentifierTypeJson(const identity::IdentifierType& type);

// How much of an event a view shows: everything, or everything but the SDK's `context` (device,
// library, page, campaign...) — the customer 360's recent events, which a relationship manager
// reads as "what the customer did", leave it to the timeline.
enum class EventDetail { kFull, kSummary };

// One event as the API shows it. Values of erased identifiers are replaced by "[erased]", in the
// event's identifiers and in context.externalIds. Masked: identifiers that name a person directly
// (phone, id_card, email, cust_no) by their type's rule — in the identifiers and in
// context.externalIds — and traits (the event's and context.traits) holding such identifiers or
// personal attributes; pseudonymous identifiers (anonymous, device, app user and platform ids)
// stay readable for debugging tracking.
Json EventJson(uint64_t sequence, const events::Event& event, const identity::IdentityGraph& graph,
               const profile::AttributeSchema* schema, bool masked,
               EventDetail detail = EventDetail::kFull);

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_VIEWS_H_
