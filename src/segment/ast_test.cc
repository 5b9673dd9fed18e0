#include "segment/ast.h"

#include <gtest/gtest.h>

#include <array>

#include "segment/testing/expression_generator.h"

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
  EXPECT_EQ(ErrorOf("(age > 3"),
            "1:9: expected \")\" to close the \"(\" at 1:1 after \"3\", found the end");
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

namespace banyan::segment {
namespace {

// Random token soup from the language's own vocabulary: whatever parses must round-trip through
// the text and the JSON form, and nothing may crash.
TEST(Parse, RandomTokenSequencesRoundTripOrFailCleanly) {
  static const std::vector<std::string> kTokens = {
      "and",     "or",         "not",      "(",          ")",       "did",       "then",
      "within",  "7",          "days",     "in",         "last",    "30",        "at",
      "least",   "most",       "exactly",  "times",      "where",   "via",       "app",
      "between", "2026-01-01", "and",      "2026-02-01", "age",     "=",         "!=",
      ">",       "<=",         "\"x\"",    "1.5",        "-2",      "true",      "is",
      "set",     "contains",   "has",      "tag",        "segment", "first",     "last",
      "time",    "before",     "ago",      "sum",        "count",   "avg",       ".",
      "amount",  "buy",        "km",       "m",          "of",      "branch",    "from",
      "home",    "event",      "location", "consented",  "to",      "marketing", ",",
      "\"and\"", "#",          "\n"};
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(state >> 33);
  };
  int parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t length = 1 + next() % 14;
    for (size_t i = 0; i < length; ++i) text += kTokens[next() % kTokens.size()] + " ";
    const Result<Expr> expr = Parse(text);
    if (!expr.ok()) {
      EXPECT_EQ(expr.status().code(), StatusCode::kInvalidArgument) << text;
      continue;
    }
    ++parsed;
    const std::string canonical = ToText(*expr);
    const Result<Expr> again = Parse(canonical);
    ASSERT_TRUE(again.ok()) << text << "\n-> " << canonical << "\n" << again.status().ToString();
    EXPECT_EQ(*again, *expr) << text << "\n-> " << canonical;
    const Result<Expr> from_json = FromJson(ToJson(*expr));
    ASSERT_TRUE(from_json.ok()) << canonical << "\n" << from_json.status().ToString();
    EXPECT_EQ(*from_json, *expr) << canonical;
  }
  EXPECT_GT(parsed, 0);  // the soup must exercise the success path too
}

// Random expressions built from the grammar (testing/expression_generator.h): every one parses,
// and round-trips.
TEST(Parse, GeneratedExpressionsRoundTrip) {
  testing::ExpressionGenerator generator(testing::Vocabulary::Default());
  for (int round = 0; round < 3000; ++round) {
    const std::string text = generator.Expression(3);
    const Result<Expr> expr = Parse(text);
    ASSERT_TRUE(expr.ok()) << text << "\n" << expr.status().ToString();
    const std::string canonical = ToText(*expr);
    const Result<Expr> again = Parse(canonical);
    ASSERT_TRUE(again.ok()) << text << "\n-> " << canonical << "\n" << again.status().ToString();
    ASSERT_EQ(*again, *expr) << text << "\n-> " << canonical;
    const Result<Expr> from_json = FromJson(ToJson(*expr));
    ASSERT_TRUE(from_json.ok()) << canonical << "\n" << from_json.status().ToString();
    ASSERT_EQ(*from_json, *expr) << canonical;
  }
}

}  // namespace
}  // namespace banyan::segment
