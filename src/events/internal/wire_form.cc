#include "events/internal/wire_form.h"

#include <fmt/format.h>

#include <optional>

namespace banyan::events::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    // Copy the run up to the next escape at once: payloads are mostly unescaped base64.
    size_t special = 0;
    while (special < text.size() && text[special] != '%' && text[special] != '+') ++special;
    out.append(text.data(), special);
    if (special == text.size()) break;
    text.remove_prefix(special);
    if (text[0] == '+') {
      out.push_back(' ');
      text.remove_prefix(1);
      continue;
    }
    if (text.size() < 3) return std::nullopt;
    const int high = HexValue(text[1]);
    const int low = HexValue(text[2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    text.remove_prefix(3);
  }
  return out;
}

Result<std::vector<FormField>> SplitForm(std::string_view text) {
  std::vector<FormField> fields;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    if (fields.size() >= kFormFieldsMax) {
      return InvalidArgumentError(fmt::format("more than {} form fields", kFormFieldsMax));
    }
    const size_t eq = pair.find('=');
    auto name = FormDecode(pair.substr(0, eq));
    if (!name) return InvalidArgumentError("badly encoded form field name");
    fields.push_back(FormField{
        std::move(*name), eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1)});
  }
  return fields;
}

}  // namespace banyan::events::internal
