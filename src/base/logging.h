// Structured logging over spdlog.
//
// Each line is one event with a message and typed fields. In `text` format:
//   2026-11-22T02:30:00.123Z INFO http.access method=GET path=/healthz status=200
// and in `json` format one object per line:
//   {"ts":"2026-11-22T02:30:00.123Z","level":"info","msg":"http.access","method":"GET",...}
// Lines are buffered in memory and written to stderr in one write per second (at once for
// warnings and errors), so logging costs request threads no syscall; nothing is dropped.
// Secrets must never be passed as fields.
// Thread safety: all functions are safe from any thread once InitLogging has returned.

#ifndef BANYAN_BASE_LOGGING_H_
#define BANYAN_BASE_LOGGING_H_

#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"

namespace banyan::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };
enum class Format { kText, kJson };

// Configures the process logger (stderr). Safe to call again (tests); the last call wins.
Status InitLogging(std::string_view level, std::string_view format);
// Flushes queued lines; call before exit.
void FlushLogging();

using FieldValue = std::variant<std::string_view, int64_t, double, bool>;
struct Field {
  std::string_view key;
  FieldValue value;
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, int64_t v) : key(k), value(v) {}
  Field(std::string_view k, int v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, unsigned v) : key(k), value(static_cast<int64_t>(v)) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
};

bool Enabled(Level level);
void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, m, f);
}
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, m, f);
}

}  // namespace banyan::log

#endif  // BANYAN_BASE_LOGGING_H_
