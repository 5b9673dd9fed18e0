// Seeded random-mutation test of the event record codec: corrupt records decode to DataLoss or
// to an Event that itself round-trips; nothing crashes.

#include <gtest/gtest.h>

#include "events/event_codec.h"
#include "events/internal/wire_testing.h"
#include "events/segment_protocol.h"

namespace banyan::events {
namespace {

TEST(EventCodecFuzz, CorruptRecordsAreDataLoss) {
  WireContext context;
  context.received_at = testing::At("2026-11-22T02:30:01Z");
  context.write_key_id = "wk";
  SegmentDecoder decoder;
  std::vector<std::string> seeds;
  for (std::string_view body :
       {testing::kAnalyticsNodeBatch, testing::kAnalyticsJsTrack, testing::kRudderNodeBatch}) {
    const auto decoded = decoder.Decode(body, SegmentCall::kFromBody, context);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    for (const Event& event : decoded->events) seeds.push_back(EncodeEvent(event));
  }
  testing::Mutator mutator(7, seeds);
  int decoded_ok = 0;
  for (int i = 0; i < testing::kFuzzIterations; ++i) {
    const std::string bytes = mutator.Next();
    auto event = DecodeEvent(bytes);
    if (!event.ok()) {
      ASSERT_EQ(event.status().code(), StatusCode::kDataLoss) << event.status().ToString();
      ASSERT_FALSE(event.status().message().empty());
      continue;
    }
    ++decoded_ok;
    auto again = DecodeEvent(EncodeEvent(*event));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    ASSERT_EQ(*again, *event);
  }
  EXPECT_GT(decoded_ok, 0);
}

}  // namespace
}  // namespace banyan::events
