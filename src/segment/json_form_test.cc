#include <gtest/gtest.h>

#include "segment/ast.h"
#include "segment/catalog.h"

namespace banyan::segment {
namespace {

TEST(FromJson, PutsTheJsonPointerOfTheOffendingMemberInTheField) {
  const Result<Expr> expr =
      FromJsonText(R"({"kind":"or","conditions":[{"kind":"segment","segment":"a"},)"
                   R"({"kind":"sequence","steps":[{"event":"a"},{"event":"b","where":)"
                   R"({"kind":"in","property":"p","values":[1,[2]]}}]}]})");
  ASSERT_FALSE(expr.ok());
  EXPECT_EQ(expr.status().message(),
            "conditions[1].steps[1].where.values[1]: expected a value: a string, a number, true, "
            "false or {\"date\": \"YYYY-MM-DD\"}");
  EXPECT_EQ(expr.status().field(), "/conditions/1/steps/1/where/values/1");
}

TEST(FromJson, RefusesDocumentsBeyondTheLimits) {
  EXPECT_EQ(FromJsonText(std::string(kJsonBytesMax + 1, ' ')).status().code(),
            StatusCode::kTooLarge);
  std::string deep = R"({"kind":"compare","attribute":"a","op":"=","value":1})";
  for (int i = 0; i < kDepthMax + 1; ++i) deep = R"({"kind":"not","condition":)" + deep + "}";
  const Result<Expr> too_deep = FromJsonText(deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("deeper than 24 levels"), std::string::npos)
      << too_deep.status().message();
}

TEST(FromJson, ReadsWhatToJsonWrote) {
  const char* kText =
      "(age between 25 and 35 or risk_level in (\"R4\", \"R5\")) and not has tag vip and "
      "(did \"Order Completed\" via app where amount >= 99.99 and not (sku = \"a\" or sku is "
      "set)) and did a then b where x = true then c within 3 days between 2026-01-01 and "
      "2026-01-31 and avg(buy.amount where y != 1) in last 7 days <= -2.5 and last time did "
      "login between 2026-01-01 and 2026-02-01 and within 750 m of branch \"西溪\" from last "
      "event location and consented to data_sharing and customer_since before 0 days ago";
  const Result<Expr> parsed = Parse(kText);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Result<Expr> read = FromJson(ToJson(*parsed));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, *parsed);
  EXPECT_EQ(ToText(*read), ToText(*parsed));
  EXPECT_EQ(*Parse(ToText(*parsed)), *parsed);
}

TEST(Validate, NamesTheJsonPathOfAProblemInAnExpressionReadFromJson) {
  Catalog catalog;
  catalog.attributes["age"] = {AttributeType::kInteger, {}};
  const Result<Expr> expr = FromJsonText(
      R"({"kind":"and","conditions":[{"kind":"compare","attribute":"age","op":">","value":1},)"
      R"({"kind":"compare","attribute":"agee","op":">","value":1}]})");
  ASSERT_TRUE(expr.ok()) << expr.status().ToString();
  EXPECT_EQ(Validate(*expr, catalog).message(), "conditions[1]: unknown attribute \"agee\"");
}

TEST(Validate, FindsEveryProblemInTheOrderTheTextReads) {
  Catalog catalog;
  catalog.attributes["age"] = {AttributeType::kInteger, {}};
  const std::vector<Problem> problems =
      FindProblems(*Parse("age > \"x\" or\nfoo = 1 or did nothing or in segment s"), catalog);
  std::vector<std::string> text;
  for (const Problem& p : problems) text.push_back(p.ToString());
  EXPECT_EQ(text, (std::vector<std::string>{
                      "1:1: age is an integer: expected a number, found the string \"x\"",
                      "2:1: unknown attribute \"foo\"", "2:16: unknown event \"nothing\"",
                      "2:27: unknown segment \"s\""}));
}

}  // namespace
}  // namespace banyan::segment
