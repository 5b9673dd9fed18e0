#include "events/event_codec.h"

#include "base/encoding.h"

#include <gtest/gtest.h>

#include "events/internal/wire_testing.h"
#include "events/segment_protocol.h"

namespace banyan::events {
namespace {

using testing::At;

Event FullEvent() {
  Event event;
  event.message_id = "m-1";
  event.source = EventSource::kSensors;
  event.type = EventType::kProfileAppend;
  event.name = "名字";
  event.identifiers = {{"app_user_id", "u1"}, {"wechat_openid", "oAbc"}, {"previous_id", "p"}};
  event.group_id = "g";
  event.event_time = At("2026-11-22T02:29:59.123456Z");
  event.received_at = At("2026-11-22T02:30:01Z");
  event.sent_at = At("2026-11-22T02:30:00Z");
  event.channel = Channel::kWecom;
  event.properties = R"({"a":[1,2,{"b":null}]})";
  event.traits = R"({"tags":["x"]})";
  event.context = "{}";
  event.write_key_id = "wk";
  event.project = "default";
  return event;
}

TEST(EventCodec, RoundTripsEveryField) {
  const Event event = FullEvent();
  const std::string bytes = EncodeEvent(event);
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), kEventRecordVersion);
  auto decoded = DecodeEvent(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, event);
}

TEST(EventCodec, RoundTripsTimesBeforeTheEpochAndWithoutSentAt) {
  Event event = FullEvent();
  event.sent_at.reset();
  event.event_time = FromUnixMicros(-5);
  event.received_at = FromUnixMicros(0);
  auto decoded = DecodeEvent(EncodeEvent(event));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, event);
}

TEST(EventCodec, TypicalSegmentTrackEventIsSmall) {
  SegmentDecoder decoder;
  WireContext context;
  context.received_at = At("2026-11-22T02:30:01Z");
  const std::string_view body =
      R"({"type":"track","event":"Fund Purchased","userId":"cust-000123","anonymousId":"0f5d3c4e-6a7b-4c8d-9e0f-1a2b3c4d5e6f","messageId":"ajs-next-6d4f1f9e2b6c4c3c8f2b","timestamp":"2026-11-22T02:29:59.500Z","sentAt":"2026-11-22T02:30:00.000Z","properties":{"fund_code":"000001","amount":1000.5,"currency":"CNY"},"context":{"library":{"name":"analytics.js","version":"next-1.55.0"},"locale":"zh-CN"}})";
  auto decoded = decoder.Decode(body, SegmentCall::kFromBody, context);
  ASSERT_TRUE(decoded.ok());
  const std::string bytes = EncodeEvent(decoded->events[0]);
  RecordProperty("wire_bytes", static_cast<int>(body.size()));
  RecordProperty("record_bytes", static_cast<int>(bytes.size()));
  std::printf("typical track event: %zu wire bytes -> %zu record bytes\n", body.size(),
              bytes.size());
  EXPECT_LT(bytes.size(), body.size() * 9 / 10);
  EXPECT_EQ(DecodeEvent(bytes).value(), decoded->events[0]);
}

TEST(EventCodec, RejectsCorruptionAsDataLoss) {
  const std::string good = EncodeEvent(FullEvent());
  const auto code = [](std::string_view bytes) { return DecodeEvent(bytes).status().code(); };
  EXPECT_EQ(code(""), StatusCode::kDataLoss);
  EXPECT_EQ(code(good + "x"), StatusCode::kDataLoss);  // trailing bytes
  EXPECT_EQ(code(good.substr(0, good.size() - 1)), StatusCode::kDataLoss);
  std::string bad_version = good;
  bad_version[0] = 2;
  EXPECT_EQ(code(bad_version), StatusCode::kDataLoss);
  std::string bad_type = good;
  bad_type[1] = 99;
  EXPECT_EQ(code(bad_type), StatusCode::kDataLoss);
  std::string bad_flags = good;
  bad_flags[4] = static_cast<char>(0x80);
  EXPECT_EQ(code(bad_flags), StatusCode::kDataLoss);
  // Every truncation fails cleanly.
  for (size_t n = 0; n < good.size(); ++n) EXPECT_FALSE(DecodeEvent(good.substr(0, n)).ok()) << n;
}

TEST(EventCodec, RejectsInvalidJsonSectionsAndUtf8) {
  Event event = FullEvent();
  event.context = R"({"a":1})";
  std::string bytes = EncodeEvent(event);
  const size_t brace = bytes.rfind("{\"a\":1}");
  ASSERT_NE(brace, std::string::npos);
  std::string not_json = bytes;
  not_json[brace + 6] = ']';
  EXPECT_EQ(DecodeEvent(not_json).status().code(), StatusCode::kDataLoss);
  std::string bad_utf8 = bytes;
  const size_t name = bad_utf8.find("名字");
  bad_utf8[name] = static_cast<char>(0xff);
  EXPECT_EQ(DecodeEvent(bad_utf8).status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace banyan::events

namespace banyan::events {
namespace {

// The example in docs/formats/event_record.md, byte for byte.
TEST(EventCodec, MatchesTheDocumentedExample) {
  Event event;
  event.type = EventType::kTrack;
  event.source = EventSource::kSegment;
  event.channel = Channel::kWeb;
  event.event_time = At("2026-11-22T02:29:59Z");
  event.received_at = At("2026-11-22T02:30:01Z");
  event.sent_at = At("2026-11-22T02:30:00Z");
  event.message_id = "m1";
  event.name = "Login";
  event.write_key_id = "wk";
  event.identifiers = {{"app_user_id", "u1"}, {"bank_cif", "C9"}};
  event.properties = R"({"a":1})";
  const std::string hex = HexEncode(AsBytes(EncodeEvent(event)));
  std::printf("%s\n", hex.c_str());
  EXPECT_EQ(hex,
            "0101010101"
            "80dff78e88b5b006"
            "8092f401"
            "ff887a"
            "026d31"
            "054c6f67696e"
            "00"
            "02776b"
            "00"
            "02"
            "01027531"
            "000862616e6b5f636966024339"
            "077b2261223a317d"
            "00"
            "00");
}

}  // namespace
}  // namespace banyan::events
