#include "events/event.h"

#include <array>

namespace banyan::events {
namespace {

constexpr std::array<std::string_view, kEventTypeMax + 1> kTypeNames = {
    "",
    "track",
    "identify",
    "alias",
    "group",
    "page",
    "screen",
    "profile_set_once",
    "profile_increment",
    "profile_append",
    "profile_unset",
};

constexpr std::array<std::string_view, kChannelMax + 1> kChannelNames = {
    "unknown", "web",    "app", "mini_program", "wechat", "alipay",
    "branch",  "douyin", "sms", "email",        "wecom",
};

}  // namespace

std::string_view EventTypeName(EventType type) {
  const auto index = static_cast<size_t>(type);
  return index < kTypeNames.size() ? kTypeNames[index] : std::string_view("invalid");
}

std::string_view EventSourceName(EventSource source) {
  switch (source) {
    case EventSource::kSegment:
      return "segment";
    case EventSource::kSensors:
      return "sensors";
    case EventSource::kImport:
      return "import";
  }
  return "invalid";
}

std::string_view ChannelName(Channel channel) {
  const auto index = static_cast<size_t>(channel);
  return index < kChannelNames.size() ? kChannelNames[index] : std::string_view("invalid");
}

std::optional<Channel> ChannelFromName(std::string_view name) {
  for (size_t i = 0; i < kChannelNames.size(); ++i) {
    if (kChannelNames[i] == name) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

std::string_view Event::IdentifierValue(std::string_view type) const {
  for (const auto& identifier : identifiers) {
    if (identifier.type == type) return identifier.value;
  }
  return {};
}

}  // namespace banyan::events
