#include "profile/internal/document.h"

#include <gtest/gtest.h>

namespace banyan::profile::internal {
namespace {

class DocumentTest : public ::testing::Test {
 protected:
  PreparedUpdate Update(std::string_view name, UpdateOp op, std::string value, int64_t at_us,
                        std::string source = "test") {
    PreparedUpdate update;
    update.def = schema_.Find(name);
    EXPECT_NE(update.def, nullptr) << name;
    update.op = op;
    update.value = std::move(value);
    update.at_us = at_us;
    update.source = std::move(source);
    return update;
  }

  MergeOutcome MustMerge(const PreparedUpdate& update) {
    Result<MergeOutcome> outcome = Merge(update, &document_);
    EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
    return outcome.value_or(MergeOutcome::kUnchanged);
  }

  std::string ValueOf(std::string_view name) {
    auto it = document_.find(name);
    if (it == document_.end()) return "<absent>";
    return it->second.tombstone() ? "<tombstone>" : it->second.value;
  }

  AttributeSchema schema_;
  Document document_;
};

TEST_F(DocumentTest, OlderSetAfterNewerDoesNothing) {
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kSet, "\"杭州\"", 200)), MergeOutcome::kApplied);
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kSet, "\"上海\"", 100)), MergeOutcome::kSuperseded);
  EXPECT_EQ(ValueOf("city"), "\"杭州\"");
  EXPECT_EQ(document_.at("city").at_us, 200);
}

TEST_F(DocumentTest, EqualTimeLaterAppliedWins) {
  MustMerge(Update("city", UpdateOp::kSet, "\"杭州\"", 100));
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kSet, "\"上海\"", 100)), MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("city"), "\"上海\"");
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kSet, "\"上海\"", 100)), MergeOutcome::kUnchanged);
}

TEST_F(DocumentTest, UnsetLeavesATombstoneAnOlderSetCannotResurrect) {
  MustMerge(Update("occupation", UpdateOp::kSet, "\"教师\"", 100));
  EXPECT_EQ(MustMerge(Update("occupation", UpdateOp::kUnset, "", 300)), MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("occupation"), "<tombstone>");
  EXPECT_EQ(MustMerge(Update("occupation", UpdateOp::kSet, "\"医生\"", 200)),
            MergeOutcome::kSuperseded);
  EXPECT_EQ(ValueOf("occupation"), "<tombstone>");
  EXPECT_EQ(MustMerge(Update("occupation", UpdateOp::kSet, "\"医生\"", 400)),
            MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("occupation"), "\"医生\"");
}

TEST_F(DocumentTest, UnsetOlderThanTheValueIsSuperseded) {
  MustMerge(Update("occupation", UpdateOp::kSet, "\"教师\"", 300));
  EXPECT_EQ(MustMerge(Update("occupation", UpdateOp::kUnset, "", 200)), MergeOutcome::kSuperseded);
  EXPECT_EQ(ValueOf("occupation"), "\"教师\"");
}

TEST_F(DocumentTest, UnsetOfAnAbsentAttributeStillGuardsAgainstOlderSets) {
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kUnset, "", 500)), MergeOutcome::kApplied);
  EXPECT_EQ(MustMerge(Update("city", UpdateOp::kSet, "\"杭州\"", 400)), MergeOutcome::kSuperseded);
  EXPECT_EQ(ValueOf("city"), "<tombstone>");
}

TEST_F(DocumentTest, SetOnceOnlyWhenNoValueIsHeld) {
  EXPECT_EQ(MustMerge(Update("customer_since", UpdateOp::kSetOnce, "\"2015-03-01\"", 100)),
            MergeOutcome::kApplied);
  EXPECT_EQ(MustMerge(Update("customer_since", UpdateOp::kSetOnce, "\"2019-01-01\"", 900)),
            MergeOutcome::kSuperseded);
  EXPECT_EQ(ValueOf("customer_since"), "\"2015-03-01\"");
  MustMerge(Update("customer_since", UpdateOp::kUnset, "", 1000));
  EXPECT_EQ(MustMerge(Update("customer_since", UpdateOp::kSetOnce, "\"2019-01-01\"", 999)),
            MergeOutcome::kSuperseded);
  EXPECT_EQ(MustMerge(Update("customer_since", UpdateOp::kSetOnce, "\"2019-01-01\"", 1001)),
            MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("customer_since"), "\"2019-01-01\"");
}

TEST_F(DocumentTest, IncrementAddsExactlyAndStartsFromZero) {
  EXPECT_EQ(MustMerge(Update("aum", UpdateOp::kIncrement, "\"0.1\"", 100)), MergeOutcome::kApplied);
  EXPECT_EQ(MustMerge(Update("aum", UpdateOp::kIncrement, "\"0.2\"", 50)), MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("aum"), "\"0.3\"");
  EXPECT_EQ(document_.at("aum").at_us, 100);  // the later of the two times
  MustMerge(Update("aum", UpdateOp::kIncrement, "\"-0.3\"", 150));
  EXPECT_EQ(ValueOf("aum"), "\"0\"");
}

TEST_F(DocumentTest, IncrementBeyondTheRangeIsInvalidAndChangesNothing) {
  MustMerge(Update("aum", UpdateOp::kSet, "\"999999999999.99\"", 100));
  Result<MergeOutcome> outcome =
      Merge(Update("aum", UpdateOp::kIncrement, "\"1\"", 200), &document_);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValueOf("aum"), "\"999999999999.99\"");
}

TEST_F(DocumentTest, IncrementOlderThanATombstoneIsSuperseded) {
  MustMerge(Update("aum", UpdateOp::kUnset, "", 500));
  EXPECT_EQ(MustMerge(Update("aum", UpdateOp::kIncrement, "\"5\"", 400)),
            MergeOutcome::kSuperseded);
  EXPECT_EQ(MustMerge(Update("aum", UpdateOp::kIncrement, "\"5\"", 600)), MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("aum"), "\"5\"");
}

TEST_F(DocumentTest, AppendIsASetUnion) {
  MustMerge(Update("products", UpdateOp::kAppend, "[\"fund\",\"loan\"]", 100));
  EXPECT_EQ(MustMerge(Update("products", UpdateOp::kAppend, "[\"card\",\"fund\"]", 200)),
            MergeOutcome::kApplied);
  EXPECT_EQ(ValueOf("products"), "[\"card\",\"fund\",\"loan\"]");
  EXPECT_EQ(MustMerge(Update("products", UpdateOp::kAppend, "[\"card\"]", 200)),
            MergeOutcome::kUnchanged);
}

TEST_F(DocumentTest, SerializesSortedAndParsesBack) {
  MustMerge(Update("name", UpdateOp::kSet, "\"张伟\"", 100, "import"));
  MustMerge(Update("gender", UpdateOp::kSet, "\"male\"", 100, "import"));
  MustMerge(Update("occupation", UpdateOp::kSet, "\"\\\"教师\\\"\"", 300, "import"));
  MustMerge(Update("city", UpdateOp::kUnset, "", 200, "api"));
  MustMerge(Update("products", UpdateOp::kSet, "[\"a\",\"b\"]", 300, "sensors"));
  const std::string json = SerializeDocument(document_);
  EXPECT_EQ(json,
            "{\"t\":100,\"s\":\"import\",\"a\":{"
            "\"city\":[null,200,\"api\"],"
            "\"gender\":[\"male\"],"
            "\"name\":[\"张伟\"],"
            "\"occupation\":[\"\\\"教师\\\"\",300],"
            "\"products\":[[\"a\",\"b\"],300,\"sensors\"]}}");
  Result<Document> parsed = ParseDocument(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, document_);
}

TEST_F(DocumentTest, MalformedDocumentsAreDataLoss) {
  for (const char* json :
       {"[]", "{\"a\":1}", "{\"t\":1,\"s\":\"x\",\"a\":{\"n\":[]}}",
        "{\"t\":1,\"s\":\"x\",\"a\":{\"n\":[1,\"x\"]}}", "{\"t\":1,\"a\":{}}", "{"}) {
    Result<Document> parsed = ParseDocument(json);
    ASSERT_FALSE(parsed.ok()) << json;
    EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss) << json;
  }
}

}  // namespace
}  // namespace banyan::profile::internal
