#include "events/import_reader.h"

#include <gtest/gtest.h>

#include <sstream>

#include "events/internal/wire_testing.h"

namespace banyan::events {
namespace {

using testing::At;

struct Outcome {
  std::vector<ImportRecord> records;
  Status stream_error;
};

Outcome ReadAll(std::string_view bytes, ImportFormat format) {
  WireContext context;
  context.received_at = At("2026-11-22T02:30:01Z");
  context.project = "p";
  StringByteSource source(bytes);
  Outcome outcome;
  auto reader = ImportReader::Open(&source, format, context);
  if (!reader.ok()) {
    outcome.stream_error = reader.status();
    return outcome;
  }
  while (true) {
    ImportRecord record;
    auto more = (*reader)->Next(&record);
    if (!more.ok()) {
      outcome.stream_error = more.status();
      break;
    }
    if (!*more) break;
    outcome.records.push_back(std::move(record));
  }
  return outcome;
}

constexpr std::string_view kNdjson =
    "{\"type\":\"track\",\"event\":\"Login\",\"userId\":\"u1\",\"timestamp\":\"2024-05-01T08:00:"
    "00Z\","
    "\"properties\":{\"channel\":\"app\",\"otp\":\"1234\"}}\r\n"
    "\n"
    "{\"type\":\"track\",\"event\":\"Login\",\"userId\":\"u2\"}\n"
    "not json\n"
    "{\"type\":\"identify\",\"anonymousId\":\"a3\",\"timestamp\":\"2024-05-01T09:00:00+08:00\","
    "\"traits\":{\"tier\":\"gold\"}}";

TEST(ImportReader, ReadsNdjsonWithRejects) {
  const Outcome outcome = ReadAll(kNdjson, ImportFormat::kNdjson);
  ASSERT_TRUE(outcome.stream_error.ok()) << outcome.stream_error.ToString();
  ASSERT_EQ(outcome.records.size(), 4u);
  const Event& login = outcome.records[0].event.value();
  EXPECT_EQ(outcome.records[0].line, 1);
  EXPECT_EQ(login.source, EventSource::kImport);
  EXPECT_EQ(login.event_time, At("2024-05-01T08:00:00Z"));
  EXPECT_EQ(login.received_at, At("2026-11-22T02:30:01Z"));
  EXPECT_EQ(login.properties, R"({"channel":"app"})");
  EXPECT_EQ(login.channel, Channel::kApp);
  EXPECT_EQ(login.project, "p");
  EXPECT_EQ(outcome.records[1].line, 3);
  EXPECT_EQ(outcome.records[1].reject.field(), "/timestamp");
  EXPECT_EQ(outcome.records[2].line, 4);
  EXPECT_EQ(outcome.records[2].reject.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outcome.records[3].line, 5);
  EXPECT_EQ(outcome.records[3].event->traits, R"({"tier":"gold"})");
}

TEST(ImportReader, ReadsGzippedNdjsonFromAStream) {
  std::string many;
  for (int i = 0; i < 3000; ++i) {
    many += "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u" + std::to_string(i) +
            "\",\"timestamp\":\"2024-05-01T08:00:00Z\"}\n";
  }
  std::istringstream stream(testing::Gzip(many) + testing::Gzip(many));  // two gzip members
  IstreamByteSource source(&stream);
  auto reader = ImportReader::Open(&source, ImportFormat::kNdjson, WireContext{});
  ASSERT_TRUE(reader.ok());
  ImportRecord record;
  int events = 0;
  while ((*reader)->Next(&record).value()) events += record.event.has_value();
  EXPECT_EQ(events, 6000);
  EXPECT_EQ(record.line, 6000);
}

TEST(ImportReader, TruncatedGzipIsAStreamError) {
  const std::string gz = testing::Gzip(std::string(kNdjson));
  const Outcome outcome = ReadAll(gz.substr(0, gz.size() - 6), ImportFormat::kNdjson);
  EXPECT_EQ(outcome.stream_error.code(), StatusCode::kInvalidArgument);
}

TEST(ImportReader, OverlongLineIsRejectedAndReadingContinues) {
  const std::string input = "{\"x\":\"" + std::string(kImportLineBytesMax + 10, 'a') + "\"}\n" +
                            "{\"type\":\"track\",\"event\":\"E\",\"userId\":\"u\",\"timestamp\":"
                            "\"2024-05-01T08:00:00Z\"}\n";
  const Outcome outcome = ReadAll(input, ImportFormat::kNdjson);
  ASSERT_EQ(outcome.records.size(), 2u);
  EXPECT_EQ(outcome.records[0].reject.code(), StatusCode::kTooLarge);
  EXPECT_EQ(outcome.records[1].line, 2);
  EXPECT_TRUE(outcome.records[1].event.has_value());
}

constexpr std::string_view kCsv =
    "\xEF\xBB\xBFmessage_id,type,event,user_id,anonymous_id,timestamp,channel,"
    "properties.amount:number,properties.product,properties.count:integer,"
    "properties.vip:boolean,properties.meta:json,properties.cvv\r\n"
    "m1,track,Loan Applied,u1,,2024-05-01T08:00:00Z,branch,5000.5,\"Loan, \"\"Gold\"\"\",3,true,"
    "\"{\"\"a\"\":[1]}\",123\r\n"
    ",,Fund Viewed,,a2,1714550400000,,,\"multi\nline\",,,,\n"
    "m3,track,Bad Amount,u3,,2024-05-01T08:00:00Z,,lots,,,,,\n"
    "m4,track,No Time,u4,,,,,,,,,\n"
    "m5,track,Bad Channel,u5,,2024-05-01T08:00:00Z,carrier-pigeon,,,,,,\n"
    "m6,alias,X,u6,,2024-05-01T08:00:00Z,,,,,,,\n"
    "m7,track,Too Few,u7\n"
    "m8,identify,,u8,,2024-05-01T08:00:00Z,,,,,,,\n";

TEST(ImportReader, ReadsCsvWithTypedPropertiesAndRejects) {
  const Outcome outcome = ReadAll(kCsv, ImportFormat::kCsv);
  ASSERT_TRUE(outcome.stream_error.ok()) << outcome.stream_error.ToString();
  ASSERT_EQ(outcome.records.size(), 8u);
  const Event& loan = outcome.records[0].event.value();
  EXPECT_EQ(outcome.records[0].line, 2);
  EXPECT_EQ(loan.message_id, "m1");
  EXPECT_EQ(loan.name, "Loan Applied");
  EXPECT_EQ(loan.channel, Channel::kBranch);
  EXPECT_EQ(
      loan.properties,
      R"({"amount":5000.5,"product":"Loan, \"Gold\"","count":3,"vip":true,"meta":{"a":[1]}})");
  const Event& fund = outcome.records[1].event.value();
  EXPECT_EQ(outcome.records[1].line, 3);
  EXPECT_EQ(fund.type, EventType::kTrack);
  EXPECT_EQ(fund.event_time, At("2024-05-01T08:00:00Z"));
  EXPECT_EQ(fund.properties, R"({"product":"multi\nline"})");
  EXPECT_TRUE(fund.message_id.starts_with("import-"));
  EXPECT_EQ(outcome.records[2].line, 5);
  EXPECT_EQ(outcome.records[2].reject.field(), "/properties.amount:number");
  EXPECT_EQ(outcome.records[3].reject.field(), "/timestamp");
  EXPECT_EQ(outcome.records[4].reject.field(), "/channel");
  EXPECT_EQ(outcome.records[5].reject.field(), "/type");
  EXPECT_NE(outcome.records[6].reject.message().find("expected 13 fields"), std::string::npos);
  EXPECT_EQ(outcome.records[7].event->type, EventType::kIdentify);
}

TEST(ImportReader, CsvHeaderErrorsFailOpen) {
  EXPECT_EQ(ReadAll("event,user_id,colour\n", ImportFormat::kCsv).stream_error.field(), "/colour");
  EXPECT_FALSE(ReadAll("event,event\n", ImportFormat::kCsv).stream_error.ok());
  EXPECT_FALSE(ReadAll("", ImportFormat::kCsv).stream_error.ok());
  EXPECT_FALSE(ReadAll("properties.:number\n", ImportFormat::kCsv).stream_error.ok());
}

TEST(ImportReader, CsvDerivedMessageIdsAreStable) {
  const std::string csv = "event,user_id,timestamp\nE,u,2024-05-01T08:00:00Z\n";
  const auto first = ReadAll(csv, ImportFormat::kCsv);
  const auto second = ReadAll(csv, ImportFormat::kCsv);
  EXPECT_EQ(first.records.at(0).event->message_id, second.records.at(0).event->message_id);
}

}  // namespace
}  // namespace banyan::events
