// Internal to the events wire protocols: application/x-www-form-urlencoded bodies and URL query
// strings ("data_list=eyJ...&gzip=1"), as the Sensors Data SDKs send them.
// Thread safety: stateless functions.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_FORM_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_FORM_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace banyan::events::internal {

inline constexpr size_t kFormFieldsMax = 64;

struct FormField {
  std::string name;        // percent-decoded
  std::string_view value;  // still encoded: decode with FormDecode when needed
};

// Splits on '&' and the first '='. Fails with InvalidArgument when there are more than
// kFormFieldsMax fields or a name is badly encoded.
Result<std::vector<FormField>> SplitForm(std::string_view text);

// Percent-decoding with '+' as a space. nullopt on a bad escape ("%4", "%zz").
std::optional<std::string> FormDecode(std::string_view text);

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_FORM_H_
