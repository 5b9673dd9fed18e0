#include "auth/audit.h"

#include <fmt/format.h>

#include <utility>

#include "auth/internal/crypto.h"
#include "auth/internal/rows.h"
#include "base/logging.h"

namespace banyan::auth {
namespace {

constexpr std::string_view kChainVersion = "banyan.audit.v1";
const std::string kGenesisHash(64, '0');
constexpr size_t kActionLengthMax = 64;

// Everything stored in one audit_log row.
struct StoredEntry {
  AuditEntry entry;
  std::string details_text;  // exactly as stored and hashed
  std::string prev_hash;
};

constexpr std::string_view kEntryColumns =
    "seq, at, request_id, remote_address, actor_kind, actor_id, actor_name, action, "
    "target_type, target_id, outcome, details, prev_hash, hash, actor_branch_path";

StoredEntry ReadStoredEntry(const store::Row& row) {
  StoredEntry s;
  AuditEntry& e = s.entry;
  e.seq = row.Int(0);
  e.at = FromUnixMicros(row.Int(1));
  e.request_id = row.Text(2);
  e.remote_address = row.Text(3);
  e.record.actor_kind = row.Text(4);
  e.record.actor_id = row.Int(5);
  e.record.actor_name = row.Text(6);
  e.record.action = row.Text(7);
  e.record.target_type = row.Text(8);
  e.record.target_id = row.Text(9);
  e.record.outcome = row.Text(10);
  s.details_text = row.Text(11);
  s.prev_hash = row.Text(12);
  e.hash = row.Text(13);
  e.record.actor_branch_path = row.Text(14);
  return s;
}

// The canonical encoding: a version tag, then every field as an 8-byte big-endian length
// followed by its bytes (integers as 8-byte big-endian two's complement). Length prefixes make
// the encoding injective, so no two different rows encode alike.
class CanonicalEncoder {
 public:
  CanonicalEncoder() { Text(kChainVersion); }
  void Text(std::string_view text) {
    Length(text.size());
    out_.append(text);
  }
  void Int(int64_t value) {
    Length(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out_ += static_cast<char>((static_cast<uint64_t>(value) >> shift) & 0xff);
    }
  }
  const std::string& bytes() const { return out_; }

 private:
  void Length(uint64_t n) {
    for (int shift = 56; shift >= 0; shift -= 8) out_ += static_cast<char>((n >> shift) & 0xff);
  }
  std::string out_;
};

std::string ChainHash(std::string_view key, const StoredEntry& s) {
  const AuditEntry& e = s.entry;
  CanonicalEncoder enc;
  enc.Int(e.seq);
  enc.Int(ToUnixMicros(e.at));
  enc.Text(e.request_id);
  enc.Text(e.remote_address);
  enc.Text(e.record.actor_kind);
  enc.Int(e.record.actor_id);
  enc.Text(e.record.actor_name);
  enc.Text(e.record.actor_branch_path);
  enc.Text(e.record.action);
  enc.Text(e.record.target_type);
  enc.Text(e.record.target_id);
  enc.Text(e.record.outcome);
  enc.Text(s.details_text);
  enc.Text(s.prev_hash);
  return internal::HmacSha256Hex(key, enc.bytes());
}

// Cuts `text` to at most `bytes_max` bytes without splitting a UTF-8 sequence.
std::string Truncated(std::string_view text, size_t bytes_max) {
  if (text.size() <= bytes_max) return std::string(text);
  size_t end = bytes_max;
  while (end > 0 && (static_cast<uint8_t>(text[end]) & 0xc0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

bool IsValidAction(std::string_view action) {
  if (action.empty() || action.size() > kActionLengthMax) return false;
  for (char c : action) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_')) return false;
  }
  return true;
}

Status CheckRecord(const AuditRecord& record) {
  if (!IsValidAction(record.action)) {
    return InvalidArgumentError(fmt::format("invalid audit action '{}'", record.action), "/action");
  }
  if (record.outcome != "success" && record.outcome != "denied" && record.outcome != "failure") {
    return InvalidArgumentError(fmt::format("invalid audit outcome '{}'", record.outcome),
                                "/outcome");
  }
  if (!record.details.is_object()) {
    return InvalidArgumentError("audit details must be a JSON object", "/details");
  }
  return Status::Ok();
}

// Builds the row to insert: every text field bounded, details serialised once (the stored text
// is what gets hashed, so verification never depends on re-serialising JSON).
Result<StoredEntry> MakeEntry(const AuditRecord& record, const AuditContext& context,
                              Timestamp at) {
  RETURN_IF_ERROR(CheckRecord(record));
  StoredEntry s;
  AuditEntry& e = s.entry;
  e.at = at;
  e.request_id = Truncated(context.request_id, kAuditFieldLengthMax);
  e.remote_address = Truncated(context.remote_address, kAuditFieldLengthMax);
  e.record = record;
  e.record.actor_kind = Truncated(record.actor_kind, kAuditFieldLengthMax);
  e.record.actor_name = Truncated(record.actor_name, kAuditFieldLengthMax);
  e.record.actor_branch_path = Truncated(record.actor_branch_path, kAuditFieldLengthMax);
  e.record.target_type = Truncated(record.target_type, kAuditFieldLengthMax);
  e.record.target_id = Truncated(record.target_id, kAuditFieldLengthMax);
  s.details_text = record.details.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.details_text.size() > kAuditDetailsBytesMax) {
    return TooLargeError(fmt::format("audit details of {} bytes exceed the limit of {} bytes",
                                     s.details_text.size(), kAuditDetailsBytesMax),
                         "/details");
  }
  return s;
}

}  // namespace

AuditRecord AuditRecord::By(const Principal& actor, std::string action, std::string target_type,
                            std::string target_id) {
  AuditRecord r;
  r.actor_kind = std::string(PrincipalKindName(actor.kind));
  r.actor_id = actor.id;
  r.actor_name = actor.name;
  r.actor_branch_path = actor.scope == ScopeKind::kAll ? "/" : actor.branch_path;
  r.action = std::move(action);
  r.target_type = std::move(target_type);
  r.target_id = std::move(target_id);
  return r;
}

AuditLog::AuditLog(store::Database& db, const Clock& clock, std::string key)
    : db_(db), clock_(clock), key_(std::move(key)) {
  internal::EnsureSodium();
  CHECK(key_.size() == internal::kHmacKeyBytes, "the audit key must be {} bytes",
        internal::kHmacKeyBytes);
}

Status AuditLog::Append(store::Transaction& tx, const AuditRecord& record,
                        const AuditContext& context) {
  ASSIGN_OR_RETURN(StoredEntry s, MakeEntry(record, context, clock_.Now()));
  int64_t last_seq = 0;
  s.prev_hash = kGenesisHash;
  RETURN_IF_ERROR(tx.Query(
      "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {},
      [&](const store::Row& row) {
        last_seq = row.Int(0);
        s.prev_hash = row.Text(1);
        return Status::Ok();
      },
      1));
  s.entry.seq = last_seq + 1;
  s.entry.hash = ChainHash(key_, s);
  const AuditEntry& e = s.entry;
  return tx.Execute(fmt::format("INSERT INTO audit_log ({}) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                kEntryColumns),
                    {e.seq, ToUnixMicros(e.at), e.request_id, e.remote_address, e.record.actor_kind,
                     e.record.actor_id, e.record.actor_name, e.record.action, e.record.target_type,
                     e.record.target_id, e.record.outcome, s.details_text, s.prev_hash, e.hash,
                     e.record.actor_branch_path});
}

Status AuditLog::Record(const AuditRecord& record, const AuditContext& context) {
  return db_.Write([&](store::Transaction& tx) { return Append(tx, record, context); });
}

Status AuditLog::Denied(AuditRecord record, const AuditContext& context, std::string message) {
  record.outcome = "denied";
  record.details["reason"] = message;
  const Status recorded = Record(record, context);
  if (!recorded.ok()) {
    log::Warn("audit.record_failed", {{"action", record.action}, {"error", recorded.ToString()}});
  }
  return PermissionDeniedError(std::move(message));
}

namespace {

// The WHERE clause for `filter`, with its parameters appended to `params`.
Result<std::string> FilterCondition(const AuditFilter& filter, std::vector<store::Value>& params) {
  std::string where = "1 = 1";
  if (filter.actor_id) {
    where += " AND actor_id = ?";
    params.emplace_back(*filter.actor_id);
  }
  if (!filter.action.empty()) {
    std::string_view action = filter.action;
    const bool prefix = action.ends_with('*');
    if (prefix) action.remove_suffix(1);
    if (action.size() > kActionLengthMax || (!prefix && !IsValidAction(action))) {
      return InvalidArgumentError("invalid action filter", "/action");
    }
    if (prefix) {
      std::string pattern = internal::ContainsPattern(action).substr(1);  // drop leading '%'
      where += " AND action LIKE ? ESCAPE '\\'";
      params.emplace_back(std::move(pattern));
    } else {
      where += " AND action = ?";
      params.emplace_back(std::string(action));
    }
  }
  const std::pair<const char*, const std::string*> exact[] = {{"target_type", &filter.target_type},
                                                              {"target_id", &filter.target_id},
                                                              {"outcome", &filter.outcome}};
  for (const auto& [column, value] : exact) {
    if (value->empty()) continue;
    where += fmt::format(" AND {} = ?", column);
    params.emplace_back(*value);
  }
  if (filter.from) {
    where += " AND at >= ?";
    params.emplace_back(ToUnixMicros(*filter.from));
  }
  if (filter.to) {
    where += " AND at < ?";
    params.emplace_back(ToUnixMicros(*filter.to));
  }
  return where;
}

}  // namespace

Result<Page<AuditEntry>> AuditLog::QueryScoped(const Principal& reader, const AuditFilter& filter,
                                               std::string_view cursor, int limit) {
  RETURN_IF_ERROR(CheckPageLimit(limit));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, DecodeCursor(cursor));
  std::vector<store::Value> params;
  ASSIGN_OR_RETURN(std::string where, FilterCondition(filter, params));
  where += " AND " + internal::ScopeCondition(reader, "actor_branch_path", params);
  if (after) {
    where += " AND seq < ?";
    params.emplace_back(*after);
  }
  params.emplace_back(limit + 1);
  const std::string sql = fmt::format("SELECT {} FROM audit_log WHERE {} ORDER BY seq DESC LIMIT ?",
                                      kEntryColumns, where);
  std::vector<AuditEntry> rows;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(sql, params, [&](const store::Row& row) -> Status {
      StoredEntry s = ReadStoredEntry(row);
      Result<Json> details = ParseJson(s.details_text);
      if (!details.ok()) {
        return DataLossError(fmt::format("audit entry {} has unreadable details", s.entry.seq));
      }
      s.entry.record.details = std::move(*details);
      rows.push_back(std::move(s.entry));
      return Status::Ok();
    });
  }));
  return MakePage(std::move(rows), limit, [](const AuditEntry& e) { return e.seq; });
}

Result<Page<AuditEntry>> AuditLog::Query(const Principal& reader, const AuditFilter& filter,
                                         std::string_view cursor, int limit) {
  if (!reader.Can(Permission::kAuditRead)) return PermissionDeniedError("audit:read is required");
  return QueryScoped(reader, filter, cursor, limit);
}

Result<Page<AuditEntry>> AuditLog::Query(const AuditFilter& filter, std::string_view cursor,
                                         int limit) {
  return QueryScoped(Principal::System(), filter, cursor, limit);
}

Result<AuditLog::VerifyReport> AuditLog::Verify() {
  VerifyReport report;
  std::string prev_hash = kGenesisHash;
  int64_t expected_seq = 1;
  auto fail = [&](int64_t seq, std::string reason) {
    report.ok = false;
    report.first_bad_seq = seq;
    report.reason = std::move(reason);
  };
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(fmt::format("SELECT {} FROM audit_log ORDER BY seq", kEntryColumns), {},
                    [&](const store::Row& row) {
                      ++report.entries;
                      if (!report.ok) return Status::Ok();
                      const StoredEntry s = ReadStoredEntry(row);
                      if (s.entry.seq != expected_seq) {
                        fail(expected_seq, fmt::format("entry {} is missing (next is {})",
                                                       expected_seq, s.entry.seq));
                      } else if (!internal::ConstantTimeEquals(s.prev_hash, prev_hash)) {
                        fail(s.entry.seq, "prev_hash does not match the previous entry's hash");
                      } else if (!internal::ConstantTimeEquals(ChainHash(key_, s), s.entry.hash)) {
                        fail(s.entry.seq, "hash does not match the entry's contents");
                      }
                      prev_hash = s.entry.hash;
                      ++expected_seq;
                      return Status::Ok();
                    });
  }));
  if (report.ok) report.head_hash = prev_hash;
  return report;
}

}  // namespace banyan::auth
