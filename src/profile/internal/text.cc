#include "profile/internal/text.h"

#include <cstdint>

namespace banyan::profile::internal {
namespace {

// Decodes one code point at text[*i]; returns -1 on malformed UTF-8.
int32_t DecodeOne(std::string_view text, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  const uint8_t lead = byte(*i);
  if (lead < 0x80) {
    ++*i;
    return lead;
  }
  int length;
  int32_t cp;
  int32_t min;
  if ((lead & 0xe0) == 0xc0) {
    length = 2, cp = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, cp = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (*i + length > text.size()) return -1;
  for (int k = 1; k < length; ++k) {
    const uint8_t b = byte(*i + k);
    if ((b & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  *i += length;
  return cp;
}

}  // namespace

bool IsCleanUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const int32_t cp = DecodeOne(text, &i);
    if (cp < 0 || (cp < 0x20 && cp != '\t') || cp == 0x7f) return false;
  }
  return true;
}

bool ContainsCjk(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const int32_t cp = DecodeOne(text, &i);
    if (cp < 0) return false;
    if ((cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0x20000 && cp <= 0x2ffff)) return true;
  }
  return false;
}

std::string_view TrimSpace(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace banyan::profile::internal
