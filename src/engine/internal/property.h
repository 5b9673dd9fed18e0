// The property store's encoding: an event's properties as a few bytes beside its sequence.
//
// Each property is varint(key_id * 2 + is_string) then varint(value): a string value is its id
// in the property-value dictionary, a number is zig-zag(round(number * kPropertyScale)).
// `product = "card"` takes 2 bytes, `amount = 1234.56` 4. At most kEventPropertyBytesMax bytes
// per event; properties that do not fit are left out (and counted by the writer).
//
// Used by the engine writer (encode) and the behaviour queries (decode).
// Thread safety: pure functions; the dictionaries guard themselves.

#ifndef BANYAN_ENGINE_INTERNAL_PROPERTY_H_
#define BANYAN_ENGINE_INTERNAL_PROPERTY_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/result.h"
#include "engine/dictionary.h"
#include "engine/types.h"

namespace banyan::engine::internal {

struct DecodedProperty {
  uint32_t key = 0;
  bool is_string = false;
  int64_t value = 0;  // a value id, or the scaled number
};

// Appends the encoding of `properties` to `out` (cleared first); returns how many were left
// out for want of room. Errors only when a dictionary is full.
Result<size_t> EncodeProperties(std::span<const EventProperty> properties, Dictionary& keys,
                                Dictionary& values, std::vector<uint8_t>& out);

// Decodes the property at `*cursor` and advances it. REQUIRES: *cursor < end, and the bytes were
// written by EncodeProperties (they are checked when a snapshot file is loaded).
DecodedProperty DecodeProperty(const uint8_t** cursor, const uint8_t* end);
// Whether `bytes` is a sequence of well-formed properties.
bool PropertiesWellFormed(std::span<const uint8_t> bytes);

int64_t ScaleNumber(double number);

void PutVarint(uint64_t value, std::vector<uint8_t>& out);
// False when the varint runs past `end` or over 10 bytes.
bool GetVarint(const uint8_t** cursor, const uint8_t* end, uint64_t* value);

}  // namespace banyan::engine::internal

#endif  // BANYAN_ENGINE_INTERNAL_PROPERTY_H_
