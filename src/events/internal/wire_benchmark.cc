// Micro-benchmarks of the ingestion hot path: decode + normalise (C3 filter, channel, ids) +
// encode one event record, per protocol. Run from a release build:
//   build/wire-release/src/events/banyan_events_wire_benchmark
// Prints, besides Google Benchmark's table, one line with the record size of a typical track
// event and what it would be with the JSON sections as MessagePack.

#include <benchmark/benchmark.h>

#include <cstdio>

#include "base/json.h"
#include "events/event_codec.h"
#include "events/internal/wire_testing.h"
#include "events/segment_protocol.h"
#include "events/sensors_protocol.h"

namespace banyan::events {
namespace {

// A typical analytics.js track call: 335 bytes.
constexpr std::string_view kTrack =
    R"({"type":"track","event":"Fund Purchased","userId":"cust-000123","messageId":"ajs-next-6d4f1f9e2b6c4c3c8f2b","timestamp":"2026-11-22T02:29:59.500Z","sentAt":"2026-11-22T02:30:00.000Z","properties":{"fund_code":"000001","amount":1000.5,"currency":"CNY"},"context":{"library":{"name":"analytics.js","version":"next-1.55.0"},"locale":"zh-CN"}})";

WireContext Context() {
  WireContext context;
  context.received_at = testing::At("2026-11-22T02:30:01Z");
  context.write_key_id = "wk_1";
  return context;
}

void BM_SegmentTrackDecodeEncode(benchmark::State& state) {
  SegmentDecoder decoder;
  const WireContext context = Context();
  std::string record;
  for (auto _ : state) {
    auto decoded = decoder.Decode(kTrack, SegmentCall::kFromBody, context);
    record.clear();
    EncodeEvent(decoded->events[0], &record);
    benchmark::DoNotOptimize(record.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kTrack.size()));
}
BENCHMARK(BM_SegmentTrackDecodeEncode);

void BM_SegmentBatchDecodeEncode(benchmark::State& state) {
  std::string body = R"({"batch":[)";
  for (int i = 0; i < 100; ++i) body += std::string(kTrack) + ",";
  body.back() = ']';
  body += R"(,"sentAt":"2026-11-22T02:30:00.000Z"})";
  SegmentDecoder decoder;
  const WireContext context = Context();
  std::string record;
  for (auto _ : state) {
    auto decoded = decoder.Decode(body, SegmentCall::kBatch, context);
    for (const Event& event : decoded->events) {
      record.clear();
      EncodeEvent(event, &record);
    }
    benchmark::DoNotOptimize(record.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_SegmentBatchDecodeEncode);

void BM_SensorsGzipDataListDecodeEncode(benchmark::State& state) {
  std::string records = "[";
  for (int i = 0; i < 50; ++i) records += std::string(testing::kSensorsJsRecord) + ",";
  records.back() = ']';
  const std::string body = testing::SensorsForm(records, true);
  SensorsDecoder decoder;
  const WireContext context = Context();
  std::string record;
  for (auto _ : state) {
    auto decoded = decoder.Decode(body, "", context);
    for (const Event& event : decoded->events) {
      record.clear();
      EncodeEvent(event, &record);
    }
    benchmark::DoNotOptimize(record.data());
  }
  state.SetItemsProcessed(state.iterations() * 50);
}
BENCHMARK(BM_SensorsGzipDataListDecodeEncode);

void BM_RecordDecode(benchmark::State& state) {
  SegmentDecoder decoder;
  const std::string record =
      EncodeEvent(decoder.Decode(kTrack, SegmentCall::kFromBody, Context())->events[0]);
  for (auto _ : state) {
    auto event = DecodeEvent(record);
    benchmark::DoNotOptimize(event.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordDecode);

size_t MsgpackBytes(const std::string& json) {
  if (json == "{}") return 0;
  return Json::to_msgpack(Json::parse(json)).size();
}

void PrintSizes() {
  SegmentDecoder decoder;
  const auto decoded = decoder.Decode(kTrack, SegmentCall::kFromBody, Context());
  const Event& event = decoded->events[0];
  const size_t record = EncodeEvent(event).size();
  const size_t json_sections = event.properties.size() + event.context.size();
  const size_t msgpack_sections = MsgpackBytes(event.properties) + MsgpackBytes(event.context);
  std::printf(
      "typical track event: %zu wire bytes, %zu record bytes (JSON sections %zu bytes; as "
      "MessagePack they would be %zu, record %zu)\n",
      kTrack.size(), record, json_sections, msgpack_sections,
      record - json_sections + msgpack_sections);
}

}  // namespace
}  // namespace banyan::events

int main(int argc, char** argv) {
  banyan::events::PrintSizes();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
