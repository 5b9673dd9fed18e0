#include "base/encoding.h"

#include <gtest/gtest.h>

namespace banyan {
namespace {

TEST(Encoding, HexAndBase64RoundTrip) {
  const std::string bytes("\x00\xff\x10 banyan", 9);
  EXPECT_EQ(*HexDecode(HexEncode(AsBytes(bytes))), bytes);
  EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(AsBytes(bytes))), bytes);
  EXPECT_EQ(*Base64Decode("aGVsbG8="), "hello");
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(Base64Decode("!!!").has_value());
}

TEST(Encoding, SeededTokensAreReproducible) {
  SeededRandom a(7), b(7);
  EXPECT_EQ(RandomToken(a, 16), RandomToken(b, 16));
  EXPECT_EQ(RandomToken(SecureRandom::Get(), 32).size(), 43u);
}

}  // namespace
}  // namespace banyan
