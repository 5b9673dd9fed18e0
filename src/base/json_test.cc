#include "base/json.h"

#include <gtest/gtest.h>

namespace banyan {
namespace {

TEST(Json, ParsesAndReportsPosition) {
  EXPECT_TRUE(ParseJson(R"({"a": [1, 2]})").ok());
  auto bad = ParseJson(R"({"a": })");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("column"), std::string::npos) << bad.status().message();
}

TEST(Json, RejectsDeepNestingWithoutRecursingForever) {
  std::string deep(100000, '[');
  auto result = ParseJson(deep, {.bytes_max = 1 << 20, .depth_max = 32});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("nesting"), std::string::npos);
}

TEST(Json, RejectsOversizeDocuments) {
  auto result = ParseJson(std::string(2000, ' '), {.bytes_max = 1000, .depth_max = 4});
  EXPECT_EQ(result.status().code(), StatusCode::kTooLarge);
}

TEST(JsonObjectReader, NamesTheFieldOnTypeErrors) {
  Json doc = Json::parse(R"({"name": 5, "n": 300, "a/b": "x"})");
  auto reader = JsonObjectReader::Create(doc, "/staff");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(reader->String("name", 10).status().field(), "/staff/name");
  EXPECT_EQ(reader->Int("n", 0, 100).status().field(), "/staff/n");
  EXPECT_EQ(reader->String("missing", 10).status().message(), "is required");
  auto unknown = reader->RejectUnknown({"name", "n"});
  EXPECT_EQ(unknown.field(), "/staff/a~1b");
}

}  // namespace
}  // namespace banyan
