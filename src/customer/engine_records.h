// Engine records: how the customer module's data becomes the analytic engine's input — which
// profile attributes are engine columns and in what units, how an event becomes an
// engine::EventRecord, and how consent becomes boolean attributes. docs/engine.md ("Feeding the
// engine") is the reference for the segment evaluator.
//
// Attributes. Every profile attribute is a column of the same name except the direct
// identifiers and personal free text (name, address, a custom attribute masked as a name, phone,
// id number, card number, e-mail or address) and birth_date, which is replaced by `age`
// (integer, whole years on the bank's calendar as of the profile's last read). Kinds: string and
// enum → kString; integer → kInteger; decimal → kDecimal scaled by DecimalScale (amounts in fen,
// ×100; coordinates ×10^6); boolean; date → kDate (days since 1970-01-01); timestamp →
// kTimestamp (Unix seconds); string_list → kStringList.
//
// Consent. `consent.<purpose>.<channel>` (boolean) is the policy gate's answer
// (privacy::Allows) for each channel a fact of that purpose names, and for every channel when a
// fact names "all"; `consent.<purpose>.all` is the "all" fact itself. No attribute means no fact:
// not allowed (opt-in).
//
// Events. track → its name; identify (and Sensors profile_set) → "$identify"; page → "$page",
// screen → "$screen" (their name as property "name"); alias → "$alias"; group → "$group";
// profile_set_once/_increment/_append/_unset are profile operations, not behaviour, and are not
// fed. Top-level properties: numbers as numbers, booleans as 1/0, strings up to
// kEnginePropertyStringBytesMax bytes; nested objects, arrays, nulls and longer strings are
// skipped and counted.
//
// Thread safety: pure functions.

#ifndef BANYAN_CUSTOMER_ENGINE_RECORDS_H_
#define BANYAN_CUSTOMER_ENGINE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "events/event.h"
#include "privacy/consent.h"
#include "profile/profile_store.h"
#include "profile/schema.h"

namespace banyan::customer {

// Longer string property values (URLs, free text) would fill the engine's dictionary with
// values no segment compares against.
inline constexpr size_t kEnginePropertyStringBytesMax = 64;

// The engine column for `def`, or nullopt when the attribute is not fed (see above).
std::optional<engine::AttributeSpec> EngineAttributeSpec(const profile::AttributeDef& def);
// The columns of every fed attribute of `schema`, built-ins first.
std::vector<engine::AttributeSpec> EngineAttributeSpecs(const profile::AttributeSchema& schema);

// "consent.marketing.sms".
std::string ConsentAttributeName(privacy::Purpose purpose, std::string_view channel);

// Everything the engine holds of one customer: a change for every fed attribute of `schema`
// (unset when the profile has no value), `age`, and the consent attributes. Values that do
// not convert (never expected: the store holds canonical JSON) are unset and counted in
// `*skipped`. New consent columns are added to `*consent_specs`.
std::vector<engine::AttributeChange> EngineAttributesOf(
    engine::PersonId person, const profile::Profile& profile,
    std::span<const privacy::ConsentState> consents, const profile::AttributeSchema& schema,
    std::vector<engine::AttributeSpec>* consent_specs, int64_t* skipped);

// The engine value of a canonical JSON value of `def` (schema.h); InvalidArgument when it does
// not convert.
Result<engine::AttributeValue> EngineValueOf(const profile::AttributeDef& def,
                                             std::string_view canonical_json);

// The engine's record of `event` as done by `person`, or nullopt for profile operations.
// Properties that cannot be held are counted in `*skipped_properties`.
std::optional<engine::EventRecord> EngineEventOf(engine::PersonId person,
                                                 const events::Event& event,
                                                 int64_t* skipped_properties);

}  // namespace banyan::customer

#endif  // BANYAN_CUSTOMER_ENGINE_RECORDS_H_
