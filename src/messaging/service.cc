// MessagingService: opening, the send API, reading a message, channels, suppression, preview.

#include "messaging/service.h"

#include <fmt/format.h>

#include <regex>

#include "base/encoding.h"
#include "base/logging.h"
#include "messaging/internal/signing.h"
#include "privacy/keyed_hash.h"
#include "privacy/masking.h"

namespace banyan::messaging {
namespace {

std::string Scope(const auth::Principal& p) {
  if (p.kind == auth::PrincipalKind::kSystem) return "system";
  return fmt::format("{}:{}", auth::PrincipalKindName(p.kind), p.id);
}

Json RequestJson(const SendRequest& r) {
  return {{"one_id", r.one_id ? Json(*r.one_id) : Json()},
          {"identifier", r.identifier ? Json({r.identifier->first, r.identifier->second}) : Json()},
          {"purpose", r.purpose ? Json(PurposeName(*r.purpose)) : Json()},
          {"personalised", r.personalised},
          {"channel", r.channel},
          {"template_id", r.template_id ? Json(*r.template_id) : Json()},
          {"template_version", r.template_version ? Json(*r.template_version) : Json()},
          {"variables", r.variables},
          {"content", r.content ? Json(*r.content) : Json()},
          {"send_at", r.send_at ? Json(ToUnixMicros(*r.send_at)) : Json()}};
}

}  // namespace

Result<SendRequest> ParseSendRequest(const Json& body, const std::string& base) {
  ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(body, base));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"recipient", "purpose", "personalised", "channel", "template_id",
                            "template_version", "variables", "content", "send_at"}));
  SendRequest r;
  if (!body.contains("recipient")) return InvalidArgumentError("required", base + "/recipient");
  ASSIGN_OR_RETURN(auto recipient,
                   JsonObjectReader::Create(body["recipient"], base + "/recipient"));
  RETURN_IF_ERROR(recipient.RejectUnknown({"one_id", "identifier"}));
  ASSIGN_OR_RETURN(r.one_id, recipient.OptionalInt("one_id", 1, INT64_MAX));
  if (body["recipient"].contains("identifier")) {
    ASSIGN_OR_RETURN(auto id, JsonObjectReader::Create(body["recipient"]["identifier"],
                                                       base + "/recipient/identifier"));
    RETURN_IF_ERROR(id.RejectUnknown({"type", "value"}));
    ASSIGN_OR_RETURN(std::string type, id.String("type", 32));
    ASSIGN_OR_RETURN(std::string value, id.String("value", 256));
    r.identifier = {std::move(type), std::move(value)};
  }
  if (r.one_id.has_value() == r.identifier.has_value()) {
    return InvalidArgumentError("expected exactly one of one_id and identifier",
                                base + "/recipient");
  }
  ASSIGN_OR_RETURN(auto purpose, reader.OptionalString("purpose", 16));
  if (purpose) {
    r.purpose = ParsePurpose(*purpose);
    if (!r.purpose) return InvalidArgumentError("expected service or marketing", base + "/purpose");
  }
  ASSIGN_OR_RETURN(auto personalised, reader.OptionalBool("personalised"));
  r.personalised = personalised.value_or(false);
  ASSIGN_OR_RETURN(auto channel, reader.OptionalString("channel", kChannelNameBytesMax));
  if (channel) r.channel = *channel;
  ASSIGN_OR_RETURN(r.template_id, reader.OptionalInt("template_id", 1, INT64_MAX));
  ASSIGN_OR_RETURN(auto version, reader.OptionalInt("template_version", 1, INT32_MAX));
  if (version) r.template_version = static_cast<int>(*version);
  if (body.contains("variables")) {
    r.variables = body["variables"];
    if (!r.variables.is_object())
      return InvalidArgumentError("expected an object", base + "/variables");
    if (r.variables.size() > kVariablesCountMax || r.variables.dump().size() > kVariablesBytesMax) {
      return InvalidArgumentError(
          fmt::format("at most {} variables, {} bytes", kVariablesCountMax, kVariablesBytesMax),
          base + "/variables");
    }
  }
  ASSIGN_OR_RETURN(r.content, reader.OptionalString("content", kContentBytesMax));
  if (r.template_id.has_value() == r.content.has_value()) {
    return InvalidArgumentError("expected exactly one of template_id and content",
                                base + (r.content ? "/content" : "/template_id"));
  }
  if (r.content && !r.purpose)
    return InvalidArgumentError("required with content", base + "/purpose");
  ASSIGN_OR_RETURN(auto send_at, reader.OptionalString("send_at", 64));
  if (send_at) {
    auto at = ParseRfc3339(*send_at);
    if (!at.ok()) return InvalidArgumentError("expected an RFC 3339 time", base + "/send_at");
    r.send_at = *at;
  }
  return r;
}

MessagingService::MessagingService(Deps deps, MessagingOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      channels_(ChannelContext{deps_.http, deps_.clock, deps_.env, options_.public_base_url}),
      gate_(options_.policy, deps_.calendar, deps_.clock),
      templates_(deps_.clock) {}

MessagingService::~MessagingService() { Stop(); }

Result<std::unique_ptr<MessagingService>> MessagingService::Open(Deps deps,
                                                                 MessagingOptions options) {
  if (options.retry.attempts_max < 1 || options.retry.attempts_max > kAttemptsMax) {
    return InvalidArgumentError(fmt::format("retry attempts: expected 1..{}", kAttemptsMax));
  }
  if (options.claim_batch < 1 || options.claim_batch > kClaimBatchMax ||
      options.dispatch_threads < 1 || options.dispatch_threads > kDispatchThreadsMax) {
    return InvalidArgumentError("dispatch threads or claim batch out of range");
  }
  std::unique_ptr<MessagingService> service(new MessagingService(std::move(deps), options));
  RETURN_IF_ERROR(service->channels_.Load(service->deps_.db));
  int64_t resumed = 0;
  RETURN_IF_ERROR(service->deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(resumed, service->outbox_.ResumeInFlight(tx, service->deps_.clock.Now()));
    return Status::Ok();
  }));
  if (resumed > 0) log::Info("messaging.resumed_in_flight", {{"messages", resumed}});
  return service;
}

std::vector<std::string> MessagingService::AddressTypes() const {
  std::vector<std::string> types;
  for (const auto& channel : channels_.All()) {
    const std::string type(channel.plugin->address_type());
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  return types;
}

Result<std::string> MessagingService::Shorten(std::string_view url,
                                              std::vector<std::string>* codes) {
  if (url.size() > kUrlBytesMax) return InvalidArgumentError("a link is too long");
  if (codes->size() >= kShortLinksPerMessageMax * 2) {
    return InvalidArgumentError(
        fmt::format("at most {} links per message", kShortLinksPerMessageMax));
  }
  std::string code;
  {
    std::lock_guard lock(random_mutex_);
    code = RandomToken(deps_.random, 8).substr(0, kShortLinkCodeBytes);
  }
  codes->push_back(code);
  codes->push_back(std::string(url));
  return fmt::format("{}/l/{}", options_.public_base_url, code);
}

Result<MessagingService::PendingSend> MessagingService::BeginSend(const auth::Principal& principal,
                                                                  std::string_view key,
                                                                  const SendRequest& request) {
  if (key.empty() || key.size() > kIdempotencyKeyBytesMax) {
    return InvalidArgumentError(fmt::format("the Idempotency-Key header is required (1..{} bytes)",
                                            kIdempotencyKeyBytesMax));
  }
  const Timestamp now = deps_.clock.Now();
  if (request.send_at && *request.send_at > now + kSendAtFutureMax) {
    return InvalidArgumentError("at most 90 days ahead", "/send_at");
  }
  // The recipient, within the caller's scope.
  int64_t one_id = request.one_id.value_or(0);
  if (request.identifier) {
    ASSIGN_OR_RETURN(auto found, deps_.customers.Find(principal, request.identifier->first,
                                                      request.identifier->second));
    if (found.empty()) return NotFoundError("no customer has this identifier");
    if (found.size() > 1) {
      return FailedPreconditionError(
          fmt::format("the identifier belongs to {} customers; send by one_id", found.size()));
    }
    one_id = found.front();
  }
  const std::vector<std::string> types = AddressTypes();
  PendingSend pending;
  pending.request = &request;
  pending.key = std::string(key);
  ASSIGN_OR_RETURN(pending.contacts, deps_.customers.ContactsForSending(principal, one_id, types));
  const customer::Contacts& contacts = pending.contacts;
  Message& m = pending.m;
  m.idempotency_scope = Scope(principal);
  m.idempotency_key = std::string(key);
  m.request_hash = internal::Sha256Hex(RequestJson(request).dump());
  m.person_id = contacts.one_id;
  m.branch_id = contacts.home_branch_id;
  m.rm_id = contacts.rm_id;
  m.personalised = request.personalised;
  m.channel_requested = request.channel;
  m.template_id = request.template_id;
  m.variables = request.variables;
  m.content = request.content;
  m.send_at = request.send_at.value_or(now);
  m.requested_by_kind = std::string(auth::PrincipalKindName(principal.kind));
  if (principal.kind != auth::PrincipalKind::kSystem) m.requested_by = principal.id;
  m.created_at = now;

  if (request.channel != kAutoChannel) {
    auto channel = channels_.Find(request.channel);
    if (!channel || !channel->enabled) {
      return InvalidArgumentError(fmt::format("no enabled channel named '{}'", request.channel),
                                  "/channel");
    }
    if (request.content && !channel->plugin->FreeText()) {
      return InvalidArgumentError(
          fmt::format("channel {} sends approved templates only, not free text", request.channel),
          "/content");
    }
  }
  return pending;
}

// The body of one accepted message's transaction: idempotency, template, short links, the
// gate's first answer, the outbox row. Sets p.result when it succeeds.
Status MessagingService::WriteSend(store::Transaction& tx, PendingSend& p) {
  const SendRequest& request = *p.request;
  const customer::Contacts& contacts = p.contacts;
  const Message& m = p.m;
  const std::string_view key = p.key;
  const Timestamp now = m.created_at;
  std::vector<std::string> links;  // code, url, code, url…
  ASSIGN_OR_RETURN(auto existing, outbox_.FindByKey(tx, m.idempotency_scope, key));
  if (existing) {
    if (existing->request_hash != m.request_hash) {
      return AlreadyExistsError("this Idempotency-Key was used for a different request");
    }
    p.result = Accepted{std::move(*existing), false};
    return Status::Ok();
  }
  Message message = m;
  if (request.template_id) {
    ASSIGN_OR_RETURN(const Template t, templates_.Get(tx, *request.template_id));
    ASSIGN_OR_RETURN(const TemplateVersion v,
                     templates_.Approved(tx, t.id, request.template_version));
    if (request.purpose && *request.purpose != t.purpose) {
      return InvalidArgumentError(
          fmt::format("the template is for {} messages", PurposeName(t.purpose)), "/purpose");
    }
    if (request.channel != kAutoChannel && t.channel != "any" && t.channel != request.channel) {
      return InvalidArgumentError(fmt::format("the template is for channel {}", t.channel),
                                  "/channel");
    }
    message.purpose = t.purpose;
    message.template_version = v.version;
    if (request.channel == kAutoChannel && t.channel != "any") message.channel = t.channel;
    RETURN_IF_ERROR(Render(v, request.variables).status());
    for (const VariableDef& def : v.variables) {
      if (def.type != "url" || !message.variables.contains(def.name)) continue;
      ASSIGN_OR_RETURN(message.variables[def.name],
                       Shorten(message.variables[def.name].get<std::string>(), &links));
    }
  } else {
    message.purpose = *request.purpose;
    static const std::regex kUrl(R"(https?://[^\s<>"]+)");
    std::string text = *request.content, rewritten;
    auto begin = std::sregex_iterator(text.begin(), text.end(), kUrl);
    size_t at = 0;
    for (auto it = begin; it != std::sregex_iterator(); ++it) {
      rewritten += text.substr(at, it->position() - at);
      ASSIGN_OR_RETURN(std::string short_url, Shorten(it->str(), &links));
      rewritten += short_url;
      at = it->position() + it->length();
    }
    message.content = rewritten + text.substr(at);
  }
  if (request.channel != kAutoChannel) message.channel = request.channel;
  if (message.channel.empty()) {
    auto routed = Route(tx, message, contacts);
    if (routed.ok()) message.channel = *routed;
  }
  // The gate's first answer.
  Decision decision;
  if (message.channel.empty()) {
    decision = {Verdict::kRefuse, "routing", "routing: no channel reaches the customer", {}};
  } else {
    auto channel = channels_.Find(message.channel);
    if (!channel) {
      decision = {Verdict::kRefuse,
                  "routing",
                  fmt::format("routing: channel {} is not configured", message.channel),
                  {}};
    } else {
      ASSIGN_OR_RETURN(auto consents,
                       privacy::ConsentLedger(deps_.clock).Current(tx, contacts.members));
      PolicyFacts facts;
      facts.purpose = message.purpose;
      facts.personalised = message.personalised;
      facts.channel = channel->name;
      facts.consent_channel = std::string(channel->plugin->consent_channel());
      facts.channel_carries_purpose = channel->plugin->Carries(message.purpose);
      facts.consents = consents;
      ASSIGN_OR_RETURN(facts.marketing_in_window,
                       outbox_.MarketingAcceptedSince(tx, contacts.members,
                                                      now - options_.policy.frequency_window));
      ASSIGN_OR_RETURN(facts.suppressed,
                       AnySuppressed(tx, *channel, Addresses(contacts, *channel->plugin)));
      facts.channel_daily_cap = channel->plugin->DailyCapPerRecipient();
      if (facts.channel_daily_cap > 0) {
        const auto [from, until] = gate_.DayOf(std::max(message.send_at, now));
        ASSIGN_OR_RETURN(
            facts.channel_today,
            outbox_.ChannelAcceptedFor(tx, contacts.members, channel->name, from, until));
      }
      decision = gate_.Preview(facts);
    }
  }
  message.state = MessageState::kQueued;
  message.next_attempt_at = std::max(message.send_at, now);
  if (decision.verdict == Verdict::kRefuse) {
    message.state = MessageState::kRefused;
    message.reason = decision.reason;
    message.next_attempt_at.reset();
  } else if (decision.verdict == Verdict::kDefer && message.send_at <= decision.defer_until) {
    message.state = MessageState::kDeferred;
    message.reason = decision.reason;
    message.next_attempt_at = decision.defer_until;
  }
  RETURN_IF_ERROR(outbox_.Insert(tx, message));
  for (size_t i = 0; i + 1 < links.size(); i += 2) {
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO message_link (code, message_id, url, created_at) VALUES (?, ?, ?, ?)",
        {links[i], message.id, links[i + 1], ToUnixMicros(now)}));
  }
  p.result = Accepted{std::move(message), true};
  return Status::Ok();
}

// Runs the transactions of `group` in ONE write transaction (one commit, one fsync), each inside
// a savepoint so that one message's error rolls back only that message.
void MessagingService::CommitGroup(std::span<PendingSend* const> group) {
  Status written = deps_.db.Write([&](store::Transaction& tx) -> Status {
    for (PendingSend* p : group) {
      p->result = InternalError("not written");
      RETURN_IF_ERROR(tx.Execute("SAVEPOINT message_send", {}));
      Status one = WriteSend(tx, *p);
      if (!one.ok()) {
        p->result = one;
        RETURN_IF_ERROR(tx.Execute("ROLLBACK TO SAVEPOINT message_send", {}));
      }
      RETURN_IF_ERROR(tx.Execute("RELEASE SAVEPOINT message_send", {}));
    }
    return Status::Ok();
  });
  if (!written.ok()) {
    for (PendingSend* p : group) p->result = written;
  }
  bool wake = false;
  for (const PendingSend* p : group) {
    wake = wake || (p->result.ok() && p->result->created &&
                    p->result->message.state == MessageState::kQueued);
  }
  if (wake) Wake();
}

// Group commit: concurrent Send calls queue their message; whichever finds no commit running
// writes everything queued so far in one transaction, the others wait for it. Under load the
// callers share one commit instead of queueing for one each.
void MessagingService::GroupCommit(PendingSend& pending) {
  std::unique_lock lock(commit_mutex_);
  commit_queue_.push_back(&pending);
  while (!pending.done) {
    if (committing_) {
      committed_.wait(lock);
      continue;
    }
    committing_ = true;
    const size_t take = std::min(commit_queue_.size(), kCommitGroupMax);
    std::vector<PendingSend*> group(commit_queue_.begin(), commit_queue_.begin() + take);
    commit_queue_.erase(commit_queue_.begin(), commit_queue_.begin() + take);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    for (PendingSend* p : group) p->done = true;
    committing_ = false;
    committed_.notify_all();
  }
}

Result<Accepted> MessagingService::Send(const auth::Principal& principal, std::string_view key,
                                        const SendRequest& request) {
  ASSIGN_OR_RETURN(PendingSend pending, BeginSend(principal, key, request));
  GroupCommit(pending);
  return std::move(pending.result);
}

std::vector<Result<Accepted>> MessagingService::SendMany(const auth::Principal& principal,
                                                         std::span<const std::string> keys,
                                                         std::span<const SendRequest> requests) {
  std::vector<Result<Accepted>> out;
  std::vector<PendingSend> pending;
  std::vector<size_t> index;  // pending[j] answers out[index[j]]
  pending.reserve(requests.size());
  for (size_t i = 0; i < requests.size() && i < keys.size(); ++i) {
    auto begun = BeginSend(principal, keys[i], requests[i]);
    if (!begun.ok()) {
      out.emplace_back(begun.status());
      continue;
    }
    out.emplace_back(InternalError("not written"));
    index.push_back(i);
    pending.push_back(std::move(*begun));
  }
  std::vector<PendingSend*> group;
  for (PendingSend& p : pending) group.push_back(&p);
  if (!group.empty()) CommitGroup(group);
  for (size_t j = 0; j < pending.size(); ++j) out[index[j]] = std::move(pending[j].result);
  return out;
}

Result<bool> MessagingService::AnySuppressed(store::Transaction& tx,
                                             const ConfiguredChannel& channel,
                                             std::span<const std::string> addresses) {
  for (const std::string& address : addresses) {
    ASSIGN_OR_RETURN(bool suppressed, IsSuppressed(tx, channel, address));
    if (suppressed) return true;
  }
  return false;
}

Result<bool> MessagingService::IsSuppressed(store::Transaction& tx,
                                            const ConfiguredChannel& channel,
                                            std::string_view address) {
  const std::string type(channel.plugin->address_type());
  const auto lookup = privacy::KeyedHash(deps_.ring, type, address);
  return outbox_.Suppressed(tx, channel.name, type, privacy::AsBytes(lookup));
}

Status MessagingService::Suppress(const auth::Principal& principal, std::string_view channel,
                                  std::string_view address_type, std::string_view address,
                                  std::string_view reason) {
  if (channel != "all" && !channels_.Find(channel)) {
    return InvalidArgumentError("expected a configured channel or \"all\"", "/channel");
  }
  ASSIGN_OR_RETURN(const std::string normalised,
                   deps_.customers.graph().types().Normalize(address_type, address));
  const auto lookup = privacy::KeyedHash(deps_.ring, address_type, normalised);
  std::optional<int64_t> by;
  if (principal.kind == auth::PrincipalKind::kStaff) by = principal.id;
  return deps_.db.Write([&](store::Transaction& tx) {
    return outbox_.Suppress(tx, channel, address_type, privacy::AsBytes(lookup), reason, by,
                            deps_.clock.Now());
  });
}

Result<Json> MessagingService::Get(const auth::Principal& principal, int64_t id) {
  Message m;
  std::vector<Attempt> attempts;
  std::vector<StatusChange> history;
  std::vector<std::pair<std::string, int64_t>> links;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(m, outbox_.Get(tx, id));
    ASSIGN_OR_RETURN(attempts, outbox_.Attempts(tx, id));
    ASSIGN_OR_RETURN(history, outbox_.History(tx, id));
    return tx.Query("SELECT code, clicks FROM message_link WHERE message_id = ? ORDER BY code",
                    {id}, [&](const store::Row& row) {
                      links.emplace_back(row.Text(0), row.Int(1));
                      return Status::Ok();
                    });
  }));
  // Scope: the recipient must be visible to the caller now.
  std::vector<std::string> types;
  const auto channel = channels_.Find(m.channel);
  if (channel) types.emplace_back(channel->plugin->address_type());
  auto contacts = deps_.customers.ContactsForSending(principal, m.person_id, types);
  if (!contacts.ok()) {
    if (contacts.status().code() == StatusCode::kNotFound) {
      return NotFoundError(fmt::format("message {} not found", id));
    }
    return contacts.status();
  }
  Json recipient = {{"one_id", contacts->one_id}, {"address", nullptr}};
  if (!contacts->points.empty()) {
    const auto& [type, value] = contacts->points.front();
    const auto* def = deps_.customers.graph().types().Find(type);
    recipient["address"] = privacy::Mask(def ? def->mask : privacy::MaskRule::kOpaque, value);
  }
  Json attempts_json = Json::array();
  for (const Attempt& a : attempts) {
    attempts_json.push_back(
        {{"attempt", a.attempt},
         {"channel", a.channel},
         {"started_at", FormatRfc3339(a.started_at)},
         {"finished_at", a.finished_at ? Json(FormatRfc3339(*a.finished_at)) : Json()},
         {"outcome", a.outcome ? Json(OutcomeName(*a.outcome)) : Json()},
         {"provider_message_id",
          a.provider_message_id.empty() ? Json() : Json(a.provider_message_id)},
         {"detail", a.detail}});
  }
  Json out = MessageBody(m, recipient, history, links);
  out["attempts"] = attempts_json;
  return out;
}

Json MessagingService::MessageBody(
    const Message& m, Json recipient, const std::vector<StatusChange>& history,
    const std::vector<std::pair<std::string, int64_t>>& links) const {
  Json history_json = Json::array();
  for (const StatusChange& s : history) {
    history_json.push_back(
        {{"at", FormatRfc3339(s.at)}, {"state", StateName(s.state)}, {"reason", s.reason}});
  }
  Json links_json = Json::array();
  for (const auto& [code, clicks] : links) {
    links_json.push_back(
        {{"url", fmt::format("{}/l/{}", options_.public_base_url, code)}, {"clicks", clicks}});
  }
  return Json{
      {"id", m.id},
      {"state", StateName(m.state)},
      {"reason", m.reason},
      {"purpose", PurposeName(m.purpose)},
      {"personalised", m.personalised},
      {"channel_requested", m.channel_requested},
      {"channel", m.channel.empty() ? Json() : Json(m.channel)},
      {"recipient", std::move(recipient)},
      {"template_id", m.template_id ? Json(*m.template_id) : Json()},
      {"template_version", m.template_version ? Json(*m.template_version) : Json()},
      {"send_at", FormatRfc3339(m.send_at)},
      {"next_attempt_at", m.next_attempt_at ? Json(FormatRfc3339(*m.next_attempt_at)) : Json()},
      {"status_history", history_json},
      {"links", links_json},
      {"provider_message_id", m.provider_message_id.empty() ? Json() : Json(m.provider_message_id)},
      {"created_at", FormatRfc3339(m.created_at)},
      {"updated_at", FormatRfc3339(m.updated_at)}};
}

Result<Json> MessagingService::PutChannel(const auth::Principal& principal, std::string_view name,
                                          std::string_view kind, const Json& config, bool enabled) {
  const std::optional<ConfiguredChannel> stored = channels_.Find(name);
  ASSIGN_OR_RETURN(Json complete, KeepStoredSecrets(kind, config, stored ? stored->kind : "",
                                                    stored ? &stored->config : nullptr));
  ASSIGN_OR_RETURN(ConfiguredChannel channel, channels_.Build(name, kind, complete, enabled));
  std::optional<int64_t> by;
  if (principal.kind == auth::PrincipalKind::kStaff) by = principal.id;
  RETURN_IF_ERROR(deps_.db.Write(
      [&](store::Transaction& tx) { return channels_.Store(tx, channel, by, deps_.clock.Now()); }));
  log::Info("messaging.channel_configured",
            {{"channel", channel.name}, {"kind", channel.kind}, {"version", channel.version}});
  channels_.Install(channel);
  return GetChannel(name);
}

Json MessagingService::ListChannels() const {
  Json out = Json::array();
  for (const auto& channel : channels_.All()) out.push_back(*GetChannel(channel.name));
  return out;
}

Result<Json> MessagingService::GetChannel(std::string_view name) const {
  auto channel = channels_.Find(name);
  if (!channel) return NotFoundError(fmt::format("channel {} not found", name));
  return Json{{"name", channel->name},
              {"kind", channel->kind},
              {"enabled", channel->enabled},
              {"version", channel->version},
              {"address_type", channel->plugin->address_type()},
              {"consent_channel", channel->plugin->consent_channel()},
              {"config", RedactSecrets(channel->kind, channel->config)}};
}

Result<Json> MessagingService::Preview(const auth::Principal& principal, int64_t template_id,
                                       std::optional<int> version, const Json& variables,
                                       std::optional<int64_t> one_id) {
  Json values = variables;
  if (one_id) {
    // The customer's data as the caller may see it (masked): preview never unmasks.
    ASSIGN_OR_RETURN(Json customer, deps_.customers.Get(principal, *one_id));
    const Json profile = customer.value("profile", Json::object());
    for (const auto& [name, value] : profile.items()) {
      if (!values.contains(name) && (value.is_string() || value.is_number())) values[name] = value;
    }
  }
  TemplateVersion v;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    if (version) {
      ASSIGN_OR_RETURN(v, templates_.Version(tx, template_id, *version));
    } else {
      ASSIGN_OR_RETURN(auto versions, templates_.Versions(tx, template_id));
      if (versions.empty()) return NotFoundError(fmt::format("template {} not found", template_id));
      v = versions.back();
    }
    return Status::Ok();
  }));
  // Only declared variables are passed; the customer's other attributes are ignored.
  Json declared = Json::object();
  for (const VariableDef& def : v.variables) {
    if (values.contains(def.name)) declared[def.name] = values[def.name];
  }
  ASSIGN_OR_RETURN(Json rendered, Render(v, declared));
  return Json{{"template_id", template_id}, {"version", v.version}, {"rendered", rendered}};
}

}  // namespace banyan::messaging
