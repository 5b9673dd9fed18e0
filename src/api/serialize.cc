#include "api/serialize.h"

#include "base/time.h"

namespace banyan::api {

Json OptionalTime(const std::optional<Timestamp>& t) {
  return t ? Json(FormatRfc3339(*t)) : Json(nullptr);
}

Json ToJson(const auth::Staff& s) {
  return {{"id", s.id},
          {"username", s.username},
          {"display_name", s.display_name},
          {"email", s.email.empty() ? Json(nullptr) : Json(s.email)},
          {"role", auth::RoleName(s.role)},
          {"branch_id", s.branch_id},
          {"status", s.status},
          {"locale", s.locale},
          {"created_at", FormatRfc3339(s.created_at)},
          {"updated_at", FormatRfc3339(s.updated_at)},
          {"last_login_at", OptionalTime(s.last_login_at)},
          {"locked_until", OptionalTime(s.locked_until)}};
}

Json ToJson(const auth::Branch& b) {
  return {{"id", b.id},
          {"parent_id", b.parent_id ? Json(*b.parent_id) : Json(nullptr)},
          {"code", b.code},
          {"name", b.name},
          {"kind", b.kind},
          {"address", b.address},
          {"latitude", b.latitude},
          {"longitude", b.longitude},
          {"path", b.path},
          {"created_at", FormatRfc3339(b.created_at)},
          {"updated_at", FormatRfc3339(b.updated_at)}};
}

Json ToJson(const auth::ApiKey& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"kind", k.kind},
          {"prefix", k.prefix},
          {"permissions", k.permissions},
          {"branch_id", k.branch_id ? Json(*k.branch_id) : Json(nullptr)},
          {"created_by", k.created_by},
          {"created_at", FormatRfc3339(k.created_at)},
          {"expires_at", OptionalTime(k.expires_at)},
          {"revoked_at", OptionalTime(k.revoked_at)},
          {"last_used_at", OptionalTime(k.last_used_at)}};
}

Json ToJson(const auth::AuditEntry& e) {
  return {{"seq", e.seq},
          {"at", FormatRfc3339(e.at)},
          {"actor_kind", e.record.actor_kind},
          {"actor_id", e.record.actor_id},
          {"actor_name", e.record.actor_name},
          {"action", e.record.action},
          {"target_type", e.record.target_type},
          {"target_id", e.record.target_id},
          {"outcome", e.record.outcome},
          {"details", e.record.details},
          {"request_id", e.request_id},
          {"remote_address", e.remote_address},
          {"hash", e.hash}};
}

Json PrincipalJson(const auth::Principal& p) {
  std::string_view kind = "staff";
  if (p.kind == auth::PrincipalKind::kApiKey) kind = "api_key";
  if (p.kind == auth::PrincipalKind::kWriteKey) kind = "write_key";
  if (p.kind == auth::PrincipalKind::kSystem) kind = "system";
  std::string_view scope = "all";
  if (p.scope == auth::ScopeKind::kSubtree) scope = "subtree";
  if (p.scope == auth::ScopeKind::kOwnCustomers) scope = "own_customers";
  return {{"kind", kind},
          {"id", p.id},
          {"name", p.name},
          {"role", p.role ? Json(auth::RoleName(*p.role)) : Json(nullptr)},
          {"permissions", auth::PermissionNames(p.permissions)},
          {"branch_id", p.branch_id},
          {"scope", scope},
          {"locale", p.locale}};
}

Json ToJson(const customer::CustomerSummary& summary) {
  return {{"one_id", summary.one_id},
          {"profile", summary.profile},
          {"home_branch_id", summary.home_branch_id ? Json(*summary.home_branch_id) : Json()},
          {"rm_id", summary.rm_id ? Json(*summary.rm_id) : Json()}};
}

}  // namespace banyan::api
