#include "base/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include "base/clock.h"
#include "base/json.h"
#include "base/time.h"

namespace banyan::log {
namespace {

constexpr size_t kBufferBytesMax = 1 << 20;

// Collects lines in memory and writes them to stderr in one write(2) per flush: at tens of
// thousands of access-log lines a second, a syscall or a thread wake-up per line (what spdlog's
// stderr and async sinks do) costs more than the request. Flushed every second, at once for
// warnings and errors, when the buffer fills, and at exit.
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    buffer_.append(msg.payload.data(), msg.payload.size());
    buffer_.push_back('\n');
    if (buffer_.size() >= kBufferBytesMax) flush_();
  }
  void flush_() override {
    size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(STDERR_FILENO, buffer_.data() + written, buffer_.size() - written);
      if (n <= 0 && errno != EINTR) break;  // nowhere to report a broken stderr
      if (n > 0) written += static_cast<size_t>(n);
    }
    buffer_.clear();
  }

 private:
  std::string buffer_;
};

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
std::atomic<Format> g_format{Format::kText};
// Created by the first InitLogging and never destroyed, so Write reads it without a lock.
// spdlog loggers are handed around as shared_ptr; this one is never released.
std::atomic<spdlog::logger*> g_logger{nullptr};
std::shared_ptr<spdlog::logger>* g_logger_owner = nullptr;  // leaked on purpose
std::mutex g_init_mutex;

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

// Text values with spaces, quotes, '=' or any control character are quoted as JSON strings,
// so lines stay parseable and client input can never forge a line break.
void AppendTextValue(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    plain = plain && u > 0x20 && u != 0x7f && c != '"' && c != '=';
  }
  if (plain) {
    out.append(v);
  } else {
    out.append(Json(std::string(v)).dump(-1, ' ', false, Json::error_handler_t::replace));
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
  AppendTextValue(out, message);
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
  std::lock_guard lock(g_init_mutex);
  if (g_logger.load() == nullptr) {
    g_logger_owner = new std::shared_ptr<spdlog::logger>(
        std::make_shared<spdlog::logger>("banyan", std::make_shared<BufferedStderrSink>()));
    spdlog::logger* logger = g_logger_owner->get();
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(*g_logger_owner);  // flush_every flushes registered loggers
    spdlog::flush_every(std::chrono::seconds(1));
    g_logger.store(logger);
  }
  g_level = static_cast<int>(parsed);
  g_format = format == "json" ? Format::kJson : Format::kText;
  return Status::Ok();
}

void FlushLogging() {
  if (auto* logger = g_logger.load()) logger->flush();
}

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::string line = FormatLine(level, message, fields);
  spdlog::logger* logger = g_logger.load(std::memory_order_acquire);
  if (logger == nullptr) {
    std::fprintf(stderr, "%s\n", line.c_str());  // before InitLogging: tests and early errors
    return;
  }
  logger->log(level >= Level::kError ? spdlog::level::err : spdlog::level::info, line);
}

}  // namespace banyan::log
