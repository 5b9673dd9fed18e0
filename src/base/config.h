// Config: Banyan's settings, read once at start from a TOML file and BANYAN_* environment
// variables, validated, then read-only.
//
// Every key has a default, a type and bounds, listed in one table (config.cc) that is also the
// source of `banyan config show` and docs/configuration.md. Key "section.name" is overridden by
// environment variable BANYAN_SECTION_NAME. An unknown key in the file, an unknown variable in a
// settings section (BANYAN_HTTP_TYPO) or a bad value stops start-up with an error naming the key.
// Thread safety: a loaded Config is immutable and may be shared.

#ifndef BANYAN_BASE_CONFIG_H_
#define BANYAN_BASE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/result.h"

namespace banyan {

struct Config {
  struct Server {
    std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
    std::string data_dir = "./data";
    int64_t threads = 0;  // 0: one per core
    std::string web_dir;  // built console; empty: <executable dir>/../web/dist if present
  } server;
  struct Http {
    int64_t body_limit_bytes = 1 << 20;
    int64_t header_limit_bytes = 16 << 10;
    int64_t read_timeout_ms = 30000;
    int64_t idle_timeout_ms = 60000;
    int64_t shutdown_grace_ms = 10000;
    int64_t connections_max = 10000;
    bool metrics_require_auth = true;
    bool access_log = true;
  } http;
  struct Log {
    std::string level = "info";   // trace, debug, info, warn, error
    std::string format = "text";  // text or json
  } log;
  struct Auth {
    int64_t session_idle_timeout_s = 30 * 60;
    int64_t session_absolute_timeout_s = 12 * 3600;
    int64_t login_failures_max = 5;
    int64_t lockout_s = 15 * 60;
    int64_t password_length_min = 12;
    bool secure_cookies = false;  // set true when served over HTTPS (behind a TLS proxy)
  } auth;
  struct Business {
    std::string time_zone = "Asia/Shanghai";
  } business;
  struct Events {
    int64_t segment_bytes_max = 128ll << 20;
    int64_t queue_bytes_max = 64ll << 20;
    int64_t retention_days = 0;   // 0: keep events forever
    int64_t retention_bytes = 0;  // 0: no size limit
    int64_t dedup_window_s = 7 * 86400;
    int64_t dedup_entries_max = 50'000'000;
    std::string tracking_plan_file;  // empty: no tracking plan
    int64_t maintenance_interval_s = 60;
  } events;
  struct Privacy {
    std::string keyring_file;  // empty: <data_dir>/keys/data.keyring
  } privacy;
  struct Customers {
    int64_t flush_interval_ms = 200;
    int64_t timeline_events_max = 10'000;  // newest events kept in a customer's timeline index
  } customers;
  struct Segments {
    int64_t poll_interval_ms = 100;  // how often live segments look for new data
    int64_t expiry_interval_s = 60;  // time-window segments re-evaluated in full
    int64_t transitions_retention_days = 30;
  } segments;
  struct Messaging {
    std::string quiet_hours_from = "09:00";   // marketing is sent from here (bank time zone)…
    std::string quiet_hours_until = "20:00";  // …until here; outside, it is deferred
    int64_t frequency_cap = 3;                // marketing messages per customer per window
    int64_t frequency_window_days = 7;
    int64_t retry_attempts_max = 6;
    int64_t retry_backoff_initial_ms = 2000;
    int64_t retry_backoff_max_ms = 3'600'000;
    int64_t dispatch_threads = 8;  // more than cores: a thread waits on one provider call at a time
    int64_t dispatch_batch = 100;
    std::string public_base_url;  // short links; empty: http://<server.listen>
    std::string channels_file;    // JSON channel configurations applied at start; empty: none
    std::string ca_file;          // extra CA bundle for providers; empty: the system's
    bool allow_plain_http_loopback = false;  // tests and benchmarks only
    // Channels that poll for results (WeCom tasks): how often, and for how long after a message
    // was last updated its result is still asked for.
    static constexpr int64_t kResultPollIntervalSMin = 5, kResultPollIntervalSMax = 3600;
    static constexpr int64_t kResultPollWindowHoursMin = 1, kResultPollWindowHoursMax = 24 * 30;
    int64_t result_poll_interval_s = 60;
    int64_t result_poll_window_hours = 72;
  } messaging;
  struct Store {
    int64_t busy_timeout_ms = 5000;
    int64_t readers = 4;
  } store;
};

// One documented key, for `banyan config show` and the docs.
struct ConfigKeyInfo {
  std::string key;
  std::string env;
  std::string type;
  std::string default_value;
  std::string description;
};

// Loads `path` (empty: no file, defaults only) and applies overrides from `environment`
// (name → value; pass the process environment). Errors name the key and the source.
Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env);

// The process environment as a map.
std::map<std::string, std::string> ProcessEnvironment();

std::vector<ConfigKeyInfo> DescribeConfig();
// The effective value of every key as TOML text (for `banyan config show`).
std::string ConfigToToml(const Config& config);

}  // namespace banyan

#endif  // BANYAN_BASE_CONFIG_H_
