#include "messaging/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace banyan::messaging {
namespace {

Decision Refuse(std::string rule, std::string why) {
  Decision d;
  d.verdict = Verdict::kRefuse;
  d.reason = fmt::format("{}: {}", rule, why);
  d.rule = std::move(rule);
  return d;
}

Decision Defer(std::string rule, std::string why, Timestamp until) {
  Decision d = Refuse(std::move(rule), std::move(why));
  d.verdict = Verdict::kDefer;
  d.defer_until = until;
  return d;
}

std::string Clock24(int minute) { return fmt::format("{:02}:{:02}", minute / 60, minute % 60); }

}  // namespace

bool OptedOut(std::span<const privacy::ConsentState> consents, privacy::Purpose purpose,
              std::string_view channel) {
  const bool any = std::any_of(consents.begin(), consents.end(), [&](const auto& state) {
    return state.purpose == purpose &&
           (state.channel == channel || state.channel == privacy::kAllChannels);
  });
  return any && !privacy::Allows(consents, purpose, channel);
}

PolicyGate::PolicyGate(PolicyOptions options, BusinessCalendar calendar, const Clock& clock)
    : options_(options), calendar_(std::move(calendar)), clock_(clock) {}

Timestamp PolicyGate::NextAllowed(Timestamp t) const {
  const int minute = calendar_.MinuteOfDay(t);
  const int from = options_.quiet_allowed_from_minute;
  const int until = options_.quiet_allowed_until_minute;
  if (minute >= from && minute < until) return t;
  CivilDay day = calendar_.DayOf(t);
  if (minute >= until) day += 1;
  return calendar_.StartOf(day) + std::chrono::minutes(from);
}

Timestamp PolicyGate::StartOfToday() const {
  return calendar_.StartOf(calendar_.DayOf(clock_.Now()));
}

std::pair<Timestamp, Timestamp> PolicyGate::DayOf(Timestamp t) const {
  const CivilDay day = calendar_.DayOf(t);
  return {calendar_.StartOf(day), calendar_.StartOf(day + 1)};
}

Decision PolicyGate::CheckRules(const PolicyFacts& facts) const {
  const bool marketing = facts.purpose == Purpose::kMarketing;
  // 1. purpose × channel.
  if (!facts.channel_carries_purpose) {
    return Refuse("purpose", fmt::format("channel {} does not carry {} messages", facts.channel,
                                         PurposeName(facts.purpose)));
  }
  if (marketing &&
      !privacy::Allows(facts.consents, privacy::Purpose::kMarketing, facts.consent_channel)) {
    return Refuse("consent", fmt::format("no marketing consent on {}", facts.consent_channel));
  }
  // 2. personalised marketing opt-out.
  if (marketing && facts.personalised &&
      OptedOut(facts.consents, privacy::Purpose::kPersonalisedMarketing, facts.consent_channel)) {
    return Refuse("personalised_marketing", "the customer opted out of personalised marketing");
  }
  // 3. suppression.
  if (facts.suppressed) {
    return Refuse("suppression",
                  fmt::format("the recipient's address is suppressed on {}", facts.channel));
  }
  // 4. quiet hours.
  const Timestamp now = clock_.Now();
  if (marketing) {
    const Timestamp allowed = NextAllowed(now);
    if (allowed != now) {
      return Defer("quiet_hours",
                   fmt::format("marketing is sent {}–{} {}; deferred to {}",
                               Clock24(options_.quiet_allowed_from_minute),
                               Clock24(options_.quiet_allowed_until_minute), calendar_.zone_name(),
                               calendar_.FormatLocal(allowed)),
                   allowed);
    }
  }
  // 5. frequency cap.
  if (marketing && options_.frequency_cap > 0 &&
      facts.marketing_in_window >= options_.frequency_cap) {
    const auto days =
        std::chrono::duration_cast<std::chrono::hours>(options_.frequency_window).count() / 24;
    return Refuse("frequency_cap",
                  fmt::format("{} marketing messages in {} days already (cap {})",
                              facts.marketing_in_window, days, options_.frequency_cap));
  }
  // 5b. the channel's per-recipient daily cap.
  if (facts.channel_daily_cap > 0 && facts.channel_today >= facts.channel_daily_cap) {
    return Refuse("channel_cap",
                  fmt::format("channel {} allows {} message(s) per customer per day; {} already "
                              "today",
                              facts.channel, facts.channel_daily_cap, facts.channel_today));
  }
  // 7 (checked before the token is taken, so a duplicate costs no token). 6 is in Check.
  if (facts.already_handed_over) {
    return Refuse("idempotency", "the message was already handed to a provider");
  }
  return Decision{};
}

Decision PolicyGate::Preview(const PolicyFacts& facts) const { return CheckRules(facts); }

Decision PolicyGate::Check(const PolicyFacts& facts) {
  Decision decision = CheckRules(facts);
  if (decision.verdict != Verdict::kAllow || facts.channel_rate_per_second <= 0) return decision;
  if (auto due = TakeToken(facts.channel, facts.channel_rate_per_second)) {
    return Defer(
        "rate_limit",
        fmt::format("channel {} sends at most {}/s", facts.channel, facts.channel_rate_per_second),
        *due);
  }
  return decision;
}

std::optional<Timestamp> PolicyGate::TakeToken(const std::string& channel, double rate_per_second) {
  const Timestamp now = clock_.Now();
  const double burst = std::max(1.0, rate_per_second);
  std::lock_guard lock(buckets_mutex_);
  auto [it, inserted] = buckets_.try_emplace(channel);
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = burst;
  } else {
    const double elapsed_s = std::chrono::duration<double>(now - bucket.refilled_at).count();
    bucket.tokens = std::min(burst, bucket.tokens + std::max(0.0, elapsed_s) * rate_per_second);
  }
  bucket.refilled_at = now;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait_s = (1.0 - bucket.tokens) / rate_per_second;
  return now + Micros(static_cast<int64_t>(std::ceil(wait_s * 1e6)));
}

}  // namespace banyan::messaging
