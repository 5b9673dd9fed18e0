// JSON helpers over nlohmann::json: bounded parsing and typed field readers whose errors name
// the field by JSON pointer ("/events/3/properties/amount: expected a number").
//
// Every parse has a depth and size limit; input that exceeds them is an InvalidArgument or
// TooLarge error, never a crash or unbounded recursion.
// Thread safety: stateless functions; safe from any thread.

#ifndef BANYAN_BASE_JSON_H_
#define BANYAN_BASE_JSON_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace banyan {

using Json = nlohmann::json;

struct JsonLimits {
  size_t bytes_max = 1 << 20;
  int depth_max = 32;
};

// Parses `text`. Errors say where ("at byte 17: unexpected '}'"); pointer is "" (the document).
Result<Json> ParseJson(std::string_view text, const JsonLimits& limits = {});

// Appends one reference token to a JSON pointer, escaping '~' and '/'.
// Appends `text` as a JSON string literal (quotes, escapes; UTF-8 passes through unchanged).
// Fast on long runs that need no escaping: for the ingestion and import hot paths.
void AppendJsonString(std::string_view text, std::string* out);
std::string JsonString(std::string_view text);

std::string JsonPointer(std::string_view parent, std::string_view token);
std::string JsonPointer(std::string_view parent, size_t index);

// Reads members of a JSON object with type and bound checks. Each error carries the member's
// pointer (`base` + "/" + key). Unknown members can be rejected with RejectUnknown.
class JsonObjectReader {
 public:
  // Fails when `value` is not an object.
  static Result<JsonObjectReader> Create(const Json& value, std::string base = "");

  bool Has(std::string_view key) const;
  Result<std::string> String(std::string_view key, size_t length_max) const;
  Result<std::optional<std::string>> OptionalString(std::string_view key, size_t length_max) const;
  Result<int64_t> Int(std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<int64_t>> OptionalInt(std::string_view key, int64_t min, int64_t max) const;
  Result<std::optional<double>> OptionalNumber(std::string_view key) const;
  Result<std::optional<bool>> OptionalBool(std::string_view key) const;
  // Fails naming the first member not in `allowed`.
  Status RejectUnknown(std::initializer_list<std::string_view> allowed) const;
  std::string PointerTo(std::string_view key) const { return JsonPointer(base_, key); }
  const Json& json() const { return *value_; }

 private:
  JsonObjectReader(const Json* value, std::string base) : value_(value), base_(std::move(base)) {}
  const Json* value_;
  std::string base_;
};

}  // namespace banyan

#endif  // BANYAN_BASE_JSON_H_
