#include "events/internal/wire_json.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "base/encoding.h"
#include "events/event.h"

namespace banyan::events::internal {
namespace {

constexpr size_t kInitialCapacityBytes = 4 * 1024;  // grows on demand, up to bytes_max
constexpr size_t kMessageIdHashBytes = 16;

void AppendInt(int64_t value, std::string* out) {
  std::array<char, 24> buffer;
  const auto end = fmt::format_to(buffer.data(), "{}", value);
  out->append(buffer.data(), end);
}

void AppendUint(uint64_t value, std::string* out) {
  std::array<char, 24> buffer;
  const auto end = fmt::format_to(buffer.data(), "{}", value);
  out->append(buffer.data(), end);
}

void AppendScalar(JsonElement value, std::string* out) {
  switch (value.type()) {
    case JsonType::STRING:
      AppendJsonString(value.get_string().value_unsafe(), out);
      return;
    case JsonType::INT64:
      AppendInt(value.get_int64().value_unsafe(), out);
      return;
    case JsonType::UINT64:
      AppendUint(value.get_uint64().value_unsafe(), out);
      return;
    case JsonType::DOUBLE:
      AppendJsonDouble(value.get_double().value_unsafe(), out);
      return;
    case JsonType::BOOL:
      out->append(value.get_bool().value_unsafe() ? "true" : "false");
      return;
    case JsonType::NULL_VALUE:
    case JsonType::ARRAY:
    case JsonType::OBJECT:
      out->append("null");
      return;
  }
}

// Canonical form: objects with keys sorted by bytes; otherwise compact.
void AppendCanonical(JsonElement value, std::string* out,
                     std::initializer_list<std::string_view> skip_keys) {
  if (value.type() == JsonType::ARRAY) {
    out->push_back('[');
    bool first = true;
    const JsonArray array = value.get_array().value_unsafe();  // a copy: see AsObject
    for (JsonElement item : array) {
      if (!first) out->push_back(',');
      first = false;
      AppendCanonical(item, out, {});
    }
    out->push_back(']');
    return;
  }
  if (value.type() != JsonType::OBJECT) {
    AppendScalar(value, out);
    return;
  }
  std::vector<std::pair<std::string_view, JsonElement>> members;
  const JsonObject object = value.get_object().value_unsafe();
  for (auto member : object) {
    if (std::find(skip_keys.begin(), skip_keys.end(), member.key) != skip_keys.end()) continue;
    members.emplace_back(member.key, member.value);
  }
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(members[i].first, out);
    out->push_back(':');
    AppendCanonical(members[i].second, out, {});
  }
  out->push_back('}');
}

}  // namespace

WireJsonParser::WireJsonParser(size_t bytes_max) : bytes_max_(bytes_max), parser_(bytes_max) {
  const size_t initial = std::min(bytes_max, kInitialCapacityBytes);
  const auto error = parser_.allocate(initial, kJsonDepthMax);
  CHECK(error == simdjson::SUCCESS, "cannot allocate a JSON parser: {}",
        simdjson::error_message(error));
}

Result<JsonElement> WireJsonParser::Parse(std::string_view text) {
  if (text.size() > bytes_max_) {
    return TooLargeError(fmt::format("JSON document of {} bytes exceeds the limit of {} bytes",
                                     text.size(), bytes_max_));
  }
  JsonElement root;
  const auto error = parser_.parse(text.data(), text.size()).get(root);
  if (error == simdjson::SUCCESS) return root;
  if (error == simdjson::DEPTH_ERROR) {
    return InvalidArgumentError(
        fmt::format("JSON nesting exceeds the limit of {} levels", kJsonDepthMax));
  }
  if (error == simdjson::CAPACITY) {
    return TooLargeError(fmt::format("JSON document exceeds the limit of {} bytes", bytes_max_));
  }
  if (error == simdjson::MEMALLOC) return ResourceExhaustedError("out of memory parsing JSON");
  return InvalidArgumentError(fmt::format("malformed JSON: {}", simdjson::error_message(error)));
}

bool JsonWriter::DropsValue(JsonElement value) {
  if (filter_ == nullptr || value.type() != JsonType::STRING) return false;
  if (!filter_->IsTrackDataValue(value.get_string().value_unsafe())) return false;
  if (counts_ != nullptr) counts_->Add(kTrackDataValueRule);
  return true;
}

bool JsonWriter::Member(std::string_view key, JsonElement value, std::string* out, bool* first) {
  if (filter_ != nullptr) {
    if (const std::string* rule = filter_->MatchName(key)) {
      if (counts_ != nullptr) counts_->Add(*rule);
      return false;
    }
    if (DropsValue(value)) return false;
  }
  if (!*first) out->push_back(',');
  *first = false;
  AppendJsonString(key, out);
  out->push_back(':');
  Value(value, out);
  return true;
}

void JsonWriter::Value(JsonElement value, std::string* out) {
  if (value.type() == JsonType::OBJECT) {
    out->push_back('{');
    bool first = true;
    const JsonObject object = value.get_object().value_unsafe();
    for (auto member : object) {
      Member(member.key, member.value, out, &first);
    }
    out->push_back('}');
  } else if (value.type() == JsonType::ARRAY) {
    out->push_back('[');
    bool first = true;
    const JsonArray array = value.get_array().value_unsafe();  // a copy: see AsObject
    for (JsonElement item : array) {
      if (DropsValue(item)) continue;
      if (!first) out->push_back(',');
      first = false;
      Value(item, out);
    }
    out->push_back(']');
  } else {
    AppendScalar(value, out);
  }
}

namespace {

// True when one of the 8 bytes in `word` is below 0x20, '"' or '\\' (SWAR: exact, no false
// positives, for the "has a byte less than n" and "has a zero byte" tricks with n <= 128).
}  // namespace

void AppendJsonDouble(double value, std::string* out) {
  std::array<char, 40> buffer;
  const auto end = fmt::format_to(buffer.data(), "{}", value);
  const std::string_view text(buffer.data(), end - buffer.data());
  out->append(text);
  if (text.find_first_of(".eEn") == std::string_view::npos) out->append(".0");
}

namespace {

// An upper bound of the compact size that reads only lengths, never string bytes: a string
// byte becomes at most 6 ("\\u001f"), a number at most 32 characters.
size_t CompactJsonSizeBound(JsonElement value) {
  constexpr size_t kNumberBytesMax = 32;
  switch (value.type()) {
    case JsonType::STRING:
      return 6 * value.get_string_length().value_unsafe() + 2;
    case JsonType::ARRAY: {
      const JsonArray array = value.get_array().value_unsafe();
      size_t size = 2;
      for (JsonElement item : array) size += CompactJsonSizeBound(item) + 1;
      return size;
    }
    case JsonType::OBJECT: {
      const JsonObject object = value.get_object().value_unsafe();
      size_t size = 2;
      for (auto member : object) {
        size += 6 * member.key.size() + 4 + CompactJsonSizeBound(member.value);
      }
      return size;
    }
    default:
      return kNumberBytesMax;
  }
}

}  // namespace

size_t CompactJsonSizeAtMost(JsonElement value, size_t limit) {
  if (CompactJsonSizeBound(value) <= limit) return limit;
  return CompactJsonSize(value);
}

size_t CompactJsonSize(JsonElement value) {
  thread_local std::string scratch;
  scratch.clear();
  JsonWriter(nullptr, nullptr).Value(value, &scratch);
  return scratch.size();
}

std::string HashedMessageId(std::string_view prefix, std::string_view bytes) {
  static const int kSodiumReady = sodium_init();
  (void)kSodiumReady;
  std::array<uint8_t, kMessageIdHashBytes> hash;
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const uint8_t*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return std::string(prefix) + HexEncode(hash);
}

std::string DerivedMessageId(std::string_view prefix, JsonElement value,
                             std::initializer_list<std::string_view> skip_keys) {
  std::string canonical;
  AppendCanonical(value, &canonical, skip_keys);
  return HashedMessageId(prefix, canonical);
}

std::optional<std::string_view> AsString(JsonElement value) {
  if (value.type() != JsonType::STRING) return std::nullopt;
  return value.get_string().value_unsafe();
}

// value_unsafe() on a temporary simdjson_result returns a reference into it: always copy the
// (small) object or array out before iterating, never range-for over the call itself.
std::optional<JsonObject> AsObject(JsonElement value) {
  if (value.type() != JsonType::OBJECT) return std::nullopt;
  return value.get_object().value_unsafe();
}

std::string FieldPointer(std::string_view base, std::string_view key) {
  return fmt::format("{}/{}", base, key);
}

Result<std::string> IdField(const std::optional<JsonElement>& value, std::string_view base,
                            std::string_view key) {
  if (!value) return std::string();
  auto id = AsIdString(*value);
  if (!id) return InvalidArgumentError("expected a string", FieldPointer(base, key));
  if (id->size() > kIdentifierBytesMax) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", kIdentifierBytesMax),
                                FieldPointer(base, key));
  }
  return std::move(*id);
}

std::optional<std::string> AsIdString(JsonElement value) {
  switch (value.type()) {
    case JsonType::STRING:
      return std::string(value.get_string().value_unsafe());
    case JsonType::INT64:
      return fmt::format("{}", value.get_int64().value_unsafe());
    case JsonType::UINT64:
      return fmt::format("{}", value.get_uint64().value_unsafe());
    default:
      return std::nullopt;
  }
}

std::optional<JsonElement> Find(JsonObject object, std::string_view key) {
  JsonElement value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  if (value.type() == JsonType::NULL_VALUE) return std::nullopt;
  return value;
}

std::string_view FindString(JsonObject object, std::string_view key) {
  const auto value = Find(object, key);
  if (!value) return {};
  return AsString(*value).value_or(std::string_view());
}

}  // namespace banyan::events::internal
