#include "events/sensors_protocol.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "events/internal/wire_testing.h"

namespace banyan::events {
namespace {

using testing::At;

class SensorsDecoderTest : public ::testing::Test {
 protected:
  SensorsDecoderTest() {
    context_.received_at = At("2026-11-22T02:30:01Z");
    context_.project = "default";
  }

  Status Error(std::string_view body, std::string_view query = {}) {
    auto result = decoder_.Decode(body, query, context_);
    EXPECT_FALSE(result.ok());
    return result.ok() ? Status() : result.status();
  }

  SensorsDecoder decoder_;
  WireContext context_;
};

TEST_F(SensorsDecoderTest, DecodesJsBeaconFromQueryString) {
  const std::string query =
      "data=" + testing::UrlEncode(testing::Base64(testing::kSensorsJsRecord)) +
      "&ext=crc%3D12345&project=wealth";
  auto result = decoder_.Decode("", query, context_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->events.size(), 1u);
  const Event& event = result->events[0];
  EXPECT_EQ(event.source, EventSource::kSensors);
  EXPECT_EQ(event.type, EventType::kPage);
  EXPECT_EQ(event.name, "$pageview");
  EXPECT_EQ(event.identifiers,
            (std::vector<Identifier>{
                {"anonymous_id", "18b7a1c2d3e4f5-0a1b2c3d4e5f6-1c2d3e4f-2073600-18b7a1c2d3e4f6"}}));
  // time is 2 s before _flush_time by the client's clock; received 1 s after the flush.
  EXPECT_EQ(event.event_time, At("2026-11-22T02:29:59Z"));
  EXPECT_EQ(event.sent_at, At("2026-11-22T02:30:00Z"));
  EXPECT_EQ(event.project, "wealth");
  EXPECT_EQ(result->project, "wealth");
  EXPECT_EQ(event.channel, Channel::kWechat);  // $latest_utm_source
  EXPECT_NE(event.properties.find(R"("screen_width":414)"), std::string::npos);
  EXPECT_NE(event.properties.find(R"("url":"https://m.bank.example/wealth")"), std::string::npos);
  EXPECT_NE(event.properties.find(R"("latest_utm_source":"wechat")"), std::string::npos);
  EXPECT_EQ(event.properties.find("$url"), std::string::npos) << event.properties;
  EXPECT_EQ(event.context, R"({"library":{"name":"js","version":"1.25.12","method":"code"}})");
  EXPECT_TRUE(event.message_id.starts_with("sa-"));
  EXPECT_EQ(event.message_id.size(), 3u + 32u);
}

TEST_F(SensorsDecoderTest, DecodesNodeSdkGzipDataList) {
  auto result =
      decoder_.Decode(testing::SensorsForm(testing::kSensorsNodeRecords, true), "", context_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->events.size(), 3u);
  const Event& track = result->events[0];
  EXPECT_EQ(track.type, EventType::kTrack);
  EXPECT_EQ(track.name, "TransferCompleted");
  // $is_login_id: the distinct id is the customer's login.
  EXPECT_EQ(track.identifiers, (std::vector<Identifier>{{"app_user_id", "cust-000123"}}));
  EXPECT_EQ(
      track.properties,
      R"({"amount":2000,"lib":"Node","lib_version":"1.2.3","os":"Linux","$is_login_id":true})");
  EXPECT_EQ(result->c3_removed.Get("sms_code"), 1);
  EXPECT_EQ(track.event_time, At("2026-11-22T02:29:50Z"));  // no _flush_time: time as sent
  EXPECT_EQ(track.channel, Channel::kUnknown);
  EXPECT_EQ(track.project, "default");

  const Event& profile = result->events[1];
  EXPECT_EQ(profile.type, EventType::kIdentify);
  EXPECT_EQ(profile.traits, R"({"tier":"gold","city":"上海"})");
  EXPECT_EQ(profile.properties, "{}");

  const Event& signup = result->events[2];
  EXPECT_EQ(signup.type, EventType::kAlias);
  EXPECT_EQ(signup.name, "$SignUp");
  EXPECT_EQ(signup.identifiers,
            (std::vector<Identifier>{{"app_user_id", "cust-000123"}, {"anonymous_id", "anon-77"}}));
}

TEST_F(SensorsDecoderTest, AcceptsUncompressedAndUrlSafeBase64) {
  const std::string json = R"({"type":"track","event":"e","distinct_id":"d","time":1795314599000})";
  std::string encoded = testing::Base64(json);
  EXPECT_TRUE(decoder_.Decode("data=" + testing::UrlEncode(encoded), "", context_).ok());
  // '+' left unencoded in a form body arrives as ' '; padding may be missing.
  for (char& c : encoded) c = c == '+' ? ' ' : c;
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  EXPECT_TRUE(decoder_.Decode("data=" + encoded, "", context_).ok());
}

TEST_F(SensorsDecoderTest, MapsIdentitiesAndProfileTypes) {
  const std::string records = R"([
    {"type":"profile_increment","distinct_id":"u1","login_id":"u1","properties":{"logins":1},
     "identities":{"$identity_login_id":"u1","$identity_mobile":"13800000000",
                   "$identity_mp_openid":"oAbc","$identity_custom_x":"x1","bank_cif":"C001"}},
    {"type":"profile_set_once","distinct_id":"u1","properties":{"first_seen":"2026-01-01"}},
    {"type":"profile_append","distinct_id":"u1","properties":{"tags":["a"]}},
    {"type":"profile_unset","distinct_id":"u1","properties":{"nickname":true}},
    {"type":"track","event":"$AppViewScreen","distinct_id":"u1","properties":{"$os":"iOS","os":"mine"},
     "lib":{"$lib":"iOS","$lib_version":"4.5.0"}}])";
  auto result = decoder_.Decode(testing::SensorsForm(records, false), "", context_);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& events = result->events;
  EXPECT_EQ(events[0].type, EventType::kProfileIncrement);
  EXPECT_EQ(events[0].traits, R"({"logins":1})");
  EXPECT_EQ(events[0].identifiers, (std::vector<Identifier>{{"app_user_id", "u1"},
                                                            {"phone", "13800000000"},
                                                            {"wechat_openid", "oAbc"},
                                                            {"custom_x", "x1"},
                                                            {"bank_cif", "C001"}}));
  EXPECT_EQ(events[1].type, EventType::kProfileSetOnce);
  EXPECT_EQ(events[2].type, EventType::kProfileAppend);
  EXPECT_EQ(events[3].type, EventType::kProfileUnset);
  EXPECT_EQ(events[4].type, EventType::kScreen);
  // "os" is taken by the customer's own property, so "$os" keeps its name.
  EXPECT_EQ(events[4].properties, R"({"$os":"iOS","os":"mine"})");
  EXPECT_EQ(events[4].channel, Channel::kApp);
}

TEST_F(SensorsDecoderTest, MessageIdFollowsTrackIdAndIgnoresFlushTime) {
  const auto decode = [&](std::string_view record) {
    auto result =
        decoder_.Decode("data=" + testing::UrlEncode(testing::Base64(record)), "", context_);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->events[0].message_id : std::string();
  };
  const auto a = decode(
      R"({"type":"track","event":"e","distinct_id":"d","time":1,"_track_id":7,"_flush_time":5})");
  const auto b = decode(
      R"({"type":"track","event":"e","distinct_id":"d","time":1,"_track_id":7,"_flush_time":9,"properties":{"x":1}})");
  const auto c = decode(R"({"type":"track","event":"e","distinct_id":"d","time":1,"_track_id":8})");
  const auto d =
      decode(R"({"type":"track","event":"e","distinct_id":"d","time":1,"_flush_time":5})");
  const auto e =
      decode(R"({"type":"track","event":"e","distinct_id":"d","time":1,"_flush_time":6})");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(d, e);
  EXPECT_NE(a, d);
}

TEST_F(SensorsDecoderTest, RejectsBadEncodings) {
  EXPECT_EQ(Error("gzip=1").message(), "data or data_list is required");
  EXPECT_EQ(Error("data_list=%%%%").field(), "/data_list");
  EXPECT_EQ(Error("data_list=not*base64!").field(), "/data_list");
  EXPECT_EQ(Error("data=e30%3D&gzip=9").field(), "/gzip");
  EXPECT_EQ(Error("data=e30%3D&gzip=2").field(), "/gzip");
  // Valid base64 of text that is not JSON.
  EXPECT_EQ(Error("data=" + testing::Base64("hello")).field(), "/data");
}

TEST_F(SensorsDecoderTest, TruncatedOrCorruptGzipIsAnErrorNotACrash) {
  const std::string gz = testing::Gzip(testing::kSensorsNodeRecords);
  for (size_t cut : {size_t{2}, size_t{10}, gz.size() / 2, gz.size() - 1}) {
    const std::string body =
        "data_list=" + testing::UrlEncode(testing::Base64(gz.substr(0, cut))) + "&gzip=1";
    const Status status = Error(body);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << cut << ": " << status.ToString();
    EXPECT_EQ(status.field(), "/data_list");
  }
  std::string corrupt = gz;
  corrupt[gz.size() / 2] ^= 0x55;
  EXPECT_FALSE(
      decoder_
          .Decode("gzip=1&data_list=" + testing::UrlEncode(testing::Base64(corrupt)), "", context_)
          .ok());
  // gzip=1 with data that is not gzip.
  EXPECT_EQ(Error("gzip=1&data_list=" + testing::UrlEncode(testing::Base64("[]"))).field(),
            "/data_list");
}

TEST_F(SensorsDecoderTest, DecompressionBombIsTooLarge) {
  const std::string huge(kSensorsDecodedBytesMax + 1, ' ');
  const Status status = Error(testing::SensorsForm(huge, true));
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
}

TEST_F(SensorsDecoderTest, RecordErrorsNameTheMember) {
  const auto field = [&](std::string_view records) {
    return Error(testing::SensorsForm(records, true)).field();
  };
  EXPECT_EQ(
      field(
          R"([{"type":"track","event":"e","distinct_id":"d"},{"type":"item_set","item_id":"1"}])"),
      "/data_list/1/type");
  EXPECT_EQ(field(R"([{"type":"track","event":"e"}])"), "/data_list/0/distinct_id");
  EXPECT_EQ(field(R"([{"type":"track","distinct_id":"d"}])"), "/data_list/0/event");
  EXPECT_EQ(field(R"([{"type":"track","event":"e","distinct_id":"d","time":"today"}])"),
            "/data_list/0/time");
  EXPECT_EQ(field(R"([{"type":"track","event":"e","distinct_id":"d","properties":[1]}])"),
            "/data_list/0/properties");
  EXPECT_EQ(
      field(
          R"([{"type":"track","event":"e","distinct_id":"d","identities":{"$identity_mobile":1}}])"),
      "/data_list/0/identities/$identity_mobile");
  EXPECT_EQ(field(R"([{"type":"profile_delete","distinct_id":"d"}])"), "/data_list/0/type");
  EXPECT_EQ(field("[1]"), "/data_list/0");
}

TEST_F(SensorsDecoderTest, RecordLimits) {
  std::string many = "[";
  for (size_t i = 0; i <= kBatchEventsMax; ++i) {
    many += R"({"type":"track","event":"e","distinct_id":"d"},)";
  }
  many.back() = ']';
  EXPECT_EQ(Error(testing::SensorsForm(many, true)).code(), StatusCode::kTooLarge);
  const std::string big =
      fmt::format(R"([{{"type":"track","event":"e","distinct_id":"d","properties":{{"p":"{}"}}}}])",
                  std::string(33 * 1024, 'x'));
  const Status status = Error(testing::SensorsForm(big, true));
  EXPECT_EQ(status.code(), StatusCode::kTooLarge);
  EXPECT_EQ(status.field(), "/data_list/0");
  EXPECT_EQ(Error(std::string(kSensorsRequestBytesMax + 1, 'a')).code(), StatusCode::kTooLarge);
}

}  // namespace
}  // namespace banyan::events
