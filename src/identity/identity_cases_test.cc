// The data-driven OneID cases: every tests/cases/identity/*.test file is one test.
//
// A file is a sequence of records separated by blank lines; '#' lines are comments. A record is
// action lines, then optionally "----" and check lines:
//
//   # two identified customers sharing a device must not merge
//   call app_user_id=u1 device_id=d1
//   call app_user_id=u2 device_id=d1
//   ----
//   persons: 2
//   same? app_user_id=u1 app_user_id=u2 : no
//
// Actions (identifiers are type=value; quote a value with spaces: phone="+86 138 1234 1234"):
//   call ID...              Resolve the identifiers (the clock moves 1 s first)
//   alias PREVIOUS USER     Resolve previous_id=PREVIOUS app_user_id=USER (a Segment alias)
//   advance SECONDS         move the clock
//   unmerge MERGE_ID        Unmerge (staff 1)
//   resolve CONFLICT_ID kept_separate|merged
//   erase ID                PlanErase / WriteErase / CommitErase of the OneID holding ID
//   flush                   Flush and commit
//   reload                  flush, drop the graph, Load it again
// A failing action is an error unless the record checks `last`.
//
// Checks ("question : answer", or "name: answer" for counts):
//   persons: N              current OneIDs (roots)
//   conflicts: N            open conflicts
//   merges: N               merges in effect
//   stats : ...             persons, roots, identifiers, merges, open conflicts
//   same? ID ID... : yes|no all found, and all on one OneID
//   find ID : R...|none     current OneIDs holding ID, most recent first
//   members ID : P...       the persons of the OneID holding ID
//   identifiers ID : T=V... every identifier (clear) of the OneID holding ID, sorted
//   conflict N : persons A B TYPE STATUS
//   merge N : SURVIVOR <- ABSORBED [undone]
//   erased? ID : yes|no
//   last : ...              the outcome of the record's last action
//
// Each file runs twice — once as written and once with a flush and reload after every record —
// and both runs must give the expected answers, so persistence is checked at every step.
// BANYAN_REWRITE_CASES=1 rewrites the answers in place for review.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/testing/case_file.h"
#include "identity/testing/identity_fixture.h"

namespace banyan::identity {
namespace {

namespace fs = std::filesystem;

using Record = banyan::testing::CaseRecord;  // lines: actions; answer: checks

// Splits on spaces, keeping double-quoted stretches together (quotes removed).
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string token;
  bool quoted = false;
  bool any = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
    } else if (c == ' ' && !quoted) {
      if (any) out.push_back(token);
      token.clear();
      any = false;
    } else {
      token.push_back(c);
      any = true;
    }
  }
  if (any) out.push_back(token);
  return out;
}

events::Identifier ParseId(const std::string& token) {
  const size_t eq = token.find('=');
  if (eq == std::string::npos) return {token, ""};
  return {token.substr(0, eq), token.substr(eq + 1)};
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

template <typename T>
std::string JoinNumbers(const std::vector<T>& numbers) {
  std::vector<std::string> parts;
  for (const T n : numbers) parts.push_back(std::to_string(n));
  return Join(parts);
}

class CaseRun {
 public:
  explicit CaseRun(bool reload_each_record) : reload_each_record_(reload_each_record) {}

  Status Open() { return world_.Open(); }

  // Runs one record's actions; returns an error for an action that failed unexpectedly.
  Status RunActions(const Record& record) {
    const bool checks_last =
        std::any_of(record.answer.begin(), record.answer.end(),
                    [](const std::string& c) { return c.starts_with("last "); });
    for (const std::string& action : record.lines) {
      Status status = RunAction(action);
      if (!status.ok()) {
        last_ = "error " + status.ToString();
        if (!checks_last) return status.WithContext(action);
      }
    }
    if (reload_each_record_) RETURN_IF_ERROR(world_.Reload(sequence_));
    return Status::Ok();
  }

  // The answer to one check line, in the same form.
  std::string Check(const std::string& check) {
    const size_t colon = check.find(": ");
    const size_t spaced = check.find(" : ");
    if (spaced == std::string::npos && colon != std::string::npos) {
      const std::string name = check.substr(0, colon);
      return name + ": " + Count(name);
    }
    if (spaced == std::string::npos) return check + " : ?";
    const std::string question = check.substr(0, spaced);
    return question + " : " + Answer(question);
  }

 private:
  Status RunAction(const std::string& action) {
    const std::vector<std::string> t = Tokens(action);
    if (t.empty()) return InvalidArgumentError("empty action");
    const std::string& verb = t[0];
    if (verb == "call" || verb == "alias") {
      std::vector<events::Identifier> ids;
      if (verb == "alias") {
        if (t.size() != 3) return InvalidArgumentError("alias PREVIOUS USER");
        ids = {{"previous_id", t[1]}, {"app_user_id", t[2]}};
      } else {
        for (size_t i = 1; i < t.size(); ++i) ids.push_back(ParseId(t[i]));
      }
      for (const auto& id : ids) mentioned_.insert({id.type, id.value});
      ASSIGN_OR_RETURN(const ResolveResult r, world_.Call(ids, ++sequence_));
      last_ = "person " + std::to_string(r.person) + (r.created ? " created" : "");
      if (!r.merge_ids.empty()) last_ += " merges [" + JoinNumbers(r.merge_ids) + "]";
      if (!r.conflict_ids.empty()) last_ += " conflicts [" + JoinNumbers(r.conflict_ids) + "]";
      if (r.skipped_identifiers > 0) last_ += " skipped " + std::to_string(r.skipped_identifiers);
      return Status::Ok();
    }
    if (verb == "advance" && t.size() == 2) {
      world_.clock().Advance(std::chrono::seconds(std::stoll(t[1])));
      return Status::Ok();
    }
    if (verb == "unmerge" && t.size() == 2) {
      ASSIGN_OR_RETURN(const UnmergeResult r,
                       world_.graph().Unmerge(world_.db(), std::stoll(t[1]), 1));
      last_ = "unmerged " + std::to_string(r.merge_id) + ": " + std::to_string(r.survivor_root) +
              " and " + std::to_string(r.absorbed_id);
      return Status::Ok();
    }
    if (verb == "resolve" && t.size() == 3) {
      RETURN_IF_ERROR(world_.graph().ResolveConflict(world_.db(), std::stoll(t[1]), t[2], 1));
      last_ = "resolved " + t[1] + " " + t[2];
      return Status::Ok();
    }
    if (verb == "erase" && t.size() == 2) return Erase(ParseId(t[1]));
    if (verb == "flush" && t.size() == 1) return world_.Flush(sequence_);
    if (verb == "reload" && t.size() == 1) return world_.Reload(sequence_);
    return InvalidArgumentError("unknown action: " + action);
  }

  Status Erase(const events::Identifier& id) {
    ASSIGN_OR_RETURN(const std::vector<PersonId> roots, world_.graph().Find(id.type, id.value));
    if (roots.empty()) return NotFoundError("no person holds " + id.type + "=" + id.value);
    ASSIGN_OR_RETURN(ErasePlan plan, world_.graph().PlanErase(roots[0]));
    RETURN_IF_ERROR(world_.db().Write(
        [&](store::Transaction& tx) { return world_.graph().WriteErase(tx, plan); }));
    world_.graph().CommitErase(plan);
    last_ = "erased " + std::to_string(plan.root()) + " (" + std::to_string(plan.members().size()) +
            " persons, " + std::to_string(plan.identifiers().size()) + " identifiers)";
    return Status::Ok();
  }

  std::string Count(const std::string& name) {
    const GraphStats s = world_.graph().Stats();
    if (name == "persons") return std::to_string(s.roots);
    if (name == "conflicts") return std::to_string(s.conflicts_open);
    if (name == "merges") return std::to_string(s.merges);
    return "?";
  }

  std::string Answer(const std::string& question) {
    const std::vector<std::string> t = Tokens(question);
    if (t.empty()) return "?";
    const std::string& verb = t[0];
    if (verb == "last") return last_;
    if (verb == "stats") return StatsLine();
    if (verb == "same?") {
      std::set<PersonId> roots;
      for (size_t i = 1; i < t.size(); ++i) {
        const std::vector<PersonId> found = FindAll(ParseId(t[i]));
        if (found.size() != 1) return "no";
        roots.insert(found[0]);
      }
      return roots.size() == 1 ? "yes" : "no";
    }
    if (verb == "find" && t.size() == 2) {
      const std::vector<PersonId> found = FindAll(ParseId(t[1]));
      return found.empty() ? "none" : JoinNumbers(found);
    }
    if (verb == "members" && t.size() == 2) {
      const std::vector<PersonId> found = FindAll(ParseId(t[1]));
      if (found.empty()) return "none";
      std::vector<PersonId> members = world_.graph().Members(found[0]);
      std::sort(members.begin(), members.end());
      return JoinNumbers(members);
    }
    if (verb == "identifiers" && t.size() == 2) return Identifiers(ParseId(t[1]));
    if (verb == "conflict" && t.size() == 2) return Conflict(std::stoll(t[1]));
    if (verb == "merge" && t.size() == 2) return Merge(std::stoll(t[1]));
    if (verb == "erased?" && t.size() == 2) {
      const events::Identifier id = ParseId(t[1]);
      return world_.graph().IsErased(id.type, id.value) ? "yes" : "no";
    }
    return "?";
  }

  std::vector<PersonId> FindAll(const events::Identifier& id) {
    Result<std::vector<PersonId>> found = world_.graph().Find(id.type, id.value);
    return found.ok() ? *found : std::vector<PersonId>{};
  }

  std::string StatsLine() {
    const GraphStats s = world_.graph().Stats();
    return "persons " + std::to_string(s.persons) + " roots " + std::to_string(s.roots) +
           " identifiers " + std::to_string(s.identifiers) + " merges " + std::to_string(s.merges) +
           " conflicts " + std::to_string(s.conflicts_open);
  }

  std::string Identifiers(const events::Identifier& id) {
    const std::vector<PersonId> found = FindAll(id);
    if (found.empty()) return "none";
    const std::vector<PersonId> members = world_.graph().Members(found[0]);
    std::vector<std::string> out;
    Status status = world_.db().Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(const std::vector<IdentifierRecord> records,
                       world_.graph().ReadIdentifiers(tx, members));
      for (const IdentifierRecord& r : records) out.push_back(r.type + "=" + r.value);
      return Status::Ok();
    });
    if (!status.ok()) return "error " + status.ToString();
    std::sort(out.begin(), out.end());
    return Join(out);
  }

  std::string Conflict(int64_t id) {
    std::string out = "none";
    Status status = world_.db().Read([&](store::Transaction& tx) -> Status {
      ASSIGN_OR_RETURN(const std::vector<ConflictRecord> all,
                       world_.graph().ListConflicts(tx, "", id + 1, 1));
      if (!all.empty() && all[0].id == id) {
        const ConflictRecord& c = all[0];
        out = "persons " + std::to_string(c.person_a) + " " + std::to_string(c.person_b) + " " +
              c.identifier_type + " " + c.status;
      }
      return Status::Ok();
    });
    return status.ok() ? out : "error " + status.ToString();
  }

  std::string Merge(int64_t id) {
    std::string out = "none";
    Status status = world_.db().Read([&](store::Transaction& tx) -> Status {
      // A merge is listed under the OneID its survivor belongs to; look through every OneID
      // the file mentioned.
      for (const auto& [type, value] : mentioned_) {
        for (const PersonId root : FindAll({type, value})) {
          ASSIGN_OR_RETURN(const std::vector<MergeRecord> merges,
                           world_.graph().ListMerges(tx, root));
          for (const MergeRecord& m : merges) {
            if (m.id != id) continue;
            out = std::to_string(m.survivor_id) + " <- " + std::to_string(m.absorbed_id) +
                  (m.undone() ? " undone" : "");
            return Status::Ok();
          }
        }
      }
      return Status::Ok();
    });
    return status.ok() ? out : "error " + status.ToString();
  }

  bool reload_each_record_;
  testing::IdentityWorld world_;
  uint64_t sequence_ = 0;
  std::string last_ = "none";
  std::set<std::pair<std::string, std::string>> mentioned_;
};

class IdentityCases : public ::testing::TestWithParam<std::string> {};

TEST_P(IdentityCases, GiveTheExpectedAnswers) {
  const fs::path path = fs::path(BANYAN_IDENTITY_CASES_DIR) / GetParam();
  const std::vector<Record> records =
      banyan::testing::ParseCaseFile(banyan::testing::ReadCaseFile(path));
  ASSERT_FALSE(records.empty()) << path;
  const bool rewrite = banyan::testing::RewritingCases();
  std::vector<std::vector<std::string>> first_answers;  // rewriting: what the plain run gave
  for (const bool reload_each_record : {false, true}) {
    SCOPED_TRACE(reload_each_record ? "with a reload after every record" : "as written");
    CaseRun run(reload_each_record);
    ASSERT_TRUE(run.Open().ok());
    std::vector<std::vector<std::string>> answers;
    for (const Record& record : records) {
      const Status status = run.RunActions(record);
      ASSERT_TRUE(status.ok()) << path.filename().string() << ":" << record.line << ": "
                               << status.ToString();
      std::vector<std::string> got;
      for (const std::string& check : record.answer) got.push_back(run.Check(check));
      const std::vector<std::string>& expected =
          rewrite && reload_each_record ? first_answers[answers.size()] : record.answer;
      if (!rewrite || reload_each_record) {
        EXPECT_EQ(expected, got) << path.filename().string() << ":" << record.line;
      }
      answers.push_back(std::move(got));
    }
    if (rewrite && !reload_each_record) {
      std::ofstream(path) << banyan::testing::RenderCaseFile(records, answers);
      first_answers = std::move(answers);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Files, IdentityCases,
    ::testing::ValuesIn(banyan::testing::ListCaseFiles(BANYAN_IDENTITY_CASES_DIR)),
    [](const ::testing::TestParamInfo<std::string>& info) {
      return banyan::testing::CaseTestName(info.param);
    });

}  // namespace
}  // namespace banyan::identity
