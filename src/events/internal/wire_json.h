// Internal to the events wire protocols: a bounded simdjson DOM parser and a compact JSON writer
// that drops C3 members while it writes (c3_filter.h), plus the canonical-JSON hash behind
// derived message ids. simdjson is used instead of nlohmann::json on the ingestion path because
// it parses a 300-byte event several times faster and builds no heap tree.
//
// Used by segment_protocol.cc, sensors_protocol.cc, import_reader.cc, tracking_plan.cc and
// event_codec.cc; not part of the module's public interface.
// Thread safety: WireJsonParser is not thread-safe (one per thread or per decoder); JsonWriter
// holds no state beyond its counters; the free functions are safe from any thread.

#ifndef BANYAN_EVENTS_INTERNAL_WIRE_JSON_H_
#define BANYAN_EVENTS_INTERNAL_WIRE_JSON_H_

#include <simdjson.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"
#include "base/result.h"
#include "events/c3_filter.h"

namespace banyan::events::internal {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;
using JsonType = simdjson::dom::element_type;

class WireJsonParser {
 public:
  // Documents larger than `bytes_max` are rejected with TooLarge.
  explicit WireJsonParser(size_t bytes_max);
  // The element lives until the next Parse. Errors are InvalidArgument ("malformed JSON: ...",
  // "JSON nesting exceeds ...") or TooLarge; their field is empty (the document).
  Result<JsonElement> Parse(std::string_view text);

 private:
  size_t bytes_max_;
  simdjson::dom::parser parser_;
};

// Writes compact JSON. With a filter, members whose names are C3 and values that are track
// data are left out at every depth and counted in `counts`.
class JsonWriter {
 public:
  JsonWriter(const C3Filter* filter, C3Counts* counts) : filter_(filter), counts_(counts) {}

  void Value(JsonElement value, std::string* out);
  // Appends `"key":value` to an object being written, preceded by ',' unless `*first`; does
  // nothing when the member is C3. Returns whether it wrote.
  bool Member(std::string_view key, JsonElement value, std::string* out, bool* first);

 private:
  bool DropsValue(JsonElement value);
  const C3Filter* filter_;
  C3Counts* counts_;
};

using banyan::AppendJsonString;  // base/json.h
// Shortest text that reads back as the same double; always has a '.' or an exponent.
void AppendJsonDouble(double value, std::string* out);

// Size of `value` as compact JSON (no filtering): the size limits' measure of an event.
size_t CompactJsonSize(JsonElement value);
// `limit` when a cheap upper bound shows the compact size is at most `limit` (the common case:
// no bytes are written), else the exact compact size. For limit checks: `> limit` means over.
size_t CompactJsonSizeAtMost(JsonElement value, size_t limit);

// `prefix` + 32 hex digits of BLAKE2b-128 over the canonical JSON of `value` (object keys
// sorted, compact), leaving out top-level members named in `skip_keys`.
std::string DerivedMessageId(std::string_view prefix, JsonElement value,
                             std::initializer_list<std::string_view> skip_keys);
// `prefix` + 32 hex digits of BLAKE2b-128 over `bytes`.
std::string HashedMessageId(std::string_view prefix, std::string_view bytes);

// Small typed readers. Each returns nullopt when the element has another type.
std::optional<std::string_view> AsString(JsonElement value);
std::optional<JsonObject> AsObject(JsonElement value);
// Strings as they are; integers in decimal; other types nullopt. For ids that some SDKs send
// as numbers.
std::optional<std::string> AsIdString(JsonElement value);
// "<base>/<key>": the JSON pointer of member `key` of the object at `base`.
std::string FieldPointer(std::string_view base, std::string_view key);
// An id member: a string or an integer ("" when absent), at most kIdentifierBytesMax bytes;
// errors name the member by pointer.
Result<std::string> IdField(const std::optional<JsonElement>& value, std::string_view base,
                            std::string_view key);
// Member `key` of `object` if present and not null.
std::optional<JsonElement> Find(JsonObject object, std::string_view key);
// String member `key`, or empty when absent or not a string.
std::string_view FindString(JsonObject object, std::string_view key);

}  // namespace banyan::events::internal

#endif  // BANYAN_EVENTS_INTERNAL_WIRE_JSON_H_
