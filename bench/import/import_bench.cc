// import_bench: generates a deterministic customers CSV of N rows (realistic: cust_no, an id
// number with a valid check digit, a mobile number, a Chinese name and 14 attributes) and imports
// it into a fresh data directory through profile::ImportCustomers — the code path of
// `banyan import customers` — then prints one line per figure:
//
//   import rows=… seconds=… rows_per_s=… rejected=… persons=…
//   import db_bytes_per_customer=… (banyan.db … MB after close) written_mb=… (by the process)
//   import rss_mb=… peak_rss_mb=… graph_bytes_per_customer=…
//   import cpu user_s=… sys_s=…
//
//   import_bench [--rows N] [--seed S] [--batch-rows B] [--dir DIR] [--keep]
//
// The CSV is generated before the clock starts; DIR (default: a new temporary directory) must
// not hold a database. Generation is deterministic for a given seed; encryption uses fresh keys.

#include <fmt/format.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/time.h"
#include "identity/graph.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "profile/balances.h"
#include "profile/import.h"
#include "profile/profile_store.h"
#include "profile/schema.h"
#include "store/database.h"

namespace banyan {
namespace {

struct Args {
  int64_t rows = 1'000'000;
  uint64_t seed = 42;
  int64_t batch_rows = profile::kImportBatchRowsDefault;
  std::string dir;
  bool keep = false;
};

constexpr int kBranches = 24;
constexpr int kStaffPerBranch = 6;

constexpr std::string_view kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴",
                                          "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高",
                                          "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩",
                                          "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "欧阳"};
constexpr std::string_view kGiven[] = {
    "伟",   "芳",   "娜", "敏",   "静",   "丽",   "强",   "磊",   "军",   "洋",   "勇", "艳",
    "杰",   "娟",   "涛", "明",   "超",   "秀英", "霞",   "平",   "刚",   "桂英", "华", "建国",
    "玉兰", "志强", "婷", "浩然", "子涵", "雨萱", "一诺", "欣怡", "梓涵", "俊杰"};
constexpr std::string_view kCities[] = {"杭州", "宁波", "温州", "绍兴", "嘉兴", "湖州",
                                        "金华", "台州", "上海", "苏州", "南京", "合肥"};
constexpr std::string_view kRegions[] = {"330106", "330102", "330204", "330302",
                                         "330602", "330402", "330502", "330702",
                                         "310101", "320505", "320102", "340102"};
constexpr std::string_view kOccupations[] = {"教师",     "医生",   "工程师", "公务员",
                                             "个体经营", "企业主", "销售",   "退休",
                                             "学生",     "律师",   "会计",   "自由职业"};
constexpr std::string_view kProducts[] = {
    "deposit_fixed", "deposit_demand", "fund",          "wealth_r2", "wealth_r3",
    "credit_card",   "mortgage",       "consumer_loan", "insurance", "gold"};
constexpr std::string_view kChannels[] = {"sms",   "wechat",   "wecom", "rcs",
                                          "email", "app_push", "phone"};

std::string IdCard(std::string_view region, CivilDay birth, int sequence) {
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  const std::string first17 = fmt::format("{}{:04}{:02}{:02}{:03}", region, birth.year(),
                                          birth.month(), birth.day(), sequence);
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + "10X98765432"[sum % 11];
}

// AUM in yuan with the long tail of a retail bank: log-normal around 50,000.
int64_t AumFen(Random& random) {
  const double u1 = std::max(random.UniformDouble(), 1e-12);
  const double u2 = random.UniformDouble();
  const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
  return static_cast<int64_t>(std::exp(10.8 + 1.6 * normal) * 100);
}

std::string Yuan(int64_t fen) { return fmt::format("{}.{:02}", fen / 100, fen % 100); }

// One row; `index` is 0-based. Identifiers are unique per row: the id number and the phone are
// bijections of the index.
std::string Row(int64_t index, Random& random) {
  const int64_t scrambled = (index * 7919 + 17) % 400'000'000;  // 7919 is coprime to 4e8
  const CivilDay birth = CivilDay(1950, 1, 1) + static_cast<int>(scrambled % 20000);
  const size_t region = static_cast<size_t>((scrambled / 20000) % std::size(kRegions));
  const int sequence = static_cast<int>(scrambled / (20000 * std::size(kRegions))) % 1000;
  const int64_t phone_tail = (index * 48271 + 12345) % 100'000'000;
  const std::string phone = fmt::format("1{}{}{:08}", 3 + index % 7, index % 10, phone_tail);
  const bool male = random.Uniform(2) == 0;
  const int branch = static_cast<int>(random.Uniform(kBranches));
  const int64_t aum = AumFen(random);
  const int64_t deposit = aum * static_cast<int64_t>(30 + random.Uniform(60)) / 100;
  const int64_t wealth = aum - deposit;
  const int64_t loan =
      random.Uniform(5) == 0 ? static_cast<int64_t>(random.Uniform(80'000'000)) : 0;
  std::string products = std::string(kProducts[random.Uniform(std::size(kProducts))]);
  if (random.Uniform(2) == 0) {
    products += "|" + std::string(kProducts[random.Uniform(std::size(kProducts))]);
  }
  const CivilDay since = CivilDay(2000, 1, 1) + static_cast<int>(random.Uniform(9400));
  return fmt::format(
      "C{:08},{},{},{}{},{},{},{},{},BR-{:02},rm.{:02}.{},R{},{},{},{},{},{},{},{}\n", index + 1,
      IdCard(kRegions[region], birth, sequence), phone,
      kSurnames[random.Uniform(std::size(kSurnames))], kGiven[random.Uniform(std::size(kGiven))],
      male ? "male" : "female", FormatDate(birth), kCities[region % std::size(kCities)],
      kOccupations[random.Uniform(std::size(kOccupations))], branch, branch,
      random.Uniform(kStaffPerBranch), 1 + random.Uniform(5), Yuan(aum), Yuan(deposit), Yuan(loan),
      Yuan(wealth), products, FormatDate(since), kChannels[random.Uniform(std::size(kChannels))]);
}

Status Generate(const std::string& path, const Args& args) {
  std::ofstream out(path, std::ios::binary);
  out << "cust_no,id_card,phone,name,gender,birth_date,city,occupation,home_branch,"
         "relationship_manager,risk_level,aum,deposit_balance,loan_balance,wealth_balance,"
         "products,customer_since,channel_preference\n";
  SeededRandom random(args.seed);
  std::string chunk;
  for (int64_t i = 0; i < args.rows; ++i) {
    chunk += Row(i, random);
    if (chunk.size() > (1 << 20)) {
      out << chunk;
      chunk.clear();
    }
  }
  out << chunk;
  out.close();
  if (!out) return UnavailableError(fmt::format("cannot write {}", path));
  return Status::Ok();
}

// The head office, kBranches sub-branches BR-00.. and their relationship managers rm.NN.K.
Status CreateOrganisation(store::Database& db) {
  return db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO branch (id, parent_id, code, name, kind, latitude, longitude, path, "
        "created_at, updated_at) VALUES (1, NULL, 'HQ', '总行', 'head_office', 30.27, 120.15, "
        "'/1/', 0, 0)"));
    for (int b = 0; b < kBranches; ++b) {
      const int64_t id = b + 2;
      RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO branch (id, parent_id, code, name, kind, latitude, longitude, path, "
          "created_at, updated_at) VALUES (?, 1, ?, ?, 'sub_branch', 30.2, 120.1, ?, 0, 0)",
          {id, fmt::format("BR-{:02}", b), fmt::format("第{}支行", b + 1),
           fmt::format("/1/{}/", id)}));
      for (int k = 0; k < kStaffPerBranch; ++k) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO staff (username, display_name, password_hash, role, branch_id, status, "
            "locale, created_at, updated_at) VALUES (?, ?, 'x', 'relationship_manager', ?, "
            "'active', 'zh-CN', 0, 0)",
            {fmt::format("rm.{:02}.{}", b, k), fmt::format("客户经理{}-{}", b, k), id}));
      }
    }
    return Status::Ok();
  });
}

// A "Key: value" line of a /proc/self file, e.g. ("status", "VmRSS:") in kB.
double ProcValue(const char* file, std::string_view key) {
  std::ifstream in(std::string("/proc/self/") + file);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size() + 1));
  }
  return 0;
}

Status Run(const Args& args) {
  std::filesystem::path dir = args.dir;
  if (dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "banyan_import_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return UnavailableError("mkdtemp failed");
    dir = pattern;
  }
  std::filesystem::create_directories(dir);
  const std::string csv = (dir / "customers.csv").string();
  const auto generate_start = std::chrono::steady_clock::now();
  RETURN_IF_ERROR(Generate(csv, args));
  fmt::print(
      stderr, "generated {} rows ({} MB) in {:.1f} s\n", args.rows,
      std::filesystem::file_size(csv) >> 20,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - generate_start).count());

  const Clock& clock = SystemClock::Get();
  Random& random = SecureRandom::Get();
  ASSIGN_OR_RETURN(auto db, store::OpenSqlite({.path = (dir / "banyan.db").string()},
                                              store::BuiltinMigrations()));
  RETURN_IF_ERROR(CreateOrganisation(*db));
  ASSIGN_OR_RETURN(auto ring, privacy::KeyRing::LoadOrCreate(
                                  (dir / "keys" / "data.keyring").string(), random, clock));
  privacy::PersonKeys keys(*ring, random, clock);
  ASSIGN_OR_RETURN(auto graph, identity::IdentityGraph::Load(*db, identity::IdentifierTypes(),
                                                             *ring, keys, random, clock));
  profile::AttributeSchema schema;
  profile::ProfileStore profiles(schema, keys, random, clock);
  profile::BalanceStore balances(keys, random, clock);
  ASSIGN_OR_RETURN(BusinessCalendar calendar, BusinessCalendar::Create("Asia/Shanghai"));
  profile::ImportDeps deps{*db, *graph, schema, profiles, balances, clock, calendar};

  profile::ImportOptions options;
  options.path = csv;
  options.batch_rows = args.batch_rows;
  options.progress_every_rows = 100'000;
  options.on_progress = [](const profile::ImportProgress& p) {
    fmt::print(stderr, "  {} rows, {:.1f} s, {:.0f} rows/s\n", p.rows, p.seconds, p.rows_per_s);
  };
  ASSIGN_OR_RETURN(const profile::ImportReport report, profile::ImportCustomers(options, deps));
  const size_t graph_bytes = graph->MemoryBytes();
  const double rss_mb = ProcValue("status", "VmRSS:") / 1024;
  const double peak_mb = ProcValue("status", "VmHWM:") / 1024;
  const double written_mb = ProcValue("io", "write_bytes:") / (1 << 20);
  graph.reset();
  db->Close();
  uintmax_t db_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("banyan.db", 0) == 0) db_bytes += entry.file_size();
  }
  const double customers = static_cast<double>(std::max<int64_t>(report.imported, 1));
  fmt::print("import rows={} seconds={:.2f} rows_per_s={:.0f} rejected={} persons={}\n",
             report.rows, report.seconds, static_cast<double>(report.rows) / report.seconds,
             report.rejected, report.persons_created);
  fmt::print(
      "import db_bytes_per_customer={:.0f} (banyan.db {} MB after close) written_mb={:.0f}\n",
      static_cast<double>(db_bytes) / customers, db_bytes >> 20, written_mb);
  fmt::print("import rss_mb={:.0f} peak_rss_mb={:.0f} graph_bytes_per_customer={:.0f}\n", rss_mb,
             peak_mb, static_cast<double>(graph_bytes) / customers);
  // CPU time is steadier than wall time on a shared machine (it includes generating the CSV).
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  fmt::print("import cpu user_s={:.1f} sys_s={:.1f}\n", seconds(usage.ru_utime),
             seconds(usage.ru_stime));
  if (!args.keep) std::filesystem::remove_all(dir);
  return Status::Ok();
}

Result<Args> ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const auto value = [&]() -> Result<std::string> {
      if (i + 1 >= argc) return InvalidArgumentError(fmt::format("{} needs a value", flag));
      return std::string(argv[++i]);
    };
    if (flag == "--rows") {
      ASSIGN_OR_RETURN(const std::string v, value());
      args.rows = std::stoll(v);
    } else if (flag == "--seed") {
      ASSIGN_OR_RETURN(const std::string v, value());
      args.seed = std::stoull(v);
    } else if (flag == "--batch-rows") {
      ASSIGN_OR_RETURN(const std::string v, value());
      args.batch_rows = std::stoll(v);
    } else if (flag == "--dir") {
      ASSIGN_OR_RETURN(args.dir, value());
    } else if (flag == "--keep") {
      args.keep = true;
    } else {
      return InvalidArgumentError(fmt::format("unknown flag {}", flag));
    }
  }
  if (args.rows < 1) return InvalidArgumentError("--rows must be at least 1");
  return args;
}

}  // namespace
}  // namespace banyan

int main(int argc, char** argv) {
  banyan::Result<banyan::Args> args = banyan::ParseArgs(argc, argv);
  banyan::Status status = args.ok() ? banyan::Run(*args) : args.status();
  if (!status.ok()) {
    fmt::print(stderr, "import_bench: {}\n", status.ToString());
    return 1;
  }
  return 0;
}
