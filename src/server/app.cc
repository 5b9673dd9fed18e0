#include "server/app.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/key_file.h"
#include "base/logging.h"

namespace banyan::server {
namespace {

constexpr size_t kAuditKeyBytes = 32;

Status EnsureDirectory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return UnavailableError(fmt::format("cannot create data directory {}: {}", dir, ec.message()));
  ::chmod(dir.c_str(), 0700);  // personal data lives here
  return Status::Ok();
}

Result<int> LockDirectory(const std::string& dir) {
  const std::string path = dir + "/LOCK";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return UnavailableError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return FailedPreconditionError(
        fmt::format("data directory {} is in use by another banyan process (lock {})", dir, path));
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<App>> App::Open(const Config& config, bool exclusive) {
  auto app = std::unique_ptr<App>(new App(config));
  const std::string& dir = config.server.data_dir;
  RETURN_IF_ERROR(EnsureDirectory(dir));
  if (exclusive) {
    ASSIGN_OR_RETURN(app->lock_fd_, LockDirectory(dir));
  }
  ASSIGN_OR_RETURN(std::string audit_key, LoadOrCreateKeyFile(dir + "/keys/audit.key",
                                                              kAuditKeyBytes, SecureRandom::Get()));
  store::SqliteOptions options{.path = dir + "/banyan.db",
                               .busy_timeout_ms = config.store.busy_timeout_ms,
                               .readers = static_cast<int>(config.store.readers)};
  ASSIGN_OR_RETURN(app->db_, store::OpenSqlite(options, store::BuiltinMigrations()));
  ::chmod(options.path.c_str(), 0600);
  app->auth_ = std::make_unique<auth::AuthSystem>(
      *app->db_, SystemClock::Get(), SecureRandom::Get(), config.auth, std::move(audit_key));
  return app;
}

Status App::OpenEvents() {
  const auto& e = config_.events;
  events::IngestOptions options;
  options.dedup.window = std::chrono::seconds(e.dedup_window_s);
  options.dedup.entries_max = static_cast<uint64_t>(e.dedup_entries_max);
  if (!e.tracking_plan_file.empty()) {
    std::ifstream in(e.tracking_plan_file);
    if (!in)
      return InvalidArgumentError(
          fmt::format("events.tracking_plan_file: cannot read {}", e.tracking_plan_file));
    std::stringstream text;
    text << in.rdbuf();
    auto plan = events::TrackingPlan::FromJson(text.str());
    if (!plan.ok())
      return plan.status().WithContext("events.tracking_plan_file " + e.tracking_plan_file);
    options.plan = std::move(*plan);
  }
  events::EventLogOptions log_options;
  log_options.dir = data_dir() + "/events";
  log_options.segment_bytes_max = static_cast<uint64_t>(e.segment_bytes_max);
  log_options.queue_bytes_max = static_cast<uint64_t>(e.queue_bytes_max);
  log_options.retention_age = std::chrono::hours(24 * e.retention_days);
  log_options.retention_bytes = static_cast<uint64_t>(e.retention_bytes);
  ASSIGN_OR_RETURN(event_log_, events::EventLog::Open(log_options, clock()));
  ASSIGN_OR_RETURN(ingestor_, events::Ingestor::Open(std::move(options), *event_log_, clock(),
                                                     SecureRandom::Get()));
  return Status::Ok();
}

std::string App::KeyRingPath() const {
  return config_.privacy.keyring_file.empty() ? data_dir() + "/keys/data.keyring"
                                              : config_.privacy.keyring_file;
}

Status App::OpenKeyRing() {
  if (keyring_) return Status::Ok();
  ASSIGN_OR_RETURN(keyring_,
                   privacy::KeyRing::LoadOrCreate(KeyRingPath(), SecureRandom::Get(), clock()));
  person_keys_ = std::make_unique<privacy::PersonKeys>(*keyring_, SecureRandom::Get(), clock());
  return Status::Ok();
}

Status App::OpenCustomers(bool engine) {
  RETURN_IF_ERROR(OpenKeyRing());
  ASSIGN_OR_RETURN(BusinessCalendar calendar, BusinessCalendar::Create(config_.business.time_zone));
  std::unique_ptr<profile::AttributeSchema> schema;
  RETURN_IF_ERROR(db_->Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(schema, profile::AttributeSchema::Load(tx));
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(auto graph,
                   identity::IdentityGraph::Load(*db_, identity::IdentifierTypes(), *keyring_,
                                                 *person_keys_, SecureRandom::Get(), clock()));
  customer::CustomerService::Deps deps{.db = *db_,
                                       .log = *event_log_,
                                       .ring = *keyring_,
                                       .keys = *person_keys_,
                                       .graph = std::move(graph),
                                       .schema = std::move(schema),
                                       .audit = auth_->audit(),
                                       .clock = clock(),
                                       .random = SecureRandom::Get(),
                                       .calendar = std::move(calendar)};
  customer::CustomerOptions options;
  options.timeline_events_max = static_cast<size_t>(config_.customers.timeline_events_max);
  options.engine = engine;
  ASSIGN_OR_RETURN(customers_, customer::CustomerService::Open(std::move(deps), options));
  ingestor_->SetSink(customers_.get());
  return Status::Ok();
}

Status App::OpenSegments(bool monitor) {
  segment::SegmentOptions options;
  options.poll_interval = std::chrono::milliseconds(config_.segments.poll_interval_ms);
  options.expiry_interval = std::chrono::seconds(config_.segments.expiry_interval_s);
  options.transitions_retention =
      std::chrono::hours(24 * config_.segments.transitions_retention_days);
  options.monitor = monitor;
  ASSIGN_OR_RETURN(segments_, segment::SegmentService::Open({.db = *db_,
                                                             .customers = *customers_,
                                                             .audit = auth_->audit(),
                                                             .clock = clock(),
                                                             .calendar = customers_->calendar(),
                                                             .plan = &ingestor_->plan()},
                                                            options));
  return Status::Ok();
}

namespace {

profile::ImportOptions ImportOptionsFor(const std::string& path) {
  profile::ImportOptions options;
  options.path = path;
  options.on_progress = [](const profile::ImportProgress& p) {
    std::fprintf(stderr, "… %lld rows, %lld imported, %lld rejected (%.0f rows/s)\n",
                 static_cast<long long>(p.rows), static_cast<long long>(p.imported),
                 static_cast<long long>(p.rejected), p.rows_per_s);
  };
  return options;
}

}  // namespace

Result<profile::ImportReport> App::ImportCustomers(const std::string& path) {
  return customers_->ImportCustomers(ImportOptionsFor(path));
}

Result<profile::ImportReport> App::ImportBalances(const std::string& path) {
  return customers_->ImportBalances(ImportOptionsFor(path));
}

void App::Close() {
  segments_.reset();  // stops the live monitor, which reads the engine
  ingestor_.reset();
  event_log_.reset();  // waits for queued appends to be written (and applied to customers_)
  if (customers_) {
    // What is not flushed is replayed from the log at the next start; flushing now makes that
    // start faster and the database current for offline commands.
    if (Status s = customers_->Flush(); !s.ok()) {
      log::Error("customers.flush_failed", {{"error", s.ToString()}});
    }
  }
  customers_.reset();
  person_keys_.reset();
  keyring_.reset();
  auth_.reset();
  if (db_) db_->Close();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
}

App::~App() { Close(); }

}  // namespace banyan::server
