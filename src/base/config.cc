#include "base/config.h"

#include <fmt/format.h>

#include <toml.hpp>
#include <variant>

#include "base/json.h"
#include "base/time.h"

extern char** environ;

namespace banyan {
namespace {

using StringRef = std::string& (*)(Config&);
using IntRef = int64_t& (*)(Config&);
using BoolRef = bool& (*)(Config&);

struct KeySpec {
  std::string_view key;
  std::variant<StringRef, IntRef, BoolRef> ref;
  int64_t min = 0;  // ints only
  int64_t max = 0;
  std::vector<std::string_view> choices = {};  // strings only; empty: any
  std::string_view description = "";
};

// clang-format off
const std::vector<KeySpec>& Keys() {
  static const std::vector<KeySpec> kKeys = {
    {"server.listen", +[](Config& c) -> std::string& { return c.server.listen; }, 0, 0, {},
     "address and port to listen on (host:port); port 0 picks a free port"},
    {"server.data_dir", +[](Config& c) -> std::string& { return c.server.data_dir; }, 0, 0, {},
     "directory holding banyan.db, keys/ and events/"},
    {"server.threads", +[](Config& c) -> int64_t& { return c.server.threads; }, 0, 256, {},
     "HTTP worker threads; 0 means one per core"},
    {"server.web_dir", +[](Config& c) -> std::string& { return c.server.web_dir; }, 0, 0, {},
     "directory of the built console; empty means web/dist beside the binary's tree"},
    {"http.body_limit_bytes", +[](Config& c) -> int64_t& { return c.http.body_limit_bytes; },
     1024, 64 << 20, {}, "largest request body accepted, after gzip decoding; larger gets 413"},
    {"http.header_limit_bytes", +[](Config& c) -> int64_t& { return c.http.header_limit_bytes; },
     1024, 1 << 20, {}, "largest request header block; larger gets 431"},
    {"http.read_timeout_ms", +[](Config& c) -> int64_t& { return c.http.read_timeout_ms; },
     100, 600000, {}, "time allowed to receive one whole request"},
    {"http.idle_timeout_ms", +[](Config& c) -> int64_t& { return c.http.idle_timeout_ms; },
     100, 3600000, {}, "keep-alive connections idle longer than this are closed"},
    {"http.shutdown_grace_ms", +[](Config& c) -> int64_t& { return c.http.shutdown_grace_ms; },
     0, 600000, {}, "on SIGTERM, time allowed for in-flight requests to finish"},
    {"http.connections_max", +[](Config& c) -> int64_t& { return c.http.connections_max; },
     1, 1000000, {}, "concurrent connections; more are refused until one closes"},
    {"http.metrics_require_auth", +[](Config& c) -> bool& { return c.http.metrics_require_auth; },
     0, 0, {}, "whether /metrics needs credentials with the metrics:read permission"},
    {"http.access_log", +[](Config& c) -> bool& { return c.http.access_log; }, 0, 0, {},
     "log one line per request"},
    {"log.level", +[](Config& c) -> std::string& { return c.log.level; }, 0, 0,
     {"trace", "debug", "info", "warn", "error"}, "lowest level written"},
    {"log.format", +[](Config& c) -> std::string& { return c.log.format; }, 0, 0,
     {"text", "json"}, "text for people, json for log collectors"},
    {"auth.session_idle_timeout_s",
     +[](Config& c) -> int64_t& { return c.auth.session_idle_timeout_s; }, 60, 86400, {},
     "a console session unused this long expires"},
    {"auth.session_absolute_timeout_s",
     +[](Config& c) -> int64_t& { return c.auth.session_absolute_timeout_s; }, 300, 30 * 86400,
     {}, "a console session expires this long after login, however active"},
    {"auth.login_failures_max", +[](Config& c) -> int64_t& { return c.auth.login_failures_max; },
     1, 100, {}, "consecutive failed logins before the account is locked"},
    {"auth.lockout_s", +[](Config& c) -> int64_t& { return c.auth.lockout_s; }, 1, 86400, {},
     "how long a locked account stays locked"},
    {"auth.password_length_min", +[](Config& c) -> int64_t& { return c.auth.password_length_min; },
     8, 128, {}, "shortest password accepted for staff accounts"},
    {"auth.secure_cookies", +[](Config& c) -> bool& { return c.auth.secure_cookies; }, 0, 0, {},
     "mark session cookies Secure; turn on whenever the console is served over HTTPS"},
    {"business.time_zone", +[](Config& c) -> std::string& { return c.business.time_zone; }, 0, 0,
     {}, "the bank's IANA time zone for business days, quiet hours and birthdays"},
    {"events.segment_bytes_max", +[](Config& c) -> int64_t& { return c.events.segment_bytes_max; },
     1 << 20, 1ll << 34, {}, "an event log segment file rolls over at this size"},
    {"events.queue_bytes_max", +[](Config& c) -> int64_t& { return c.events.queue_bytes_max; },
     1 << 20, 1ll << 32, {}, "events waiting for the disk; beyond this ingestion answers 429"},
    {"events.retention_days", +[](Config& c) -> int64_t& { return c.events.retention_days; }, 0,
     36500, {}, "delete event log segments older than this; 0 keeps events forever"},
    {"events.retention_bytes", +[](Config& c) -> int64_t& { return c.events.retention_bytes; }, 0,
     1ll << 50, {}, "delete the oldest segments while the log is larger; 0 means no limit"},
    {"events.dedup_window_s", +[](Config& c) -> int64_t& { return c.events.dedup_window_s; },
     7 * 86400, 90 * 86400, {}, "a repeated message id within this window is stored once"},
    {"events.dedup_entries_max", +[](Config& c) -> int64_t& { return c.events.dedup_entries_max; },
     1000, 2'000'000'000, {}, "message ids remembered (about 30 bytes each); size as peak events per day x window days x 1.25"},
    {"events.tracking_plan_file", +[](Config& c) -> std::string& { return c.events.tracking_plan_file; },
     0, 0, {}, "JSON tracking plan (docs/ingestion.md); empty: no plan"},
    {"events.maintenance_interval_s",
     +[](Config& c) -> int64_t& { return c.events.maintenance_interval_s; }, 1, 86400, {},
     "how often retention and dedup expiry run"},
    {"privacy.keyring_file", +[](Config& c) -> std::string& { return c.privacy.keyring_file; },
     0, 0, {}, "the key ring sealing personal data (docs/privacy.md); empty: <data_dir>/keys/data.keyring"},
    {"customers.flush_interval_ms",
     +[](Config& c) -> int64_t& { return c.customers.flush_interval_ms; }, 10, 10000, {},
     "how often identity links and profile updates from ingestion are written to the database"},
    {"customers.timeline_events_max",
     +[](Config& c) -> int64_t& { return c.customers.timeline_events_max; }, 100, 10'000'000, {},
     "newest events per customer indexed for the customer timeline"},
    {"segments.poll_interval_ms",
     +[](Config& c) -> int64_t& { return c.segments.poll_interval_ms; }, 10, 60'000, {},
     "how often live segments re-check the customers whose data changed"},
    {"segments.expiry_interval_s",
     +[](Config& c) -> int64_t& { return c.segments.expiry_interval_s; }, 1, 86400, {},
     "how often live segments with time windows (in last N days) are re-evaluated in full"},
    {"segments.transitions_retention_days",
     +[](Config& c) -> int64_t& { return c.segments.transitions_retention_days; }, 1, 3650, {},
     "entered/exited notifications of live segments are kept this long"},
    {"messaging.quiet_hours_from", +[](Config& c) -> std::string& { return c.messaging.quiet_hours_from; },
     0, 0, {}, "HH:MM bank time from which marketing messages may be sent (docs/messaging.md)"},
    {"messaging.quiet_hours_until", +[](Config& c) -> std::string& { return c.messaging.quiet_hours_until; },
     0, 0, {}, "HH:MM bank time after which marketing messages wait for the next day"},
    {"messaging.frequency_cap", +[](Config& c) -> int64_t& { return c.messaging.frequency_cap; },
     0, 1000, {}, "marketing messages per customer per window, across channels; 0: no cap"},
    {"messaging.frequency_window_days",
     +[](Config& c) -> int64_t& { return c.messaging.frequency_window_days; }, 1, 365, {},
     "the frequency cap's window"},
    {"messaging.retry_attempts_max",
     +[](Config& c) -> int64_t& { return c.messaging.retry_attempts_max; }, 1, 20, {},
     "attempts before a message is dead-lettered"},
    {"messaging.retry_backoff_initial_ms",
     +[](Config& c) -> int64_t& { return c.messaging.retry_backoff_initial_ms; }, 10, 3'600'000,
     {}, "delay before the second attempt; doubles per attempt, with ±20% jitter"},
    {"messaging.retry_backoff_max_ms",
     +[](Config& c) -> int64_t& { return c.messaging.retry_backoff_max_ms; }, 10, 86'400'000, {},
     "longest delay between attempts"},
    {"messaging.dispatch_threads",
     +[](Config& c) -> int64_t& { return c.messaging.dispatch_threads; }, 1, 32, {},
     "dispatcher threads sending to providers"},
    {"messaging.dispatch_batch", +[](Config& c) -> int64_t& { return c.messaging.dispatch_batch; },
     1, 1000, {}, "messages a dispatcher thread claims at once"},
    {"messaging.public_base_url",
     +[](Config& c) -> std::string& { return c.messaging.public_base_url; }, 0, 0, {},
     "the URL customers reach Banyan at, for short links; empty: http://<server.listen>"},
    {"messaging.channels_file",
     +[](Config& c) -> std::string& { return c.messaging.channels_file; }, 0, 0, {},
     "JSON file of channel configurations applied at start (docs/messaging.md); empty: none"},
    {"messaging.ca_file", +[](Config& c) -> std::string& { return c.messaging.ca_file; }, 0, 0,
     {}, "CA bundle trusted for providers' TLS certificates; empty: the system's"},
    {"messaging.allow_plain_http_loopback",
     +[](Config& c) -> bool& { return c.messaging.allow_plain_http_loopback; }, 0, 0, {},
     "allow http:// and plain smtp:// to loopback fake providers; for tests and benchmarks only"},
    {"messaging.result_poll_interval_s",
     +[](Config& c) -> int64_t& { return c.messaging.result_poll_interval_s; },
     Config::Messaging::kResultPollIntervalSMin, Config::Messaging::kResultPollIntervalSMax, {},
     "how often channels that poll for results (WeCom tasks) are asked"},
    {"messaging.result_poll_window_hours",
     +[](Config& c) -> int64_t& { return c.messaging.result_poll_window_hours; },
     Config::Messaging::kResultPollWindowHoursMin, Config::Messaging::kResultPollWindowHoursMax,
     {}, "how long after its last change a sent WeCom task's result is still asked for"},
    {"store.busy_timeout_ms", +[](Config& c) -> int64_t& { return c.store.busy_timeout_ms; }, 0,
     600000, {}, "how long a write waits for the database lock before retrying"},
    {"store.readers", +[](Config& c) -> int64_t& { return c.store.readers; }, 1, 64, {},
     "read connections to the database"},
  };
  return kKeys;
}
// clang-format on

std::string EnvName(std::string_view key) {
  std::string name = "BANYAN_";
  for (char c : key) name.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(c)));
  return name;
}

// True when `name` is in a settings section ("BANYAN_HTTP_..."), so a typo there is an error;
// other BANYAN_* variables (BANYAN_CONFIG, tools' own) are not settings and are left alone.
bool IsSettingsVariable(std::string_view name) {
  for (const auto& spec : Keys()) {
    const std::string section = EnvName(spec.key.substr(0, spec.key.find('.'))) + "_";
    if (name.rfind(section, 0) == 0) return true;
  }
  return false;
}

Status SetString(const KeySpec& spec, Config& config, std::string value, const std::string& where) {
  if (!spec.choices.empty()) {
    bool ok = false;
    for (auto c : spec.choices) ok = ok || c == value;
    if (!ok) {
      return InvalidArgumentError(fmt::format("{}: {}: '{}' is not one of {}", where, spec.key,
                                              value, fmt::join(spec.choices, ", ")));
    }
  }
  std::get<StringRef>(spec.ref)(config) = std::move(value);
  return Status::Ok();
}

Status SetInt(const KeySpec& spec, Config& config, int64_t value, const std::string& where) {
  if (value < spec.min || value > spec.max) {
    return InvalidArgumentError(fmt::format("{}: {}: {} is out of range [{}, {}]", where, spec.key,
                                            value, spec.min, spec.max));
  }
  std::get<IntRef>(spec.ref)(config) = value;
  return Status::Ok();
}

Status ApplyToml(const KeySpec& spec, Config& config, const toml::value& v,
                 const std::string& where) {
  if (std::holds_alternative<StringRef>(spec.ref)) {
    if (!v.is_string())
      return InvalidArgumentError(fmt::format("{}: {}: expected a string", where, spec.key));
    return SetString(spec, config, v.as_string().str, where);
  }
  if (std::holds_alternative<IntRef>(spec.ref)) {
    if (!v.is_integer())
      return InvalidArgumentError(fmt::format("{}: {}: expected an integer", where, spec.key));
    return SetInt(spec, config, v.as_integer(), where);
  }
  if (!v.is_boolean())
    return InvalidArgumentError(fmt::format("{}: {}: expected true or false", where, spec.key));
  std::get<BoolRef>(spec.ref)(config) = v.as_boolean();
  return Status::Ok();
}

Status ApplyEnv(const KeySpec& spec, Config& config, const std::string& text,
                const std::string& where) {
  if (std::holds_alternative<StringRef>(spec.ref)) return SetString(spec, config, text, where);
  if (std::holds_alternative<IntRef>(spec.ref)) {
    size_t used = 0;
    int64_t value = 0;
    try {
      value = std::stoll(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != text.size()) {
      return InvalidArgumentError(
          fmt::format("{}: {}: '{}' is not an integer", where, spec.key, text));
    }
    return SetInt(spec, config, value, where);
  }
  if (text != "true" && text != "false") {
    return InvalidArgumentError(
        fmt::format("{}: {}: '{}' is not true or false", where, spec.key, text));
  }
  std::get<BoolRef>(spec.ref)(config) = text == "true";
  return Status::Ok();
}

const KeySpec* FindKey(std::string_view key) {
  for (const auto& spec : Keys()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

Status ApplyFile(const std::string& path, Config& config) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const std::exception& e) {
    return InvalidArgumentError(fmt::format("config file {}: {}", path, e.what()));
  }
  if (!root.is_table())
    return InvalidArgumentError(fmt::format("config file {}: not a table", path));
  for (const auto& [section, body] : root.as_table()) {
    if (!body.is_table()) {
      return InvalidArgumentError(
          fmt::format("config file {}: unknown key '{}' (settings live in sections such as "
                      "[server])",
                      path, section));
    }
    for (const auto& [name, value] : body.as_table()) {
      const std::string key = section + "." + name;
      const KeySpec* spec = FindKey(key);
      if (spec == nullptr) {
        return InvalidArgumentError(fmt::format("config file {}: unknown key '{}'", path, key));
      }
      RETURN_IF_ERROR(ApplyToml(*spec, config, value, "config file " + path));
    }
  }
  return Status::Ok();
}

Status Validate(const Config& config) {
  auto calendar = BusinessCalendar::Create(config.business.time_zone);
  if (!calendar.ok()) {
    return InvalidArgumentError(fmt::format("business.time_zone: {}", calendar.status().message()));
  }
  const auto colon = config.server.listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == config.server.listen.size()) {
    return InvalidArgumentError(
        fmt::format("server.listen: '{}' is not host:port", config.server.listen));
  }
  if (config.server.data_dir.empty())
    return InvalidArgumentError("server.data_dir: must not be empty");
  for (const auto& [key, value] :
       {std::pair{"messaging.quiet_hours_from", &config.messaging.quiet_hours_from},
        std::pair{"messaging.quiet_hours_until", &config.messaging.quiet_hours_until}}) {
    if (value->size() != 5 || (*value)[2] != ':' || !std::isdigit((*value)[0]) ||
        !std::isdigit((*value)[1]) || !std::isdigit((*value)[3]) || !std::isdigit((*value)[4]) ||
        std::stoi(value->substr(0, 2)) > 23 || std::stoi(value->substr(3)) > 59) {
      return InvalidArgumentError(fmt::format("{}: '{}' is not HH:MM", key, *value));
    }
  }
  if (config.messaging.quiet_hours_from >= config.messaging.quiet_hours_until) {
    return InvalidArgumentError(
        "messaging.quiet_hours_from: must be before messaging.quiet_hours_until");
  }
  if (config.auth.session_idle_timeout_s > config.auth.session_absolute_timeout_s) {
    return InvalidArgumentError(
        "auth.session_idle_timeout_s: must not exceed auth.session_absolute_timeout_s");
  }
  return Status::Ok();
}

std::string ValueText(const KeySpec& spec, Config& config) {
  if (auto* s = std::get_if<StringRef>(&spec.ref)) return Json((*s)(config)).dump();
  if (auto* i = std::get_if<IntRef>(&spec.ref)) return std::to_string((*i)(config));
  return std::get<BoolRef>(spec.ref)(config) ? "true" : "false";
}

}  // namespace

Result<Config> LoadConfig(const std::string& path, const std::map<std::string, std::string>& env) {
  Config config;
  if (!path.empty()) RETURN_IF_ERROR(ApplyFile(path, config));
  for (const auto& [name, value] : env) {
    if (!IsSettingsVariable(name)) continue;
    const KeySpec* match = nullptr;
    for (const auto& spec : Keys()) {
      if (EnvName(spec.key) == name) match = &spec;
    }
    if (match == nullptr) {
      return InvalidArgumentError(
          fmt::format("environment variable {} names no setting (see `banyan config show`)", name));
    }
    RETURN_IF_ERROR(ApplyEnv(*match, config, value, "environment variable " + name));
  }
  RETURN_IF_ERROR(Validate(config));
  return config;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

std::vector<ConfigKeyInfo> DescribeConfig() {
  Config defaults;
  std::vector<ConfigKeyInfo> out;
  for (const auto& spec : Keys()) {
    std::string type = std::holds_alternative<StringRef>(spec.ref) ? "string"
                       : std::holds_alternative<IntRef>(spec.ref)  ? "integer"
                                                                   : "boolean";
    if (std::holds_alternative<IntRef>(spec.ref))
      type += fmt::format(" [{}, {}]", spec.min, spec.max);
    if (!spec.choices.empty()) type += fmt::format(" ({})", fmt::join(spec.choices, " | "));
    out.push_back({std::string(spec.key), EnvName(spec.key), type, ValueText(spec, defaults),
                   std::string(spec.description)});
  }
  return out;
}

std::string ConfigToToml(const Config& config) {
  Config copy = config;
  std::string out, section;
  for (const auto& spec : Keys()) {
    const auto dot = spec.key.find('.');
    const std::string_view sec = spec.key.substr(0, dot);
    if (sec != section) {
      out += fmt::format("{}[{}]\n", out.empty() ? "" : "\n", sec);
      section = std::string(sec);
    }
    out += fmt::format("{} = {}  # {}\n", spec.key.substr(dot + 1), ValueText(spec, copy),
                       spec.description);
  }
  return out;
}

}  // namespace banyan
