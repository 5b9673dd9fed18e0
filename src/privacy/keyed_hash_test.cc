#include "privacy/keyed_hash.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <fstream>

#include "base/encoding.h"

#include "privacy/testing/privacy_fixture.h"

namespace banyan::privacy {
namespace {

class KeyedHashTest : public testing::PrivacyFixture {};

TEST_F(KeyedHashTest, IsDeterministicAndSeparatesDomainsAndValues) {
  const LookupHash a = KeyedHash(*ring_, "phone", "13812341234");
  EXPECT_EQ(a, KeyedHash(*ring_, "phone", "13812341234"));
  EXPECT_NE(a, KeyedHash(*ring_, "phone", "13812341235"));
  EXPECT_NE(a, KeyedHash(*ring_, "cust_no", "13812341234"));
  // The separator keeps ("ab","c") and ("a","bc") apart.
  EXPECT_NE(KeyedHash(*ring_, "ab", "c"), KeyedHash(*ring_, "a", "bc"));
}

TEST_F(KeyedHashTest, MatchesKeyedBlake2bOverDomainNulValue) {
  // The on-disk contract (docs/privacy.md): BLAKE2b-128 keyed with the ring's hash key. Reading
  // the key from the ring file checks the file format and the prepared state together.
  std::ifstream in(RingPath());
  std::string line, hex;
  while (std::getline(in, line)) {
    if (line.rfind("hash-key ", 0) == 0) hex = line.substr(9);
  }
  std::optional<std::string> key = HexDecode(hex);
  ASSERT_TRUE(key && key->size() == 32);
  const std::string input = std::string("phone") + '\0' + "13812341234";
  LookupHash expected;
  crypto_generichash(expected.data(), expected.size(),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                     reinterpret_cast<const unsigned char*>(key->data()), key->size());
  EXPECT_EQ(KeyedHash(*ring_, "phone", "13812341234"), expected);
}

TEST_F(KeyedHashTest, BytesRoundTrip) {
  const LookupHash h = KeyedHash(*ring_, "email", "a@b.cn");
  const std::string_view bytes = AsBytes(h);
  EXPECT_EQ(bytes.size(), 16u);
  Result<LookupHash> back = LookupHashFromBytes(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  EXPECT_EQ(LookupHashFromBytes("short").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LookupHashFromBytes(std::string(17, 'x')).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace banyan::privacy
