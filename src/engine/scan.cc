#include "engine/scan.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/internal/columns.h"
#include "engine/internal/property.h"

namespace banyan::engine {

namespace {

// Seconds since kEpochBaseSeconds, clamped to what a sequence can hold.
uint32_t Relative(int64_t seconds) {
  return static_cast<uint32_t>(
      std::clamp<int64_t>(seconds - kEpochBaseSeconds, 0, int64_t{0xFFFF'FFFF}));
}

}  // namespace

EventCursor::EventCursor(const Snapshot& snapshot, CustomerIndex index, int64_t from_seconds,
                         int64_t to_seconds)
    : view_(snapshot.Sequence(index)) {
  if (to_seconds <= from_seconds || to_seconds <= kEpochBaseSeconds) return;  // nothing
  next_ = view_.LowerBound(Relative(from_seconds));
  // The last time a sequence can hold is 0xFFFFFFFF itself: a bound past it takes everything.
  end_ = to_seconds > kEventTimeSecondsMax ? view_.count : view_.LowerBound(Relative(to_seconds));
  next_offset_ = view_.PropertyOffset(next_);
}

bool EventCursor::Next() {
  if (next_ >= end_) return false;
  current_ = next_;
  current_offset_ = next_offset_;
  next_offset_ += view_.property_lengths[next_];
  ++next_;
  return true;
}

std::optional<PropertyCell> EventCursor::Property(uint32_t key) const {
  const uint8_t* begin = view_.properties + current_offset_;
  const uint8_t* end = begin + view_.property_lengths[current_];
  while (begin < end) {
    const internal::DecodedProperty have = internal::DecodeProperty(&begin, end);
    if (have.key == key) return PropertyCell{have.is_string, have.value};
  }
  return std::nullopt;
}

Result<std::vector<std::pair<CustomerIndex, int64_t>>> NumericValues(const Snapshot& snapshot,
                                                                     std::string_view attribute,
                                                                     const Bitmap& candidates) {
  const internal::Catalog& catalog = snapshot.catalog();
  const std::optional<uint32_t> id = catalog.FindAttribute(attribute);
  if (!id) return NotFoundError(fmt::format("no attribute {}", attribute));
  const AttributeSpec& spec = catalog.attributes[*id];
  if (!IsNumeric(spec.kind)) {
    return InvalidArgumentError(
        fmt::format("{}: values are read of numeric attributes only, not "
                    "of a {} attribute",
                    spec.name, AttributeKindName(spec.kind)));
  }
  std::vector<std::pair<CustomerIndex, int64_t>> out;
  (candidates & snapshot.live()).ForEach([&](uint32_t index) {
    if ((index >> kChunkBits) >= snapshot.chunk_count()) return false;
    const internal::ColumnChunk& column = *snapshot.chunk(index >> kChunkBits).columns[*id];
    const internal::CodedValue value = internal::ReadValue(column, spec.kind, index);
    if (value.set) out.emplace_back(index, value.scalar);
    return true;
  });
  return out;
}

}  // namespace banyan::engine
