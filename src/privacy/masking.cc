#include "privacy/masking.h"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace banyan::privacy {
namespace {

constexpr std::string_view kHidden = "****";

constexpr std::array<std::pair<MaskRule, std::string_view>, 10> kRuleNames = {{
    {MaskRule::kNone, "none"},
    {MaskRule::kPhone, "phone"},
    {MaskRule::kIdNumber, "id_number"},
    {MaskRule::kCardNumber, "card_number"},
    {MaskRule::kName, "name"},
    {MaskRule::kEmail, "email"},
    {MaskRule::kAmount, "amount"},
    {MaskRule::kAddress, "address"},
    {MaskRule::kOpaque, "opaque"},
    {MaskRule::kDate, "date"},
}};

// Two-character Chinese surnames: the whole surname is kept, as a one-character one is.
constexpr std::array<std::string_view, 30> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
    "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里",
    "呼延", "澹台", "太史", "申屠", "万俟", "闻人", "赫连", "钟离", "淳于", "司空"};

// Byte offsets of each code point of `text`, plus text.size() at the end; empty when `text` is
// not valid UTF-8 (overlong forms, surrogates and values past U+10FFFF are invalid).
std::vector<size_t> CodePointOffsets(std::string_view text) {
  std::vector<size_t> offsets;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<uint8_t>(text[i]);
    size_t length = 0;
    uint32_t code_point = 0, min = 0;
    if (lead < 0x80) {
      length = 1, code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, code_point = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, code_point = lead & 0x0F, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, code_point = lead & 0x07, min = 0x10000;
    } else {
      return {};
    }
    if (i + length > text.size()) return {};
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xC0) != 0x80) return {};
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if (code_point < min || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return {};
    }
    offsets.push_back(i);
    i += length;
  }
  offsets.push_back(text.size());
  return offsets;
}

// Keeps the first `head` and last `tail` code points and puts `stars` '*' between them.
// REQUIRES: head + tail < number of code points.
std::string Keep(std::string_view text, const std::vector<size_t>& offsets, size_t head,
                 size_t tail, size_t stars) {
  const size_t count = offsets.size() - 1;
  std::string out(text.substr(0, offsets[head]));
  out.append(stars, '*');
  out.append(text.substr(offsets[count - tail]));
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string WithoutSeparators(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-') out += c;
  }
  return out;
}

// 11+ digits (a mainland mobile or a landline with area code): first 3 and last 4. 7-10 digits:
// last 4. Fewer: nothing.
std::string MaskPhoneDigits(std::string_view digits) {
  if (!AllDigits(digits) || digits.size() < 7) return std::string(kHidden);
  const size_t n = digits.size();
  const size_t head = n >= 11 ? 3 : 0;
  return std::string(digits.substr(0, head)) + std::string(n - head - 4, '*') +
         std::string(digits.substr(n - 4));
}

std::string MaskPhone(std::string_view value) {
  const std::string phone = WithoutSeparators(value);
  std::string_view rest = phone;
  std::string prefix;
  if (rest.starts_with("+86")) {
    prefix = "+86";
  } else if (rest.starts_with("+")) {
    prefix = "+";
  }
  rest.remove_prefix(prefix.size());
  const std::string masked = MaskPhoneDigits(rest);
  return masked == kHidden ? masked : prefix + masked;
}

// Resident ID (15 or 18), passport, HK/Macau/Taiwan permits: first and last character.
std::string MaskIdNumber(std::string_view value, const std::vector<size_t>& offsets) {
  const size_t count = offsets.size() - 1;
  if (count < 8) return std::string(kHidden);
  return Keep(value, offsets, 1, 1, count - 2);
}

// 16-19 digit cards and long accounts: first 6 (the issuer) and last 4. 8-15 digits: last 4.
std::string MaskCardNumber(std::string_view value) {
  const std::string digits = WithoutSeparators(value);
  if (!AllDigits(digits) || digits.size() < 8) return std::string(kHidden);
  const size_t n = digits.size();
  const size_t head = n >= 16 ? 6 : 0;
  return digits.substr(0, head) + std::string(n - head - 4, '*') + digits.substr(n - 4);
}

std::string MaskName(std::string_view value, const std::vector<size_t>& offsets) {
  const size_t count = offsets.size() - 1;
  if (count <= 1) return "*";
  size_t head = 1;
  const bool compound = std::any_of(kCompoundSurnames.begin(), kCompoundSurnames.end(),
                                    [&](std::string_view s) { return value.starts_with(s); });
  if (compound && count > 2) head = 2;
  return Keep(value, offsets, head, 0, count - head);
}

std::string MaskEmail(std::string_view value) {
  const size_t at = value.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == value.size()) {
    return std::string(kHidden);
  }
  const std::vector<size_t> local = CodePointOffsets(value.substr(0, at));
  return std::string(value.substr(0, local[1])) + "***" + std::string(value.substr(at));
}

// At most 6 characters and never more than half: the province and city, not the street.
std::string MaskAddress(std::string_view value, const std::vector<size_t>& offsets) {
  const size_t count = offsets.size() - 1;
  const size_t head = std::min<size_t>(6, count / 2);
  return std::string(value.substr(0, offsets[head])) + std::string(kHidden);
}

// The year stays, so age bands still work: 1990-05-17 → 1990-**-**, 19900517 → 1990****.
std::string MaskDate(std::string_view value) {
  if (value.size() == 10 && AllDigits(value.substr(0, 4)) && value[4] == '-' &&
      AllDigits(value.substr(5, 2)) && value[7] == '-' && AllDigits(value.substr(8, 2))) {
    return std::string(value.substr(0, 4)) + "-**-**";
  }
  if (value.size() == 8 && AllDigits(value)) return std::string(value.substr(0, 4)) + "****";
  return std::string(kHidden);
}

// WeChat openids, device ids: first 3 and last 3 around a fixed **** that hides the length.
std::string MaskOpaque(std::string_view value, const std::vector<size_t>& offsets) {
  const size_t count = offsets.size() - 1;
  if (count <= 8) return std::string(kHidden);
  return std::string(value.substr(0, offsets[3])) + std::string(kHidden) +
         std::string(value.substr(offsets[count - 3]));
}

}  // namespace

std::string_view MaskRuleName(MaskRule rule) {
  for (const auto& [r, name] : kRuleNames) {
    if (r == rule) return name;
  }
  return "none";
}

std::optional<MaskRule> ParseMaskRule(std::string_view name) {
  for (const auto& [rule, rule_name] : kRuleNames) {
    if (rule_name == name) return rule;
  }
  return std::nullopt;
}

std::string Mask(MaskRule rule, std::string_view value) {
  if (rule == MaskRule::kNone) return std::string(value);
  if (value.empty()) return "";  // nothing to hide
  if (rule == MaskRule::kAmount) return "***";
  const std::vector<size_t> offsets = CodePointOffsets(value);
  if (offsets.empty()) return std::string(kHidden);  // not UTF-8: show nothing of it
  switch (rule) {
    case MaskRule::kPhone:
      return MaskPhone(value);
    case MaskRule::kIdNumber:
      return MaskIdNumber(value, offsets);
    case MaskRule::kCardNumber:
      return MaskCardNumber(value);
    case MaskRule::kName:
      return MaskName(value, offsets);
    case MaskRule::kEmail:
      return MaskEmail(value);
    case MaskRule::kAddress:
      return MaskAddress(value, offsets);
    case MaskRule::kDate:
      return MaskDate(value);
    case MaskRule::kOpaque:
      return MaskOpaque(value, offsets);
    case MaskRule::kNone:
    case MaskRule::kAmount:
      break;
  }
  return std::string(kHidden);
}

}  // namespace banyan::privacy
