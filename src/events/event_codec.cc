#include "events/event_codec.h"

#include <fmt/format.h>

#include <array>

#include "events/internal/wire_json.h"
#include "events/internal/wire_time.h"

namespace banyan::events {
namespace {

constexpr uint8_t kFlagSentAt = 1;
constexpr uint8_t kFlagsKnown = kFlagSentAt;
constexpr size_t kVarintBytesMax = 10;
// Unix micros bound from wire_time.h's year limit; keeps deltas far from overflow.
constexpr int64_t kTimeMicrosMax = internal::kUnixMillisMax * 1000;
constexpr int64_t kTimeMicrosMin = -kTimeMicrosMax;

// Identifier types stored as one byte; 0 means "the type follows as a string".
constexpr std::array<std::string_view, 6> kKnownIdentifierTypes = {
    "", kAppUserId, kAnonymousId, kPreviousId, kPhone, kEmail,
};

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}
int64_t UnZigZag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

void PutString(std::string_view text, std::string* out) {
  PutVarint(text.size(), out);
  out->append(text);
}

// JSON sections: "{}" is stored as the empty string.
void PutJson(std::string_view json, std::string* out) { PutString(json == "{}" ? "" : json, out); }

uint8_t IdentifierTypeCode(std::string_view type) {
  for (size_t i = 1; i < kKnownIdentifierTypes.size(); ++i) {
    if (kKnownIdentifierTypes[i] == type) return static_cast<uint8_t>(i);
  }
  return 0;
}

// Bounds-checked reading of a record; every failure is DataLoss naming what was wrong.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return pos_ == bytes_.size(); }
  size_t pos() const { return pos_; }

  Result<uint8_t> Byte(std::string_view what) {
    if (pos_ >= bytes_.size()) return Truncated(what);
    return static_cast<uint8_t>(bytes_[pos_++]);
  }

  Result<uint64_t> Varint(std::string_view what) {
    uint64_t value = 0;
    for (size_t i = 0; i < kVarintBytesMax; ++i) {
      if (pos_ >= bytes_.size()) return Truncated(what);
      const auto byte = static_cast<uint8_t>(bytes_[pos_++]);
      if (i == kVarintBytesMax - 1 && byte > 1) break;
      value |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) return value;
    }
    return DataLossError(fmt::format("event record: bad varint for {} at byte {}", what, pos_));
  }

  Result<int64_t> Time(std::string_view what, int64_t base) {
    ASSIGN_OR_RETURN(const uint64_t raw, Varint(what));
    const int64_t delta = UnZigZag(raw);
    // `base` is itself within the bounds, so neither subtraction can overflow.
    if (delta < kTimeMicrosMin - base || delta > kTimeMicrosMax - base) {
      return DataLossError(fmt::format("event record: {} out of range", what));
    }
    return base + delta;
  }

  Result<std::string_view> String(std::string_view what, size_t length_max) {
    ASSIGN_OR_RETURN(const uint64_t length, Varint(what));
    if (length > length_max || length > bytes_.size() - pos_) {
      return DataLossError(fmt::format("event record: {} of {} bytes at byte {} is out of bounds",
                                       what, length, pos_));
    }
    const std::string_view text = bytes_.substr(pos_, length);
    pos_ += length;
    if (!simdjson::validate_utf8(text.data(), text.size())) {
      return DataLossError(fmt::format("event record: {} is not UTF-8", what));
    }
    return text;
  }

 private:
  Status Truncated(std::string_view what) const {
    return DataLossError(fmt::format("event record: truncated in {}", what));
  }
  std::string_view bytes_;
  size_t pos_ = 0;
};

// JSON sections must be objects; anything else is corruption.
Result<std::string> ReadJson(Reader* reader, std::string_view what) {
  ASSIGN_OR_RETURN(const std::string_view text, reader->String(what, kEventBytesMax));
  if (text.empty()) return std::string("{}");
  thread_local internal::WireJsonParser parser(kEventBytesMax);
  auto root = parser.Parse(text);
  if (!root.ok() || root->type() != internal::JsonType::OBJECT) {
    return DataLossError(fmt::format("event record: {} is not a JSON object", what));
  }
  return std::string(text);
}

Status ReadIdentifiers(Reader* reader, Event* event) {
  ASSIGN_OR_RETURN(const uint64_t count, reader->Varint("identifier count"));
  if (count > kIdentifiersMax) {
    return DataLossError(fmt::format("event record: {} identifiers", count));
  }
  event->identifiers.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(const uint8_t code, reader->Byte("identifier type"));
    Identifier identifier;
    if (code == 0) {
      ASSIGN_OR_RETURN(identifier.type, reader->String("identifier type", kIdentifierBytesMax));
    } else if (code < kKnownIdentifierTypes.size()) {
      identifier.type = kKnownIdentifierTypes[code];
    } else {
      return DataLossError(fmt::format("event record: identifier type code {}", code));
    }
    ASSIGN_OR_RETURN(identifier.value, reader->String("identifier value", kIdentifierBytesMax));
    event->identifiers.push_back(std::move(identifier));
  }
  return Status::Ok();
}

Status ReadHeader(Reader* reader, Event* event, uint8_t* flags) {
  ASSIGN_OR_RETURN(const uint8_t version, reader->Byte("version"));
  if (version != kEventRecordVersion) {
    return DataLossError(fmt::format("event record: unsupported version {}", version));
  }
  ASSIGN_OR_RETURN(const uint8_t type, reader->Byte("type"));
  ASSIGN_OR_RETURN(const uint8_t source, reader->Byte("source"));
  ASSIGN_OR_RETURN(const uint8_t channel, reader->Byte("channel"));
  ASSIGN_OR_RETURN(*flags, reader->Byte("flags"));
  if (type == 0 || type > kEventTypeMax || source == 0 || source > kEventSourceMax ||
      channel > kChannelMax || (*flags & ~kFlagsKnown) != 0) {
    return DataLossError(
        fmt::format("event record: bad header {}/{}/{}/{}", type, source, channel, *flags));
  }
  event->type = static_cast<EventType>(type);
  event->source = static_cast<EventSource>(source);
  event->channel = static_cast<Channel>(channel);
  return Status::Ok();
}

Status ReadBody(Reader* reader, uint8_t flags, Event* event) {
  ASSIGN_OR_RETURN(const int64_t event_time, reader->Time("event_time", 0));
  ASSIGN_OR_RETURN(const int64_t received_at, reader->Time("received_at", event_time));
  event->event_time = FromUnixMicros(event_time);
  event->received_at = FromUnixMicros(received_at);
  if (flags & kFlagSentAt) {
    ASSIGN_OR_RETURN(const int64_t sent_at, reader->Time("sent_at", received_at));
    event->sent_at = FromUnixMicros(sent_at);
  }
  ASSIGN_OR_RETURN(event->message_id, reader->String("message_id", kMessageIdBytesMax));
  if (event->message_id.empty()) return DataLossError("event record: empty message_id");
  ASSIGN_OR_RETURN(event->name, reader->String("name", kEventNameBytesMax));
  ASSIGN_OR_RETURN(event->group_id, reader->String("group_id", kIdentifierBytesMax));
  ASSIGN_OR_RETURN(event->write_key_id, reader->String("write_key_id", kIdentifierBytesMax));
  ASSIGN_OR_RETURN(event->project, reader->String("project", kProjectBytesMax));
  RETURN_IF_ERROR(ReadIdentifiers(reader, event));
  ASSIGN_OR_RETURN(event->properties, ReadJson(reader, "properties"));
  ASSIGN_OR_RETURN(event->traits, ReadJson(reader, "traits"));
  ASSIGN_OR_RETURN(event->context, ReadJson(reader, "context"));
  return Status::Ok();
}

}  // namespace

void EncodeEvent(const Event& event, std::string* out) {
  DCHECK(!event.message_id.empty() && event.message_id.size() <= kMessageIdBytesMax);
  DCHECK(event.identifiers.size() <= kIdentifiersMax);
  out->push_back(static_cast<char>(kEventRecordVersion));
  out->push_back(static_cast<char>(event.type));
  out->push_back(static_cast<char>(event.source));
  out->push_back(static_cast<char>(event.channel));
  out->push_back(static_cast<char>(event.sent_at ? kFlagSentAt : 0));
  const int64_t event_time = ToUnixMicros(event.event_time);
  const int64_t received_at = ToUnixMicros(event.received_at);
  PutVarint(ZigZag(event_time), out);
  PutVarint(ZigZag(received_at - event_time), out);
  if (event.sent_at) PutVarint(ZigZag(ToUnixMicros(*event.sent_at) - received_at), out);
  PutString(event.message_id, out);
  PutString(event.name, out);
  PutString(event.group_id, out);
  PutString(event.write_key_id, out);
  PutString(event.project, out);
  PutVarint(event.identifiers.size(), out);
  for (const auto& identifier : event.identifiers) {
    const uint8_t code = IdentifierTypeCode(identifier.type);
    out->push_back(static_cast<char>(code));
    if (code == 0) PutString(identifier.type, out);
    PutString(identifier.value, out);
  }
  PutJson(event.properties, out);
  PutJson(event.traits, out);
  PutJson(event.context, out);
}

std::string EncodeEvent(const Event& event) {
  std::string out;
  out.reserve(64 + event.properties.size() + event.traits.size() + event.context.size());
  EncodeEvent(event, &out);
  return out;
}

Result<Event> DecodeEvent(std::string_view bytes) {
  if (bytes.size() > kEventRecordBytesMax) {
    return DataLossError(fmt::format("event record of {} bytes is too large", bytes.size()));
  }
  Reader reader(bytes);
  Event event;
  uint8_t flags = 0;
  RETURN_IF_ERROR(ReadHeader(&reader, &event, &flags));
  RETURN_IF_ERROR(ReadBody(&reader, flags, &event));
  if (!reader.done()) {
    return DataLossError(
        fmt::format("event record: {} trailing bytes", bytes.size() - reader.pos()));
  }
  return event;
}

}  // namespace banyan::events
