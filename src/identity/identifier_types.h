// IdentifierTypes: the kinds of identifier OneID knows — their strength, cardinality, masking
// rule and how a value is normalised before it is hashed and compared.
//
// Built-in types (docs/identity.md has the full table):
//
//   type                   strength  cardinality     normalisation
//   cust_no                100       one per person  trimmed; letters, digits, '-', '_'
//   id_card                 95       one per person  18 characters, check digit verified, 'X'
//   phone                   80       many            China mobile: 11 digits starting with 1
//   wechat_unionid          75       many            trimmed
//   email                   70       many            trimmed, lower-case, one '@'
//   app_user_id             65       many            trimmed
//   alipay_user_id          60       many            trimmed
//   wecom_external_userid   60       many            trimmed
//   wechat_openid           55       many            "appid:openid", both parts required
//   douyin_id               50       many            trimmed
//   device_id               20       shared          trimmed
//   anonymous_id            10       many            trimmed
//
// Cardinality: kOnePerPerson — a person holds at most one value and a value belongs to one
// person; kMany — a person may hold several values, a value belongs to one person; kShared — a
// value may belong to several persons (a family tablet). A type of strength >= kStrongStrengthMin
// is "strong": it identifies a person. One-per-person types must be strong.
//
// Custom types come from configuration through Add(); they normalise by trimming. The set is
// built at start-up and read-only afterwards.
//
// Used by: identity (graph.h), profile import, the api (masking identifiers).
// Thread safety: a value type. Add() must not race with readers; const methods are safe from any
// thread.

#ifndef BANYAN_IDENTITY_IDENTIFIER_TYPES_H_
#define BANYAN_IDENTITY_IDENTIFIER_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "privacy/masking.h"

namespace banyan::identity {

inline constexpr size_t kIdentifierBytesMax = 256;  // a normalised value, and a raw one
inline constexpr size_t kIdentifierTypeNameBytesMax = 32;
inline constexpr size_t kIdentifierTypesMax = 64;  // built-in and custom together
// One-per-person types are tracked as bits per person; this many fit.
inline constexpr size_t kOnePerPersonTypesMax = 8;
inline constexpr int kStrengthMin = 1;
inline constexpr int kStrengthMax = 100;
// Identifiers at least this strong identify a person; weaker ones (device_id, anonymous_id) only
// link persons of whom at most one is identified.
inline constexpr int kStrongStrengthMin = 30;

enum class Cardinality : uint8_t { kOnePerPerson, kMany, kShared };

// "one_per_person", "many", "shared".
std::string_view CardinalityName(Cardinality cardinality);

// How values of a type are normalised.
enum class Normalization : uint8_t {
  kTrim,          // surrounding ASCII whitespace removed (custom types)
  kCustomerNo,    // cust_no
  kIdCard,        // id_card
  kPhone,         // phone
  kEmail,         // email
  kWechatOpenid,  // wechat_openid
};

struct IdentifierType {
  std::string name;
  int strength = 50;
  Cardinality cardinality = Cardinality::kMany;
  privacy::MaskRule mask = privacy::MaskRule::kOpaque;
  Normalization normalization = Normalization::kTrim;
  size_t value_bytes_max = kIdentifierBytesMax;  // normalised value; 1..kIdentifierBytesMax

  bool strong() const { return strength >= kStrongStrengthMin; }
};

class IdentifierTypes {
 public:
  // The built-in types only.
  IdentifierTypes();

  // Adds a custom type. InvalidArgument naming the field when: name is not [a-z0-9_]{1,32}, or
  // is a built-in or already added ("name"); strength is outside 1..100 ("strength"); a
  // one-per-person type is weak or there are already kOnePerPersonTypesMax of them
  // ("cardinality"); value_bytes_max is outside 1..kIdentifierBytesMax ("value_bytes_max");
  // normalization is not kTrim ("normalization"). TooLarge when kIdentifierTypesMax are held.
  Status Add(IdentifierType type);

  // The type named `name`, or nullptr.
  const IdentifierType* Find(std::string_view name) const;
  // The index of the type named `name` (stable for the life of this object), or nullopt.
  std::optional<size_t> IndexOf(std::string_view name) const;
  const IdentifierType& at(size_t index) const { return types_.at(index); }
  size_t size() const { return types_.size(); }
  const std::vector<IdentifierType>& all() const { return types_; }
  static bool IsBuiltin(std::string_view name);

  // The bit (0..kOnePerPersonTypesMax-1) of one-per-person type `index`, or nullopt for other
  // cardinalities.
  std::optional<int> OnePerPersonBit(size_t index) const;

  // `value` normalised for `type`. InvalidArgument when the type is unknown ("type: unknown
  // identifier type 'x'") or the value is malformed, in the form
  // "phone: expected 11 digits starting with 1".
  Result<std::string> Normalize(std::string_view type, std::string_view value) const;
  Result<std::string> Normalize(size_t index, std::string_view value) const;

 private:
  std::vector<IdentifierType> types_;
  std::vector<int8_t> one_per_person_bit_;  // per type; -1 when not one-per-person
};

}  // namespace banyan::identity

#endif  // BANYAN_IDENTITY_IDENTIFIER_TYPES_H_
