#include "profile/internal/record_reader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "base/testing/temp_dir.h"

namespace banyan::profile::internal {
namespace {

class RecordReaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  std::vector<Record> ReadAll(RecordReader& reader) {
    std::vector<Record> out;
    Record record;
    while (true) {
      Result<bool> more = reader.Next(&record);
      EXPECT_TRUE(more.ok()) << more.status().ToString();
      if (!more.ok() || !*more) break;
      out.push_back(record);
    }
    return out;
  }

  banyan::testing::TempDir temp_{"banyan_reader"};
  std::filesystem::path dir_ = temp_.path();
};

TEST_F(RecordReaderTest, ReadsRfc4180CsvWithBomCrlfAndQuotes) {
  const std::string path = Write("a.csv",
                                 "\xEF\xBB\xBF"
                                 "cust_no, name ,address\r\n"
                                 "C1,张伟,\"杭州市, 文三路\"\r\n"
                                 "\r\n"
                                 "C2,\"He said \"\"hi\"\"\",\"line one\nline two\"\r\n"
                                 "C3,李娜,");
  auto reader = RecordReader::Open(path, FileFormat::kCsv);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->columns(), (std::vector<std::string>{"cust_no", "name", "address"}));
  const auto records = ReadAll(**reader);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].row, 1);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"C1", "张伟", "杭州市, 文三路"}));
  EXPECT_EQ(records[1].row, 2);  // the blank line is not a row
  EXPECT_EQ(records[1].fields,
            (std::vector<std::string>{"C2", "He said \"hi\"", "line one\nline two"}));
  EXPECT_EQ(records[2].fields, (std::vector<std::string>{"C3", "李娜", ""}));
  for (const Record& r : records) EXPECT_TRUE(r.reject.empty()) << r.reject;
}

TEST_F(RecordReaderTest, ResumesAtARecordsEndOffset) {
  const std::string path = Write("a.csv", "cust_no,name\nC1,a\nC2,\"b\nc\"\nC3,d\n");
  auto reader = RecordReader::Open(path, FileFormat::kCsv);
  ASSERT_TRUE(reader.ok());
  const auto all = ReadAll(**reader);
  ASSERT_EQ(all.size(), 3u);
  auto resumed = RecordReader::Open(path, FileFormat::kCsv, all[1].end_offset, all[1].row);
  ASSERT_TRUE(resumed.ok());
  const auto rest = ReadAll(**resumed);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].row, 3);
  EXPECT_EQ(rest[0].fields, (std::vector<std::string>{"C3", "d"}));
}

TEST_F(RecordReaderTest, BadRecordsAreRejectsAndReadingContinues) {
  const std::string long_field(kImportRowBytesMax + 10, 'x');
  const std::string path =
      Write("a.csv", "cust_no,name\nC1\nC2,a\"b\nC3," + long_field + "\nC4,\"open\" x\nC5,ok\n");
  auto reader = RecordReader::Open(path, FileFormat::kCsv);
  ASSERT_TRUE(reader.ok());
  const auto records = ReadAll(**reader);
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].reject, "expected 2 fields as in the header, found 1");
  EXPECT_EQ(records[1].reject, "malformed CSV: a quote inside an unquoted field (field 2)");
  EXPECT_EQ(records[2].reject, "the row is longer than 65536 bytes");
  EXPECT_EQ(records[3].reject, "malformed CSV: unexpected text after a quoted field (field 2)");
  EXPECT_TRUE(records[4].reject.empty());
  EXPECT_EQ(records[4].fields[1], "ok");
}

TEST_F(RecordReaderTest, BadHeadersFailOpen) {
  for (const std::string& header :
       {std::string(""), std::string("cust_no,,name\n"), std::string("cust_no,name,cust_no\n"),
        std::string("cust_no,\"name\n")}) {
    auto reader = RecordReader::Open(Write("h.csv", header), FileFormat::kCsv);
    ASSERT_FALSE(reader.ok()) << header;
    EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument) << header;
  }
}

TEST_F(RecordReaderTest, NdjsonLinesAreObjectsOrRejects) {
  const std::string path = Write("a.ndjson", "{\"cust_no\":\"C1\"}\n\n[1]\n{bad\n{\"cust_no\":2}");
  auto reader = RecordReader::Open(path, FileFormat::kNdjson);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const auto records = ReadAll(**reader);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].object["cust_no"], "C1");
  EXPECT_EQ(records[1].reject, "the line is not a JSON object");
  EXPECT_FALSE(records[2].reject.empty());
  EXPECT_EQ(records[3].object["cust_no"], 2);

  auto not_ndjson =
      RecordReader::Open(Write("b.ndjson", "cust_no,name\nC1,x\n"), FileFormat::kNdjson);
  ASSERT_FALSE(not_ndjson.ok());
  EXPECT_EQ(not_ndjson.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(RecordReaderTest, FormatComesFromTheExtension) {
  EXPECT_EQ(*FormatOfPath("/x/customers.csv"), FileFormat::kCsv);
  EXPECT_EQ(*FormatOfPath("c.ndjson"), FileFormat::kNdjson);
  EXPECT_EQ(*FormatOfPath("c.jsonl"), FileFormat::kNdjson);
  EXPECT_EQ(FormatOfPath("c.xlsx").status().field(), "/path");
}

}  // namespace
}  // namespace banyan::profile::internal
