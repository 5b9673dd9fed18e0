#include "events/normalize.h"

#include <gtest/gtest.h>

#include "events/internal/wire_testing.h"
#include "events/internal/wire_time.h"

namespace banyan::events {
namespace {

using testing::At;

TEST(CorrectClockSkew, AppliesSegmentRule) {
  const Timestamp received = At("2026-11-22T02:30:00Z");
  // Client clock 10 minutes slow: it says it sent at 02:20:00 an event from 02:19:30.
  EXPECT_EQ(CorrectClockSkew(received, At("2026-11-22T02:20:00Z"), At("2026-11-22T02:19:30Z")),
            At("2026-11-22T02:29:30Z"));
  EXPECT_EQ(CorrectClockSkew(received, std::nullopt, At("2026-11-20T00:00:00Z")),
            At("2026-11-20T00:00:00Z"));
  EXPECT_EQ(CorrectClockSkew(received, At("2026-11-22T02:20:00Z"), std::nullopt), received);
  // An original time after sentAt would put the event after receipt: clamped.
  EXPECT_EQ(CorrectClockSkew(received, At("2026-11-22T02:20:00Z"), At("2026-11-22T02:21:00Z")),
            received);
}

TEST(DeriveChannel, FollowsTheDocumentedOrder) {
  ChannelHints hints{.property_channel = "WeChat",
                     .campaign_source = "douyin",
                     .user_agent = "AlipayClient/10.5",
                     .library_name = "analytics.js",
                     .sdk_channel = "web"};
  EXPECT_EQ(DeriveChannel(hints), Channel::kWechat);
  hints.property_channel = "not-a-channel";  // falls through, does not become unknown
  EXPECT_EQ(DeriveChannel(hints), Channel::kDouyin);
  hints.campaign_source = "newsletter-2026";
  EXPECT_EQ(DeriveChannel(hints), Channel::kAlipay);
  hints.user_agent = "Mozilla/5.0 Chrome/120";
  EXPECT_EQ(DeriveChannel(hints), Channel::kWeb);
  hints.library_name = "";
  hints.sdk_channel = "mobile";
  EXPECT_EQ(DeriveChannel(hints), Channel::kApp);
  EXPECT_EQ(DeriveChannel({}), Channel::kUnknown);
}

TEST(DeriveChannel, LibrariesAndUserAgents) {
  EXPECT_EQ(ChannelFromLibrary("js"), Channel::kWeb);
  EXPECT_EQ(ChannelFromLibrary("MiniProgram"), Channel::kMiniProgram);
  EXPECT_EQ(ChannelFromLibrary("iOS"), Channel::kApp);
  EXPECT_EQ(ChannelFromLibrary("com.rudderstack.android.sdk.core"), Channel::kApp);
  EXPECT_EQ(ChannelFromLibrary("RudderLabs JavaScript SDK"), Channel::kWeb);
  EXPECT_EQ(ChannelFromLibrary("@segment/analytics-node"), Channel::kUnknown);
  EXPECT_EQ(ChannelFromLibrary("Java"), Channel::kUnknown);
  EXPECT_EQ(ChannelFromLibrary("something-else"), std::nullopt);
  EXPECT_EQ(ChannelFromUserAgent("Mozilla/5.0 MicroMessenger/8.0 wxwork/4.1"), Channel::kWecom);
  EXPECT_EQ(ChannelFromUserAgent("Mozilla/5.0 MicroMessenger/8.0 miniProgram"),
            Channel::kMiniProgram);
  EXPECT_EQ(ChannelFromUserAgent("Mozilla/5.0 MicroMessenger/8.0"), Channel::kWechat);
  EXPECT_EQ(ChannelFromAlias("Mini-Program"), Channel::kMiniProgram);
  EXPECT_EQ(ChannelFromAlias("qywx"), Channel::kWecom);
  EXPECT_EQ(ChannelFromName("mini_program"), Channel::kMiniProgram);
  EXPECT_EQ(ChannelFromName("Mini-Program"), std::nullopt);
}

TEST(AddIdentifier, SkipsEmptyAndDuplicatesAndEnforcesLimits) {
  std::vector<Identifier> ids;
  EXPECT_TRUE(AddIdentifier(kAppUserId, "", &ids, "/userId").ok());
  EXPECT_TRUE(AddIdentifier(kAppUserId, "u", &ids, "/userId").ok());
  EXPECT_TRUE(AddIdentifier(kAppUserId, "u", &ids, "/userId").ok());
  EXPECT_EQ(ids.size(), 1u);
  const Status long_value =
      AddIdentifier(kPhone, std::string(kIdentifierBytesMax + 1, '1'), &ids, "/x");
  EXPECT_EQ(long_value.field(), "/x");
  for (size_t i = 1; i < kIdentifiersMax; ++i) {
    ASSERT_TRUE(AddIdentifier("t", std::to_string(i), &ids, "/t").ok());
  }
  EXPECT_EQ(AddIdentifier("t", "one-too-many", &ids, "/t").code(), StatusCode::kInvalidArgument);
}

TEST(ParseWireTimestamp, FastPathAgreesWithRfc3339) {
  for (const char* text :
       {"2026-11-22T02:30:00Z", "2026-11-22T10:30:00.123+08:00", "2026-11-22T02:30:00.123456789Z",
        "2024-02-29T23:59:59.9-05:30", "1970-01-01T00:00:00Z", "2026-11-22 02:30:00Z"}) {
    const auto fast = internal::ParseWireTimestamp(text);
    ASSERT_TRUE(fast.has_value()) << text;
    EXPECT_EQ(*fast, ParseRfc3339(text).value()) << text;
  }
  // RFC 3339 allows lower-case separators.
  EXPECT_EQ(internal::ParseWireTimestamp("2026-11-22t02:30:00z"), At("2026-11-22T02:30:00Z"));
  for (const char* text :
       {"2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22", "2026-11-22T02:30:00",
        "2026-11-22T02:30:00.Z", "1969-12-31T23:59:59Z", "yesterday"}) {
    EXPECT_FALSE(internal::ParseWireTimestamp(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace banyan::events
