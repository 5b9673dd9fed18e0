// Small text helpers for the profile module: UTF-8 validation and trimming.
// Thread safety: stateless functions.

#ifndef BANYAN_PROFILE_INTERNAL_TEXT_H_
#define BANYAN_PROFILE_INTERNAL_TEXT_H_

#include <string>
#include <string_view>

#include "base/json.h"

namespace banyan::profile::internal {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF)
// with no C0 control characters other than tab, and no DEL.
bool IsCleanUtf8(std::string_view text);
// True when `text` holds a CJK ideograph (U+3400–U+9FFF, U+20000–U+2FFFF).
bool ContainsCjk(std::string_view text);
// `text` without leading and trailing ASCII spaces, tabs, CR and LF.
std::string_view TrimSpace(std::string_view text);
// JSON string literals (base/json.h).
using banyan::AppendJsonString;
using banyan::JsonString;

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_TEXT_H_
