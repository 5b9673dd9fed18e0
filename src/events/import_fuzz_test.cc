// Seeded random-mutation test of the CSV import reader (plain and gzip): a bad header fails
// Open cleanly, bad records are rejects with clean statuses, a bad stream is a clean error;
// accepted events survive the record codec.

#include <gtest/gtest.h>

#include "events/event_codec.h"
#include "events/import_reader.h"
#include "events/internal/wire_testing.h"

namespace banyan::events {
namespace {

constexpr int kRecordsPerInputMax = 1000;

void ReadAll(const std::string& input, int* accepted) {
  WireContext context;
  context.received_at = testing::At("2026-11-22T02:30:01Z");
  StringByteSource source(input);
  auto reader = ImportReader::Open(&source, ImportFormat::kCsv, context);
  if (!reader.ok()) {
    ASSERT_TRUE(testing::IsCleanInputError(reader.status())) << reader.status().ToString();
    return;
  }
  for (int n = 0; n < kRecordsPerInputMax; ++n) {
    ImportRecord record;
    auto more = (*reader)->Next(&record);
    if (!more.ok()) {
      ASSERT_TRUE(testing::IsCleanInputError(more.status())) << more.status().ToString();
      return;
    }
    if (!*more) return;
    ASSERT_GT(record.line, 0);
    if (!record.event) {
      ASSERT_TRUE(testing::IsCleanInputError(record.reject)) << record.reject.ToString();
      continue;
    }
    ++*accepted;
    auto decoded = DecodeEvent(EncodeEvent(*record.event));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_EQ(*decoded, *record.event);
  }
}

TEST(ImportCsvFuzz, MutatedFilesFailCleanly) {
  const std::string csv =
      "message_id,type,event,user_id,anonymous_id,timestamp,channel,properties.amount:number,"
      "properties.note,properties.n:integer,properties.ok:boolean,properties.meta:json\n"
      "m1,track,Loan,u1,,2024-05-01T08:00:00Z,app,1.5,\"a, \"\"b\"\"\",3,true,\"{\"\"a\"\":1}\"\n"
      ",page,Home,,a2,1714550400000,,,\"x\ny\",,,\n"
      "m3,identify,,u3,,2024-05-01T08:00:00+08:00,wechat,,,,false,[]\n";
  testing::Mutator mutator(11, {csv, testing::Gzip(csv), "event,user_id,timestamp\nE,u,1\n"});
  int accepted = 0;
  for (int i = 0; i < testing::kFuzzIterations; ++i) {
    ReadAll(mutator.Next(), &accepted);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(accepted, testing::kFuzzIterations / 50);
}

}  // namespace
}  // namespace banyan::events
