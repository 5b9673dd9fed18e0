// App: one opened data directory and the modules wired over it — what `banyan serve` runs and
// what the administrative commands (`admin`, `demo`, `audit`) operate on.
//
// Data directory layout (docs/operations.md):
//   banyan.db      SQLite database (WAL mode) — staff, branches, keys, audit, ...
//   keys/          secret keys, mode 0600 (audit.key)
//   events/        the append-only event log (docs/formats/event_log.md)
//   LOCK           held (flock) by a running server so two servers never share a directory
// Thread safety: Open at start; the accessors are then safe from any thread.

#ifndef BANYAN_SERVER_APP_H_
#define BANYAN_SERVER_APP_H_

#include <memory>
#include <string>

#include "auth/auth.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/random.h"
#include "customer/customer_service.h"
#include "events/event_log.h"
#include "events/ingest.h"
#include "messaging/service.h"
#include "privacy/keyring.h"
#include "privacy/person_keys.h"
#include "segment/segment_service.h"
#include "store/database.h"

namespace banyan::server {

class App {
 public:
  // Opens (creating if needed) config.server.data_dir. With `exclusive`, takes the directory
  // lock and fails with FailedPrecondition when another process holds it.
  static Result<std::unique_ptr<App>> Open(const Config& config, bool exclusive);
  ~App();

  const Config& config() const { return config_; }
  const Clock& clock() const { return SystemClock::Get(); }
  store::Database& db() { return *db_; }
  auth::AuthSystem& auth() { return *auth_; }
  // Opens events/ (replaying and validating the log, rebuilding dedup) and the ingestor.
  // Fails with DataLoss naming file and offset when the log is damaged in the middle.
  Status OpenEvents();
  // REQUIRES: OpenEvents succeeded.
  events::Ingestor& ingestor() { return *ingestor_; }
  // Opens the key ring sealing personal data, creating it at first start. Idempotent.
  Status OpenKeyRing();
  // Opens the key ring, loads the identity graph and the profile
  // schema, replays the event log into them from the checkpoint, and attaches them to ingestion.
  // With `engine` (the server), also rebuilds the analytic engine from the store and the whole
  // log and keeps it current (docs/engine.md, "Feeding the engine"); offline commands skip it.
  // REQUIRES: OpenEvents succeeded.
  Status OpenCustomers(bool engine = false);
  // REQUIRES: OpenCustomers succeeded.
  customer::CustomerService& customers() { return *customers_; }
  // The analytic engine: readers take engine().snapshot().
  // REQUIRES: OpenCustomers(/*engine=*/true) succeeded.
  const engine::Engine& engine() const { return customers_->engine(); }
  // Opens the tag catalog and saved segments and evaluates the live ones; with `monitor`, keeps
  // them current (docs/segments.md, "Tags and saved segments").
  // REQUIRES: OpenCustomers(/*engine=*/true) succeeded.
  Status OpenSegments(bool monitor = true);
  // REQUIRES: OpenSegments succeeded.
  segment::SegmentService& segments() { return *segments_; }
  // Opens messaging (docs/messaging.md): the configured channels, in-flight messages made due,
  // and messaging.channels_file applied. The dispatcher starts with messaging().Start().
  // REQUIRES: OpenCustomers succeeded.
  Status OpenMessaging();
  // REQUIRES: OpenMessaging succeeded.
  messaging::MessagingService& messaging() { return *messaging_; }
  // Imports a core-banking file (docs/profiles.md) with progress on stderr.
  // REQUIRES: OpenCustomers succeeded.
  Result<profile::ImportReport> ImportCustomers(const std::string& path);
  Result<profile::ImportReport> ImportBalances(const std::string& path);
  privacy::KeyRing& keyring() { return *keyring_; }
  privacy::PersonKeys& person_keys() { return *person_keys_; }
  // <data_dir>/keys/data.keyring unless privacy.keyring_file says otherwise.
  std::string KeyRingPath() const;
  const std::string& data_dir() const { return config_.server.data_dir; }
  // Closes the store cleanly (checkpointed, one file). Idempotent.
  void Close();

 private:
  explicit App(Config config) : config_(std::move(config)) {}
  Config config_;
  int lock_fd_ = -1;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<auth::AuthSystem> auth_;
  std::unique_ptr<events::EventLog> event_log_;
  std::unique_ptr<events::Ingestor> ingestor_;  // uses event_log_: declared after it
  std::unique_ptr<privacy::KeyRing> keyring_;
  std::unique_ptr<privacy::PersonKeys> person_keys_;
  std::unique_ptr<customer::CustomerService> customers_;  // uses all of the above
  std::unique_ptr<segment::SegmentService> segments_;     // reads customers_: destroyed first
  std::unique_ptr<messaging::HttpClient> http_client_;
  std::unique_ptr<messaging::MessagingService> messaging_;  // uses customers_, http_client_
};

}  // namespace banyan::server

#endif  // BANYAN_SERVER_APP_H_
