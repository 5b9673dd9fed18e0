#include "identity/identifier_types.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "base/check.h"

namespace banyan::identity {
namespace {

using privacy::MaskRule;

const std::vector<IdentifierType>& Builtins() {
  static const auto* const kBuiltins = new std::vector<IdentifierType>{
      {"cust_no", 100, Cardinality::kOnePerPerson, MaskRule::kCardNumber,
       Normalization::kCustomerNo, 64},
      {"id_card", 95, Cardinality::kOnePerPerson, MaskRule::kIdNumber, Normalization::kIdCard, 18},
      {"phone", 80, Cardinality::kMany, MaskRule::kPhone, Normalization::kPhone, 11},
      {"wechat_unionid", 75, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"email", 70, Cardinality::kMany, MaskRule::kEmail, Normalization::kEmail,
       kIdentifierBytesMax},
      {"app_user_id", 65, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"alipay_user_id", 60, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"wecom_external_userid", 60, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"wechat_openid", 55, Cardinality::kMany, MaskRule::kOpaque, Normalization::kWechatOpenid,
       kIdentifierBytesMax},
      {"douyin_id", 50, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"device_id", 20, Cardinality::kShared, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
      {"anonymous_id", 10, Cardinality::kMany, MaskRule::kOpaque, Normalization::kTrim,
       kIdentifierBytesMax},
  };
  return *kBuiltins;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Status Malformed(std::string_view type, std::string_view expectation) {
  return InvalidArgumentError(fmt::format("{}: {}", type, expectation));
}

Result<std::string> NormalizePhone(std::string_view name, std::string_view value) {
  std::string digits;
  digits.reserve(value.size());
  for (char c : value) {
    if (c == ' ' || c == '-') continue;
    digits.push_back(c);
  }
  std::string_view rest = digits;
  if (rest.starts_with("+86")) {
    rest.remove_prefix(3);
  } else if (rest.starts_with("0086")) {
    rest.remove_prefix(4);
  } else if (rest.size() == 13 && rest.starts_with("86")) {
    rest.remove_prefix(2);
  }
  if (rest.size() != 11 || rest[0] != '1' || !std::all_of(rest.begin(), rest.end(), IsDigit)) {
    return Malformed(name, "expected 11 digits starting with 1");
  }
  return std::string(rest);
}

// GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits.
Result<std::string> NormalizeIdCard(std::string_view name, std::string_view value) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
  static constexpr std::string_view kCheck = "10X98765432";
  if (value.size() != 18) return Malformed(name, "expected 18 characters");
  std::string out(value);
  if (out[17] == 'x') out[17] = 'X';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    if (!IsDigit(out[i])) return Malformed(name, "expected 17 digits then a check character");
    sum += (out[i] - '0') * kWeights[i];
  }
  if (out[17] != kCheck[sum % 11]) return Malformed(name, "check digit does not match");
  return out;
}

Result<std::string> NormalizeEmail(std::string_view name, std::string_view value) {
  const size_t at = value.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == value.size() ||
      value.find('@', at + 1) != std::string_view::npos) {
    return Malformed(name, "expected one @ between a local part and a domain");
  }
  std::string out(value);
  for (char& c : out) {
    if (IsSpace(c)) return Malformed(name, "expected no spaces");
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<std::string> NormalizeOpenid(std::string_view name, std::string_view value) {
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == value.size() ||
      value.find(':', colon + 1) != std::string_view::npos) {
    return Malformed(name, "expected appid:openid");
  }
  return std::string(value);
}

Result<std::string> NormalizeCustomerNo(std::string_view name, std::string_view value) {
  for (char c : value) {
    const bool ok =
        IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return Malformed(name, "expected letters, digits, '-' or '_'");
  }
  return std::string(value);
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > kIdentifierTypeNameBytesMax) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

std::string_view CardinalityName(Cardinality cardinality) {
  switch (cardinality) {
    case Cardinality::kOnePerPerson:
      return "one_per_person";
    case Cardinality::kMany:
      return "many";
    case Cardinality::kShared:
      return "shared";
  }
  return "unknown";
}

IdentifierTypes::IdentifierTypes() {
  for (const IdentifierType& type : Builtins()) CHECK(Add(type).ok(), "built-in {}", type.name);
}

bool IdentifierTypes::IsBuiltin(std::string_view name) {
  const auto& builtins = Builtins();
  return std::any_of(builtins.begin(), builtins.end(),
                     [&](const IdentifierType& t) { return t.name == name; });
}

Status IdentifierTypes::Add(IdentifierType type) {
  const bool initialising = types_.size() < Builtins().size();
  if (!ValidName(type.name)) {
    return InvalidArgumentError("expected [a-z0-9_]{1,32}", "name");
  }
  if ((!initialising && IsBuiltin(type.name)) || Find(type.name) != nullptr) {
    return InvalidArgumentError(fmt::format("identifier type '{}' already exists", type.name),
                                "name");
  }
  if (type.strength < kStrengthMin || type.strength > kStrengthMax) {
    return InvalidArgumentError(
        fmt::format("expected {}..{}, got {}", kStrengthMin, kStrengthMax, type.strength),
        "strength");
  }
  if (type.value_bytes_max < 1 || type.value_bytes_max > kIdentifierBytesMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kIdentifierBytesMax),
                                "value_bytes_max");
  }
  if (!initialising && type.normalization != Normalization::kTrim) {
    return InvalidArgumentError("custom types normalise by trimming only", "normalization");
  }
  int8_t bit = -1;
  if (type.cardinality == Cardinality::kOnePerPerson) {
    if (!type.strong()) {
      return InvalidArgumentError(
          fmt::format("a one-per-person type must have strength >= {}", kStrongStrengthMin),
          "cardinality");
    }
    const auto used = std::count_if(one_per_person_bit_.begin(), one_per_person_bit_.end(),
                                    [](int8_t b) { return b >= 0; });
    if (static_cast<size_t>(used) >= kOnePerPersonTypesMax) {
      return InvalidArgumentError(
          fmt::format("at most {} one-per-person types", kOnePerPersonTypesMax), "cardinality");
    }
    bit = static_cast<int8_t>(used);
  }
  if (types_.size() >= kIdentifierTypesMax) {
    return TooLargeError(fmt::format("at most {} identifier types", kIdentifierTypesMax));
  }
  types_.push_back(std::move(type));
  one_per_person_bit_.push_back(bit);
  return Status::Ok();
}

const IdentifierType* IdentifierTypes::Find(std::string_view name) const {
  const std::optional<size_t> index = IndexOf(name);
  return index ? &types_[*index] : nullptr;
}

std::optional<size_t> IdentifierTypes::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < types_.size(); ++i) {
    if (types_[i].name == name) return i;
  }
  return std::nullopt;
}

std::optional<int> IdentifierTypes::OnePerPersonBit(size_t index) const {
  const int8_t bit = one_per_person_bit_.at(index);
  return bit >= 0 ? std::optional<int>(bit) : std::nullopt;
}

Result<std::string> IdentifierTypes::Normalize(std::string_view type,
                                               std::string_view value) const {
  const std::optional<size_t> index = IndexOf(type);
  if (!index) {
    return InvalidArgumentError(fmt::format("type: unknown identifier type '{}'",
                                            type.substr(0, kIdentifierTypeNameBytesMax)));
  }
  return Normalize(*index, value);
}

Result<std::string> IdentifierTypes::Normalize(size_t index, std::string_view value) const {
  const IdentifierType& type = types_.at(index);
  if (value.size() > kIdentifierBytesMax) {
    return Malformed(type.name, fmt::format("longer than {} bytes", kIdentifierBytesMax));
  }
  value = Trim(value);
  if (value.empty()) return Malformed(type.name, "empty");
  if (std::any_of(value.begin(), value.end(), IsControl)) {
    return Malformed(type.name, "contains a control character");
  }
  Result<std::string> out = std::string();
  switch (type.normalization) {
    case Normalization::kTrim:
      out = std::string(value);
      break;
    case Normalization::kCustomerNo:
      out = NormalizeCustomerNo(type.name, value);
      break;
    case Normalization::kIdCard:
      out = NormalizeIdCard(type.name, value);
      break;
    case Normalization::kPhone:
      out = NormalizePhone(type.name, value);
      break;
    case Normalization::kEmail:
      out = NormalizeEmail(type.name, value);
      break;
    case Normalization::kWechatOpenid:
      out = NormalizeOpenid(type.name, value);
      break;
  }
  if (out.ok() && out->size() > type.value_bytes_max) {
    return Malformed(type.name, fmt::format("longer than {} bytes", type.value_bytes_max));
  }
  return out;
}

}  // namespace banyan::identity
