#include "events/segment_protocol.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <utility>

#include "events/internal/wire_json.h"
#include "events/internal/wire_time.h"

namespace banyan::events {

using internal::AsIdString;
using internal::AsObject;
using internal::AsString;
using internal::FieldPointer;
using internal::Find;
using internal::FindString;
using internal::IdField;
using internal::JsonElement;
using internal::JsonObject;
using internal::JsonType;
using internal::JsonWriter;

namespace {

constexpr std::array<std::pair<std::string_view, EventType>, 12> kTypeNames = {{
    {"track", EventType::kTrack},
    {"t", EventType::kTrack},
    {"identify", EventType::kIdentify},
    {"i", EventType::kIdentify},
    {"alias", EventType::kAlias},
    {"a", EventType::kAlias},
    {"group", EventType::kGroup},
    {"g", EventType::kGroup},
    {"page", EventType::kPage},
    {"p", EventType::kPage},
    {"screen", EventType::kScreen},
    {"s", EventType::kScreen},
}};

constexpr size_t kTypeNameBytesMax = 16;

// The members of one Segment event the decoder reads; absent or null members are nullopt.
struct Fields {
  std::optional<JsonElement> type, event, name, user_id, anonymous_id, previous_id, group_id,
      message_id, timestamp, original_timestamp, sent_at, properties, traits, context, channel;
};

Fields CollectFields(JsonObject object) {
  Fields f;
  for (auto member : object) {
    if (member.value.type() == JsonType::NULL_VALUE) continue;
    const std::string_view key = member.key;
    std::optional<JsonElement>* slot = nullptr;
    switch (key.size()) {
      case 4:
        slot = key == "type" ? &f.type : key == "name" ? &f.name : nullptr;
        break;
      case 5:
        slot = key == "event" ? &f.event : nullptr;
        break;
      case 6:
        slot = key == "userId"   ? &f.user_id
               : key == "traits" ? &f.traits
               : key == "sentAt" ? &f.sent_at
                                 : nullptr;
        break;
      case 7:
        slot = key == "groupId"   ? &f.group_id
               : key == "context" ? &f.context
               : key == "channel" ? &f.channel
                                  : nullptr;
        break;
      case 9:
        slot = key == "messageId" ? &f.message_id : key == "timestamp" ? &f.timestamp : nullptr;
        break;
      case 10:
        slot = key == "previousId" ? &f.previous_id : key == "properties" ? &f.properties : nullptr;
        break;
      case 11:
        slot = key == "anonymousId" ? &f.anonymous_id : nullptr;
        break;
      case 17:
        slot = key == "originalTimestamp" ? &f.original_timestamp : nullptr;
        break;
      default:
        break;
    }
    if (slot != nullptr) *slot = member.value;
  }
  return f;
}

// A string member no longer than `length_max`; "" when absent.
// Identify traits named like an identifier type are identifiers too (Segment's conventional
// "email" and "phone", and the bank's own types when a client sends them as traits).
constexpr std::array<std::string_view, 9> kTraitIdentifierTypes = {
    kEmail,           kPhone,           "cust_no",
    "id_card",        "wechat_unionid", "wechat_openid",
    "alipay_user_id", "douyin_id",      "wecom_external_userid"};

constexpr size_t kExternalIdTypeBytesMax = 32;

bool IsIdentifierTypeName(std::string_view type) {
  if (type.empty() || type.size() > kExternalIdTypeBytesMax) return false;
  for (const char c : type) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

// context.device.id (the SDKs' device identifier) and Segment's context.externalIds
// ([{"id": ..., "type": ..., "collection": ..., "encoding": ...}], type = one of our identifier
// type names, e.g. "wechat_openid").
Status AddContextIdentifiers(JsonObject context, std::string_view base, Event* event) {
  const std::string context_base = FieldPointer(base, "context");
  if (const auto device = Find(context, "device"); device && AsObject(*device)) {
    if (const auto id = Find(*AsObject(*device), "id")) {
      const std::string field = FieldPointer(FieldPointer(context_base, "device"), "id");
      const auto value = internal::AsIdString(*id);
      if (!value) return InvalidArgumentError("expected a string", field);
      RETURN_IF_ERROR(AddIdentifier("device_id", *value, &event->identifiers, field));
    }
  }
  const auto external = Find(context, "externalIds");
  if (!external) return Status::Ok();
  const std::string list_base = FieldPointer(context_base, "externalIds");
  if (external->type() != JsonType::ARRAY) {
    return InvalidArgumentError("expected an array", list_base);
  }
  size_t index = 0;
  for (JsonElement item : internal::JsonArray(*external)) {
    const std::string item_base = FieldPointer(list_base, std::to_string(index++));
    const auto object = AsObject(item);
    if (!object) return InvalidArgumentError("expected an object", item_base);
    const auto type_element = Find(*object, "type");
    const auto type = type_element ? AsString(*type_element) : std::nullopt;
    if (!type || !IsIdentifierTypeName(*type)) {
      return InvalidArgumentError(
          fmt::format("expected an identifier type name ([a-z0-9_], at most {} bytes)",
                      kExternalIdTypeBytesMax),
          FieldPointer(item_base, "type"));
    }
    ASSIGN_OR_RETURN(const std::string id, IdField(Find(*object, "id"), item_base, "id"));
    if (id.empty()) return InvalidArgumentError("is required", FieldPointer(item_base, "id"));
    RETURN_IF_ERROR(AddIdentifier(*type, id, &event->identifiers, item_base));
  }
  return Status::Ok();
}

Result<std::string_view> StringField(const std::optional<JsonElement>& value, std::string_view base,
                                     std::string_view key, size_t length_max) {
  if (!value) return std::string_view();
  const auto text = AsString(*value);
  if (!text) return InvalidArgumentError("expected a string", FieldPointer(base, key));
  if (text->size() > length_max) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", length_max),
                                FieldPointer(base, key));
  }
  return *text;
}

Result<std::optional<Timestamp>> TimeField(const std::optional<JsonElement>& value,
                                           std::string_view base, std::string_view key) {
  if (!value) return std::optional<Timestamp>();
  const auto text = AsString(*value);
  std::optional<Timestamp> parsed;
  if (text) parsed = internal::ParseWireTimestamp(*text);
  if (!parsed) {
    return InvalidArgumentError("expected an RFC 3339 timestamp", FieldPointer(base, key));
  }
  return parsed;
}

Result<std::optional<JsonObject>> ObjectField(const std::optional<JsonElement>& value,
                                              std::string_view base, std::string_view key) {
  if (!value) return std::optional<JsonObject>();
  auto object = AsObject(*value);
  if (!object) return InvalidArgumentError("expected an object", FieldPointer(base, key));
  return object;
}

// Writes `primary` then the members of `secondary` that `primary` lacks.
std::string MergedObject(std::optional<JsonObject> primary, std::optional<JsonObject> secondary,
                         JsonWriter* writer) {
  std::string out = "{";
  bool first = true;
  if (primary) {
    for (auto member : *primary) writer->Member(member.key, member.value, &out, &first);
  }
  if (secondary) {
    for (auto member : *secondary) {
      JsonElement ignored;
      if (primary && primary->at_key(member.key).get(ignored) == simdjson::SUCCESS) continue;
      writer->Member(member.key, member.value, &out, &first);
    }
  }
  out.push_back('}');
  return out;
}

std::string_view NestedString(std::optional<JsonObject> object, std::string_view key,
                              std::string_view nested_key) {
  if (!object) return {};
  const auto value = Find(*object, key);
  if (!value) return {};
  const auto nested = AsObject(*value);
  return nested ? FindString(*nested, nested_key) : std::string_view();
}

}  // namespace

std::optional<EventType> SegmentTypeFromName(std::string_view name) {
  if (name.empty() || name.size() > kTypeNameBytesMax) return std::nullopt;
  std::array<char, kTypeNameBytesMax> lowered;
  for (size_t i = 0; i < name.size(); ++i) {
    lowered[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
  }
  const std::string_view key(lowered.data(), name.size());
  for (const auto& [text, type] : kTypeNames) {
    if (text == key) return type;
  }
  return std::nullopt;
}

std::optional<SegmentCall> SegmentCallFromPath(std::string_view last_path_segment) {
  if (last_path_segment == "batch" || last_path_segment == "b" || last_path_segment == "import") {
    return SegmentCall::kBatch;
  }
  const auto type = SegmentTypeFromName(last_path_segment);
  if (!type) return std::nullopt;
  switch (*type) {
    case EventType::kTrack:
      return SegmentCall::kTrack;
    case EventType::kIdentify:
      return SegmentCall::kIdentify;
    case EventType::kAlias:
      return SegmentCall::kAlias;
    case EventType::kGroup:
      return SegmentCall::kGroup;
    case EventType::kPage:
      return SegmentCall::kPage;
    case EventType::kScreen:
      return SegmentCall::kScreen;
    default:
      return std::nullopt;
  }
}

// What one event inherits from its batch and its request.
struct EventDefaults {
  SegmentCall call = SegmentCall::kFromBody;
  std::optional<Timestamp> sent_at;
  std::optional<JsonObject> context;
  EventSource source = EventSource::kSegment;
  bool require_timestamp = false;
  std::string_view derived_id_prefix = "derived-";
};

class SegmentDecoder::Impl {
 public:
  Impl() : parser_(kSegmentRequestBytesMax) {}

  Result<DecodedEvents> Decode(std::string_view body, SegmentCall call, const WireContext& context);
  Result<Event> DecodeImportEvent(std::string_view json, const WireContext& context,
                                  C3Counts* c3_removed);

 private:
  Status DecodeBatch(JsonObject root, const WireContext& context, DecodedEvents* out);
  Result<Event> DecodeOne(JsonElement value, std::string_view base, const EventDefaults& defaults,
                          const WireContext& context, C3Counts* c3_removed);
  Result<EventType> TypeOf(const Fields& f, std::string_view base, SegmentCall call);
  Status FillIdentity(const Fields& f, std::string_view base, Event* event);
  Status FillTimes(const Fields& f, std::string_view base, const EventDefaults& defaults,
                   const WireContext& context, Event* event);
  Status FillPayloads(const Fields& f, std::string_view base, const EventDefaults& defaults,
                      JsonWriter* writer, Event* event);

  internal::WireJsonParser parser_;
};

Result<EventType> SegmentDecoder::Impl::TypeOf(const Fields& f, std::string_view base,
                                               SegmentCall call) {
  switch (call) {
    case SegmentCall::kTrack:
      return EventType::kTrack;
    case SegmentCall::kIdentify:
      return EventType::kIdentify;
    case SegmentCall::kAlias:
      return EventType::kAlias;
    case SegmentCall::kGroup:
      return EventType::kGroup;
    case SegmentCall::kPage:
      return EventType::kPage;
    case SegmentCall::kScreen:
      return EventType::kScreen;
    case SegmentCall::kFromBody:
    case SegmentCall::kBatch:
      break;
  }
  if (!f.type) return InvalidArgumentError("is required", FieldPointer(base, "type"));
  const auto name = AsString(*f.type);
  if (!name) return InvalidArgumentError("expected a string", FieldPointer(base, "type"));
  const auto type = SegmentTypeFromName(*name);
  if (!type) {
    return InvalidArgumentError(
        fmt::format("unknown event type '{}'; expected track, identify, alias, group, page or "
                    "screen",
                    name->substr(0, kTypeNameBytesMax * 4)),
        FieldPointer(base, "type"));
  }
  return *type;
}

Status SegmentDecoder::Impl::FillIdentity(const Fields& f, std::string_view base, Event* event) {
  ASSIGN_OR_RETURN(const std::string user_id, IdField(f.user_id, base, "userId"));
  ASSIGN_OR_RETURN(const std::string anonymous_id, IdField(f.anonymous_id, base, "anonymousId"));
  ASSIGN_OR_RETURN(const std::string previous_id, IdField(f.previous_id, base, "previousId"));
  if (event->type == EventType::kAlias) {
    if (user_id.empty()) return InvalidArgumentError("is required", FieldPointer(base, "userId"));
    if (previous_id.empty()) {
      return InvalidArgumentError("is required", FieldPointer(base, "previousId"));
    }
  } else if (user_id.empty() && anonymous_id.empty()) {
    return InvalidArgumentError("userId or anonymousId is required", std::string(base));
  }
  RETURN_IF_ERROR(AddIdentifier(kAppUserId, user_id, &event->identifiers, base));
  RETURN_IF_ERROR(AddIdentifier(kAnonymousId, anonymous_id, &event->identifiers, base));
  RETURN_IF_ERROR(AddIdentifier(kPreviousId, previous_id, &event->identifiers, base));
  if (event->type == EventType::kGroup) {
    ASSIGN_OR_RETURN(event->group_id, IdField(f.group_id, base, "groupId"));
    if (event->group_id.empty()) {
      return InvalidArgumentError("is required", FieldPointer(base, "groupId"));
    }
  }
  ASSIGN_OR_RETURN(const auto message_id,
                   StringField(f.message_id, base, "messageId", kMessageIdBytesMax));
  event->message_id = message_id;
  return Status::Ok();
}

Status SegmentDecoder::Impl::FillTimes(const Fields& f, std::string_view base,
                                       const EventDefaults& defaults, const WireContext& context,
                                       Event* event) {
  ASSIGN_OR_RETURN(auto original, TimeField(f.original_timestamp, base, "originalTimestamp"));
  if (!original) {
    ASSIGN_OR_RETURN(original, TimeField(f.timestamp, base, "timestamp"));
  }
  if (!original && defaults.require_timestamp) {
    return InvalidArgumentError("is required", FieldPointer(base, "timestamp"));
  }
  ASSIGN_OR_RETURN(auto sent_at, TimeField(f.sent_at, base, "sentAt"));
  if (!sent_at) sent_at = defaults.sent_at;
  event->received_at = context.received_at;
  event->sent_at = sent_at;
  event->event_time = CorrectClockSkew(context.received_at, sent_at, original);
  return Status::Ok();
}

Status SegmentDecoder::Impl::FillPayloads(const Fields& f, std::string_view base,
                                          const EventDefaults& defaults, JsonWriter* writer,
                                          Event* event) {
  ASSIGN_OR_RETURN(const auto properties, ObjectField(f.properties, base, "properties"));
  ASSIGN_OR_RETURN(const auto traits, ObjectField(f.traits, base, "traits"));
  ASSIGN_OR_RETURN(const auto context, ObjectField(f.context, base, "context"));
  if (properties) {
    event->properties.clear();
    writer->Value(*f.properties, &event->properties);
  }
  if (traits) {
    event->traits.clear();
    writer->Value(*f.traits, &event->traits);
  }
  if (context || defaults.context) event->context = MergedObject(context, defaults.context, writer);

  if (event->type == EventType::kIdentify && traits) {
    for (const std::string_view type : kTraitIdentifierTypes) {
      RETURN_IF_ERROR(AddIdentifier(type, FindString(*traits, type), &event->identifiers,
                                    FieldPointer(FieldPointer(base, "traits"), type)));
    }
  }
  if (context) RETURN_IF_ERROR(AddContextIdentifiers(*context, base, event));
  ChannelHints hints;
  if (properties) {
    hints.property_channel = FindString(*properties, "channel");
    hints.campaign_source = FindString(*properties, "utm_source");
  }
  const auto campaign = NestedString(context, "campaign", "source");
  if (!campaign.empty()) hints.campaign_source = campaign;
  for (const auto& ctx : {context, defaults.context}) {
    if (!ctx) continue;
    if (hints.user_agent.empty()) hints.user_agent = FindString(*ctx, "userAgent");
    if (hints.library_name.empty()) hints.library_name = NestedString(ctx, "library", "name");
  }
  if (f.channel) hints.sdk_channel = AsString(*f.channel).value_or(std::string_view());
  event->channel = DeriveChannel(hints);
  return Status::Ok();
}

Result<Event> SegmentDecoder::Impl::DecodeOne(JsonElement value, std::string_view base,
                                              const EventDefaults& defaults,
                                              const WireContext& context, C3Counts* c3_removed) {
  const auto object = AsObject(value);
  if (!object) return InvalidArgumentError("expected a JSON object", std::string(base));
  const size_t size = internal::CompactJsonSizeAtMost(value, kEventBytesMax);
  if (size > kEventBytesMax) {
    return TooLargeError(
        fmt::format("event of {} bytes exceeds the limit of {} bytes", size, kEventBytesMax),
        std::string(base));
  }
  const Fields f = CollectFields(*object);
  Event event;
  event.source = defaults.source;
  ASSIGN_OR_RETURN(event.type, TypeOf(f, base, defaults.call));
  RETURN_IF_ERROR(FillIdentity(f, base, &event));
  if (event.type == EventType::kTrack) {
    ASSIGN_OR_RETURN(event.name, StringField(f.event, base, "event", kEventNameBytesMax));
    if (event.name.empty()) return InvalidArgumentError("is required", FieldPointer(base, "event"));
  } else if (event.type == EventType::kPage || event.type == EventType::kScreen) {
    ASSIGN_OR_RETURN(event.name, StringField(f.name, base, "name", kEventNameBytesMax));
    if (event.name.empty() && f.properties && AsObject(*f.properties)) {
      const auto name = FindString(*AsObject(*f.properties), "name");
      if (name.size() <= kEventNameBytesMax) event.name = name;
    }
  }
  RETURN_IF_ERROR(FillTimes(f, base, defaults, context, &event));
  JsonWriter writer(context.c3_filter ? context.c3_filter : &C3Filter::Default(), c3_removed);
  RETURN_IF_ERROR(FillPayloads(f, base, defaults, &writer, &event));
  if (event.message_id.empty()) {
    event.message_id = internal::DerivedMessageId(defaults.derived_id_prefix, value,
                                                  {"sentAt", "_metadata", "writeKey"});
  }
  event.write_key_id = context.write_key_id;
  event.project = context.project;
  return event;
}

Status SegmentDecoder::Impl::DecodeBatch(JsonObject root, const WireContext& context,
                                         DecodedEvents* out) {
  const auto batch = Find(root, "batch");
  if (!batch) return InvalidArgumentError("is required", "/batch");
  if (batch->type() != JsonType::ARRAY) return InvalidArgumentError("expected an array", "/batch");
  const auto items = batch->get_array().value_unsafe();
  const size_t count = items.size();
  if (count > kBatchEventsMax) {
    return TooLargeError(
        fmt::format("batch of {} events exceeds the limit of {}", count, kBatchEventsMax),
        "/batch");
  }
  EventDefaults defaults;
  ASSIGN_OR_RETURN(defaults.sent_at, TimeField(Find(root, "sentAt"), "", "sentAt"));
  ASSIGN_OR_RETURN(defaults.context, ObjectField(Find(root, "context"), "", "context"));
  out->events.reserve(count);
  size_t index = 0;
  for (JsonElement item : items) {
    const std::string base = fmt::format("/batch/{}", index++);
    ASSIGN_OR_RETURN(Event event, DecodeOne(item, base, defaults, context, &out->c3_removed));
    out->events.push_back(std::move(event));
  }
  return Status::Ok();
}

Result<DecodedEvents> SegmentDecoder::Impl::Decode(std::string_view body, SegmentCall call,
                                                   const WireContext& context) {
  if (body.size() > kSegmentRequestBytesMax) {
    return TooLargeError(fmt::format("request body of {} bytes exceeds the limit of {} bytes",
                                     body.size(), kSegmentRequestBytesMax));
  }
  ASSIGN_OR_RETURN(const JsonElement root, parser_.Parse(body));
  const auto object = AsObject(root);
  if (!object) return InvalidArgumentError("expected a JSON object");
  DecodedEvents out;
  ASSIGN_OR_RETURN(const auto write_key,
                   StringField(Find(*object, "writeKey"), "", "writeKey", kIdentifierBytesMax));
  out.write_key = write_key;
  const bool batch =
      call == SegmentCall::kBatch || (call == SegmentCall::kFromBody && Find(*object, "batch"));
  if (batch) {
    RETURN_IF_ERROR(DecodeBatch(*object, context, &out));
    return out;
  }
  EventDefaults defaults;
  defaults.call = call;
  ASSIGN_OR_RETURN(Event event, DecodeOne(root, "", defaults, context, &out.c3_removed));
  out.events.push_back(std::move(event));
  return out;
}

Result<Event> SegmentDecoder::Impl::DecodeImportEvent(std::string_view json,
                                                      const WireContext& context,
                                                      C3Counts* c3_removed) {
  ASSIGN_OR_RETURN(const JsonElement root, parser_.Parse(json));
  EventDefaults defaults;
  defaults.source = EventSource::kImport;
  defaults.require_timestamp = true;
  defaults.derived_id_prefix = "import-";
  return DecodeOne(root, "", defaults, context, c3_removed);
}

SegmentDecoder::SegmentDecoder() : impl_(std::make_unique<Impl>()) {}
SegmentDecoder::~SegmentDecoder() = default;

Result<DecodedEvents> SegmentDecoder::Decode(std::string_view body, SegmentCall call,
                                             const WireContext& context) {
  return impl_->Decode(body, call, context);
}

Result<Event> SegmentDecoder::DecodeImportEvent(std::string_view json, const WireContext& context,
                                                C3Counts* c3_removed) {
  return impl_->DecodeImportEvent(json, context, c3_removed);
}

}  // namespace banyan::events
