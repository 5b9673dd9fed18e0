// AttributeSchema: the typed attributes a customer profile may hold — the bank's built-ins and
// the custom attributes added through the API — and the normalisation of values to one canonical
// JSON form per type.
//
// Types and canonical forms (compact JSON):
//   string       a JSON string, trimmed, non-empty, clean UTF-8, <= kAttributeValueBytesMax
//   enum         a JSON string, one of the definition's values (matched ignoring ASCII case and
//                stored as defined: "r3" -> "R3")
//   integer      a JSON number without fraction, within int64
//   decimal      a JSON string of an exact decimal ("523410.25"), shortest form, at most
//                DecimalScale(def) fraction digits (2 for amounts, 6 otherwise) and
//                internal::kDecimalIntegerDigitsMax integer digits; never a double
//   boolean      true / false
//   date         a JSON string "YYYY-MM-DD", years kDateYearMin..kDateYearMax
//   timestamp    a JSON string, RFC 3339 in UTC ("2026-11-22T02:30:00Z")
//   string_list  a JSON array of distinct strings, sorted, <= kStringListItemsMax items
// Inputs are accepted in the forms SDKs and files send them: numbers, booleans and dates also as
// strings ("12", "true", "523410.25"), a date also as an RFC 3339 timestamp (its date as written),
// a string list also as one string. A CSV cell is read by NormalizeText, where a string list is
// "a|b|c".
//
// `personal` attributes are C2 personal data: sealed at rest (all of a profile is) and masked in
// responses with `mask`. `age` is derived from birth_date and cannot be written.
//
// Used by: profile_store (every update), import (column checks), the api (listing, adding).
// Thread safety: all methods are safe from any thread. Definitions returned by Find stay valid
// for the schema's lifetime (attributes are never removed).

#ifndef BANYAN_PROFILE_SCHEMA_H_
#define BANYAN_PROFILE_SCHEMA_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "privacy/masking.h"
#include "store/database.h"

namespace banyan::profile {

inline constexpr size_t kAttributesMax = 200;            // custom attributes
inline constexpr size_t kAttributeNameBytesMax = 64;     // [a-z][a-z0-9_]{0,63}
inline constexpr size_t kAttributeValueBytesMax = 1024;  // one string value
inline constexpr size_t kStringListItemsMax = 100;       // items of one string list
inline constexpr size_t kStringListItemBytesMax = 128;   // one item of a string list
inline constexpr size_t kEnumValuesMax = 64;             // values of one enum attribute
inline constexpr size_t kEnumValueBytesMax = 64;         // one enum value
inline constexpr size_t kAttributeLabelBytesMax = 128;   // the console label, UTF-8 bytes
inline constexpr size_t kAttributeDescriptionBytesMax = 1024;
inline constexpr int kDateYearMin = 1900;
inline constexpr int kDateYearMax = 2199;

enum class AttributeType {
  kString,
  kEnum,
  kInteger,
  kDecimal,
  kBoolean,
  kDate,
  kTimestamp,
  kStringList,
};

// "string", "enum", "integer", "decimal", "boolean", "date", "timestamp", "string_list".
std::string_view AttributeTypeName(AttributeType type);
std::optional<AttributeType> ParseAttributeType(std::string_view name);

struct AttributeDef {
  std::string name;
  AttributeType type = AttributeType::kString;
  std::vector<std::string> enum_values;  // enum only, in display order
  bool personal = false;                 // C2: masked in responses with `mask`
  privacy::MaskRule mask = privacy::MaskRule::kNone;
  std::string label;  // for the console, e.g. "姓名"
  std::string description;
  bool builtin = false;
  bool read_only = false;  // derived (age): never written by updates or imports
};

// Fraction digits a decimal attribute keeps: 2 for amounts (mask kAmount, yuan to the fen),
// 6 otherwise (coordinates and other measures).
int DecimalScale(const AttributeDef& def);

// The built-in attributes, in display order.
const std::vector<AttributeDef>& BuiltinAttributes();

// Names a custom attribute may not take besides the built-ins: the import columns and the
// identifier types, which the importer and the trait mapper treat as identifiers.
bool IsReservedAttributeName(std::string_view name);

// `value` in its canonical compact JSON form, or InvalidArgument whose message starts with the
// attribute name ("risk_level: expected one of R1, R2, R3, R4, R5") and whose field is
// "/<name>". Read-only attributes are refused.
Result<std::string> Normalize(const AttributeDef& def, const Json& value);
// The same for a CSV cell. REQUIRES: `text` is not empty (an empty cell means "not given").
Result<std::string> NormalizeText(const AttributeDef& def, std::string_view text);

class AttributeSchema {
 public:
  // A schema with the built-ins only.
  AttributeSchema();
  // The built-ins and the custom attributes stored in `tx` (table profile_attribute).
  static Result<std::unique_ptr<AttributeSchema>> Load(store::Transaction& tx);

  // The attribute called `name`, or null.
  const AttributeDef* Find(std::string_view name) const;
  // Built-ins in display order, then custom attributes by name.
  std::vector<AttributeDef> List() const;
  size_t custom_count() const;

  // Validates `def` (name [a-z][a-z0-9_]{0,63}, not built-in or reserved or existing; enum with
  // 1..kEnumValuesMax distinct values; a personal attribute needs a mask other than kNone;
  // label and description sizes) and stores it in its own transaction on `db`, running
  // `in_transaction` (for the audit record) inside the same one; the attribute is usable once
  // the transaction has committed. InvalidArgument naming the field, AlreadyExists for a taken
  // name, FailedPrecondition beyond kAttributesMax. Returns the stored definition.
  Result<AttributeDef> Add(store::Database& db, const AttributeDef& def, int64_t staff_id,
                           Timestamp now,
                           const std::function<Status(store::Transaction&)>& in_transaction = {});

 private:
  Status Validate(const AttributeDef& def) const;

  mutable std::shared_mutex mutex_;
  // Built-ins and custom definitions by name; nodes never move or go away.
  std::map<std::string, std::unique_ptr<AttributeDef>, std::less<>> by_name_;
  std::vector<const AttributeDef*> builtins_;
  size_t custom_count_ = 0;
};

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_SCHEMA_H_
