#include "events/sensors_protocol.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "base/encoding.h"
#include "base/json.h"
#include "events/internal/wire_form.h"
#include "events/internal/wire_gzip.h"
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

constexpr std::string_view kIdentityPrefix = "$identity_";

constexpr std::array<std::pair<std::string_view, std::string_view>, 60> kSensorsPresetNames = {{
    {"$os", "os"},
    {"$os_version", "os_version"},
    {"$model", "device_model"},
    {"$manufacturer", "device_manufacturer"},
    {"$brand", "device_brand"},
    {"$device_id", "device_id"},
    {"$ip", "ip"},
    {"$city", "city"},
    {"$province", "province"},
    {"$country", "country"},
    {"$app_version", "app_version"},
    {"$app_name", "app_name"},
    {"$app_id", "app_id"},
    {"$screen_width", "screen_width"},
    {"$screen_height", "screen_height"},
    {"$screen_name", "screen_name"},
    {"$title", "title"},
    {"$url", "url"},
    {"$url_path", "url_path"},
    {"$referrer", "referrer"},
    {"$referrer_host", "referrer_host"},
    {"$latest_referrer", "latest_referrer"},
    {"$latest_referrer_host", "latest_referrer_host"},
    {"$utm_source", "utm_source"},
    {"$utm_medium", "utm_medium"},
    {"$utm_campaign", "utm_campaign"},
    {"$utm_content", "utm_content"},
    {"$utm_term", "utm_term"},
    {"$latest_utm_source", "latest_utm_source"},
    {"$latest_utm_medium", "latest_utm_medium"},
    {"$latest_utm_campaign", "latest_utm_campaign"},
    {"$latest_utm_content", "latest_utm_content"},
    {"$latest_utm_term", "latest_utm_term"},
    {"$latest_traffic_source_type", "latest_traffic_source_type"},
    {"$latest_search_keyword", "latest_search_keyword"},
    {"$browser", "browser"},
    {"$browser_version", "browser_version"},
    {"$network_type", "network_type"},
    {"$carrier", "carrier"},
    {"$wifi", "wifi"},
    {"$timezone_offset", "timezone_offset"},
    {"$is_first_day", "is_first_day"},
    {"$is_first_time", "is_first_time"},
    {"$element_id", "element_id"},
    {"$element_content", "element_content"},
    {"$element_type", "element_type"},
    {"$element_name", "element_name"},
    {"$element_selector", "element_selector"},
    {"$element_path", "element_path"},
    {"$scene", "mp_scene"},
    {"$event_duration", "event_duration"},
    {"$user_agent", "user_agent"},
    {"$lib", "lib"},
    {"$lib_version", "lib_version"},
    {"$lib_method", "lib_method"},
    {"$viewport_width", "viewport_width"},
    {"$viewport_height", "viewport_height"},
    {"$viewport_position", "viewport_position"},
    {"$device_type", "device_type"},
    {"$language", "language"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kIdentityTypes = {{
    {"$identity_login_id", kAppUserId},
    {"$identity_anonymous_id", kAnonymousId},
    {"$identity_cookie_id", kAnonymousId},
    {"$identity_android_uuid", kAnonymousId},
    {"$identity_mobile", kPhone},
    {"$identity_email", kEmail},
    {"$identity_mp_openid", "wechat_openid"},
    {"$identity_mp_wx_openid", "wechat_openid"},
    {"$identity_mp_unionid", "wechat_unionid"},
    {"$identity_alipay_user_id", "alipay_user_id"},
    {"$identity_android_id", "android_id"},
    {"$identity_idfv", "idfv"},
    {"$identity_idfa", "idfa"},
    {"$identity_oaid", "oaid"},
}};

struct PresetNames {
  std::unordered_map<std::string_view, std::string_view> renames;
  std::unordered_set<std::string_view> targets;
};

const PresetNames& Presets() {
  static const PresetNames* const kPresets = [] {
    auto* presets = new PresetNames;
    for (const auto& [from, to] : kSensorsPresetNames) {
      presets->renames.emplace(from, to);
      presets->targets.insert(to);
    }
    return presets;
  }();
  return *kPresets;
}

std::string_view IdentityType(std::string_view key) {
  for (const auto& [name, type] : kIdentityTypes) {
    if (name == key) return type;
  }
  if (key.starts_with(kIdentityPrefix) && key.size() > kIdentityPrefix.size()) {
    return key.substr(kIdentityPrefix.size());
  }
  return key;
}

struct RecordType {
  EventType type;
  bool signup = false;
  bool profile = false;  // attributes go to traits
};

std::optional<RecordType> RecordTypeFromName(std::string_view name) {
  if (name == "track") return RecordType{EventType::kTrack};
  if (name == "track_signup") return RecordType{EventType::kAlias, true};
  if (name == "profile_set") return RecordType{EventType::kIdentify, false, true};
  if (name == "profile_set_once") return RecordType{EventType::kProfileSetOnce, false, true};
  if (name == "profile_increment") return RecordType{EventType::kProfileIncrement, false, true};
  if (name == "profile_append") return RecordType{EventType::kProfileAppend, false, true};
  if (name == "profile_unset") return RecordType{EventType::kProfileUnset, false, true};
  return std::nullopt;
}

// The members of one record the decoder reads; absent or null members are nullopt.
struct Fields {
  std::optional<JsonElement> type, event, distinct_id, login_id, anonymous_id, original_id,
      identities, time, flush_time, track_id, lib, properties, project;
};

Fields CollectFields(JsonObject object) {
  Fields f;
  for (auto member : object) {
    if (member.value.type() == JsonType::NULL_VALUE) continue;
    const std::string_view key = member.key;
    std::optional<JsonElement>* slot = nullptr;
    if (key == "type")
      slot = &f.type;
    else if (key == "event")
      slot = &f.event;
    else if (key == "distinct_id")
      slot = &f.distinct_id;
    else if (key == "login_id")
      slot = &f.login_id;
    else if (key == "anonymous_id")
      slot = &f.anonymous_id;
    else if (key == "original_id")
      slot = &f.original_id;
    else if (key == "identities")
      slot = &f.identities;
    else if (key == "time")
      slot = &f.time;
    else if (key == "_flush_time")
      slot = &f.flush_time;
    else if (key == "_track_id")
      slot = &f.track_id;
    else if (key == "lib")
      slot = &f.lib;
    else if (key == "properties")
      slot = &f.properties;
    else if (key == "project")
      slot = &f.project;
    if (slot != nullptr) *slot = member.value;
  }
  return f;
}

Result<std::optional<int64_t>> MillisField(const std::optional<JsonElement>& value,
                                           std::string_view base, std::string_view key) {
  if (!value) return std::optional<int64_t>();
  if (value->type() != JsonType::INT64 || value->get_int64().value_unsafe() < 0 ||
      value->get_int64().value_unsafe() > internal::kUnixMillisMax) {
    return InvalidArgumentError("expected milliseconds since the Unix epoch",
                                FieldPointer(base, key));
  }
  return std::optional<int64_t>(value->get_int64().value_unsafe());
}

std::optional<Timestamp> FromMillis(std::optional<int64_t> millis) {
  if (!millis) return std::nullopt;
  return FromUnixMicros(*millis * 1000);
}

// Writes `properties` with preset names renamed (top level only) and C3 members removed.
std::string RenamedProperties(JsonObject properties, JsonWriter* writer) {
  const PresetNames& presets = Presets();
  std::vector<std::string_view> taken;  // plain names that a rename must not duplicate
  for (auto member : properties) {
    if (!member.key.starts_with('$') && presets.targets.contains(member.key)) {
      taken.push_back(member.key);
    }
  }
  std::string out = "{";
  bool first = true;
  for (auto member : properties) {
    std::string_view key = member.key;
    if (key.starts_with('$')) {
      const auto it = presets.renames.find(key);
      if (it != presets.renames.end() &&
          std::find(taken.begin(), taken.end(), it->second) == taken.end()) {
        key = it->second;
      }
    }
    writer->Member(key, member.value, &out, &first);
  }
  out.push_back('}');
  return out;
}

// See the header: the fields Sensors dedups on when the SDK sent a _track_id, else the record.
std::string MessageId(const Fields& f, JsonElement record, std::optional<int64_t> time) {
  if (!f.track_id || f.track_id->type() != JsonType::INT64) {
    return internal::DerivedMessageId("sa-", record, {"_flush_time"});
  }
  const std::string key =
      fmt::format("{}\n{}\n{}\n{}\n{}", AsIdString(*f.distinct_id).value_or(""), time.value_or(-1),
                  f.track_id->get_int64().value_unsafe(), FindString(*AsObject(record), "type"),
                  f.event ? AsString(*f.event).value_or("") : std::string_view());
  return internal::HashedMessageId("sa-", key);
}

std::string LibraryContext(std::optional<JsonObject> lib, std::optional<JsonObject> properties) {
  std::string_view name = lib ? FindString(*lib, "$lib") : std::string_view();
  std::string_view version = lib ? FindString(*lib, "$lib_version") : std::string_view();
  const std::string_view method = lib ? FindString(*lib, "$lib_method") : std::string_view();
  if (name.empty() && properties) name = FindString(*properties, "$lib");
  if (version.empty() && properties) version = FindString(*properties, "$lib_version");
  if (name.empty() && version.empty() && method.empty()) return "{}";
  std::string out = "{\"library\":{";
  bool first = true;
  for (const auto& [key, value] :
       {std::pair{"name", name}, std::pair{"version", version}, std::pair{"method", method}}) {
    if (value.empty()) continue;
    if (!first) out.push_back(',');
    first = false;
    internal::AppendJsonString(key, &out);
    out.push_back(':');
    internal::AppendJsonString(value, &out);
  }
  out += "}}";
  return out;
}

}  // namespace

class SensorsDecoder::Impl {
 public:
  Impl() : parser_(kSensorsDecodedBytesMax) {}
  Result<DecodedEvents> Decode(std::string_view body, std::string_view query,
                               const WireContext& context);

 private:
  struct Payload {
    std::string json;
    std::string field;  // "/data" or "/data_list"
    std::string project;
  };
  Result<Payload> ReadForm(std::string_view body, std::string_view query);
  Result<Event> DecodeRecord(JsonElement value, std::string_view base, std::string_view project,
                             const WireContext& context, C3Counts* c3_removed);
  Status FillIdentity(const Fields& f, std::string_view base, const RecordType& record,
                      std::optional<JsonObject> properties, Event* event);
  Status FillTypeAndName(const Fields& f, std::string_view base, RecordType* record, Event* event);
  void FillPayloads(const Fields& f, const RecordType& record, JsonWriter* writer, Event* event);

  internal::WireJsonParser parser_;
};

Result<SensorsDecoder::Impl::Payload> SensorsDecoder::Impl::ReadForm(std::string_view body,
                                                                     std::string_view query) {
  if (body.size() > kSensorsRequestBytesMax || query.size() > kSensorsRequestBytesMax) {
    return TooLargeError(fmt::format("request of {} bytes exceeds the limit of {} bytes",
                                     std::max(body.size(), query.size()), kSensorsRequestBytesMax));
  }
  ASSIGN_OR_RETURN(auto fields, internal::SplitForm(query));
  ASSIGN_OR_RETURN(auto body_fields, internal::SplitForm(body));
  fields.insert(fields.end(), body_fields.begin(), body_fields.end());  // later fields win
  const internal::FormField* data = nullptr;
  std::string_view gzip, project;
  for (const auto& field : fields) {
    if (field.name == "data" || field.name == "data_list") data = &field;
    if (field.name == "gzip") gzip = field.value;
    if (field.name == "project") project = field.value;
  }
  if (data == nullptr) return InvalidArgumentError("data or data_list is required");
  Payload payload;
  payload.field = "/" + data->name;
  if (gzip == "9") {
    return InvalidArgumentError("encrypted payloads (gzip=9) are not supported", "/gzip");
  }
  if (!gzip.empty() && gzip != "0" && gzip != "1") {
    return InvalidArgumentError("expected 0 or 1", "/gzip");
  }
  auto text = internal::FormDecode(data->value);
  if (!text) return InvalidArgumentError("badly percent-encoded", payload.field);
  // A '+' that the client did not percent-encode arrives as ' '; the URL-safe alphabet is
  // tolerated too.
  if (text->find_first_of(" -_") != std::string::npos) {
    for (char& c : *text) {
      if (c == ' ' || c == '-') c = '+';
      if (c == '_') c = '/';
    }
  }
  auto decoded = Base64Decode(*text);
  if (!decoded) return InvalidArgumentError("not valid base64", payload.field);
  if (gzip == "1" || internal::HasGzipMagic(*decoded)) {
    auto unzipped = internal::GunzipBounded(*decoded, kSensorsDecodedBytesMax);
    if (!unzipped.ok()) return unzipped.status().WithFieldPrefix(payload.field);
    payload.json = std::move(unzipped).value();
  } else {
    payload.json = std::move(*decoded);
  }
  if (auto name = internal::FormDecode(project)) payload.project = std::move(*name);
  if (payload.project.size() > kProjectBytesMax ||
      !simdjson::validate_utf8(payload.project.data(), payload.project.size())) {
    return InvalidArgumentError(fmt::format("expected UTF-8 of at most {} bytes", kProjectBytesMax),
                                "/project");
  }
  return payload;
}

Status SensorsDecoder::Impl::FillTypeAndName(const Fields& f, std::string_view base,
                                             RecordType* record, Event* event) {
  if (!f.type) return InvalidArgumentError("is required", FieldPointer(base, "type"));
  const auto type_name = AsString(*f.type);
  if (!type_name) return InvalidArgumentError("expected a string", FieldPointer(base, "type"));
  const auto type = RecordTypeFromName(*type_name);
  if (!type) {
    const std::string shown(type_name->substr(0, 64));
    if (type_name->starts_with("item_")) {
      return InvalidArgumentError(fmt::format("item records ('{}') are not supported", shown),
                                  FieldPointer(base, "type"));
    }
    return InvalidArgumentError(fmt::format("unknown record type '{}'", shown),
                                FieldPointer(base, "type"));
  }
  *record = *type;
  event->type = type->type;
  if (f.event) {
    const auto name = AsString(*f.event);
    if (!name) return InvalidArgumentError("expected a string", FieldPointer(base, "event"));
    if (name->size() > kEventNameBytesMax) {
      return InvalidArgumentError(fmt::format("longer than {} bytes", kEventNameBytesMax),
                                  FieldPointer(base, "event"));
    }
    event->name = *name;
  }
  if ((type->type == EventType::kTrack || type->signup) && event->name.empty()) {
    return InvalidArgumentError("is required", FieldPointer(base, "event"));
  }
  if (type->type == EventType::kTrack && event->name == "$pageview") event->type = EventType::kPage;
  if (type->type == EventType::kTrack &&
      (event->name == "$AppViewScreen" || event->name == "$MPViewScreen")) {
    event->type = EventType::kScreen;
  }
  return Status::Ok();
}

Status SensorsDecoder::Impl::FillIdentity(const Fields& f, std::string_view base,
                                          const RecordType& record,
                                          std::optional<JsonObject> properties, Event* event) {
  ASSIGN_OR_RETURN(const std::string distinct_id, IdField(f.distinct_id, base, "distinct_id"));
  ASSIGN_OR_RETURN(const std::string login_id, IdField(f.login_id, base, "login_id"));
  ASSIGN_OR_RETURN(const std::string anonymous_id, IdField(f.anonymous_id, base, "anonymous_id"));
  ASSIGN_OR_RETURN(const std::string original_id, IdField(f.original_id, base, "original_id"));
  if (distinct_id.empty())
    return InvalidArgumentError("is required", FieldPointer(base, "distinct_id"));
  bool is_login = distinct_id == login_id || record.signup;
  if (properties) {
    bool flag = false;
    if (const auto value = Find(*properties, "$is_login_id");
        value && value->get_bool().get(flag) == simdjson::SUCCESS) {
      is_login = is_login || flag;
    }
  }
  auto& ids = event->identifiers;
  RETURN_IF_ERROR(AddIdentifier(kAppUserId, login_id, &ids, FieldPointer(base, "login_id")));
  RETURN_IF_ERROR(AddIdentifier(is_login ? kAppUserId : kAnonymousId, distinct_id, &ids,
                                FieldPointer(base, "distinct_id")));
  RETURN_IF_ERROR(
      AddIdentifier(kAnonymousId, anonymous_id, &ids, FieldPointer(base, "anonymous_id")));
  RETURN_IF_ERROR(
      AddIdentifier(kAnonymousId, original_id, &ids, FieldPointer(base, "original_id")));
  if (!f.identities) return Status::Ok();
  const auto identities = AsObject(*f.identities);
  if (!identities)
    return InvalidArgumentError("expected an object", FieldPointer(base, "identities"));
  for (auto member : *identities) {
    const auto value = AsString(member.value);
    const std::string field = JsonPointer(FieldPointer(base, "identities"), member.key);
    if (!value) return InvalidArgumentError("expected a string", field);
    RETURN_IF_ERROR(AddIdentifier(IdentityType(member.key), *value, &ids, field));
  }
  return Status::Ok();
}

void SensorsDecoder::Impl::FillPayloads(const Fields& f, const RecordType& record,
                                        JsonWriter* writer, Event* event) {
  const auto properties = f.properties ? AsObject(*f.properties) : std::nullopt;
  const auto lib = f.lib ? AsObject(*f.lib) : std::nullopt;
  if (properties) {
    (record.profile ? event->traits : event->properties) = RenamedProperties(*properties, writer);
  }
  event->context = LibraryContext(lib, properties);
  ChannelHints hints;
  if (properties) {
    hints.property_channel = FindString(*properties, "channel");
    for (const auto key : {"$latest_utm_source", "$utm_source", "utm_source"}) {
      if (hints.campaign_source.empty()) hints.campaign_source = FindString(*properties, key);
    }
    hints.user_agent = FindString(*properties, "$user_agent");
    hints.library_name = FindString(*properties, "$lib");
  }
  if (lib && !FindString(*lib, "$lib").empty()) hints.library_name = FindString(*lib, "$lib");
  event->channel = DeriveChannel(hints);
}

Result<Event> SensorsDecoder::Impl::DecodeRecord(JsonElement value, std::string_view base,
                                                 std::string_view project,
                                                 const WireContext& context, C3Counts* c3_removed) {
  const auto object = AsObject(value);
  if (!object) return InvalidArgumentError("expected a JSON object", std::string(base));
  const size_t size = internal::CompactJsonSizeAtMost(value, kEventBytesMax);
  if (size > kEventBytesMax) {
    return TooLargeError(
        fmt::format("record of {} bytes exceeds the limit of {} bytes", size, kEventBytesMax),
        std::string(base));
  }
  const Fields f = CollectFields(*object);
  Event event;
  event.source = EventSource::kSensors;
  RecordType record{EventType::kTrack};
  RETURN_IF_ERROR(FillTypeAndName(f, base, &record, &event));
  if (f.properties && !AsObject(*f.properties)) {
    return InvalidArgumentError("expected an object", FieldPointer(base, "properties"));
  }
  if (f.lib && !AsObject(*f.lib))
    return InvalidArgumentError("expected an object", FieldPointer(base, "lib"));
  const auto properties = f.properties ? AsObject(*f.properties) : std::nullopt;
  RETURN_IF_ERROR(FillIdentity(f, base, record, properties, &event));
  ASSIGN_OR_RETURN(const auto time, MillisField(f.time, base, "time"));
  ASSIGN_OR_RETURN(const auto flush_time, MillisField(f.flush_time, base, "_flush_time"));
  event.received_at = context.received_at;
  event.sent_at = FromMillis(flush_time);
  event.event_time = CorrectClockSkew(context.received_at, event.sent_at, FromMillis(time));
  JsonWriter writer(context.c3_filter ? context.c3_filter : &C3Filter::Default(), c3_removed);
  FillPayloads(f, record, &writer, &event);
  event.message_id = MessageId(f, value, time);
  if (f.project) {
    const auto name = AsString(*f.project);
    if (!name || name->size() > kProjectBytesMax) {
      return InvalidArgumentError("expected a project name", FieldPointer(base, "project"));
    }
    project = *name;
  }
  event.project = project.empty() ? context.project : std::string(project);
  event.write_key_id = context.write_key_id;
  return event;
}

Result<DecodedEvents> SensorsDecoder::Impl::Decode(std::string_view body, std::string_view query,
                                                   const WireContext& context) {
  ASSIGN_OR_RETURN(const Payload payload, ReadForm(body, query));
  auto root = parser_.Parse(payload.json);
  if (!root.ok()) return root.status().WithFieldPrefix(payload.field);
  DecodedEvents out;
  out.project = payload.project;
  if (root->type() != JsonType::ARRAY) {
    ASSIGN_OR_RETURN(Event event,
                     DecodeRecord(*root, payload.field, payload.project, context, &out.c3_removed));
    out.events.push_back(std::move(event));
    return out;
  }
  const auto records = root->get_array().value_unsafe();
  if (records.size() > kBatchEventsMax) {
    return TooLargeError(
        fmt::format("{} records exceed the limit of {}", records.size(), kBatchEventsMax),
        payload.field);
  }
  out.events.reserve(records.size());
  size_t index = 0;
  for (JsonElement record : records) {
    const std::string base = fmt::format("{}/{}", payload.field, index++);
    ASSIGN_OR_RETURN(Event event,
                     DecodeRecord(record, base, payload.project, context, &out.c3_removed));
    out.events.push_back(std::move(event));
  }
  return out;
}

SensorsDecoder::SensorsDecoder() : impl_(std::make_unique<Impl>()) {}
SensorsDecoder::~SensorsDecoder() = default;

Result<DecodedEvents> SensorsDecoder::Decode(std::string_view body, std::string_view query,
                                             const WireContext& context) {
  return impl_->Decode(body, query, context);
}

}  // namespace banyan::events
