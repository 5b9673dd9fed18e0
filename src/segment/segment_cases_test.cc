// The data-driven segment cases: every tests/cases/segment/*.test file is one test.
//
// A file is a sequence of records separated by blank lines; '#' lines before a record's first
// line are comments. A record without "----" is data (testing/dataset.h's line format: now,
// customer, event, tag, member, consent, branch), which accumulates through the file. A record
// with "----" is a question, its answer after the line:
//
//   members age between 25 and 35        the matching customer ids, or "none", or "error: ..."
//   ----
//   1 3
//
//   text did   View_Product               the canonical text form
//   json did view_product                 the JSON form, compact
//   fromjson {"kind":"segment", ...}      the canonical text of a JSON form, or "error: ..."
//
// A question's expression may run over several lines (all lines before "----"), so errors can
// point at line 2. Every expression that parses is also checked to round-trip: text -> tree ->
// text -> tree, and tree -> JSON -> tree -> text; `members` validates it against the catalog
// (built-ins plus what the data names) before evaluating it with the reference evaluator at the
// data's `now` in Asia/Shanghai, and evaluates it on the engine too (the data loaded through
// testing/engine_loader.h): both evaluators must give the expected answer.
// BANYAN_REWRITE_CASES=1 rewrites the answers in place for review.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/testing/case_file.h"
#include "segment/ast.h"
#include "segment/catalog.h"
#include "segment/engine_eval.h"
#include "segment/testing/dataset.h"
#include "segment/testing/engine_loader.h"
#include "segment/testing/reference_evaluator.h"

namespace banyan::segment {
namespace {

namespace fs = std::filesystem;

using Record = banyan::testing::CaseRecord;

std::string Join(const std::vector<std::string>& lines, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) out += (i > 0 ? std::string(separator) : "") + lines[i];
  return out;
}

class CaseRun {
 public:
  CaseRun() : catalog_(testing::BuiltinTestCatalog()) {}

  Status AddData(const Record& record) {
    for (const std::string& line : record.lines) {
      RETURN_IF_ERROR(testing::ApplyLine(line, data_, catalog_));
    }
    return Status::Ok();
  }

  // The answer lines to a question record.
  std::vector<std::string> Answer(const Record& record) {
    std::string first = record.lines[0];
    const size_t space = first.find(' ');
    const std::string verb = first.substr(0, space);
    std::vector<std::string> lines = record.lines;
    lines[0] = space == std::string::npos ? "" : first.substr(space + 1);
    const std::string question = Join(lines, "\n");
    if (verb == "fromjson") {
      Result<Expr> expr = FromJsonText(question);
      if (!expr.ok()) return {"error: " + expr.status().message()};
      CheckRoundTrips(*expr);
      return {ToText(*expr)};
    }
    Result<Expr> expr = Parse(question);
    if (!expr.ok()) return {"error: " + expr.status().message()};
    CheckRoundTrips(*expr);
    if (verb == "text") return {ToText(*expr)};
    if (verb == "json") return {ToJson(*expr).dump()};
    if (verb == "members") return {Members(*expr)};
    return {"unknown question: " + verb};
  }

 private:
  std::string Members(const Expr& expr) {
    const Status valid = Validate(expr, catalog_);
    if (!valid.ok()) return "error: " + valid.message();
    static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
    Result<std::vector<int64_t>> ids = testing::Evaluate(expr, data_, catalog_, calendar);
    if (!ids.ok()) return "error: " + ids.status().message();
    const std::string reference = IdList(*ids);
    const std::string on_engine = EngineMembers(expr, calendar);
    // Both must agree; a disagreement shows in the answer, so the case fails (or a rewrite
    // shows it for review).
    return on_engine == reference ? reference : reference + " | engine: " + on_engine;
  }

  std::string EngineMembers(const Expr& expr, const BusinessCalendar& calendar) {
    const Status synced = loader_.Sync(data_, catalog_);
    if (!synced.ok()) return "error: " + synced.message();
    const auto snapshot = loader_.engine().snapshot();
    Result<engine::Bitmap> members = Evaluate(expr, *snapshot, loader_.Context(data_, calendar));
    if (!members.ok()) return "error: " + members.status().message();
    return IdList(loader_.Ids(*members, *snapshot));
  }

  static std::string IdList(const std::vector<int64_t>& ids) {
    if (ids.empty()) return "none";
    std::string out;
    for (const int64_t id : ids) out += (out.empty() ? "" : " ") + std::to_string(id);
    return out;
  }

  static void CheckRoundTrips(const Expr& expr) {
    const std::string text = ToText(expr);
    Result<Expr> reparsed = Parse(text);
    ASSERT_TRUE(reparsed.ok()) << text << "\n" << reparsed.status().ToString();
    EXPECT_EQ(*reparsed, expr) << "text round trip: " << text;
    const Json json = ToJson(expr);
    Result<Expr> from_json = FromJsonText(json.dump());
    ASSERT_TRUE(from_json.ok()) << json.dump() << "\n" << from_json.status().ToString();
    EXPECT_EQ(*from_json, expr) << "JSON round trip: " << json.dump();
    EXPECT_EQ(ToText(*from_json), text) << "text -> JSON -> text";
  }

  testing::Dataset data_;
  Catalog catalog_;
  testing::EngineLoader loader_;  // the same data, on the engine
};

class SegmentCases : public ::testing::TestWithParam<std::string> {};

TEST_P(SegmentCases, GiveTheExpectedAnswers) {
  CaseRun run;
  banyan::testing::CheckCaseFile(fs::path(BANYAN_SEGMENT_CASES_DIR) / GetParam(), run);
}

INSTANTIATE_TEST_SUITE_P(
    Files, SegmentCases,
    ::testing::ValuesIn(banyan::testing::ListCaseFiles(BANYAN_SEGMENT_CASES_DIR)),
    [](const ::testing::TestParamInfo<std::string>& info) {
      return banyan::testing::CaseTestName(info.param);
    });

}  // namespace
}  // namespace banyan::segment
