// PolicyGate: the one place every message passes before it leaves, asking in this order —
//
//   1. purpose × channel: the channel carries this purpose (WeChat template messages carry
//      service only) and, for marketing, the consent ledger allows marketing on the channel;
//   2. personalised marketing: a personalised marketing message is refused when the customer
//      opted out of personalised marketing (PIPL art. 24);
//   3. the global suppression list (the recipient's address on this channel or on all);
//   4. quiet hours for marketing: outside [quiet_allowed_from, quiet_allowed_until) in the bank's
//      time zone the message is DEFERRED to the next allowed instant, never dropped;
//   5. the cross-channel frequency cap: at most `frequency_cap` marketing messages per customer
//      per `frequency_window` (counting those handed to a provider or being sent);
//   5b. the channel's per-recipient daily cap (WeCom: one group-send per customer per day):
//      refused when the customer was already handed `channel_daily_cap` messages on the channel
//      today in the bank's zone;
//   6. the channel's rate limit (a token bucket per channel): deferred until a token is due;
//   7. idempotency: a message already handed to a provider is never sent again.
//
// The gate decides; it reads nothing. GatherFacts (outbox.h) reads what it needs from the store,
// so the rules are tested without a database and the injected Clock decides what "now" is.
// Refusals and deferrals carry a reason "<rule>: <why>" that the outbox stores.
//
// Thread safety: Check is safe from any thread (the rate limiter has its own lock).

#ifndef BANYAN_MESSAGING_POLICY_H_
#define BANYAN_MESSAGING_POLICY_H_

#include <map>
#include <mutex>
#include <span>
#include <string>

#include "base/clock.h"
#include "base/time.h"
#include "messaging/types.h"
#include "privacy/consent.h"

namespace banyan::messaging {

inline constexpr int kFrequencyCapMax = 1000;
inline constexpr double kRatePerSecondMax = 1e6;

struct PolicyOptions {
  int quiet_allowed_from_minute = 9 * 60;    // local time; marketing may be sent from here…
  int quiet_allowed_until_minute = 20 * 60;  // …until here (exclusive)
  int frequency_cap = 3;                     // marketing messages per window; 0: no cap
  Micros frequency_window = std::chrono::hours(24 * 7);
};

// What the gate needs to know about one message about to go out on one channel.
struct PolicyFacts {
  Purpose purpose = Purpose::kService;
  bool personalised = false;
  std::string channel;          // the configured channel's name ("sms", "douyin")
  std::string consent_channel;  // the consent ledger's name for it ("sms", "wechat", "webhook")
  bool channel_carries_purpose = true;
  std::span<const privacy::ConsentState> consents;  // current state across the OneID's persons
  bool suppressed = false;
  int marketing_in_window = 0;  // other marketing messages to the customer in the window
  int channel_daily_cap = 0;    // Channel::DailyCapPerRecipient; 0: none
  int channel_today = 0;        // other messages to the customer on the channel today
  bool already_handed_over = false;
  double channel_rate_per_second = 0;  // 0: no limit
};

enum class Verdict { kAllow, kRefuse, kDefer };

struct Decision {
  Verdict verdict = Verdict::kAllow;
  std::string rule;    // "consent", "personalised_marketing", "suppression", "quiet_hours",
                       // "frequency_cap", "channel_cap", "rate_limit", "idempotency", "purpose"
  std::string reason;  // "<rule>: <why>", stored with the message
  Timestamp defer_until{};  // kDefer only
};

class PolicyGate {
 public:
  PolicyGate(PolicyOptions options, BusinessCalendar calendar, const Clock& clock);

  // Applies the rules in order; the first that does not allow decides. A kAllow from a channel
  // with a rate limit consumes one token.
  Decision Check(const PolicyFacts& facts);
  // Same rules without taking a rate-limit token, for the answer the send API gives at once.
  Decision Preview(const PolicyFacts& facts) const;

  // The next instant at or after `t` inside the allowed window.
  Timestamp NextAllowed(Timestamp t) const;
  // The first instant of today in the bank's zone (for daily caps).
  Timestamp StartOfToday() const;
  // The first instants of the day `t` falls on and of the next day, in the bank's zone.
  std::pair<Timestamp, Timestamp> DayOf(Timestamp t) const;
  const PolicyOptions& options() const { return options_; }

 private:
  Decision CheckRules(const PolicyFacts& facts) const;
  // Takes a token of `channel`'s bucket, or returns when the next one is due.
  std::optional<Timestamp> TakeToken(const std::string& channel, double rate_per_second);

  const PolicyOptions options_;
  const BusinessCalendar calendar_;
  const Clock& clock_;

  struct Bucket {
    double tokens = 0;
    Timestamp refilled_at{};
  };
  std::mutex buckets_mutex_;
  std::map<std::string, Bucket> buckets_;  // guarded by buckets_mutex_
};

// True when the customer's latest state for `purpose` on `channel` (or on all) is a withdrawal.
// Opt-out purposes (personalised marketing) ask this rather than privacy::Allows, whose
// "no fact: not allowed" is the opt-in rule.
bool OptedOut(std::span<const privacy::ConsentState> consents, privacy::Purpose purpose,
              std::string_view channel);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_POLICY_H_
