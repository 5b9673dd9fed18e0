#include "base/json.h"

#include <fmt/format.h>

#include <cstring>

namespace banyan {

Result<Json> ParseJson(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.bytes_max) {
    return TooLargeError(fmt::format("JSON document of {} bytes exceeds the limit of {} bytes",
                                     text.size(), limits.bytes_max));
  }
  bool too_deep = false;
  auto callback = [&](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= limits.depth_max) {
      too_deep = true;
      throw std::length_error("depth");  // stops the parser; caught below
    }
    return true;
  };
  try {
    Json value = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                             /*ignore_comments=*/false);
    return value;
  } catch (const std::length_error&) {
    return InvalidArgumentError(
        fmt::format("JSON nesting exceeds the limit of {} levels", limits.depth_max));
  } catch (const Json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    return InvalidArgumentError(fmt::format("malformed JSON: {}", what));
  } catch (const Json::exception& e) {
    if (too_deep) {
      return InvalidArgumentError(
          fmt::format("JSON nesting exceeds the limit of {} levels", limits.depth_max));
    }
    return InvalidArgumentError(fmt::format("malformed JSON: {}", e.what()));
  }
}

std::string JsonPointer(std::string_view parent, std::string_view token) {
  std::string out(parent);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JsonPointer(std::string_view parent, size_t index) {
  return fmt::format("{}/{}", parent, index);
}

Result<JsonObjectReader> JsonObjectReader::Create(const Json& value, std::string base) {
  if (!value.is_object()) {
    return InvalidArgumentError("expected a JSON object", base.empty() ? "" : base);
  }
  return JsonObjectReader(&value, std::move(base));
}

bool JsonObjectReader::Has(std::string_view key) const {
  const auto it = value_->find(key);
  return it != value_->end() && !it->is_null();
}

Result<std::optional<std::string>> JsonObjectReader::OptionalString(std::string_view key,
                                                                    size_t length_max) const {
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidArgumentError("expected a string", PointerTo(key));
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > length_max) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", length_max), PointerTo(key));
  }
  return std::optional<std::string>(s);
}

Result<std::string> JsonObjectReader::String(std::string_view key, size_t length_max) const {
  ASSIGN_OR_RETURN(auto value, OptionalString(key, length_max));
  if (!value) return InvalidArgumentError("is required", PointerTo(key));
  return std::move(*value);
}

Result<std::optional<int64_t>> JsonObjectReader::OptionalInt(std::string_view key, int64_t min,
                                                             int64_t max) const {
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::optional<int64_t>();
  if (!it->is_number_integer()) return InvalidArgumentError("expected an integer", PointerTo(key));
  const int64_t v =
      it->is_number_unsigned() && it->get<uint64_t>() > INT64_MAX ? INT64_MAX : it->get<int64_t>();
  if (v < min || v > max) {
    return InvalidArgumentError(fmt::format("must be between {} and {}", min, max), PointerTo(key));
  }
  return std::optional<int64_t>(v);
}

Result<int64_t> JsonObjectReader::Int(std::string_view key, int64_t min, int64_t max) const {
  ASSIGN_OR_RETURN(auto value, OptionalInt(key, min, max));
  if (!value) return InvalidArgumentError("is required", PointerTo(key));
  return *value;
}

Result<std::optional<double>> JsonObjectReader::OptionalNumber(std::string_view key) const {
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return InvalidArgumentError("expected a number", PointerTo(key));
  return std::optional<double>(it->get<double>());
}

Result<std::optional<bool>> JsonObjectReader::OptionalBool(std::string_view key) const {
  const auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return InvalidArgumentError("expected true or false", PointerTo(key));
  return std::optional<bool>(it->get<bool>());
}

Status JsonObjectReader::RejectUnknown(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [key, value] : value_->items()) {
    bool known = false;
    for (auto a : allowed) known = known || a == key;
    if (!known) return InvalidArgumentError("unknown field", PointerTo(key));
  }
  return Status::Ok();
}

namespace {

bool NeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  return (below_space | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\'))) != 0;
}

void AppendEscaped(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out->append("\\\"");
      break;
    case '\\':
      out->append("\\\\");
      break;
    case '\n':
      out->append("\\n");
      break;
    case '\r':
      out->append("\\r");
      break;
    case '\t':
      out->append("\\t");
      break;
    case '\b':
      out->append("\\b");
      break;
    case '\f':
      out->append("\\f");
      break;
    default: {
      const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out->append(escape, sizeof(escape));
    }
  }
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  out->reserve(out->size() + text.size() + 2);
  out->push_back('"');
  size_t run_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof(word));
      if (!NeedsEscape(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(text.data() + run_start, i - run_start);
    AppendEscaped(c, out);
    run_start = ++i;
  }
  out->append(text.data() + run_start, text.size() - run_start);
  out->push_back('"');
}

std::string JsonString(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

}  // namespace banyan
