#include "events/normalize.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace banyan::events {
namespace {

constexpr size_t kAliasBytesMax = 48;

struct Alias {
  std::string_view text;  // lower case, '_' as the only separator
  Channel channel;
};

constexpr std::array kAliases = {
    Alias{"web", Channel::kWeb},
    Alias{"h5", Channel::kWeb},
    Alias{"pc", Channel::kWeb},
    Alias{"website", Channel::kWeb},
    Alias{"browser", Channel::kWeb},
    Alias{"app", Channel::kApp},
    Alias{"mobile_app", Channel::kApp},
    Alias{"ios", Channel::kApp},
    Alias{"android", Channel::kApp},
    Alias{"mini_program", Channel::kMiniProgram},
    Alias{"miniprogram", Channel::kMiniProgram},
    Alias{"wechat_mini_program", Channel::kMiniProgram},
    Alias{"mp", Channel::kMiniProgram},
    Alias{"wxapp", Channel::kMiniProgram},
    Alias{"wechat", Channel::kWechat},
    Alias{"weixin", Channel::kWechat},
    Alias{"wx", Channel::kWechat},
    Alias{"official_account", Channel::kWechat},
    Alias{"wechat_official_account", Channel::kWechat},
    Alias{"gzh", Channel::kWechat},
    Alias{"alipay", Channel::kAlipay},
    Alias{"zhifubao", Channel::kAlipay},
    Alias{"branch", Channel::kBranch},
    Alias{"outlet", Channel::kBranch},
    Alias{"counter", Channel::kBranch},
    Alias{"douyin", Channel::kDouyin},
    Alias{"tiktok", Channel::kDouyin},
    Alias{"aweme", Channel::kDouyin},
    Alias{"sms", Channel::kSms},
    Alias{"text_message", Channel::kSms},
    Alias{"email", Channel::kEmail},
    Alias{"mail", Channel::kEmail},
    Alias{"edm", Channel::kEmail},
    Alias{"wecom", Channel::kWecom},
    Alias{"wxwork", Channel::kWecom},
    Alias{"work_wechat", Channel::kWecom},
    Alias{"wechat_work", Channel::kWecom},
    Alias{"qywx", Channel::kWecom},
};

// Substrings of a lower-cased library name, in priority order; server SDKs map to unknown.
constexpr std::array<std::pair<std::string_view, Channel>, 22> kLibraryHints = {{
    {"miniprogram", Channel::kMiniProgram},
    {"mini-program", Channel::kMiniProgram},
    {"mini_program", Channel::kMiniProgram},
    {"alipay", Channel::kAlipay},
    {"analytics.js", Channel::kWeb},
    {"analytics-next", Channel::kWeb},
    {"javascript", Channel::kWeb},
    {"browser", Channel::kWeb},
    {"ios", Channel::kApp},
    {"android", Channel::kApp},
    {"swift", Channel::kApp},
    {"kotlin", Channel::kApp},
    {"react-native", Channel::kApp},
    {"flutter", Channel::kApp},
    {"harmony", Channel::kApp},
    {"node", Channel::kUnknown},
    {"java", Channel::kUnknown},
    {"python", Channel::kUnknown},
    {"php", Channel::kUnknown},
    {"ruby", Channel::kUnknown},
    {"golang", Channel::kUnknown},
    {"server", Channel::kUnknown},
}};

// Exact lower-cased library names too short to search for as substrings.
constexpr std::array<std::pair<std::string_view, Channel>, 4> kLibraryNames = {{
    {"js", Channel::kWeb},
    {"web", Channel::kWeb},
    {"go", Channel::kUnknown},
    {"cpp", Channel::kUnknown},
}};

// Substrings of a user agent naming an in-app browser, in priority order (WeCom's agent also
// says MicroMessenger; a mini-program web view says both miniProgram and MicroMessenger).
constexpr std::array<std::pair<std::string_view, Channel>, 5> kUserAgentHints = {{
    {"wxwork", Channel::kWecom},
    {"miniprogram", Channel::kMiniProgram},
    {"micromessenger", Channel::kWechat},
    {"alipayclient", Channel::kAlipay},
    {"aweme", Channel::kDouyin},
}};

std::string Lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Timestamp CorrectClockSkew(Timestamp received_at, std::optional<Timestamp> sent_at,
                           std::optional<Timestamp> original) {
  Timestamp result = received_at;
  if (original && sent_at) {
    result = received_at - (*sent_at - *original);
  } else if (original) {
    result = *original;
  }
  return result > received_at ? received_at : result;
}

std::optional<Channel> ChannelFromAlias(std::string_view text) {
  if (text.empty() || text.size() > kAliasBytesMax) return std::nullopt;
  std::string key = Lowered(text);
  for (char& c : key) {
    if (c == '-' || c == ' ') c = '_';
  }
  for (const auto& alias : kAliases) {
    if (alias.text == key) return alias.channel;
  }
  return std::nullopt;
}

std::optional<Channel> ChannelFromUserAgent(std::string_view user_agent) {
  if (user_agent.empty()) return std::nullopt;
  const std::string lowered = Lowered(user_agent);
  for (const auto& [hint, channel] : kUserAgentHints) {
    if (lowered.find(hint) != std::string::npos) return channel;
  }
  return std::nullopt;
}

std::optional<Channel> ChannelFromLibrary(std::string_view library_name) {
  if (library_name.empty()) return std::nullopt;
  const std::string lowered = Lowered(library_name);
  for (const auto& [name, channel] : kLibraryNames) {
    if (lowered == name) return channel;
  }
  for (const auto& [hint, channel] : kLibraryHints) {
    if (lowered.find(hint) != std::string::npos) return channel;
  }
  return std::nullopt;
}

Channel DeriveChannel(const ChannelHints& hints) {
  if (auto channel = ChannelFromAlias(hints.property_channel)) return *channel;
  if (auto channel = ChannelFromAlias(hints.campaign_source)) return *channel;
  if (auto channel = ChannelFromUserAgent(hints.user_agent)) return *channel;
  if (auto channel = ChannelFromLibrary(hints.library_name)) return *channel;
  if (hints.sdk_channel == "web") return Channel::kWeb;
  if (hints.sdk_channel == "mobile") return Channel::kApp;
  return Channel::kUnknown;
}

Status AddIdentifier(std::string_view type, std::string_view value,
                     std::vector<Identifier>* identifiers, std::string_view field) {
  if (value.empty()) return Status::Ok();
  if (value.size() > kIdentifierBytesMax || type.size() > kIdentifierBytesMax) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", kIdentifierBytesMax),
                                std::string(field));
  }
  for (const auto& identifier : *identifiers) {
    if (identifier.type == type && identifier.value == value) return Status::Ok();
  }
  if (identifiers->size() >= kIdentifiersMax) {
    return InvalidArgumentError(
        fmt::format("more than {} identifiers on one event", kIdentifiersMax), std::string(field));
  }
  identifiers->push_back(Identifier{std::string(type), std::string(value)});
  return Status::Ok();
}

}  // namespace banyan::events
