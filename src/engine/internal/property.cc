#include "engine/internal/property.h"

#include <cmath>
#include <limits>

namespace banyan::engine::internal {

namespace {

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t UnZigZag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

}  // namespace

void PutVarint(uint64_t value, std::vector<uint8_t>& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<uint8_t>(value));
}

bool GetVarint(const uint8_t** cursor, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70 && *cursor < end; shift += 7) {
    const uint8_t byte = *(*cursor)++;
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return false;
}

int64_t ScaleNumber(double number) {
  const double scaled = std::round(number * kPropertyScale);
  // Clamp: NaN and values beyond int64 become the extremes rather than undefined behaviour.
  if (!(scaled > -9.2e18)) return std::numeric_limits<int64_t>::min();
  if (scaled > 9.2e18) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(scaled);
}

Result<size_t> EncodeProperties(std::span<const EventProperty> properties, Dictionary& keys,
                                Dictionary& values, std::vector<uint8_t>& out) {
  out.clear();
  size_t dropped = 0;
  std::vector<uint8_t> one;
  for (const EventProperty& property : properties) {
    one.clear();
    ASSIGN_OR_RETURN(uint32_t key, keys.Intern(property.key));
    if (const auto* text = std::get_if<std::string>(&property.value)) {
      ASSIGN_OR_RETURN(uint32_t id, values.Intern(*text));
      PutVarint(uint64_t{key} * 2 + 1, one);
      PutVarint(id, one);
    } else {
      PutVarint(uint64_t{key} * 2, one);
      PutVarint(ZigZag(ScaleNumber(std::get<double>(property.value))), one);
    }
    if (out.size() + one.size() > kEventPropertyBytesMax) {
      ++dropped;
      continue;
    }
    out.insert(out.end(), one.begin(), one.end());
  }
  return dropped;
}

DecodedProperty DecodeProperty(const uint8_t** cursor, const uint8_t* end) {
  uint64_t tag = 0, value = 0;
  bool ok = GetVarint(cursor, end, &tag) && GetVarint(cursor, end, &value);
  CHECK(ok, "malformed event properties");
  DecodedProperty property;
  property.key = static_cast<uint32_t>(tag >> 1);
  property.is_string = (tag & 1) != 0;
  property.value = property.is_string ? static_cast<int64_t>(value) : UnZigZag(value);
  return property;
}

bool PropertiesWellFormed(std::span<const uint8_t> bytes) {
  const uint8_t* cursor = bytes.data();
  const uint8_t* end = cursor + bytes.size();
  while (cursor < end) {
    uint64_t tag = 0, value = 0;
    if (!GetVarint(&cursor, end, &tag) || !GetVarint(&cursor, end, &value)) return false;
  }
  return true;
}

}  // namespace banyan::engine::internal
