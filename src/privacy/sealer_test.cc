#include "privacy/sealer.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "base/random.h"

namespace banyan::privacy {
namespace {

DataKey KeyOf(uint8_t fill) {
  std::array<uint8_t, kDataKeyBytes> bytes;
  bytes.fill(fill);
  return DataKey(bytes);
}

TEST(Sealer, RoundTripsAndAddsTheDocumentedOverhead) {
  SeededRandom random(1);
  const DataKey key = KeyOf(7);
  const std::string plain = "张三 13812341234";
  const std::string sealed = Seal(key, plain, "identifier/1/phone", random);
  ASSERT_EQ(sealed.size(), plain.size() + kSealedOverheadBytes);
  EXPECT_EQ(static_cast<uint8_t>(sealed[0]), kSealedFormatV1);
  EXPECT_EQ(sealed.find(plain), std::string::npos);
  Result<std::string> opened = Open(key, sealed, "identifier/1/phone");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, plain);
}

TEST(Sealer, EmptyPlaintextRoundTrips) {
  SeededRandom random(1);
  const std::string sealed = Seal(KeyOf(1), "", "profile/9", random);
  EXPECT_EQ(sealed.size(), kSealedOverheadBytes);
  Result<std::string> opened = Open(KeyOf(1), sealed, "profile/9");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "");
}

TEST(Sealer, SealingTwiceUsesFreshNonces) {
  SeededRandom random(1);
  EXPECT_NE(Seal(KeyOf(1), "same", "a", random), Seal(KeyOf(1), "same", "a", random));
}

TEST(Sealer, EveryTamperedByteFailsAuthentication) {
  SeededRandom random(1);
  const std::string sealed = Seal(KeyOf(3), "secret value", "profile/1", random);
  for (size_t i = 1; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    Result<std::string> opened = Open(KeyOf(3), tampered, "profile/1");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.status().code(), StatusCode::kDataLoss);
    EXPECT_EQ(opened.status().message(), "sealed value failed authentication");
  }
}

TEST(Sealer, WrongKeyOrWrongAssociatedDataIsDataLoss) {
  SeededRandom random(1);
  const std::string sealed = Seal(KeyOf(3), "secret", "identifier/1/phone", random);
  EXPECT_EQ(Open(KeyOf(4), sealed, "identifier/1/phone").status().code(), StatusCode::kDataLoss);
  // The same value copied into another person's row does not open there.
  EXPECT_EQ(Open(KeyOf(3), sealed, "identifier/2/phone").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(Open(KeyOf(3), sealed, "").status().code(), StatusCode::kDataLoss);
}

TEST(Sealer, ShortOrUnknownFormatIsInvalidArgument) {
  SeededRandom random(1);
  EXPECT_EQ(Open(KeyOf(1), "", "a").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open(KeyOf(1), std::string(kSealedOverheadBytes - 1, '\x01'), "a").status().code(),
            StatusCode::kInvalidArgument);
  std::string sealed = Seal(KeyOf(1), "x", "a", random);
  sealed[0] = '\x02';
  EXPECT_EQ(Open(KeyOf(1), sealed, "a").status().code(), StatusCode::kInvalidArgument);
}

TEST(DataKey, CopiesCompareEqualAndDifferentKeysDoNot) {
  const DataKey a = KeyOf(5);
  DataKey b = KeyOf(6);
  EXPECT_FALSE(a == b);
  b = a;
  EXPECT_TRUE(a == b);
  const DataKey c(a);
  EXPECT_TRUE(c == a);
  EXPECT_EQ(c.data()[0], 5);
}

}  // namespace
}  // namespace banyan::privacy
