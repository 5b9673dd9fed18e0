// Seeded random-mutation test of the Sensors decoder, at both layers: mutated form bodies
// (encoding, base64, gzip) and mutated JSON records re-encoded as a valid form. No input may
// crash it; every failure is a clean input error; accepted events survive the record codec.

#include <gtest/gtest.h>

#include "events/event_codec.h"
#include "events/internal/wire_testing.h"
#include "events/sensors_protocol.h"

namespace banyan::events {
namespace {

void Check(SensorsDecoder* decoder, const WireContext& context, const std::string& body,
           int* accepted) {
  auto result = decoder->Decode(body, "project=p%E4%B8%80", context);
  if (!result.ok()) {
    ASSERT_TRUE(testing::IsCleanInputError(result.status()))
        << result.status().ToString() << "\nbody: " << body;
    return;
  }
  ++*accepted;
  for (const Event& event : result->events) {
    auto decoded = DecodeEvent(EncodeEvent(event));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString() << "\nbody: " << body;
    ASSERT_EQ(*decoded, event);
  }
}

TEST(SensorsFuzz, MutatedRequestsFailCleanly) {
  const std::vector<std::string> records = {
      std::string(testing::kSensorsNodeRecords), "[" + std::string(testing::kSensorsJsRecord) + "]",
      R"([{"type":"track","event":"e","distinct_id":7,"identities":{"$identity_mobile":"1"},"time":1}])"};
  std::vector<std::string> forms;
  for (const auto& r : records) {
    forms.push_back(testing::SensorsForm(r, true));
    forms.push_back(testing::SensorsForm(r, false));
  }
  forms.push_back("data=" + testing::UrlEncode(testing::Base64(testing::kSensorsJsRecord)));
  testing::Mutator form_mutator(1, forms);
  testing::Mutator record_mutator(2, records);
  SeededRandom coin(3);
  WireContext context;
  context.received_at = testing::At("2026-11-22T02:30:01Z");
  SensorsDecoder decoder;
  int accepted = 0;
  for (int i = 0; i < testing::kFuzzIterations; ++i) {
    // Compressing is the slow part of this test, so only some re-encoded records are gzipped.
    const std::string body =
        i % 2 == 0 ? form_mutator.Next()
                   : testing::SensorsForm(record_mutator.Next(), coin.Uniform(8) == 0);
    Check(&decoder, context, body, &accepted);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(accepted, testing::kFuzzIterations / 50);
}

}  // namespace
}  // namespace banyan::events
