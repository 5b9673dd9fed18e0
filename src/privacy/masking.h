// Masking: the one place that decides how a personal value is shown to someone who may not see
// it in full (JR/T 0171 practice). Every response that carries a personal value masks it here
// unless the caller may unmask.
//
//   phone        13812341234 → 138****1234; +8613812341234 → +86138****1234; spaces and '-'
//                dropped; 7-10 digits keep only the last 4
//   id_number    first and last character, the rest '*' (110101199001011234 → 1****************4)
//   card_number  first 6 and last 4, spaces removed (6228 4812 3456 1234 → 622848******1234);
//                8-15 digits keep only the last 4
//   name         surname (first character, or a two-character surname such as 欧阳) then one
//                '*' per remaining character (张三 → 张*, 李小龙 → 李**, 欧阳娜娜 → 欧阳**)
//   email        first character of the local part + ***@domain (zhang@x.cn → z***@x.cn)
//   amount       *** (amounts are C2; the console shows tiers instead)
//   address      the first 6 characters but never more than half, then ****
//                (上海市浦东新区陆家嘴路1号 → 上海市浦东新****)
//   date         year kept (1990-05-17 → 1990-**-**), so age bands still work
//   opaque       first 3 and last 3 when longer than 8 characters, else ****
//
// "Character" means a Unicode code point (names and addresses are Chinese). Short or odd values
// never reveal more than the rule's intent: a value a rule does not recognise, or that is not
// UTF-8, is masked to ****. An empty value stays empty (kNone returns the value unchanged).
// Full table in docs/privacy.md. Thread safety: stateless functions.

#ifndef BANYAN_PRIVACY_MASKING_H_
#define BANYAN_PRIVACY_MASKING_H_

#include <optional>
#include <string>
#include <string_view>

namespace banyan::privacy {

enum class MaskRule {
  kNone,
  kPhone,
  kIdNumber,
  kCardNumber,
  kName,
  kEmail,
  kAmount,
  kAddress,
  kOpaque,
  kDate
};

// "none", "phone", "id_number", "card_number", "name", "email", "amount", "address", "opaque",
// "date".
std::string_view MaskRuleName(MaskRule rule);
std::optional<MaskRule> ParseMaskRule(std::string_view name);
std::string Mask(MaskRule rule, std::string_view value);

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_MASKING_H_
