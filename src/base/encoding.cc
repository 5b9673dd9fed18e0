#include "base/encoding.h"

#include <sodium.h>

#include <vector>

namespace banyan {

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::string> HexDecode(std::string_view hex) {
  std::string out(hex.size() / 2, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), hex.data(),
                     hex.size(), nullptr, &length, &end) != 0 ||
      end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

namespace {
std::string EncodeBase64(std::span<const uint8_t> bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}
std::optional<std::string> DecodeBase64(std::string_view text, int variant) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), "\r\n", &length, &end, variant) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}
}  // namespace

std::string Base64UrlEncode(std::span<const uint8_t> bytes) {
  return EncodeBase64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return DecodeBase64(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return DecodeBase64(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

std::string RandomToken(Random& random, size_t bytes) {
  std::vector<uint8_t> buffer(bytes);
  random.Fill(buffer);
  return Base64UrlEncode(buffer);
}

}  // namespace banyan
