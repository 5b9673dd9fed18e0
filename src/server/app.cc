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

namespace {

int MinuteOfDay(const std::string& hhmm) {  // validated by LoadConfig
  return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2));
}

// Applies messaging.channels_file: {"channels": [{"name", "kind", "config", "enabled"}]}.
Status ApplyChannelsFile(messaging::MessagingService& service, const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return InvalidArgumentError(fmt::format("messaging.channels_file: cannot read {}", path));
  std::stringstream text;
  text << in.rdbuf();
  auto json = ParseJson(text.str());
  if (!json.ok()) return json.status().WithContext("messaging.channels_file " + path);
  if (!json->is_object() || !(*json)["channels"].is_array()) {
    return InvalidArgumentError(
        fmt::format("messaging.channels_file {}: expected {{\"channels\": [...]}}", path));
  }
  for (const Json& channel : (*json)["channels"]) {
    if (!channel.is_object()) {
      return InvalidArgumentError(
          fmt::format("messaging.channels_file {}: expected objects", path));
    }
    auto put = service.PutChannel(auth::Principal::System(), channel.value("name", ""),
                                  channel.value("kind", ""), channel.value("config", Json()),
                                  channel.value("enabled", true));
    if (!put.ok()) {
      return put.status().WithContext(
          fmt::format("messaging.channels_file {}: channel {}", path, channel.value("name", "?")));
    }
  }
  return Status::Ok();
}

}  // namespace

Status App::OpenMessaging() {
  ASSIGN_OR_RETURN(BusinessCalendar calendar, BusinessCalendar::Create(config_.business.time_zone));
  const Config::Messaging& m = config_.messaging;
  messaging::HttpClientOptions http;
  http.ca_file = m.ca_file;
  http.allow_plain_loopback = m.allow_plain_http_loopback;
  http_client_ = std::make_unique<messaging::HttpClient>(http);
  messaging::MessagingOptions options;
  options.policy.quiet_allowed_from_minute = MinuteOfDay(m.quiet_hours_from);
  options.policy.quiet_allowed_until_minute = MinuteOfDay(m.quiet_hours_until);
  options.policy.frequency_cap = static_cast<int>(m.frequency_cap);
  options.policy.frequency_window = std::chrono::hours(24 * m.frequency_window_days);
  options.retry.attempts_max = static_cast<int>(m.retry_attempts_max);
  options.retry.initial_backoff = std::chrono::milliseconds(m.retry_backoff_initial_ms);
  options.retry.max_backoff = std::chrono::milliseconds(m.retry_backoff_max_ms);
  options.dispatch_threads = static_cast<int>(m.dispatch_threads);
  options.claim_batch = static_cast<int>(m.dispatch_batch);
  options.result_poll_interval = std::chrono::seconds(m.result_poll_interval_s);
  options.result_poll_window = std::chrono::hours(m.result_poll_window_hours);
  options.public_base_url =
      m.public_base_url.empty() ? "http://" + config_.server.listen : m.public_base_url;
  while (options.public_base_url.ends_with("/")) options.public_base_url.pop_back();
  messaging::MessagingService::Deps deps{*db_,          *customers_,         *keyring_,
                                         clock(),       SecureRandom::Get(), std::move(calendar),
                                         *http_client_, ProcessEnvironment()};
  ASSIGN_OR_RETURN(messaging_, messaging::MessagingService::Open(std::move(deps), options));
  if (!m.channels_file.empty()) RETURN_IF_ERROR(ApplyChannelsFile(*messaging_, m.channels_file));
  return Status::Ok();
}

void App::Close() {
  messaging_.reset();  // stops the dispatcher, which reads customers_
  segments_.reset();   // stops the live monitor, which reads the engine
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
