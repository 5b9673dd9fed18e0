// Row-level reading of a snapshot, for evaluators whose conditions the fixed primitives of
// query.h do not express: a cursor over one customer's events (time, type, channel and each
// property, decoded on demand) and the values of a numeric attribute for a set of customers.
//
// The segment evaluator (segment/engine_eval.h) uses these for `where` clauses with or/not/in/
// contains, channels, ordered behaviour and exact aggregates, and for geography; anything
// query.h can answer should go through query.h, which is faster.
//
// Ids are those of the snapshot's dictionaries: event types `catalog().event_types`, property
// keys `catalog().property_keys`, string property values `catalog().property_values`.
// Thread safety: reads of an immutable snapshot; a cursor is used by one thread and is valid
// while the snapshot it reads lives.

#ifndef BANYAN_ENGINE_SCAN_H_
#define BANYAN_ENGINE_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "engine/bitmap.h"
#include "engine/snapshot.h"
#include "engine/types.h"

namespace banyan::engine {

// One property of an event: a string (an id of the property-value dictionary) or a number
// (value × kPropertyScale).
struct PropertyCell {
  bool is_string = false;
  int64_t value = 0;
};

class EventCursor {
 public:
  // The events of customer `index` whose time is in [from_seconds, to_seconds), in time order
  // (equal times in the order the sequence holds them). REQUIRES: index < index_count().
  EventCursor(const Snapshot& snapshot, CustomerIndex index, int64_t from_seconds,
              int64_t to_seconds);

  // Moves to the next event; false when there is none. Call once before reading the first.
  bool Next();
  // The current event. REQUIRES: the last Next() returned true.
  int64_t time_seconds() const { return int64_t{view_.times[current_]} + kEpochBaseSeconds; }
  uint32_t type() const { return view_.types[current_]; }
  uint8_t channel() const { return view_.channels[current_]; }  // events::Channel
  // The current event's property `key`, or nullopt when it does not carry it.
  std::optional<PropertyCell> Property(uint32_t key) const;

 private:
  internal::SequenceView view_;
  uint32_t next_ = 0;
  uint32_t end_ = 0;
  uint32_t current_ = 0;
  size_t next_offset_ = 0;     // property bytes of event next_
  size_t current_offset_ = 0;  // property bytes of event current_
};

// (index, value) of every customer of `candidates` that has a value of the numeric attribute
// `attribute`, in ascending index order; values in the attribute's units (decimals scaled).
// NotFound for an unknown attribute, InvalidArgument for a non-numeric one.
Result<std::vector<std::pair<CustomerIndex, int64_t>>> NumericValues(const Snapshot& snapshot,
                                                                     std::string_view attribute,
                                                                     const Bitmap& candidates);

}  // namespace banyan::engine

#endif  // BANYAN_ENGINE_SCAN_H_
