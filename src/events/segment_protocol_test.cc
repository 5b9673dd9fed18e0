#include "events/segment_protocol.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "events/internal/wire_testing.h"

namespace banyan::events {
namespace {

using testing::At;

class SegmentDecoderTest : public ::testing::Test {
 protected:
  SegmentDecoderTest() {
    context_.received_at = At("2026-11-22T02:30:01Z");
    context_.write_key_id = "wk_1";
  }

  Result<DecodedEvents> Decode(std::string_view body, SegmentCall call = SegmentCall::kFromBody) {
    return decoder_.Decode(body, call, context_);
  }

  // The status of decoding `body`, which must fail.
  Status Error(std::string_view body, SegmentCall call = SegmentCall::kFromBody) {
    auto result = Decode(body, call);
    EXPECT_FALSE(result.ok()) << "decoded: " << body.substr(0, 200);
    return result.ok() ? Status() : result.status();
  }

  SegmentDecoder decoder_;
  WireContext context_;
};

TEST_F(SegmentDecoderTest, DecodesAnalyticsNodeBatch) {
  auto result = Decode(testing::kAnalyticsNodeBatch, SegmentCall::kBatch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->events.size(), 2u);
  const Event& track = result->events[0];
  EXPECT_EQ(track.type, EventType::kTrack);
  EXPECT_EQ(track.source, EventSource::kSegment);
  EXPECT_EQ(track.name, "Loan Application Submitted");
  EXPECT_EQ(track.message_id, "node-next-1700000000000-2b2f6e8a-1c0a-4b39-8d5b-0d1b4a3b5b7a");
  EXPECT_EQ(track.identifiers, (std::vector<Identifier>{{"app_user_id", "cust-000123"}}));
  EXPECT_EQ(track.properties,
            R"({"product":"consumer_loan","amount":50000,"term_months":12,"channel":"app"})");
  EXPECT_EQ(track.context, R"({"library":{"name":"@segment/analytics-node","version":"1.1.0"}})");
  EXPECT_EQ(track.channel, Channel::kApp);  // properties.channel beats the server library
  // Sent 2 s after it happened by the client's clock; received 1 s after sending.
  EXPECT_EQ(track.event_time, At("2026-11-22T02:29:59Z"));
  EXPECT_EQ(track.sent_at, At("2026-11-22T02:30:00Z"));
  EXPECT_EQ(track.received_at, At("2026-11-22T02:30:01Z"));
  EXPECT_EQ(track.write_key_id, "wk_1");

  const Event& identify = result->events[1];
  EXPECT_EQ(identify.type, EventType::kIdentify);
  EXPECT_EQ(identify.traits, R"({"name":"Li Wei","email":"li.wei@example.com","tier":"gold"})");
  EXPECT_EQ(identify.IdentifierValue(kEmail), "li.wei@example.com");
  EXPECT_EQ(identify.channel, Channel::kUnknown);  // a server SDK says nothing about channel
  EXPECT_TRUE(result->write_key.empty());
}

TEST_F(SegmentDecoderTest, DecodesAnalyticsJsShortPathAndStripsC3) {
  auto result = Decode(testing::kAnalyticsJsTrack, *SegmentCallFromPath("t"));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->events.size(), 1u);
  const Event& event = result->events[0];
  EXPECT_EQ(event.type, EventType::kTrack);
  EXPECT_EQ(event.name, "Fund Purchased");
  EXPECT_EQ(event.properties, R"({"fund_code":"000001","amount":1000.5})");
  EXPECT_EQ(result->c3_removed.Get("password"), 1);
  EXPECT_EQ(result->write_key, "wk_live_abc");
  EXPECT_EQ(event.identifiers,
            (std::vector<Identifier>{{"anonymous_id", "0f5d3c4e-6a7b-4c8d-9e0f-1a2b3c4d5e6f"}}));
  // The page was opened in WeChat's browser: the user agent beats the web library.
  EXPECT_EQ(event.channel, Channel::kWechat);
  EXPECT_EQ(event.event_time, At("2026-11-22T02:30:00.5Z"));
}

TEST_F(SegmentDecoderTest, DecodesRudderStackBatchWithOriginalTimestamp) {
  auto result = Decode(testing::kRudderNodeBatch);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Event& event = result->events.at(0);
  EXPECT_EQ(event.properties, R"({"card_type":"credit","nested":{"ok":1}})");
  EXPECT_EQ(result->c3_removed.Get("cvv"), 1);
  EXPECT_EQ(result->c3_removed.Get("pin"), 1);
  EXPECT_EQ(event.event_time, At("2026-11-22T02:29:56Z"));  // received − 5 s
  EXPECT_EQ(event.channel, Channel::kUnknown);
}

TEST_F(SegmentDecoderTest, ClockSkewUsesBatchSentAtAndClampsToReceipt) {
  // The client's clock is 1 hour fast: timestamp and sentAt are both an hour ahead.
  auto result = Decode(R"({"batch":[{"type":"track","event":"e","userId":"u",
      "timestamp":"2026-11-22T03:29:50Z"}],"sentAt":"2026-11-22T03:30:00Z"})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->events[0].event_time, At("2026-11-22T02:29:51Z"));
  // Without sentAt the timestamp is trusted, but never later than receipt.
  result =
      Decode(R"({"type":"track","event":"e","userId":"u","timestamp":"2030-01-01T00:00:00Z"})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events[0].event_time, context_.received_at);
  // No time at all: received_at.
  result = Decode(R"({"type":"track","event":"e","userId":"u"})");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events[0].event_time, context_.received_at);
  EXPECT_FALSE(result->events[0].sent_at.has_value());
}

TEST_F(SegmentDecoderTest, MergesBatchContextUnderEventContext) {
  auto result = Decode(R"({"batch":[{"type":"page","name":"Home","anonymousId":"a1",
      "context":{"locale":"zh-CN"}}],
      "context":{"locale":"en-US","library":{"name":"analytics-ios","version":"4.1"}}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Event& event = result->events[0];
  EXPECT_EQ(event.type, EventType::kPage);
  EXPECT_EQ(event.name, "Home");
  EXPECT_EQ(event.context,
            R"({"locale":"zh-CN","library":{"name":"analytics-ios","version":"4.1"}})");
  EXPECT_EQ(event.channel, Channel::kApp);
}

TEST_F(SegmentDecoderTest, AliasGroupScreenAndNumericIds) {
  auto result = Decode(R"({"batch":[
      {"type":"a","userId":42,"previousId":"anon-1"},
      {"type":"GROUP","userId":"u","groupId":"branch-0101","traits":{"name":"Pudong"}},
      {"type":"screen","anonymousId":"a","properties":{"name":"Login"}}]})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->events[0].type, EventType::kAlias);
  EXPECT_EQ(result->events[0].identifiers,
            (std::vector<Identifier>{{"app_user_id", "42"}, {"previous_id", "anon-1"}}));
  EXPECT_EQ(result->events[1].group_id, "branch-0101");
  EXPECT_EQ(result->events[1].traits, R"({"name":"Pudong"})");
  EXPECT_EQ(result->events[2].type, EventType::kScreen);
  EXPECT_EQ(result->events[2].name, "Login");
}

TEST_F(SegmentDecoderTest, DerivedMessageIdIsStableAcrossRetries) {
  const auto first = Decode(R"({"type":"track","event":"e","userId":"u","properties":{"a":1,"b":2},
      "sentAt":"2026-11-22T02:30:00Z"})");
  const auto retry = Decode(R"({"userId":"u","sentAt":"2026-11-22T02:30:05Z","type":"track",
      "properties":{"b":2,"a":1},"event":"e"})");
  const auto other = Decode(R"({"type":"track","event":"e","userId":"u","properties":{"a":2}})");
  ASSERT_TRUE(first.ok() && retry.ok() && other.ok());
  EXPECT_TRUE(first->events[0].message_id.starts_with("derived-"));
  EXPECT_EQ(first->events[0].message_id, retry->events[0].message_id);
  EXPECT_NE(first->events[0].message_id, other->events[0].message_id);
}

TEST_F(SegmentDecoderTest, RejectsMalformedJsonAndNonObjects) {
  EXPECT_EQ(Error(R"({"type":"track",)").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Error("[1,2]").message(), "expected a JSON object");
  EXPECT_EQ(Error(R"({"batch":[1]})").field(), "/batch/0");
  EXPECT_EQ(Error(R"({"batch":{}})").field(), "/batch");
}

TEST_F(SegmentDecoderTest, ErrorsNameTheFieldByPointer) {
  const auto wrong = [&](std::string_view body) { return Error(body).field(); };
  EXPECT_EQ(wrong(R"({"batch":[{"type":"track","event":"e","userId":"u"},
      {"type":"track","event":"e","userId":"u","properties":[]}]})"),
            "/batch/1/properties");
  EXPECT_EQ(wrong(R"({"type":"track","event":5,"userId":"u"})"), "/event");
  EXPECT_EQ(wrong(R"({"type":"track","event":"e","userId":{"x":1}})"), "/userId");
  EXPECT_EQ(wrong(R"({"type":"track","event":"e","userId":"u","timestamp":"yesterday"})"),
            "/timestamp");
  EXPECT_EQ(wrong(R"({"batch":[],"sentAt":12})"), "/sentAt");
  EXPECT_EQ(wrong(R"({"type":"track","event":"e","userId":"u","writeKey":1})"), "/writeKey");
  EXPECT_EQ(wrong(R"({"type":"track","userId":"u"})"), "/event");
  EXPECT_EQ(wrong(R"({"type":"alias","userId":"u"})"), "/previousId");
  EXPECT_EQ(wrong(R"({"type":"group","userId":"u"})"), "/groupId");
  EXPECT_EQ(wrong(R"({"event":"e","userId":"u"})"), "/type");
}

TEST_F(SegmentDecoderTest, UnknownTypeIsNamed) {
  const Status status = Error(R"({"batch":[{"type":"purchase","userId":"u"}]})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.field(), "/batch/0/type");
  EXPECT_NE(status.message().find("'purchase'"), std::string::npos) << status.message();
}

TEST_F(SegmentDecoderTest, RequiresUserIdOrAnonymousId) {
  const Status status = Error(R"({"batch":[{"type":"track","event":"e","userId":""}]})");
  EXPECT_EQ(status.field(), "/batch/0");
  EXPECT_EQ(status.message(), "userId or anonymousId is required");
}

std::string TrackWithPadding(size_t padding_bytes) {
  return fmt::format(R"({{"type":"track","event":"e","userId":"u","properties":{{"p":"{}"}}}})",
                     std::string(padding_bytes, 'x'));
}

TEST_F(SegmentDecoderTest, EventOverThirtyTwoKilobytesIsTooLarge) {
  EXPECT_TRUE(Decode(TrackWithPadding(kEventBytesMax - 100)).ok());
  const Status status = Error(
      fmt::format(R"({{"batch":[{},{}]}})", TrackWithPadding(10), TrackWithPadding(33 * 1024)));
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_EQ(status.field(), "/batch/1");
}

TEST_F(SegmentDecoderTest, RequestOverFiveHundredKilobytesIsTooLarge) {
  std::string body = R"({"batch":[)";
  while (body.size() < 501 * 1024) body += TrackWithPadding(16 * 1024) + ",";
  body.back() = ']';
  body += "}";
  EXPECT_EQ(Error(body).code(), StatusCode::kTooLarge);
}

TEST_F(SegmentDecoderTest, BatchOverTwoThousandFiveHundredEventsIsTooLarge) {
  const std::string event = R"({"type":"t","event":"e","userId":"u"})";
  std::string body = R"({"batch":[)";
  for (size_t i = 0; i < kBatchEventsMax; ++i) body += event + ",";
  auto ok_body = body;
  ok_body.back() = ']';
  ok_body += "}";
  auto result = Decode(ok_body);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->events.size(), kBatchEventsMax);
  body += event + "]}";
  const Status status = Error(body);
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_EQ(status.field(), "/batch");
}

TEST_F(SegmentDecoderTest, DeepNestingIsRejected) {
  std::string deep = R"({"type":"track","event":"e","userId":"u","properties":)";
  for (int i = 0; i < 40; ++i) deep += R"({"a":)";
  deep += "1";
  for (int i = 0; i < 40; ++i) deep += "}";
  deep += "}";
  const Status status = Error(deep);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("nesting"), std::string::npos) << status.message();
}

TEST_F(SegmentDecoderTest, PathTypeWinsOverBody) {
  auto result = Decode(R"({"type":"identify","event":"e","userId":"u"})", SegmentCall::kTrack);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events[0].type, EventType::kTrack);
  EXPECT_FALSE(SegmentCallFromPath("purchase").has_value());
  EXPECT_EQ(SegmentCallFromPath("import"), SegmentCall::kBatch);
  EXPECT_EQ(SegmentCallFromPath("b"), SegmentCall::kBatch);  // analytics.js short path
}

TEST_F(SegmentDecoderTest, ImportEventRequiresTimestamp) {
  C3Counts counts;
  auto missing =
      decoder_.DecodeImportEvent(R"({"type":"track","event":"e","userId":"u"})", context_, &counts);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().field(), "/timestamp");
  auto event = decoder_.DecodeImportEvent(
      R"({"type":"track","event":"e","userId":"u","timestamp":"2024-01-02T03:04:05Z"})", context_,
      &counts);
  ASSERT_TRUE(event.ok());
  EXPECT_EQ(event->source, EventSource::kImport);
  EXPECT_EQ(event->event_time, At("2024-01-02T03:04:05Z"));
  EXPECT_TRUE(event->message_id.starts_with("import-"));
}

}  // namespace
}  // namespace banyan::events

namespace banyan::events {
namespace {

class SegmentIdentifierTest : public ::testing::Test {
 protected:
  SegmentIdentifierTest() { context_.received_at = testing::At("2026-11-22T02:30:01Z"); }
  Result<DecodedEvents> Decode(std::string_view body) {
    return decoder_.Decode(body, SegmentCall::kFromBody, context_);
  }
  SegmentDecoder decoder_;
  WireContext context_;
};

TEST_F(SegmentIdentifierTest, ExternalIdsDeviceIdAndIdentifierTraitsBecomeIdentifiers) {
  auto result = Decode(R"({"type":"identify","userId":"u1","traits":{"phone":"13812341234",
      "cust_no":"C001","name":"x","wechat_openid":"wx1:o-1"},
      "context":{"device":{"id":"dev-9"},"externalIds":[
        {"id":"uid-1","type":"wechat_unionid","collection":"users","encoding":"none"},
        {"id":12345,"type":"douyin_id"}]}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->events[0].identifiers, (std::vector<Identifier>{{"app_user_id", "u1"},
                                                                    {"phone", "13812341234"},
                                                                    {"cust_no", "C001"},
                                                                    {"wechat_openid", "wx1:o-1"},
                                                                    {"device_id", "dev-9"},
                                                                    {"wechat_unionid", "uid-1"},
                                                                    {"douyin_id", "12345"}}));
}

TEST_F(SegmentIdentifierTest, IdentifierTraitsOnTrackAreOnlyProperties) {
  auto result =
      Decode(R"({"type":"track","event":"e","userId":"u1","properties":{"cust_no":"C001"}})");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->events[0].identifiers, (std::vector<Identifier>{{"app_user_id", "u1"}}));
}

TEST_F(SegmentIdentifierTest, MalformedExternalIdsNameTheField) {
  struct Case {
    std::string_view body, field;
  };
  const Case cases[] = {
      {R"({"type":"track","event":"e","userId":"u","context":{"externalIds":{}}})",
       "/context/externalIds"},
      {R"({"type":"track","event":"e","userId":"u","context":{"externalIds":[1]}})",
       "/context/externalIds/0"},
      {R"({"type":"track","event":"e","userId":"u","context":{"externalIds":[{"id":"a","type":"Bad Type"}]}})",
       "/context/externalIds/0/type"},
      {R"({"type":"track","event":"e","userId":"u","context":{"externalIds":[{"type":"phone"}]}})",
       "/context/externalIds/0/id"},
      {R"({"type":"track","event":"e","userId":"u","context":{"device":{"id":[1]}}})",
       "/context/device/id"},
  };
  for (const Case& c : cases) {
    auto result = Decode(c.body);
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_EQ(result.status().field(), c.field) << result.status().ToString();
  }
}

}  // namespace
}  // namespace banyan::events
