#include "messaging/channels/wechat_mp/wechat_mp_channel.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "base/time.h"
#include "messaging/channels/access_token.h"
#include "messaging/channels/callback_auth.h"
#include "messaging/internal/signing.h"

namespace banyan::messaging::channels {
namespace {

// A recursive-descent reader for WeChat's small XML documents (see ParseWechatXml).
class XmlReader {
 public:
  explicit XmlReader(std::string_view in) : in_(in) {}

  Result<WechatXmlNode> Document() {
    SkipSpace();
    if (Next("<?xml")) {
      const size_t end = in_.find("?>", at_);
      if (end == std::string_view::npos) return Bad("unterminated XML declaration");
      at_ = end + 2;
      SkipSpace();
    }
    ASSIGN_OR_RETURN(WechatXmlNode root, Element(1));
    SkipSpace();
    if (at_ != in_.size()) return Bad("content after the root element");
    return root;
  }

 private:
  static Status Bad(std::string_view why) {
    return InvalidArgumentError(fmt::format("XML: {}", why));
  }

  bool Next(std::string_view token) {
    if (in_.substr(at_).starts_with(token)) {
      at_ += token.size();
      return true;
    }
    return false;
  }
  void SkipSpace() {
    while (at_ < in_.size() &&
           std::string_view(" \t\r\n").find(in_[at_]) != std::string_view::npos) {
      ++at_;
    }
  }
  std::string Name() {
    const size_t begin = at_;
    while (at_ < in_.size() && (std::isalnum(static_cast<unsigned char>(in_[at_])) ||
                                in_[at_] == '_' || in_[at_] == '-' || in_[at_] == '.')) {
      ++at_;
    }
    return std::string(in_.substr(begin, at_ - begin));
  }
  // Character data with the five predefined entities decoded.
  Status Text(std::string_view raw, std::string* out) {
    static constexpr std::array<std::pair<std::string_view, char>, 5> kEntities = {
        {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'}, {"&apos;", '\''}}};
    for (size_t i = 0; i < raw.size();) {
      if (raw[i] != '&') {
        out->push_back(raw[i++]);
        continue;
      }
      const auto entity = std::find_if(kEntities.begin(), kEntities.end(), [&](const auto& e) {
        return raw.substr(i).starts_with(e.first);
      });
      if (entity == kEntities.end()) return Bad("unknown entity");
      out->push_back(entity->second);
      i += entity->first.size();
    }
    return Status::Ok();
  }

  Result<WechatXmlNode> Element(int depth) {
    if (depth > kWechatXmlDepthMax) return Bad("nested too deeply");
    if (++elements_ > kWechatXmlElementsMax) return Bad("too many elements");
    if (!Next("<")) return Bad("expected an element");
    WechatXmlNode node;
    node.name = Name();
    if (node.name.empty()) return Bad("expected an element name (no DOCTYPE, comments or PIs)");
    if (Next("/>")) return node;
    if (!Next(">")) return Bad("attributes are not accepted");
    bool text_seen = false;
    std::string space;  // character data between children: must be white space
    while (true) {
      if (at_ >= in_.size()) return Bad(fmt::format("unterminated <{}>", node.name));
      if (Next("</")) {
        if (Name() != node.name) return Bad(fmt::format("mismatched end of <{}>", node.name));
        SkipSpace();
        if (!Next(">")) return Bad("malformed end tag");
        break;
      }
      if (Next("<![CDATA[")) {
        const size_t end = in_.find("]]>", at_);
        if (end == std::string_view::npos) return Bad("unterminated CDATA");
        node.text.append(in_.substr(at_, end - at_));
        at_ = end + 3;
        text_seen = true;
        continue;
      }
      if (in_[at_] == '<') {
        ASSIGN_OR_RETURN(WechatXmlNode child, Element(depth + 1));
        node.children.push_back(std::move(child));
        continue;
      }
      const size_t end = std::min(in_.find('<', at_), in_.size());
      const std::string_view raw = in_.substr(at_, end - at_);
      at_ = end;
      if (raw.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        space.append(raw);
        continue;
      }
      RETURN_IF_ERROR(Text(raw, &node.text));
      text_seen = true;
    }
    if (!node.children.empty() && text_seen) return Bad("mixed content");
    if (node.children.empty() && !text_seen) node.text = space;
    return node;
  }

  std::string_view in_;
  size_t at_ = 0;
  int elements_ = 0;
};

struct WechatConfig {
  std::string app_id, app_secret, api_base, callback_token;
};

class WechatMpChannel final : public Channel {
 public:
  WechatMpChannel(WechatConfig config, ChannelContext& context)
      : config_(std::move(config)),
        http_(context.http),
        clock_(context.clock),
        tokens_(fmt::format("{}/cgi-bin/token?grant_type=client_credential&appid={}&secret={}",
                            config_.api_base, internal::PercentEncode(config_.app_id),
                            internal::PercentEncode(config_.app_secret)),
                "access token", context.http, context.clock) {}

  std::string_view address_type() const override { return "wechat_openid"; }
  std::string_view consent_channel() const override { return "wechat"; }
  bool Carries(Purpose purpose) const override { return purpose == Purpose::kService; }
  bool FreeText() const override { return false; }
  std::string PickAddress(std::span<const std::string> values) const override {
    const std::string prefix = config_.app_id + ":";
    for (const std::string& value : values) {
      if (value.starts_with(prefix)) return value.substr(prefix.size());
    }
    return "";
  }

  SendResult Send(const Outbound& m) override {
    if (!Carries(m.purpose)) {  // the gate refuses these first; never send one regardless
      return {AttemptOutcome::kPermanent, "", "template messages carry service messages only"};
    }
    const std::string kind = m.content.value("kind", "template");
    Json body = {{"touser", m.address},
                 {"template_id", m.content.value("template_id", "")},
                 {"data", Json::object()}};
    const Json data = m.content.value("data", Json::object());
    for (const auto& [key, value] : data.items()) {
      body["data"][key] = {{"value", value}};
    }
    std::string path = "/cgi-bin/message/template/send";
    if (kind == "subscribe") {
      path = "/cgi-bin/message/subscribe/bizsend";
      if (m.content.contains("page")) body["page"] = m.content["page"];
    } else if (m.content.contains("url")) {
      body["url"] = m.content["url"];
    }
    body["client_msg_id"] = m.idempotency_id;  // WeChat de-duplicates template sends by it
    for (int round = 0; round < 2; ++round) {
      auto token = Token(round > 0);
      if (!token.ok()) return {AttemptOutcome::kRetry, "", token.status().message()};
      HttpCall call{"POST",
                    fmt::format("{}{}?access_token={}", config_.api_base, path,
                                internal::PercentEncode(*token)),
                    {{"Content-Type", "application/json"}},
                    body.dump()};
      auto reply = http_.Send(call);
      if (!reply.ok()) return {AttemptOutcome::kRetry, "", reply.status().message()};
      if (reply->status != 200) {
        return {OutcomeForHttpStatus(reply->status), "", fmt::format("HTTP {}", reply->status)};
      }
      auto answer = ParseJson(reply->body);
      if (!answer.ok()) return {AttemptOutcome::kRetry, "", "unparsable answer"};
      const int64_t code = answer->value("errcode", int64_t{0});
      if (code == 0) {
        const Json id = answer->value("msgid", Json());
        return {AttemptOutcome::kOk, id.is_string() ? id.get<std::string>() : id.dump(), "ok"};
      }
      if (code == 40001 || code == 42001) continue;  // token invalid or expired: fetch again
      // 43004: the user does not follow the account; 43101: no subscription — nothing a retry
      // fixes, but another channel may reach them.
      if (code == 43004 || code == 43101) {
        return {AttemptOutcome::kFallback, "", fmt::format("errcode {}", code)};
      }
      const bool transient = code == -1 || code == 45009;  // busy; API quota
      return {transient ? AttemptOutcome::kRetry : AttemptOutcome::kPermanent, "",
              fmt::format("errcode {}", code)};
    }
    return {AttemptOutcome::kRetry, "", "access token refused twice"};
  }

  Result<std::vector<InboundItem>> ParseInbound(const http::Request& request) override {
    if (!request.Query("signature")) return ParseRelayed(request);
    RETURN_IF_ERROR(CheckSignature(request));
    const std::string encryption = request.Query("encrypt_type").value_or("raw");
    if (encryption != "raw") {
      return InvalidArgumentError(fmt::format(
          "encrypt_type={}: safe mode is not supported; set the account to plaintext mode",
          encryption));
    }
    if (request.body.size() > kWechatXmlBytesMax) {
      return TooLargeError(fmt::format("a push is at most {} bytes", kWechatXmlBytesMax));
    }
    ASSIGN_OR_RETURN(const WechatXmlNode xml, ParseWechatXml(request.body));
    if (xml.name != "xml") return InvalidArgumentError("XML: expected the root <xml>");
    for (const WechatXmlNode& child : xml.children) {
      if (child.name == "Encrypt") {
        return InvalidArgumentError("an encrypted push: safe mode is not supported");
      }
    }
    Timestamp at = clock_.Now();
    int64_t created = 0;
    const std::string create_time = xml.Child("CreateTime");
    if (std::from_chars(create_time.data(), create_time.data() + create_time.size(), created).ec ==
            std::errc() &&
        created > 0) {
      at = FromUnixMicros(created * 1'000'000);
    }
    std::vector<InboundItem> out;
    const std::string type = xml.Child("MsgType");
    const std::string event = xml.Child("Event");
    if (type == "event" && event == "TEMPLATESENDJOBFINISH") {
      InboundItem item;
      item.provider_message_id = xml.Child("MsgID");
      if (item.provider_message_id.empty()) return InvalidArgumentError("XML: no MsgID");
      item.provider_event_id = "finish:" + item.provider_message_id;
      ASSIGN_OR_RETURN(item.state, TemplateJobState(xml.Child("Status")));
      item.at = at;
      out.push_back(std::move(item));
    } else if (type == "event" && event == "subscribe_msg_sent_event") {
      for (const WechatXmlNode& group : xml.children) {
        if (group.name != "SubscribeMsgSentEvent") continue;
        for (const WechatXmlNode& list : group.children) {
          if (list.name != "List") continue;
          InboundItem item;
          item.provider_message_id = list.Child("MsgID");
          if (item.provider_message_id.empty()) return InvalidArgumentError("XML: no MsgID");
          item.provider_event_id = "subscribe:" + item.provider_message_id;
          item.state =
              list.Child("ErrorCode") == "0" ? MessageState::kDelivered : MessageState::kFailed;
          item.at = at;
          out.push_back(std::move(item));
        }
      }
    } else if (type == "text") {
      // A follower wrote to the account: a reply (an unsubscribe keyword withdraws consent).
      InboundItem item;
      item.kind = InboundItem::Kind::kReply;
      item.from_address = config_.app_id + ":" + xml.Child("FromUserName");
      item.text = xml.Child("Content");
      item.provider_event_id = "mo:" + xml.Child("MsgId");
      item.at = at;
      out.push_back(std::move(item));
    }
    // Other pushes (follows, menu clicks, other message types) are acknowledged and not kept.
    return out;
  }

  Result<http::Response> AnswerVerification(const http::Request& request) override {
    RETURN_IF_ERROR(CheckSignature(request));
    const std::string echostr = request.Query("echostr").value_or("");
    if (echostr.empty() || echostr.size() > 128) {
      return InvalidArgumentError("expected echostr (1..128 bytes)", "echostr");
    }
    return http::Response::Text(200, echostr);
  }

  // WeChat wants "success" (or an empty body) within 5 s, or it pushes again.
  http::Response InboundAck() const override { return http::Response::Text(200, "success"); }

 private:
  // WeChat's Status of a template job: "success", "failed:user block", "failed: system failed".
  static Result<MessageState> TemplateJobState(std::string_view status) {
    if (status == "success") return MessageState::kDelivered;
    if (status.starts_with("failed")) return MessageState::kFailed;
    return InvalidArgumentError(fmt::format("XML: unknown Status \"{}\"", status));
  }

  Status CheckSignature(const http::Request& request) const {
    const std::string signature = request.Query("signature").value_or("");
    const std::string timestamp = request.Query("timestamp").value_or("");
    const std::string nonce = request.Query("nonce").value_or("");
    int64_t seconds = 0;
    if (timestamp.empty() || timestamp.size() > 20 || nonce.size() > 128 ||
        std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds).ec !=
            std::errc()) {
      return UnauthenticatedError("signature, timestamp or nonce missing or malformed");
    }
    const int64_t now = ToUnixSeconds(clock_.Now());
    const int64_t window =
        std::chrono::duration_cast<std::chrono::seconds>(kWechatCallbackWindow).count();
    if (seconds < now - window || seconds > now + window) {
      return UnauthenticatedError("stale callback timestamp");
    }
    if (!internal::ConstantTimeEquals(
            signature, WechatCallbackSignature(config_.callback_token, timestamp, nonce))) {
      return UnauthenticatedError("callback signature wrong");
    }
    return Status::Ok();
  }

  Result<std::vector<InboundItem>> ParseRelayed(const http::Request& request) {
    RETURN_IF_ERROR(CheckCallbackToken(request, config_.callback_token));
    ASSIGN_OR_RETURN(Json body, ParseJson(request.body));
    if (!body.is_object()) return InvalidArgumentError("expected an object");
    InboundItem item;
    const Json id = body.value("msgid", Json());
    item.provider_message_id = id.is_string() ? id.get<std::string>() : id.dump();
    item.provider_event_id = "finish:" + item.provider_message_id;
    item.state =
        body.value("status", "") == "success" ? MessageState::kDelivered : MessageState::kFailed;
    item.at = clock_.Now();
    return std::vector<InboundItem>{item};
  }

  Result<std::string> Token(bool refresh) { return tokens_.Get(refresh); }

  const WechatConfig config_;
  HttpClient& http_;
  const Clock& clock_;
  AccessTokenCache tokens_;
};

Result<std::unique_ptr<Channel>> Create(const Json& json, ChannelContext& context) {
  RETURN_IF_ERROR(
      RejectUnknownMembers(json, {"app_id", "app_secret", "api_base", "callback_token"}));
  WechatConfig config;
  ASSIGN_OR_RETURN(config.app_id, ReadString(json, "app_id", 64));
  ASSIGN_OR_RETURN(config.app_secret, ReadSecret(json, "app_secret", context));
  config.api_base = "https://api.weixin.qq.com";
  if (json.contains("api_base")) {
    ASSIGN_OR_RETURN(config.api_base, ReadUrl(json, "api_base", context));
  }
  ASSIGN_OR_RETURN(config.callback_token, ReadSecret(json, "callback_token", context));
  return std::unique_ptr<Channel>(new WechatMpChannel(std::move(config), context));
}

}  // namespace

std::string WechatXmlNode::Child(std::string_view child) const {
  for (const WechatXmlNode& node : children) {
    if (node.name == child) return node.text;
  }
  return "";
}

Result<WechatXmlNode> ParseWechatXml(std::string_view xml) {
  if (xml.size() > kWechatXmlBytesMax) {
    return TooLargeError(fmt::format("XML: at most {} bytes", kWechatXmlBytesMax));
  }
  return XmlReader(xml).Document();
}

std::string WechatCallbackSignature(std::string_view token, std::string_view timestamp,
                                    std::string_view nonce) {
  std::array<std::string_view, 3> parts = {token, timestamp, nonce};
  std::sort(parts.begin(), parts.end());
  return internal::Sha1Hex(fmt::format("{}{}{}", parts[0], parts[1], parts[2]));
}

ChannelFactory WechatMpChannelFactory() {
  return {"wechat_mp", {"app_secret", "callback_token"}, Create};
}

}  // namespace banyan::messaging::channels
