#include "segment/ast.h"

#include <gtest/gtest.h>

namespace banyan::segment {
namespace {

std::string ErrorOf(std::string_view text) {
  Result<Expr> expr = Parse(text);
  return expr.ok() ? "parsed: " + ToText(*expr) : expr.status().message();
}

std::string Canonical(std::string_view text) {
  Result<Expr> expr = Parse(text);
  return expr.ok() ? ToText(*expr) : "error: " + expr.status().message();
}

TEST(Parse, NamesLineColumnAndWhatWasExpected) {
  EXPECT_EQ(ErrorOf("did view_product at least three times"),
            "1:27: expected a number after \"at least\", found \"three\"");
  EXPECT_EQ(ErrorOf("age between 25\n  and"),
            "2:6: expected a value (a \"string\", a number, a date YYYY-MM-DD, true or false) "
            "after \"and\", found the end");
  EXPECT_EQ(ErrorOf(""), "1:1: expected a condition, found the end");
  EXPECT_EQ(ErrorOf("(age > 3"), "1:9: expected \")\" to close the \"(\" at 1:1 after \"3\", found the end");
}

TEST(Parse, CountsColumnsInCharactersNotBytes) {
  EXPECT_EQ(ErrorOf("city = \"杭州市\" and"),
            "1:17: expected a condition after \"and\", found the end");
  EXPECT_EQ(ErrorOf("city = \"杭州市\" and then"),
            "1:18: expected a condition (an attribute, has tag, in segment, did, first time, "
            "last time, count/sum/avg/min/max, within ... of branch, consented) after \"and\", "
            "found \"then\"");
}

TEST(Parse, KeywordsIgnoreCaseNamesDoNot) {
  EXPECT_EQ(Canonical("DID View_Product AT LEAST 3 TIMES IN THE LAST 30 DAYS"),
            "did View_Product at least 3 times in last 30 days");
}

TEST(Parse, RefusesWhatExceedsALimit) {
  std::string deep;
  for (int i = 0; i < kDepthMax + 1; ++i) deep += "not ";
  deep += "age > 3";
  EXPECT_NE(ErrorOf(deep).find("nesting deeper than 24 levels"), std::string::npos);

  std::string many = "age > 0";
  for (size_t i = 0; i < kConditionsMax; ++i) many += " or age > 0";
  EXPECT_NE(ErrorOf(many).find("more than 100 conditions"), std::string::npos);

  std::string list = "city in (\"a\"";
  for (size_t i = 0; i < kListItemsMax; ++i) list += ", \"a\"";
  EXPECT_NE(ErrorOf(list + ")").find("a list longer than 500 values"), std::string::npos);

  const Result<Expr> huge = Parse(std::string(kExpressionBytesMax + 1, ' '));
  EXPECT_EQ(huge.status().code(), StatusCode::kTooLarge);
}

TEST(ToText, QuotesNamesThatAreKeywordsOrNotIdentifiers) {
  EXPECT_EQ(Canonical("did \"Order Completed\" where \"and\" = 1"),
            "did \"Order Completed\" where \"and\" = 1");
  EXPECT_EQ(Canonical("has tag \"金葵花\""), "has tag \"金葵花\"");
  EXPECT_EQ(Canonical("name = \"say \\\"hi\\\"\""), "name = \"say \\\"hi\\\"\"");
}

TEST(ToText, KeepsTheShapeOfParenthesesThatMatter) {
  EXPECT_EQ(Canonical("(a = 1 or b = 2) and c = 3"), "(a = 1 or b = 2) and c = 3");
  EXPECT_EQ(Canonical("a = 1 or (b = 2 and c = 3)"), "a = 1 or b = 2 and c = 3");
  EXPECT_EQ(Canonical("((a = 1))"), "a = 1");
  EXPECT_EQ(Canonical("not (a = 1 and b = 2)"), "not (a = 1 and b = 2)");
  // A where clause takes every `and` that follows it, so a behaviour ending in one is
  // parenthesised before another condition.
  EXPECT_EQ(Canonical("(did buy where amount > 5) and age > 30"),
            "(did buy where amount > 5) and age > 30");
  EXPECT_EQ(Canonical("did buy where amount > 5 and age > 30"),
            "did buy where amount > 5 and age > 30");
}

TEST(ToText, WritesNumbersInTheirShortestForm) {
  EXPECT_EQ(Canonical("aum > 0500000.500"), "aum > 500000.5");
  EXPECT_EQ(Canonical("aum > -0.0"), "aum > 0");
  EXPECT_EQ(ErrorOf("aum > 1.1234567"), "1:7: 1.1234567 has more than 6 digits after the point");
  EXPECT_EQ(ErrorOf("aum > 1234567890123456"),
            "1:7: 1234567890123456 has more than 15 significant digits");
}

TEST(Expr, EqualityIgnoresWhereANodeCameFrom) {
  EXPECT_EQ(*Parse("age > 3"), *Parse("  age   >\n3"));
  EXPECT_NE(*Parse("age > 3"), *Parse("age >= 3"));
}

}  // namespace
}  // namespace banyan::segment
