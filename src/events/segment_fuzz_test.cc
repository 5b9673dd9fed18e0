// Seeded random-mutation test of the Segment decoder: no input may crash it, every failure is
// a clean input error, and every event it accepts survives the record codec.

#include <gtest/gtest.h>

#include "events/event_codec.h"
#include "events/internal/wire_testing.h"
#include "events/segment_protocol.h"

namespace banyan::events {
namespace {

TEST(SegmentFuzz, MutatedPayloadsFailCleanly) {
  testing::Mutator mutator(
      20261122,
      {std::string(testing::kAnalyticsNodeBatch), std::string(testing::kAnalyticsJsTrack),
       std::string(testing::kRudderNodeBatch),
       R"({"type":"alias","userId":1,"previousId":"p","timestamp":"2026-11-22T02:29:58Z"})",
       R"({"batch":[{"type":"g","anonymousId":"a","groupId":"g","traits":{"a":[1,2.5e3,null,true]}}]})"});
  WireContext context;
  context.received_at = testing::At("2026-11-22T02:30:01Z");
  SegmentDecoder decoder;
  int accepted = 0;
  for (int i = 0; i < testing::kFuzzIterations; ++i) {
    const std::string input = mutator.Next();
    auto result = decoder.Decode(input, SegmentCall::kFromBody, context);
    if (!result.ok()) {
      ASSERT_TRUE(testing::IsCleanInputError(result.status()))
          << result.status().ToString() << "\ninput: " << input;
      continue;
    }
    ++accepted;
    for (const Event& event : result->events) {
      auto decoded = DecodeEvent(EncodeEvent(event));
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\ninput: " << input;
      ASSERT_EQ(*decoded, event) << "input: " << input;
    }
  }
  EXPECT_GT(accepted, testing::kFuzzIterations / 50);  // the mutations still reach acceptance
}

}  // namespace
}  // namespace banyan::events
