#include "privacy/consent.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "base/json.h"

namespace banyan::privacy {
namespace {

constexpr std::array<std::pair<Purpose, std::string_view>, 3> kPurposeNames = {{
    {Purpose::kMarketing, "marketing"},
    {Purpose::kPersonalisedMarketing, "personalised_marketing"},
    {Purpose::kDataSharing, "data_sharing"},
}};

constexpr std::array<std::string_view, 9> kChannels = {
    "all", "sms", "wechat", "wecom", "rcs", "email", "app_push", "phone", "webhook"};

// Sources are short names from code or configuration ("branch_form", "import:crm").
bool IsSourceName(std::string_view source) {
  return !source.empty() && source.size() <= kConsentSourceBytesMax &&
         std::all_of(source.begin(), source.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                  c == '.' || c == ':';
         });
}

Status Validate(const ConsentFact& fact, Timestamp now) {
  if (fact.person_id <= 0) {
    return InvalidArgumentError(fmt::format("person_id must be positive, not {}", fact.person_id),
                                "person_id");
  }
  if (!ParsePurpose(PurposeName(fact.purpose))) {
    return InvalidArgumentError("unknown purpose", "purpose");
  }
  if (!IsConsentChannel(fact.channel)) {
    return InvalidArgumentError(fmt::format("unknown consent channel \"{}\"", fact.channel),
                                "channel");
  }
  if (fact.at <= Timestamp{} || fact.at > now + kConsentAtFutureMax) {
    return InvalidArgumentError("at must be after 1970 and not more than a day ahead", "at");
  }
  if (!IsSourceName(fact.source)) {
    return InvalidArgumentError(
        fmt::format("source must be 1..{} bytes of a-z, 0-9, '_', '-', '.', ':'",
                    kConsentSourceBytesMax),
        "source");
  }
  if (fact.evidence.size() > kConsentEvidenceBytesMax) {
    return InvalidArgumentError(fmt::format("evidence is over {} bytes", kConsentEvidenceBytesMax),
                                "evidence");
  }
  Result<Json> evidence =
      ParseJson(fact.evidence, {.bytes_max = kConsentEvidenceBytesMax, .depth_max = 8});
  if (!evidence.ok() || !evidence->is_object()) {
    return InvalidArgumentError("evidence must be a JSON object", "evidence");
  }
  if (fact.idempotency_key && (fact.idempotency_key->empty() ||
                               fact.idempotency_key->size() > kConsentIdempotencyKeyBytesMax)) {
    return InvalidArgumentError(
        fmt::format("idempotency_key must be 1..{} bytes", kConsentIdempotencyKeyBytesMax),
        "idempotency_key");
  }
  return Status::Ok();
}

// "?, ?, ?" for `n` parameters.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

Result<std::vector<store::Value>> PersonParams(std::span<const int64_t> person_ids) {
  if (person_ids.empty() || person_ids.size() > kConsentPersonsMax) {
    return InvalidArgumentError(
        fmt::format("between 1 and {} persons, not {}", kConsentPersonsMax, person_ids.size()),
        "person_ids");
  }
  return std::vector<store::Value>(person_ids.begin(), person_ids.end());
}

Result<Purpose> PurposeOf(const store::Row& row, int column) {
  std::optional<Purpose> purpose = ParsePurpose(row.Text(column));
  if (!purpose) return DataLossError(fmt::format("consent row has purpose {}", row.Text(column)));
  return *purpose;
}

// Orders states by time of the customer's act, then by fact id (the ledger's tie-break).
bool Newer(const ConsentState& a, const ConsentState& b) {
  return std::tie(a.at, a.fact_id) > std::tie(b.at, b.fact_id);
}

}  // namespace

std::string_view PurposeName(Purpose purpose) {
  for (const auto& [p, name] : kPurposeNames) {
    if (p == purpose) return name;
  }
  return "";
}

std::optional<Purpose> ParsePurpose(std::string_view name) {
  for (const auto& [purpose, purpose_name] : kPurposeNames) {
    if (purpose_name == name) return purpose;
  }
  return std::nullopt;
}

bool IsConsentChannel(std::string_view channel) {
  return std::find(kChannels.begin(), kChannels.end(), channel) != kChannels.end();
}

ConsentLedger::ConsentLedger(const Clock& clock) : clock_(clock) {}

Status ConsentLedger::Record(store::Transaction& tx, ConsentFact& fact) {
  const Timestamp now = clock_.Now();
  RETURN_IF_ERROR(Validate(fact, now));
  if (fact.idempotency_key) {
    Result<int64_t> existing = tx.QueryOne<int64_t>(
        "SELECT id FROM consent WHERE idempotency_key = ?", {*fact.idempotency_key}, "consent",
        [](const store::Row& row) { return row.Int(0); });
    if (existing.ok()) {
      fact.id = *existing;
      return Status::Ok();
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  }
  RETURN_IF_ERROR(
      tx.Execute("INSERT INTO consent (person_id, purpose, channel, granted, at, source, evidence, "
                 "recorded_by, recorded_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {fact.person_id, PurposeName(fact.purpose), fact.channel, fact.granted,
                  ToUnixMicros(fact.at), fact.source, store::Blob{fact.evidence}, fact.recorded_by,
                  ToUnixMicros(now), fact.idempotency_key}));
  fact.id = tx.LastInsertId();
  fact.recorded_at = now;
  return Status::Ok();
}

Result<std::vector<ConsentState>> ConsentLedger::Current(store::Transaction& tx,
                                                         std::span<const int64_t> person_ids) {
  ASSIGN_OR_RETURN(std::vector<store::Value> params, PersonParams(person_ids));
  // One row per (purpose, channel): its latest fact by `at`, then by id. Window functions are in
  // SQLite (3.25+) and PostgreSQL alike.
  const std::string sql = fmt::format(
      "SELECT purpose, channel, granted, at, source, id FROM ("
      " SELECT purpose, channel, granted, at, source, id, ROW_NUMBER() OVER ("
      "  PARTITION BY purpose, channel ORDER BY at DESC, id DESC) AS rank"
      " FROM consent WHERE person_id IN ({})) AS latest WHERE rank = 1",
      Placeholders(params.size()));
  std::vector<ConsentState> out;
  RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) -> Status {
    ASSIGN_OR_RETURN(Purpose purpose, PurposeOf(row, 0));
    out.push_back({.purpose = purpose,
                   .channel = row.Text(1),
                   .granted = row.Int(2) != 0,
                   .at = FromUnixMicros(row.Int(3)),
                   .source = row.Text(4),
                   .fact_id = row.Int(5)});
    return Status::Ok();
  }));
  std::sort(out.begin(), out.end(), [](const ConsentState& a, const ConsentState& b) {
    return std::tie(a.purpose, a.channel) < std::tie(b.purpose, b.channel);
  });
  return out;
}

Result<std::vector<ConsentFact>> ConsentLedger::History(store::Transaction& tx,
                                                        std::span<const int64_t> person_ids,
                                                        std::optional<int64_t> before_id,
                                                        int limit) {
  if (limit < 1 || limit > kConsentHistoryPageMax) {
    return InvalidArgumentError(
        fmt::format("limit must be 1..{}, not {}", kConsentHistoryPageMax, limit), "limit");
  }
  ASSIGN_OR_RETURN(std::vector<store::Value> params, PersonParams(person_ids));
  const size_t persons = params.size();
  // emplace_back, not push_back: GCC 12 -O2 wrongly warns that the moved-from Value temporary
  // may be uninitialised.
  params.emplace_back(before_id.value_or(INT64_MAX));
  params.emplace_back(static_cast<int64_t>(limit));
  const std::string sql = fmt::format(
      "SELECT id, person_id, purpose, channel, granted, at, source, evidence, recorded_by, "
      "recorded_at, idempotency_key FROM consent WHERE person_id IN ({}) AND id < ? "
      "ORDER BY id DESC LIMIT ?",
      Placeholders(persons));
  std::vector<ConsentFact> out;
  RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) -> Status {
    ASSIGN_OR_RETURN(Purpose purpose, PurposeOf(row, 2));
    out.push_back({.id = row.Int(0),
                   .person_id = row.Int(1),
                   .purpose = purpose,
                   .channel = row.Text(3),
                   .granted = row.Int(4) != 0,
                   .at = FromUnixMicros(row.Int(5)),
                   .source = row.Text(6),
                   .evidence = row.Bytes(7),
                   .recorded_by = row.OptionalInt(8),
                   .recorded_at = FromUnixMicros(row.Int(9)),
                   .idempotency_key = row.OptionalText(10)});
    return Status::Ok();
  }));
  return out;
}

Status ConsentLedger::Erase(store::Transaction& tx, std::span<const int64_t> person_ids) {
  ASSIGN_OR_RETURN(std::vector<store::Value> params, PersonParams(person_ids));
  return tx.Execute(
      fmt::format("DELETE FROM consent WHERE person_id IN ({})", Placeholders(params.size())),
      params);
}

bool Allows(std::span<const ConsentState> current, Purpose purpose, std::string_view channel) {
  const ConsentState* specific = nullptr;
  const ConsentState* all = nullptr;
  for (const ConsentState& state : current) {
    if (state.purpose != purpose) continue;
    if (state.channel == channel) specific = &state;
    if (state.channel == kAllChannels) all = &state;
  }
  if (specific == nullptr) return all != nullptr && all->granted;
  // A withdrawal of every channel that came after the channel's own grant still wins: "stop
  // all marketing" must not leave an older SMS grant in force.
  if (all != nullptr && !all->granted && Newer(*all, *specific)) return false;
  return specific->granted;
}

}  // namespace banyan::privacy
