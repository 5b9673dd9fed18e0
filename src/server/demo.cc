#include "server/demo.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

namespace banyan::server {
namespace {

struct DemoLogin {
  std::string_view username, display_name, role, branch_code, password;
};

// clang-format off
constexpr DemoLogin kLogins[] = {
  {"admin", "系统管理员", "admin", "HQ", "banyan-admin-demo"},
  {"analyst", "数据分析师 王敏", "analyst", "HQ", "banyan-analyst-demo"},
  {"marketer", "营销经理 李娜", "marketer", "HQ", "banyan-marketer-demo"},
  {"manager.xixi", "西溪支行行长 陈刚", "branch_manager", "XIXI", "banyan-manager-demo"},
  {"rm.xixi", "西溪支行客户经理 张伟", "relationship_manager", "XIXI", "banyan-rm-demo"},
  {"auditor", "审计员 赵静", "auditor", "HQ", "banyan-auditor-demo"},
};
// clang-format on

// The other relationship managers (DemoRelationshipManagers() beyond the logins) share
// rm.xixi's password.
constexpr std::string_view kRelationshipManagerPassword = "banyan-rm-demo";

using BranchIds = std::map<std::string, int64_t, std::less<>>;

Result<BranchIds> CreateBranches(App& app, const auth::AuditContext& ctx) {
  BranchIds ids;
  const auth::Principal system = auth::Principal::System();
  for (const DemoBranch& b : DemoBranches()) {
    auth::BranchInput input;
    if (!b.parent_code.empty()) input.parent_id = ids.at(std::string(b.parent_code));
    input.code = std::string(b.code);
    input.name = std::string(b.name);
    input.kind = std::string(b.kind);
    input.address = std::string(b.address);
    input.latitude = b.latitude;
    input.longitude = b.longitude;
    ASSIGN_OR_RETURN(auth::Branch branch, app.auth().branches().Create(system, input, ctx));
    ids[std::string(b.code)] = branch.id;
  }
  return ids;
}

Status CreateStaff(App& app, const BranchIds& branches, std::string_view username,
                   std::string_view display_name, auth::Role role, std::string_view branch_code,
                   std::string_view password, const auth::AuditContext& ctx) {
  auth::StaffInput input;
  input.username = std::string(username);
  input.display_name = std::string(display_name);
  input.password = std::string(password);
  input.role = role;
  input.branch_id = branches.at(std::string(branch_code));
  input.locale = "zh-CN";
  return app.auth().staff().Create(auth::Principal::System(), input, ctx).status();
}

Result<Json> CreateLogins(App& app, const BranchIds& branches, const auth::AuditContext& ctx) {
  Json logins = Json::array();
  for (const DemoLogin& l : kLogins) {
    RETURN_IF_ERROR(CreateStaff(app, branches, l.username, l.display_name, *auth::ParseRole(l.role),
                                l.branch_code, l.password, ctx));
    logins.push_back({{"username", l.username},
                      {"password", l.password},
                      {"role", l.role},
                      {"branch", l.branch_code}});
  }
  return logins;
}

// The relationship managers the customers are assigned to who are not among the logins, on two
// threads: password hashing (Argon2id, tens of milliseconds each) dominates, and the auth module
// runs two hashes at once. Returns their usernames.
Result<Json> CreateOtherManagers(App& app, const BranchIds& branches,
                                 const auth::AuditContext& ctx) {
  std::vector<const DemoRelationshipManager*> managers;
  for (const DemoRelationshipManager& rm : DemoRelationshipManagers()) {
    const bool is_login =
        std::any_of(std::begin(kLogins), std::end(kLogins),
                    [&](const DemoLogin& l) { return l.username == rm.username; });
    if (!is_login) managers.push_back(&rm);
  }
  std::array<Status, 2> created = {Status::Ok(), Status::Ok()};
  const auto create = [&](size_t half) {
    for (size_t i = half; i < managers.size() && created[half].ok(); i += 2) {
      const DemoRelationshipManager& rm = *managers[i];
      created[half] =
          CreateStaff(app, branches, rm.username, rm.display_name, auth::Role::kRelationshipManager,
                      rm.branch_code, kRelationshipManagerPassword, ctx);
    }
  };
  std::thread second(create, 1);
  create(0);
  second.join();
  for (const Status& s : created) RETURN_IF_ERROR(s);
  Json usernames = Json::array();
  for (const DemoRelationshipManager* rm : managers) usernames.push_back(rm->username);
  return usernames;
}

Status WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError(fmt::format("cannot write {}", path));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : UnavailableError(fmt::format("cannot write {}", path));
}

// A write-only file of mode 0600 (the demo's customers are made up, but the files have the
// shape of personal data and are treated like it), written through a buffer.
class PrivateFileWriter {
 public:
  static constexpr size_t kBufferBytes = 1 << 20;

  static Result<std::unique_ptr<PrivateFileWriter>> Create(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return UnavailableError(fmt::format("cannot create {}", path));
    return std::unique_ptr<PrivateFileWriter>(new PrivateFileWriter(path, fd));
  }
  ~PrivateFileWriter() { ::close(fd_); }

  Status Append(std::string_view text) {
    buffer_ += text;
    ++lines_;
    return buffer_.size() >= kBufferBytes ? Drain() : Status::Ok();
  }
  // Writes what is buffered and syncs the file.
  Status Finish() {
    RETURN_IF_ERROR(Drain());
    if (::fsync(fd_) != 0) return UnavailableError(fmt::format("cannot sync {}", path_));
    return Status::Ok();
  }
  int64_t lines() const { return lines_; }

 private:
  PrivateFileWriter(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status Drain() {
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return UnavailableError(fmt::format("cannot write {}", path_));
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    return Status::Ok();
  }
  std::string path_;
  int fd_;
  std::string buffer_;
  int64_t lines_ = 0;
};

double SecondsSince(const App& app, std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(app.clock().Monotonic() - start).count();
}

struct DemoFiles {
  std::string customers, balances;
  int64_t customer_rows = 0, balance_rows = 0;
};

Result<DemoFiles> WriteDemoFiles(const DemoBank& bank, const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UnavailableError(fmt::format("cannot create {}", dir));
  }
  DemoFiles files{dir + "/customers.ndjson", dir + "/balances.ndjson"};
  ASSIGN_OR_RETURN(auto customers, PrivateFileWriter::Create(files.customers));
  RETURN_IF_ERROR(
      bank.WriteCustomers([&](std::string_view line) { return customers->Append(line); }));
  RETURN_IF_ERROR(customers->Finish());
  ASSIGN_OR_RETURN(auto balances, PrivateFileWriter::Create(files.balances));
  RETURN_IF_ERROR(
      bank.WriteBalances([&](std::string_view line) { return balances->Append(line); }));
  RETURN_IF_ERROR(balances->Finish());
  files.customer_rows = customers->lines();
  files.balance_rows = balances->lines();
  return files;
}

// Imports the customers, then their balances, through the same path as `banyan import`.
// REQUIRES: app.OpenCustomers() succeeded.
Status ImportCoreBanking(App& app, const DemoFiles& files) {
  const auto check = [](std::string_view kind, const std::string& path,
                        const Result<profile::ImportReport>& report) -> Status {
    if (!report.ok()) return report.status().WithContext(fmt::format("importing {}", path));
    std::fprintf(stderr, "demo: imported %lld %s rows in %.1f s\n",
                 static_cast<long long>(report->imported), std::string(kind).c_str(),
                 report->seconds);
    if (report->rejected > 0) {
      return InternalError(fmt::format("the demo's {} file had {} rejected rows (see {})", kind,
                                       report->rejected, report->reject_path));
    }
    return Status::Ok();
  };
  RETURN_IF_ERROR(check("customer", files.customers, app.ImportCustomers(files.customers)));
  return check("balance", files.balances, app.ImportBalances(files.balances));
}

// Decodes each batch with the Segment decoder and stores it as the demo write key would, keeping
// up to kDemoBatchesInFlightMax batches in flight; Finish waits until all are durable.
class EventPump {
 public:
  EventPump(events::Ingestor& ingestor, std::string source)
      : ingestor_(ingestor), source_(std::move(source)) {}

  Status Send(std::string_view body) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return in_flight_ < kDemoBatchesInFlightMax; });
      if (!error_.ok()) return error_;
      ++in_flight_;
    }
    for (int64_t attempt = 0;; ++attempt) {
      auto decoded = ingestor_.DecodeSegment(body, events::SegmentCall::kBatch);
      Status stored = decoded.status();
      if (decoded.ok()) {
        stored = ingestor_.Store(std::move(decoded->events), source_,
                                 [this](Result<events::IngestReport> report) { Done(report); });
      }
      if (stored.ok()) return Status::Ok();
      // The log's queue is full (or an id is in flight): wait a little and try again.
      if (stored.code() == StatusCode::kResourceExhausted && attempt < kDemoStoreRetriesMax) {
        std::this_thread::sleep_for(std::chrono::milliseconds(kDemoStoreRetryMs));
        continue;
      }
      Done(stored);
      return stored;
    }
  }

  // Waits for every batch sent; returns the first failure.
  Status Finish() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return in_flight_ == 0; });
    return error_;
  }
  int64_t stored() const { return stored_; }
  int64_t duplicates() const { return duplicates_; }

 private:
  // On the log's writer thread: must not block.
  void Done(const Result<events::IngestReport>& report) {
    std::lock_guard lock(mutex_);
    --in_flight_;
    if (report.ok()) {
      stored_ += report->stored;
      duplicates_ += report->duplicates;
    } else if (error_.ok()) {
      error_ = report.status();
    }
    changed_.notify_all();
  }

  events::Ingestor& ingestor_;
  const std::string source_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int in_flight_ = 0;            // guarded by mutex_
  Status error_ = Status::Ok();  // guarded by mutex_
  int64_t stored_ = 0;           // guarded by mutex_ until Finish
  int64_t duplicates_ = 0;       // guarded by mutex_ until Finish
};

constexpr int64_t kProgressEveryEvents = 250'000;

Result<DemoEventTotals> SendEvents(App& app, const DemoBank& bank, const std::string& source) {
  EventPump pump(app.ingestor(), source);
  int64_t sent = 0, next_progress = kProgressEveryEvents;
  auto totals = bank.WriteEvents([&](std::string body, int64_t events) -> Status {
    RETURN_IF_ERROR(pump.Send(body));
    sent += events;
    if (sent >= next_progress) {
      std::fprintf(stderr, "demo: %lld events sent\n", static_cast<long long>(sent));
      next_progress += kProgressEveryEvents;
    }
    return Status::Ok();
  });
  const Status finished = pump.Finish();
  if (!totals.ok()) return totals.status();
  RETURN_IF_ERROR(finished);
  if (pump.stored() != totals->events) {
    return InternalError(fmt::format("{} demo events sent but {} stored ({} duplicates)",
                                     totals->events, pump.stored(), pump.duplicates()));
  }
  return totals;
}

// Generates the bank, imports it and ingests its events. Returns the "demo_data" summary.
Result<Json> LoadDemoBank(App& app, DemoBankOptions options, const std::string& write_key_id) {
  const auto start = app.clock().Monotonic();
  options.now = app.clock().Now();
  options.time_zone = app.config().business.time_zone;
  std::fprintf(stderr, "demo: generating %lld customers with %lld days of behaviour (seed %llu)\n",
               static_cast<long long>(options.customers), static_cast<long long>(options.days),
               static_cast<unsigned long long>(options.seed));
  ASSIGN_OR_RETURN(auto bank, DemoBank::Create(options));
  ASSIGN_OR_RETURN(DemoFiles files, WriteDemoFiles(*bank, app.data_dir() + "/demo-data"));
  std::fprintf(stderr, "demo: wrote %s (%lld rows) and %s (%lld rows) in %.1f s\n",
               files.customers.c_str(), static_cast<long long>(files.customer_rows),
               files.balances.c_str(), static_cast<long long>(files.balance_rows),
               SecondsSince(app, start));
  // With the customer service open, ingestion resolves identities and updates profiles inline.
  RETURN_IF_ERROR(app.OpenEvents());
  RETURN_IF_ERROR(app.OpenCustomers());
  RETURN_IF_ERROR(ImportCoreBanking(app, files));
  const auto events_start = app.clock().Monotonic();
  ASSIGN_OR_RETURN(DemoEventTotals totals, SendEvents(app, *bank, write_key_id));
  const double seconds = SecondsSince(app, start);
  std::fprintf(stderr, "demo: stored %lld events in %lld batches in %.1f s\n",
               static_cast<long long>(totals.events), static_cast<long long>(totals.batches),
               SecondsSince(app, events_start));
  const DemoBankSummary& s = bank->summary();
  return Json{{"customers", s.customers},
              {"events", totals.events},
              {"balance_rows", files.balance_rows},
              {"days", options.days},
              {"seed", options.seed},
              {"files", {files.customers, files.balances}},
              {"seconds", std::round(seconds * 10) / 10}};
}

Result<int64_t> IntFlag(const Args& args, const std::string& name, int64_t fallback, int64_t min,
                        int64_t max) {
  const auto text = args.Flag(name);
  if (!text) return fallback;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    return InvalidArgumentError(
        fmt::format("--{} must be a whole number from {} to {}", name, min, max), name);
  }
  return value;
}

}  // namespace

Result<DemoBankOptions> DemoOptionsFromArgs(const Args& args) {
  DemoBankOptions options;
  ASSIGN_OR_RETURN(options.customers,
                   IntFlag(args, "customers", kDemoCustomersDefault, 0, kDemoCustomersMax));
  ASSIGN_OR_RETURN(options.days,
                   IntFlag(args, "days", kDemoDaysDefault, kDemoDaysMin, kDemoDaysMax));
  ASSIGN_OR_RETURN(const int64_t seed, IntFlag(args, "seed", static_cast<int64_t>(kDemoSeedDefault),
                                               0, std::numeric_limits<int64_t>::max()));
  options.seed = static_cast<uint64_t>(seed);
  return options;
}

Result<Json> InitDemo(App& app, const DemoBankOptions& options) {
  const auth::Principal system = auth::Principal::System();
  const auth::AuditContext ctx{"demo-init", "local"};
  const auto start = app.clock().Monotonic();
  ASSIGN_OR_RETURN(auto existing, app.auth().branches().List(system, std::nullopt, "", 1));
  if (!existing.items.empty()) {
    return FailedPreconditionError(
        fmt::format("{} already holds an organisation; demo data goes only into an empty directory",
                    app.data_dir()));
  }
  ASSIGN_OR_RETURN(auto branch_ids, CreateBranches(app, ctx));
  ASSIGN_OR_RETURN(Json logins, CreateLogins(app, branch_ids, ctx));
  auth::ApiKeyInput key_input;
  key_input.name = "Demo app, mini-program and website SDKs";
  key_input.kind = "write";
  ASSIGN_OR_RETURN(auto write_key, app.auth().api_keys().Create(system, key_input, ctx));
  Json credentials = {{"organisation", DemoBranches()[0].name},
                      {"logins", logins},
                      {"write_key", write_key.secret},
                      {"note", "Demo credentials only. Never use these in production."}};
  // Without customers the organisation is exactly the logins (what black-box tests start from).
  if (options.customers > 0) {
    ASSIGN_OR_RETURN(Json managers, CreateOtherManagers(app, branch_ids, ctx));
    std::fprintf(stderr,
                 "demo: organisation, %zu logins and %zu more relationship managers in %.1f s\n",
                 logins.size(), managers.size(), SecondsSince(app, start));
    credentials["relationship_managers"] = {{"usernames", managers},
                                            {"password", kRelationshipManagerPassword}};
    // The credentials are written last: a directory without them is an unfinished demo.
    ASSIGN_OR_RETURN(credentials["demo_data"],
                     LoadDemoBank(app, options, std::to_string(write_key.key.id)));
  }
  RETURN_IF_ERROR(
      WritePrivateFile(app.data_dir() + "/demo-credentials.json", credentials.dump(2) + "\n"));
  return credentials;
}

Result<Json> ReadDemoCredentials(const std::string& data_dir) {
  std::ifstream in(data_dir + "/demo-credentials.json");
  if (!in) return NotFoundError(fmt::format("{} has no demo-credentials.json", data_dir));
  std::stringstream text;
  text << in.rdbuf();
  return ParseJson(text.str());
}

std::string DescribeDemo(const Json& credentials, const std::string& url) {
  std::string out = fmt::format("Demo organisation: {}\n", credentials.value("organisation", ""));
  out += fmt::format("Console: {}\n\nLogins (username / password — role @ branch):\n", url);
  for (const auto& l : credentials["logins"]) {
    out += fmt::format("  {:<14} {:<22} {} @ {}\n", l["username"].get<std::string>(),
                       l["password"].get<std::string>(), l["role"].get<std::string>(),
                       l["branch"].get<std::string>());
  }
  if (const auto rms = credentials.find("relationship_managers"); rms != credentials.end()) {
    out += fmt::format(
        "  … and {} more relationship managers (rm.<sub-branch>[.n], e.g. {}), "
        "password {}\n",
        (*rms)["usernames"].size(),
        (*rms)["usernames"].empty() ? "" : (*rms)["usernames"][0].get<std::string>(),
        (*rms)["password"].get<std::string>());
  }
  out += fmt::format("\nIngest write key (SDKs: HTTP Basic user, empty password): {}\n",
                     credentials.value("write_key", ""));
  if (const auto data = credentials.find("demo_data"); data != credentials.end()) {
    out += fmt::format(
        "Demo data: {} customers, {} events and {} daily balances over {} days "
        "(seed {})\n",
        (*data)["customers"].get<int64_t>(), (*data)["events"].get<int64_t>(),
        (*data)["balance_rows"].get<int64_t>(), (*data)["days"].get<int64_t>(),
        (*data)["seed"].get<uint64_t>());
  }
  return out;
}

}  // namespace banyan::server
