// MessagingService's dispatcher: claim due messages, re-ask the gate, resolve the address,
// render, send through the plugin, record the outcome. One batch is claimed in one transaction,
// its facts read in one, and its outcomes written in one, so the store's cost is per batch.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "base/logging.h"
#include "messaging/service.h"

namespace banyan::messaging {

struct MessagingService::Work {
  Message message;
  std::optional<ConfiguredChannel> channel;
  Outbound outbound;
  Decision decision;
  bool send = false;
  Outbox::Change change;  // what to record
  std::optional<Attempt> attempt;
};

std::vector<std::string> Addresses(const customer::Contacts& contacts, const Channel& plugin) {
  std::vector<std::string> out;
  for (const auto& [type, value] : contacts.points) {
    if (type == plugin.address_type()) out.push_back(value);
  }
  return out;
}

void MessagingService::Start() {
  if (!threads_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < options_.dispatch_threads; ++i) threads_.emplace_back([this] { Loop(); });
}

void MessagingService::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
    woken_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
}

void MessagingService::Wake() {
  {
    std::lock_guard lock(wake_mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void MessagingService::Loop() {
  while (!stopping_) {
    auto handled = RunOnce();
    if (!handled.ok()) {
      log::Error("messaging.dispatch_failed", {{"error", handled.status().ToString()}});
    }
    int64_t due = next_result_poll_.load();
    const int64_t now = ToUnixMicros(deps_.clock.Now());
    if (now >= due && next_result_poll_.compare_exchange_strong(
                          due, now + options_.result_poll_interval.count())) {
      auto polled = PollOnce();
      if (!polled.ok()) {
        log::Warn("messaging.result_poll_failed", {{"error", polled.status().ToString()}});
      }
    }
    if (handled.ok() && *handled > 0) continue;
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, options_.idle_poll, [this] { return woken_ || stopping_.load(); });
    woken_ = false;
  }
}

Micros MessagingService::Backoff(int attempt) {
  const double base = static_cast<double>(options_.retry.initial_backoff.count()) *
                      std::pow(2.0, std::max(0, attempt - 1));
  double delay = std::min(base, static_cast<double>(options_.retry.max_backoff.count()));
  double unit = 0;
  {
    std::lock_guard lock(random_mutex_);
    unit = deps_.random.UniformDouble();
  }
  delay *= 1.0 + options_.retry.jitter * (2.0 * unit - 1.0);
  return Micros(static_cast<int64_t>(delay));
}

Result<std::string> MessagingService::Route(store::Transaction& tx, const Message& message,
                                            const customer::Contacts& contacts) {
  ASSIGN_OR_RETURN(auto consents,
                   privacy::ConsentLedger(deps_.clock).Current(tx, contacts.members));
  ASSIGN_OR_RETURN(
      auto engagement,
      outbox_.Engagement(tx, contacts.members, deps_.clock.Now() - options_.engagement_window));
  struct Candidate {
    int engaged;
    int priority;
    std::string name;
  };
  std::vector<Candidate> candidates;
  for (const auto& channel : channels_.All()) {
    if (!channel.enabled || !channel.plugin->Carries(message.purpose)) continue;
    if (message.content && !channel.plugin->FreeText()) continue;
    const bool reachable = std::any_of(
        contacts.points.begin(), contacts.points.end(),
        [&](const auto& point) { return point.first == channel.plugin->address_type(); });
    if (!reachable) continue;
    if (message.purpose == Purpose::kMarketing &&
        !privacy::Allows(consents, privacy::Purpose::kMarketing,
                         channel.plugin->consent_channel())) {
      continue;
    }
    int engaged = 0;
    for (const auto& [name, count] : engagement) {
      if (name == channel.name) engaged = count;
    }
    candidates.push_back({engaged, channel.priority, channel.name});
  }
  if (candidates.empty()) {
    return FailedPreconditionError("no enabled channel reaches the customer with consent");
  }
  // Engagement first (where the customer reads and clicks), then the configured priority.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.engaged != b.engaged) return a.engaged > b.engaged;
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.name < b.name;
  });
  return candidates.front().name;
}

Result<TemplateVersion> MessagingService::CachedVersion(store::Transaction& tx, int64_t template_id,
                                                        int version) {
  {
    std::lock_guard lock(versions_mutex_);
    auto it = versions_.find({template_id, version});
    if (it != versions_.end()) return it->second;
  }
  // Approved versions never change, so they may be cached for good.
  ASSIGN_OR_RETURN(TemplateVersion v, templates_.Approved(tx, template_id, version));
  std::lock_guard lock(versions_mutex_);
  if (versions_.size() < 10'000) versions_.emplace(std::make_pair(template_id, version), v);
  return v;
}

Result<int> MessagingService::RunOnce() {
  std::vector<Message> claimed;
  const Timestamp now = deps_.clock.Now();
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(claimed, outbox_.ClaimDue(tx, now, options_.lease, options_.claim_batch));
    return Status::Ok();
  }));
  if (claimed.empty()) return 0;
  ASSIGN_OR_RETURN(std::vector<Work> batch, Prepare(std::move(claimed)));
  for (Work& work : batch) {
    if (work.send) Deliver(work);
  }
  RETURN_IF_ERROR(Record(batch));
  return static_cast<int>(batch.size());
}

// Reads what the gate needs for every message of the batch and decides each; fills the
// Outbound of those to send. The contacts come from the customer service (one read each); every
// other fact is read in ONE read transaction for the whole batch: the marketing counts of all
// its recipients in one query, whether the suppression list has entries for a channel once per
// channel (addresses are hashed and looked up only when it has), the channels once.
Result<std::vector<MessagingService::Work>> MessagingService::Prepare(
    std::vector<Message> claimed) {
  std::vector<Work> batch(claimed.size());
  std::vector<std::optional<customer::Contacts>> contacts(claimed.size());
  const std::vector<std::string> types = AddressTypes();
  const Timestamp now = deps_.clock.Now();
  for (size_t i = 0; i < claimed.size(); ++i) {
    Work& work = batch[i];
    work.message = std::move(claimed[i]);
    const Message& m = work.message;
    if (m.attempts >= options_.retry.attempts_max) {
      work.change = {MessageState::kDead,
                     fmt::format("{} attempts without delivery", m.attempts),
                     std::nullopt,
                     {},
                     {},
                     false};
      continue;
    }
    auto found = deps_.customers.ContactsForSending(auth::Principal::System(), m.person_id, types);
    if (!found.ok()) {
      if (found.status().code() != StatusCode::kNotFound) return found.status();
      work.change = {MessageState::kRefused,
                     "recipient: the customer no longer exists",
                     std::nullopt,
                     {},
                     {},
                     false};
      continue;
    }
    contacts[i] = std::move(*found);
  }
  std::map<std::string, ConfiguredChannel, std::less<>> channels;
  for (ConfiguredChannel& channel : channels_.All()) {
    std::string name = channel.name;
    channels.emplace(std::move(name), std::move(channel));
  }
  privacy::ConsentLedger ledger(deps_.clock);
  const Timestamp window_start = now - options_.policy.frequency_window;
  Status read = deps_.db.Read([&](store::Transaction& tx) -> Status {
    std::vector<int64_t> persons;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (contacts[i] && batch[i].message.purpose == Purpose::kMarketing) {
        persons.insert(persons.end(), contacts[i]->members.begin(), contacts[i]->members.end());
      }
    }
    std::sort(persons.begin(), persons.end());
    persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
    ASSIGN_OR_RETURN(const auto marketing, outbox_.MarketingCountsSince(tx, persons, window_start));
    std::map<std::string, bool, std::less<>> suppression_listed;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (!contacts[i]) continue;
      Work& work = batch[i];
      const customer::Contacts& to = *contacts[i];
      Message& m = work.message;
      work.send = false;
      auto refuse = [&](std::string reason) {
        work.change = {MessageState::kRefused, std::move(reason), std::nullopt, {}, {}, false};
      };
      std::string name = m.channel;
      if (name.empty()) {
        auto routed = Route(tx, m, to);
        if (!routed.ok()) {
          refuse("routing: " + routed.status().message());
          continue;
        }
        name = *routed;
      }
      const auto found = channels.find(name);
      if (found == channels.end() || !found->second.enabled) {
        work.channel.reset();
        work.change = {MessageState::kDead,
                       fmt::format("channel {} is not configured or disabled", name),
                       std::nullopt,
                       name,
                       {},
                       false};
        continue;
      }
      work.channel = found->second;
      const ConfiguredChannel& channel = found->second;
      const Channel& plugin = *channel.plugin;
      const std::vector<std::string> addresses = Addresses(to, plugin);
      std::string address = plugin.PickAddress(addresses);
      if (address.empty()) {
        if (channel.fallback) {
          work.change = {MessageState::kQueued,
                         fmt::format("no {} address; falling back to {}", plugin.address_type(),
                                     *channel.fallback),
                         now,
                         *channel.fallback,
                         {},
                         true};
        } else {
          refuse(
              fmt::format("recipient: no {} address for channel {}", plugin.address_type(), name));
        }
        continue;
      }
      ASSIGN_OR_RETURN(auto consents, ledger.Current(tx, to.members));
      PolicyFacts facts;
      facts.purpose = m.purpose;
      facts.personalised = m.personalised;
      facts.channel = name;
      facts.consent_channel = std::string(plugin.consent_channel());
      facts.channel_carries_purpose = plugin.Carries(m.purpose);
      facts.consents = consents;
      auto listed = suppression_listed.find(name);
      if (listed == suppression_listed.end()) {
        ASSIGN_OR_RETURN(const bool any, outbox_.AnySuppressionFor(tx, name));
        listed = suppression_listed.emplace(name, any).first;
      }
      if (listed->second) {
        ASSIGN_OR_RETURN(facts.suppressed, AnySuppressed(tx, channel, addresses));
      }
      if (m.purpose == Purpose::kMarketing) {
        int count = 0;
        bool self = false;
        for (int64_t person : to.members) {
          const auto it = marketing.find(person);
          if (it != marketing.end()) count += it->second;
          self = self || person == m.person_id;
        }
        // The message itself is "sending" (claimed) and was counted if it is in the window.
        if (self && m.created_at >= window_start) --count;
        facts.marketing_in_window = std::max(0, count);
      }
      facts.channel_daily_cap = plugin.DailyCapPerRecipient();
      if (facts.channel_daily_cap > 0) {
        ASSIGN_OR_RETURN(
            facts.channel_today,
            outbox_.ChannelHandedOverSince(tx, to.members, name, gate_.StartOfToday(), m.id));
      }
      facts.already_handed_over = WasHandedOver(m.state);
      facts.channel_rate_per_second = channel.rate_per_second;
      work.decision = gate_.Check(facts);
      if (work.decision.verdict == Verdict::kRefuse) {
        refuse(work.decision.reason);
        continue;
      }
      if (work.decision.verdict == Verdict::kDefer) {
        work.change = {MessageState::kDeferred,
                       work.decision.reason,
                       work.decision.defer_until,
                       name,
                       {},
                       false};
        continue;
      }
      Json content;
      if (m.template_id) {
        ASSIGN_OR_RETURN(const TemplateVersion v,
                         CachedVersion(tx, *m.template_id, m.template_version.value_or(0)));
        ASSIGN_OR_RETURN(content, Render(v, m.variables));
      } else {
        content = {{"text", m.content.value_or("")}};
      }
      work.outbound = {m.id,
                       ProviderIdempotencyId(m.id),
                       m.purpose,
                       std::move(address),
                       std::move(content),
                       UnsubscribeUrl(m.id),
                       to.rm_id};
      work.send = true;
      m.channel = name;
    }
    return Status::Ok();
  });
  RETURN_IF_ERROR(read);
  return batch;
}

void MessagingService::Deliver(Work& work) {
  Message& m = work.message;
  const ConfiguredChannel& channel = *work.channel;
  Attempt attempt;
  attempt.attempt = m.attempts + 1;
  attempt.channel = channel.name;
  attempt.started_at = deps_.clock.Now();
  const SendResult result = channel.plugin->Send(work.outbound);
  const Timestamp now = deps_.clock.Now();
  attempt.finished_at = now;
  attempt.outcome = result.outcome;
  attempt.provider_message_id = result.provider_message_id;
  attempt.detail = result.detail;
  work.attempt = attempt;
  Outbox::Change& change = work.change;
  change.count_attempt = true;
  change.channel = channel.name;
  switch (result.outcome) {
    case AttemptOutcome::kOk:
      change.state = MessageState::kSent;
      change.reason = "";
      change.next_attempt_at.reset();
      change.provider_message_id = result.provider_message_id;
      return;
    case AttemptOutcome::kRetry:
      if (attempt.attempt < options_.retry.attempts_max) {
        change.state = MessageState::kQueued;
        change.reason = fmt::format("attempt {} failed: {}", attempt.attempt, result.detail);
        change.next_attempt_at = now + Backoff(attempt.attempt);
        return;
      }
      change.state = MessageState::kDead;
      change.reason = fmt::format("{} attempts failed; last: {}", attempt.attempt, result.detail);
      change.next_attempt_at.reset();
      return;
    case AttemptOutcome::kPermanent:
    case AttemptOutcome::kFallback:
      if (channel.fallback && attempt.attempt < options_.retry.attempts_max) {
        change.state = MessageState::kQueued;
        change.reason = fmt::format("{} could not deliver ({}); falling back to {}", channel.name,
                                    result.detail, *channel.fallback);
        change.channel = *channel.fallback;
        change.next_attempt_at = now;
        return;
      }
      change.state = MessageState::kDead;
      change.reason = fmt::format("{} refused the message: {}", channel.name, result.detail);
      change.next_attempt_at.reset();
      return;
  }
}

Status MessagingService::Record(std::vector<Work>& batch) {
  const Timestamp now = deps_.clock.Now();
  Status written = deps_.db.Write([&](store::Transaction& tx) -> Status {
    for (Work& work : batch) {
      if (work.attempt) RETURN_IF_ERROR(outbox_.RecordAttempt(tx, work.message.id, *work.attempt));
      RETURN_IF_ERROR(outbox_.Apply(tx, work.message.id, work.change, now));
    }
    return Status::Ok();
  });
  if (!written.ok()) return written;
  for (const Work& work : batch) {
    if (work.change.state == MessageState::kDead || work.change.state == MessageState::kRefused) {
      log::Info("messaging.not_sent", {{"message_id", work.message.id},
                                       {"state", StateName(work.change.state)},
                                       {"reason", work.change.reason}});
    }
  }
  return Status::Ok();
}

}  // namespace banyan::messaging
