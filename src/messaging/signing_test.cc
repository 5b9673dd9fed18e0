// The signing helpers against published vectors: Aliyun's documented RPC signature example, RFC
// 2202's HMAC-SHA-1 cases, FIPS 180's SHA-1 of "abc", and WeChat's callback signature.

#include "messaging/internal/signing.h"

#include <gtest/gtest.h>

namespace banyan::messaging::internal {
namespace {

TEST(SigningTest, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(Hex(HmacSha1(std::string(20, '\x0b'), "Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(Hex(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(SigningTest, Sha1MatchesFips180) {
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(SigningTest, Base64) {
  EXPECT_EQ(Base64(""), "");
  EXPECT_EQ(Base64("f"), "Zg==");
  EXPECT_EQ(Base64("foob"), "Zm9vYg==");
}

TEST(SigningTest, PercentEncodeIsAliyuns) {
  // Space is %20 (not +), * is %2A, ~ is kept, multi-byte characters are encoded per byte.
  EXPECT_EQ(PercentEncode("a b*c~d/e:f"), "a%20b%2Ac~d%2Fe%3Af");
  EXPECT_EQ(PercentEncode("榕"), "%E6%A6%95");
}

// Aliyun's documented example (the RPC signature page of its API reference, ECS
// DescribeRegions): AccessKeySecret "testsecret", and the parameters below in any order.
TEST(SigningTest, AliyunRpcSignatureMatchesTheDocumentedExample) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"Version", "2014-05-26"},        {"Timestamp", "2016-02-23T12:46:24Z"},
      {"SignatureVersion", "1.0"},      {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
      {"SignatureMethod", "HMAC-SHA1"}, {"Format", "XML"},
      {"Action", "DescribeRegions"},    {"AccessKeyId", "testid"}};
  EXPECT_EQ(AliyunRpcSignature("GET", fields, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  EXPECT_NE(AliyunRpcSignature("GET", fields, "testsecret2"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

}  // namespace
}  // namespace banyan::messaging::internal
