// The engine's vocabulary: customer indexes, attribute kinds and values, comparisons, limits.
//
// Used by every engine header and by the segment evaluator that compiles to the engine's query
// primitives (query.h). Thread safety: plain values and constants.

#ifndef BANYAN_ENGINE_TYPES_H_
#define BANYAN_ENGINE_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace banyan::engine {

// A OneID root (identity::PersonId): the engine does not depend on the identity module.
using PersonId = int64_t;
// A customer's dense position in every column and bitmap.
using CustomerIndex = uint32_t;

// Customers per chunk: the unit of copy-on-write. 2^16 also makes one chunk exactly one Roaring
// container, so per-chunk bitmaps of global indexes union without merging containers.
inline constexpr uint32_t kChunkBits = 16;
inline constexpr uint32_t kChunkCustomers = 1u << kChunkBits;
inline constexpr uint32_t kChunkWords = kChunkCustomers / 64;

// Limits. Indexes are uint32 and chunk ids 16 bits, so 2^32 customers is the hard bound; the
// named limit keeps a runaway import from exhausting memory first.
inline constexpr uint32_t kCustomersMax = 100'000'000;
inline constexpr size_t kAttributesMax = 256;
inline constexpr size_t kEventTypesMax = 65'535;         // event type ids are uint16
inline constexpr size_t kPropertyKeysMax = 4'096;        // property key ids
inline constexpr size_t kDictionaryValuesMax = 1 << 24;  // strings in one dictionary
inline constexpr uint32_t kEventsPerCustomerMax = 1 << 22;
inline constexpr size_t kEventPropertyBytesMax = 255;          // encoded properties of one event
inline constexpr size_t kAttributeValuesPerCustomerMax = 100;  // members of one string list
// Distinct string values of one (event type, property key) that one chunk's property-value index
// lists (internal/chunk.h, TypeChunk::by_property); past it the chunk answers "who did the type"
// for the values it does not list, and queries walk those customers as without the index.
inline constexpr size_t kIndexedPropertyValuesMax = 64;

// Event times are seconds since this base, held in 4 bytes: 2000-01-01T00:00:00Z .. 2136.
inline constexpr int64_t kEpochBaseSeconds = 946'684'800;
inline constexpr int64_t kEventTimeSecondsMax = kEpochBaseSeconds + 0xFFFF'FFFFll;

// Numeric event properties are fixed point with this many units per 1 (two fraction digits:
// yuan to the fen). Wider fractions are rounded.
inline constexpr int64_t kPropertyScale = 100;

enum class AttributeKind : uint8_t {
  kInteger = 1,    // int64
  kDecimal = 2,    // int64 scaled by 10^scale (the caller's scale; compare in the same units)
  kDate = 3,       // days since 1970-01-01
  kTimestamp = 4,  // seconds since the Unix epoch
  kBoolean = 5,
  kString = 6,      // enum and low-cardinality strings: dictionary-coded, a bitmap per value
  kStringList = 7,  // a bitmap per member
};
std::string_view AttributeKindName(AttributeKind kind);
bool IsNumeric(AttributeKind kind);

struct AttributeSpec {
  std::string name;
  AttributeKind kind = AttributeKind::kInteger;
  bool operator==(const AttributeSpec&) const = default;
};

// One attribute's value: monostate = not set; int64 for the numeric kinds (dates as days,
// decimals scaled); bool; string; a string list.
using AttributeValue =
    std::variant<std::monostate, int64_t, bool, std::string, std::vector<std::string>>;

enum class Compare : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view CompareName(Compare op);  // "=", "!=", "<", ...

template <typename T>
bool Satisfies(T left, Compare op, T right) {
  switch (op) {
    case Compare::kEq:
      return left == right;
    case Compare::kNe:
      return left != right;
    case Compare::kLt:
      return left < right;
    case Compare::kLe:
      return left <= right;
    case Compare::kGt:
      return left > right;
    case Compare::kGe:
      return left >= right;
  }
  return false;
}

// A property value as the writer receives it: a number (kept as value * kPropertyScale) or a
// string (dictionary-coded).
using PropertyValue = std::variant<double, std::string>;

struct EventProperty {
  std::string key;
  PropertyValue value;
};

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_TYPES_H_
