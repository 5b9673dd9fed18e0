// The consent ledger: append-only facts "person P granted/withdrew PURPOSE on CHANNEL at AT,
// through SOURCE, with EVIDENCE" (table consent, 0002_privacy.sql), and the policy question the
// messaging gate asks of them.
//
// The current state of (purpose, channel) is its latest fact by `at` (when the customer acted),
// then by id. A channel-specific state overrides the "all" state; no fact means not allowed
// (opt-in, PIPL). Evidence is stored as given: by contract it holds ids (form id, event message
// id, IP), not personal values, so it is not sealed.
//
// Used by: identity (consents arriving with events and imports), api, messaging.
// Thread safety: a ConsentLedger has no mutable state; safe from any thread.

#ifndef BANYAN_PRIVACY_CONSENT_H_
#define BANYAN_PRIVACY_CONSENT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::privacy {

enum class Purpose { kMarketing, kPersonalisedMarketing, kDataSharing };
// "marketing", "personalised_marketing", "data_sharing".
std::string_view PurposeName(Purpose purpose);
std::optional<Purpose> ParsePurpose(std::string_view name);

// Channels a consent can name: "all", "sms", "wechat", "wecom", "rcs" (5G messages), "email",
// "app_push", "phone", "webhook".
bool IsConsentChannel(std::string_view channel);
inline constexpr std::string_view kAllChannels = "all";

inline constexpr size_t kConsentSourceBytesMax = 64, kConsentEvidenceBytesMax = 4096;
inline constexpr size_t kConsentIdempotencyKeyBytesMax = 128;
inline constexpr int kConsentHistoryPageMax = 200;
// Persons one query may span (the persons merged into one OneID).
inline constexpr size_t kConsentPersonsMax = 1000;
// How far ahead of the clock a fact's `at` may be (device clocks drift; more is a bad value).
inline constexpr Micros kConsentAtFutureMax = std::chrono::hours(24);

struct ConsentFact {
  int64_t id = 0;  // set by Record
  int64_t person_id = 0;
  Purpose purpose = Purpose::kMarketing;
  std::string channel = "all";
  bool granted = false;
  Timestamp at{};               // when the customer granted/withdrew
  std::string source;           // "sdk", "branch_form", "api", "import", "unsubscribe_reply", ...
  std::string evidence = "{}";  // JSON object text: form id, IP, SMS reply text, event message id
  std::optional<int64_t> recorded_by;  // staff id
  Timestamp recorded_at{};             // set by Record from the clock
  std::optional<std::string> idempotency_key;

  bool operator==(const ConsentFact&) const = default;
};

struct ConsentState {
  Purpose purpose;
  std::string channel;
  bool granted;
  Timestamp at;
  std::string source;
  int64_t fact_id;

  bool operator==(const ConsentState&) const = default;
};

class ConsentLedger {
 public:
  explicit ConsentLedger(const Clock& clock);

  // Validates (InvalidArgument naming "person_id"/"purpose"/"channel"/"at"/"source"/"evidence"/
  // "idempotency_key"), appends, sets fact.id and fact.recorded_at. With an idempotency_key
  // already recorded: returns OK with the existing fact's id and appends nothing.
  // `source` is 1..kConsentSourceBytesMax bytes of [a-z0-9_.:-]; `evidence` a JSON object of at
  // most kConsentEvidenceBytesMax bytes.
  Status Record(store::Transaction& tx, ConsentFact& fact);
  // Current state per (purpose, channel) across `person_ids` (one OneID may be several merged
  // persons): the latest fact by `at`, then by id. Ordered by purpose, then channel.
  // `person_ids`: 1..kConsentPersonsMax (InvalidArgument "person_ids"), as for History, Erase.
  Result<std::vector<ConsentState>> Current(store::Transaction& tx,
                                            std::span<const int64_t> person_ids);
  // Full history, newest first (by id), paged by fact id (before_id), at most `limit` (1..200).
  Result<std::vector<ConsentFact>> History(store::Transaction& tx,
                                           std::span<const int64_t> person_ids,
                                           std::optional<int64_t> before_id, int limit);
  // Deletes every fact of `person_ids` (erasure under PIPL).
  Status Erase(store::Transaction& tx, std::span<const int64_t> person_ids);

 private:
  const Clock& clock_;
};

// The policy question messaging will ask: may we use `purpose` on `channel`? A channel-specific
// state overrides "all", except that an "all" withdrawal newer than the channel's state wins
// ("stop all marketing" ends an older SMS grant too); no fact means NOT allowed (opt-in, PIPL).
// Purposes are independent: a sender that needs two purposes asks for each.
bool Allows(std::span<const ConsentState> current, Purpose purpose, std::string_view channel);

}  // namespace banyan::privacy

#endif  // BANYAN_PRIVACY_CONSENT_H_
