#include "profile/import.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "profile/internal/document.h"
#include "profile/testing/profile_fixture.h"

namespace banyan::profile {
namespace {

// An 18-character resident id number with a valid ISO 7064 MOD 11-2 check character.
std::string IdCard(std::string_view first17) {
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return std::string(first17) + "10X98765432"[sum % 11];
}

class ImportTest : public testing::ProfileFixture {
 protected:
  void SetUp() override {
    ProfileFixture::SetUp();
    LoadGraph();
  }
  void TearDown() override {
    graph_.reset();
    ProfileFixture::TearDown();
  }

  // Loads the graph from the store, as a restarted server would (after a crash: what was not
  // committed is gone).
  void LoadGraph() {
    graph_.reset();
    auto graph = identity::IdentityGraph::Load(*db_, identity::IdentifierTypes(), *ring_, *keys_,
                                               random_, clock_);
    ASSERT_TRUE(graph.ok()) << graph.status().ToString();
    graph_ = std::move(*graph);
  }

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

  ImportDeps Deps() {
    return ImportDeps{*db_, *graph_, *schema_, *profiles_, *balances_, clock_, calendar_};
  }

  ImportReport MustImport(const ImportOptions& options, bool balances = false) {
    ImportDeps deps = Deps();
    Result<ImportReport> report =
        balances ? ImportBalances(options, deps) : ImportCustomers(options, deps);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : ImportReport{};
  }

  // The merged profile of the customer with `cust_no`.
  Profile ProfileOf(const std::string& cust_no) {
    Result<std::vector<identity::PersonId>> found = graph_->Find("cust_no", cust_no);
    EXPECT_TRUE(found.ok() && found->size() == 1) << cust_no;
    if (!found.ok() || found->empty()) return Profile{};
    return MustRead(graph_->Members(found->front()));
  }

  // Every table the import writes, as counts, and every profile document opened, for comparing
  // the state before and after a re-run.
  std::string Snapshot() {
    std::string out;
    for (const char* table : {"person", "identifier", "identity_merge", "identity_conflict",
                              "person_key", "profile", "balance_snapshot"}) {
      out += fmt::format("{}={} ", table, CountRows(fmt::format("SELECT COUNT(*) FROM {}", table)));
    }
    Status status = db_->Read([&](store::Transaction& tx) -> Status {
      return tx.Query(
          "SELECT person_id, sealed, home_branch_id, rm_id FROM profile ORDER BY person_id", {},
          [&](const store::Row& row) -> Status {
            ASSIGN_OR_RETURN(privacy::DataKey key, keys_->Get(tx, row.Int(0)));
            ASSIGN_OR_RETURN(std::string json,
                             privacy::Open(key, row.Bytes(1), ProfileAssociatedData(row.Int(0))));
            out += fmt::format("\n{} {} {} {}", row.Int(0), json, row.Int(2), row.Int(3));
            return Status::Ok();
          });
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  std::unique_ptr<identity::IdentityGraph> graph_;
};

const std::string kCustomersCsv =
    "cust_no,id_card,phone,name,gender,birth_date,city,home_branch,relationship_manager,"
    "risk_level,aum,products,customer_since,channel_preference\n"
    "C001," +
    IdCard("33010619900517123") +
    ",13812341234,张伟,male,1990-05-17,杭州,HZ-XIXI,"
    "rm.xixi,R3,523410.25,fund|card,2015-03-01,wechat\n"
    "C002,,13900001111,李娜,female,1985-12-01,上海,,,R2,1200,,2019-07-15,sms\n"
    "C003,,,\"欧阳, 娜娜\",,,,,,,,loan,,\n";

TEST_F(ImportTest, CsvHappyPath) {
  const std::string path = WriteFile("customers.csv", kCustomersCsv);
  const ImportReport report = MustImport({.path = path});
  EXPECT_EQ(report.kind, "customers");
  EXPECT_EQ(report.rows, 3);
  EXPECT_EQ(report.imported, 3);
  EXPECT_EQ(report.rejected, 0);
  EXPECT_EQ(report.persons_created, 3);
  EXPECT_FALSE(report.already_done);
  EXPECT_EQ(report.file_sha256.size(), 64u);
  EXPECT_TRUE(report.attributes.invalid.empty());

  const Profile zhang = ProfileOf("C001");
  EXPECT_EQ(ValueOf(zhang, "name"), "\"张伟\"");
  EXPECT_EQ(ValueOf(zhang, "aum"), "\"523410.25\"");
  EXPECT_EQ(ValueOf(zhang, "products"), "[\"card\",\"fund\"]");
  EXPECT_EQ(ValueOf(zhang, "risk_level"), "\"R3\"");
  EXPECT_EQ(zhang.attributes.at("name").source, "import");
  EXPECT_EQ(zhang.attributes.at("name").at, clock_.Now());  // no as_of: the import's start
  EXPECT_EQ(zhang.home_branch_id, 2);
  EXPECT_EQ(zhang.rm_id, 5);
  EXPECT_EQ(zhang.age, 35);
  EXPECT_EQ(ValueOf(ProfileOf("C003"), "name"), "\"欧阳, 娜娜\"");
  EXPECT_EQ(ValueOf(ProfileOf("C003"), "gender"), "<absent>");  // empty cells are not given
  Result<std::vector<identity::PersonId>> by_phone = graph_->Find("phone", "13900001111");
  ASSERT_TRUE(by_phone.ok());
  EXPECT_EQ(*by_phone, *graph_->Find("cust_no", "C002"));
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM identifier"), 6);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM import_progress WHERE finished_at IS NOT NULL AND "
                      "rows_done = 3 AND rows_imported = 3"),
            1);
  EXPECT_EQ(ReadFile(report.reject_path), "");
}

TEST_F(ImportTest, NdjsonHappyPath) {
  const std::string path = WriteFile(
      "customers.ndjson",
      "{\"cust_no\":\"C001\",\"phone\":\"13812341234\",\"name\":\"张伟\",\"aum\":523410.25,"
      "\"home_latitude\":30.279223,\"products\":[\"fund\",\"card\"],\"as_of\":\"2025-12-31\"}\n"
      "{\"cust_no\":10002,\"name\":\"李娜\",\"risk_level\":\"r4\",\"gender\":null,"
      "\"as_of\":\"2026-01-01T08:00:00+08:00\"}\n");
  const ImportReport report = MustImport({.path = path});
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.rejected, 0);
  const Profile zhang = ProfileOf("C001");
  EXPECT_EQ(ValueOf(zhang, "aum"), "\"523410.25\"");
  EXPECT_EQ(ValueOf(zhang, "home_latitude"), "\"30.279223\"");  // a JSON number, exactly
  EXPECT_EQ(ValueOf(zhang, "products"), "[\"card\",\"fund\"]");
  // as_of 2025-12-31 is the end of that business day in Shanghai: 15:59:59.999999Z.
  EXPECT_EQ(FormatRfc3339(zhang.attributes.at("name").at), "2025-12-31T15:59:59.999999Z");
  const Profile li = ProfileOf("10002");
  EXPECT_EQ(ValueOf(li, "risk_level"), "\"R4\"");
  EXPECT_EQ(FormatRfc3339(li.attributes.at("name").at), "2026-01-01T00:00:00Z");
}

TEST_F(ImportTest, BadRowsAreRejectedWholeIntoTheReport) {
  const std::string path = WriteFile("customers.csv",
                                     "cust_no,phone,name,risk_level,home_branch\n"
                                     "C001,13812341234,张伟,R3,HZ-XIXI\n"
                                     "C002,12345,李娜,R2,\n"               // bad phone
                                     ",13900001111,王芳,R1,\n"             // no cust_no
                                     "C004,13900002222,赵强,R9,\n"         // bad risk level
                                     "C005,13900003333,钱七,R1,NOWHERE\n"  // unknown branch
                                     "C006,13900004444\n"                  // too few fields
                                     "C007,13900005555,孙八,R5,\n");
  const ImportReport report =
      MustImport({.path = path, .reject_path = (dir_ / "rej.ndjson").string()});
  EXPECT_EQ(report.rows, 7);
  EXPECT_EQ(report.imported, 2);
  EXPECT_EQ(report.rejected, 5);
  EXPECT_EQ(report.reject_path, (dir_ / "rej.ndjson").string());
  // A rejected row leaves nothing behind: no person, no identifier, no profile.
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person"), 2);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM identifier"), 4);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile"), 2);
  EXPECT_TRUE(graph_->Find("cust_no", "C004")->empty());

  std::vector<Json> lines;
  std::istringstream in(ReadFile(report.reject_path));
  for (std::string line; std::getline(in, line);) lines.push_back(*ParseJson(line));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], Json::parse(R"({"row":2,"line":"C002,12345,李娜,R2,","field":"phone",)"
                                  R"("error":"phone: expected 11 digits starting with 1"})"));
  EXPECT_EQ(lines[1]["row"], 3);
  EXPECT_EQ(lines[1]["field"], "cust_no");
  EXPECT_EQ(lines[2]["field"], "risk_level");
  EXPECT_EQ(lines[2]["error"], "risk_level: expected one of R1, R2, R3, R4, R5");
  EXPECT_EQ(lines[3]["field"], "home_branch");
  EXPECT_EQ(lines[4]["field"], nullptr);
  EXPECT_EQ(lines[4]["error"], "expected 5 fields as in the header, found 2");
}

TEST_F(ImportTest, ReimportingChangesNothing) {
  const std::string path = WriteFile("customers.csv", kCustomersCsv);
  const ImportReport first = MustImport({.path = path});
  const std::string before = Snapshot();
  clock_.Advance(std::chrono::hours(1));
  const ImportReport again = MustImport({.path = path});
  EXPECT_TRUE(again.already_done);
  EXPECT_EQ(again.rows, first.rows);
  EXPECT_EQ(again.imported, first.imported);
  EXPECT_EQ(again.persons_created, 0);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ImportTest, ReplayingRowsWithTheirAsOfChangesNoValue) {
  const std::string rows =
      "cust_no,phone,name,aum,as_of\n"
      "C001,13812341234,张伟,100.5,2026-01-01T00:00:00Z\n"
      "C002,13900001111,李娜,200,2026-01-01T00:00:00Z\n";
  MustImport({.path = WriteFile("a.csv", rows)});
  const std::string before = Snapshot();
  // The same rows in another file (another SHA-256): imported again, to the same state.
  clock_.Advance(std::chrono::hours(1));
  const ImportReport replay = MustImport({.path = WriteFile("b.csv", rows + "\n")});
  EXPECT_FALSE(replay.already_done);
  EXPECT_EQ(replay.imported, 2);
  EXPECT_EQ(replay.persons_created, 0);
  EXPECT_EQ(replay.attributes.applied, 0);
  EXPECT_EQ(replay.attributes.unchanged, 4);
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ImportTest, ResumesAfterTheLastCommittedBatch) {
  std::string csv = "cust_no,phone,name\n";
  for (int i = 1; i <= 7; ++i) {
    csv += fmt::format("C{:03},1390000{:04},客户{}\n", i, i, i);
  }
  csv.replace(csv.find("13900000006"), 11, "bad-phone");  // row 6, in the failing batch
  const std::string path = WriteFile("customers.csv", csv);
  ImportOptions options{.path = path, .batch_rows = 2};
  options.before_commit = [](int64_t batch) {
    return batch == 2 ? UnavailableError("injected: the disk went away") : Status::Ok();
  };
  ImportDeps deps = Deps();
  Result<ImportReport> failed = ImportCustomers(options, deps);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "injected: the disk went away");
  EXPECT_EQ(CountRows("SELECT rows_done FROM import_progress"), 4);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile"), 4);
  // The OneIDs of the batch prepared ahead may have been flushed with the batch before: no
  // profile yet, and the re-run resolves to them again.
  const int64_t persons_after_failure = CountRows("SELECT COUNT(*) FROM person");
  EXPECT_GE(persons_after_failure, 4);

  LoadGraph();  // the process died: the graph comes back from the store
  options.before_commit = nullptr;
  std::vector<ImportProgress> seen;
  options.progress_every_rows = 2;
  options.on_progress = [&](const ImportProgress& p) { seen.push_back(p); };
  const ImportReport report = MustImport(options);
  EXPECT_EQ(report.resumed_after_row, 4);
  EXPECT_EQ(report.rows, 7);
  EXPECT_EQ(report.imported, 6);
  EXPECT_EQ(report.rejected, 1);
  // Rows 5 and 7 make two persons, whichever run created them; rows 1-4 were not read again.
  EXPECT_EQ(report.persons_created + persons_after_failure, 6);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person"), 6);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM profile"), 6);
  for (int i : {1, 4, 5, 7}) {
    EXPECT_EQ(ValueOf(ProfileOf(fmt::format("C{:03}", i)), "name"), fmt::format("\"客户{}\"", i));
  }
  // The failed batch's reject was written before it rolled back; it is reported once.
  const std::string rejects = ReadFile(report.reject_path);
  EXPECT_EQ(std::count(rejects.begin(), rejects.end(), '\n'), 1);
  EXPECT_NE(rejects.find("\"row\":6"), std::string::npos);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().rows, 7);
  EXPECT_EQ(seen.front().rows, 6);
}

TEST_F(ImportTest, UnreadableFilesFailBeforeAnyImport) {
  const auto code_of = [&](const std::string& name, const std::string& bytes) {
    ImportDeps deps = Deps();
    Result<ImportReport> report = ImportCustomers({.path = WriteFile(name, bytes)}, deps);
    return report.ok() ? StatusCode::kOk : report.status().code();
  };
  EXPECT_EQ(code_of("a.csv", "cust_no,nmae\nC1,x\n"), StatusCode::kInvalidArgument);  // typo
  EXPECT_EQ(code_of("b.csv", "phone,name\n13812341234,x\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of("c.csv", "cust_no,age\nC1,30\n"), StatusCode::kInvalidArgument);  // derived
  EXPECT_EQ(code_of("d.ndjson", "cust_no,name\nC1,x\n"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of("e.txt", "cust_no\nC1\n"), StatusCode::kInvalidArgument);
  ImportDeps deps = Deps();
  EXPECT_EQ(ImportCustomers({.path = (dir_ / "missing.csv").string()}, deps).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ImportCustomers({.path = WriteFile("f.csv", "cust_no\n"), .batch_rows = 0}, deps)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM import_progress"), 0);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM person"), 0);
}

TEST_F(ImportTest, BalancesSumAcrossMembersAndTheNewestDateSetsTheProfile) {
  MustImport({.path = WriteFile("customers.csv", kCustomersCsv)});
  const std::string path = WriteFile("balances.csv",
                                     "cust_no,date,aum,deposit_balance,loan_balance\n"
                                     "C001,2026-01-02,600000.50,100000,\n"
                                     "C001,2026-01-01,523410.25,90000.10,5000\n"
                                     "C002,2026-01-01,1200,1200,\n"
                                     "C999,2026-01-01,1,1,\n"       // no such customer
                                     "C002,2026-13-01,1,1,\n"       // bad date
                                     "C002,2026-01-02,1.001,,\n");  // bad amount
  const ImportReport report = MustImport({.path = path}, /*balances=*/true);
  EXPECT_EQ(report.kind, "balances");
  EXPECT_EQ(report.imported, 3);
  EXPECT_EQ(report.rejected, 3);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM balance_snapshot"), 3);

  const Profile zhang = ProfileOf("C001");
  EXPECT_EQ(ValueOf(zhang, "aum"), "\"600000.5\"");  // 2026-01-02 wins over the later row
  EXPECT_EQ(ValueOf(zhang, "loan_balance"), "\"5000\"");
  EXPECT_EQ(FormatRfc3339(zhang.attributes.at("aum").at), "2026-01-02T15:59:59.999999Z");

  std::vector<PersonId> members = graph_->Members(graph_->Find("cust_no", "C001")->front());
  const auto c2 = graph_->Members(graph_->Find("cust_no", "C002")->front());
  members.insert(members.end(), c2.begin(), c2.end());
  std::vector<DailyBalances> days;
  ASSERT_TRUE(db_->Read([&](store::Transaction& tx) -> Status {
                   ASSIGN_OR_RETURN(days, balances_->Range(tx, members, CivilDay(2026, 1, 1),
                                                           CivilDay(2026, 1, 31)));
                   return Status::Ok();
                 })
                  .ok());
  ASSERT_EQ(days.size(), 2u);
  EXPECT_EQ(days[0].balances.aum, "524610.25");
  EXPECT_EQ(days[0].balances.deposit, "91200.1");
  EXPECT_EQ(days[0].balances.loan, "5000");
  EXPECT_EQ(days[1].balances.aum, "600000.5");
}

TEST_F(ImportTest, TheDatabaseFileHoldsNoClearNameOrPhone) {
  MustImport({.path = WriteFile("customers.csv", kCustomersCsv)});
  MustImport({.path = WriteFile("balances.csv", "cust_no,date,aum\nC001,2026-01-01,523410.25\n")},
             /*balances=*/true);
  graph_.reset();
  profiles_.reset();
  balances_.reset();
  db_->Close();  // folds the WAL into the main file
  std::string bytes;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().filename().string().rfind("banyan.db", 0) == 0) {
      bytes += ReadFile(entry.path().string());
    }
  }
  ASSERT_GT(bytes.size(), 10000u);
  for (const std::string& clear :
       std::vector<std::string>{"张伟", "李娜", "13812341234", "13900001111",
                                IdCard("33010619900517123"), "1990-05-17", "523410.25", "C001"}) {
    EXPECT_EQ(bytes.find(clear), std::string::npos) << clear;
  }
}

}  // namespace
}  // namespace banyan::profile
