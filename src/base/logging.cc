#include "base/logging.h"

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "base/clock.h"
#include "base/json.h"
#include "base/time.h"

namespace banyan::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<Format> g_format{Format::kText};
std::shared_ptr<spdlog::logger> g_logger;  // set once per InitLogging; read under its own lock
std::mutex g_logger_mutex;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

std::string TimestampMillis() {
  const auto now = SystemClock::Get().Now();
  return cctz::format("%Y-%m-%dT%H:%M:%E3SZ",
                      std::chrono::time_point_cast<std::chrono::milliseconds>(now),
                      cctz::utc_time_zone());
}

// Text values with spaces, quotes or '=' are quoted so lines stay parseable.
void AppendTextValue(std::string& out, std::string_view v) {
  const bool plain = !v.empty() && v.find_first_of(" \"=\t\n") == std::string_view::npos;
  if (plain) {
    out.append(v);
  } else {
    out.append(Json(std::string(v)).dump());
  }
}

std::string FormatLine(Level level, std::string_view message, std::initializer_list<Field> fields) {
  std::string out;
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    Json line = Json::object();
    line["ts"] = TimestampMillis();
    line["level"] = LevelName(level);
    line["msg"] = message;
    for (const auto& f : fields) {
      std::visit([&](const auto& v) { line[std::string(f.key)] = v; }, f.value);
    }
    return line.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  out = TimestampMillis();
  out.push_back(' ');
  std::string level_name(LevelName(level));
  for (auto& c : level_name) c = static_cast<char>(std::toupper(c));
  out += level_name;
  out.push_back(' ');
  out.append(message);
  for (const auto& f : fields) {
    out.push_back(' ');
    out.append(f.key);
    out.push_back('=');
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string_view>) {
            AppendTextValue(out, v);
          } else if constexpr (std::is_same_v<V, bool>) {
            out += v ? "true" : "false";
          } else {
            out += fmt::format("{}", v);
          }
        },
        f.value);
  }
  return out;
}

}  // namespace

Status InitLogging(std::string_view level, std::string_view format) {
  Level parsed;
  if (level == "trace")
    parsed = Level::kTrace;
  else if (level == "debug")
    parsed = Level::kDebug;
  else if (level == "info")
    parsed = Level::kInfo;
  else if (level == "warn")
    parsed = Level::kWarn;
  else if (level == "error")
    parsed = Level::kError;
  else
    return InvalidArgumentError(fmt::format("unknown log level '{}'", level));
  if (format != "text" && format != "json") {
    return InvalidArgumentError(fmt::format("unknown log format '{}'", format));
  }
  std::lock_guard lock(g_logger_mutex);
  if (!g_logger) {
    spdlog::init_thread_pool(8192, 1);
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    g_logger = std::make_shared<spdlog::async_logger>("banyan", sink, spdlog::thread_pool(),
                                                      spdlog::async_overflow_policy::block);
    g_logger->set_pattern("%v");
    g_logger->set_level(spdlog::level::trace);
    g_logger->flush_on(spdlog::level::warn);
    spdlog::flush_every(std::chrono::seconds(1));
  }
  g_level = static_cast<int>(parsed);
  g_format = format == "json" ? Format::kJson : Format::kText;
  return Status::Ok();
}

void FlushLogging() {
  std::lock_guard lock(g_logger_mutex);
  if (g_logger) g_logger->flush();
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = FormatLine(level, message, fields);
  std::shared_ptr<spdlog::logger> logger;
  {
    std::lock_guard lock(g_logger_mutex);
    logger = g_logger;
  }
  if (!logger) {
    std::fprintf(stderr, "%s\n", line.c_str());  // before InitLogging: tests and early errors
    return;
  }
  logger->log(level >= Level::kError ? spdlog::level::err : spdlog::level::info, line);
}

}  // namespace banyan::log
