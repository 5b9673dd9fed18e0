// CustomerService operations that reveal, change or remove a customer's data: unmask, export,
// erasure, unmerge, conflict resolution, consent records and custom attributes. Each is
// authorised here (beyond the route's permission, scope), audited in the same transaction as
// its change, and run after flushing pending ingestion changes.

#include <fmt/format.h>

#include "base/logging.h"
#include "customer/customer_service.h"
#include "customer/engine_records.h"
#include "customer/event_scrub.h"
#include "customer/views.h"
#include "events/event_codec.h"
#include "privacy/masking.h"

namespace banyan::customer {
namespace {

// Balance snapshots are exported from this date, a window at a time.
const CivilDay kExportBalancesFrom(2000, 1, 1);
constexpr int kExportBalanceWindowDays = 3650;

auth::AuditRecord Audit(const auth::Principal& principal, std::string action, PersonId target) {
  return auth::AuditRecord::By(principal, std::move(action), "customer", std::to_string(target));
}

}  // namespace

Result<Json> CustomerService::Unmask(const auth::Principal& principal, PersonId id,
                                     std::string_view field, const auth::AuditContext& context) {
  RETURN_IF_ERROR(Flush());  // what ingestion has queued, so the clear value is the latest
  Json out;
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    out = {{"one_id", visible.root}, {"field", field}};
    if (field.starts_with("identifiers/")) {
      const std::string_view type = field.substr(std::string_view("identifiers/").size());
      if (deps_.graph->types().Find(type) == nullptr) {
        return InvalidArgumentError(fmt::format("unknown identifier type '{}'", type), "/field");
      }
      ASSIGN_OR_RETURN(auto identifiers, deps_.graph->ReadIdentifiers(tx, visible.members));
      Json values = Json::array();
      for (const auto& identifier : identifiers) {
        if (identifier.type == type) values.push_back(identifier.value);
      }
      if (values.empty()) {
        return NotFoundError(fmt::format("customer {} has no {}", visible.root, type));
      }
      out["values"] = std::move(values);
    } else {
      const profile::AttributeDef* def = deps_.schema->Find(field);
      if (def == nullptr) {
        return InvalidArgumentError(
            fmt::format("unknown field '{}'; expected an attribute name or identifiers/TYPE",
                        field),
            "/field");
      }
      const auto value = visible.profile.attributes.find(def->name);
      if (value == visible.profile.attributes.end()) {
        return NotFoundError(fmt::format("customer {} has no {}", visible.root, field));
      }
      out["value"] = ParseJson(value->second.json).value_or(Json(value->second.json));
    }
    auth::AuditRecord record = Audit(principal, "pii.unmask", visible.root);
    record.details = {{"field", field}};  // the field, never the value
    return deps_.audit.Append(tx, record, context);
  }));
  return out;
}

Result<Json> CustomerService::Export(const auth::Principal& principal, PersonId id,
                                     const auth::AuditContext& context) {
  RETURN_IF_ERROR(Flush());  // everything held includes what ingestion has queued
  Json out;
  PersonId root = 0;
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    root = visible.root;
    ASSIGN_OR_RETURN(auto identifiers, deps_.graph->ReadIdentifiers(tx, visible.members));
    ASSIGN_OR_RETURN(auto history, consents_.History(tx, visible.members, std::nullopt,
                                                     privacy::kConsentHistoryPageMax));
    ASSIGN_OR_RETURN(auto merges, deps_.graph->ListMerges(tx, visible.root));
    // Every snapshot since kExportBalancesFrom, in windows the balance store accepts.
    std::vector<profile::DailyBalances> balances;
    const CivilDay today = deps_.calendar.DayOf(deps_.clock.Now());
    for (CivilDay from = kExportBalancesFrom; from <= today; from += kExportBalanceWindowDays) {
      const CivilDay to = std::min(today, from + (kExportBalanceWindowDays - 1));
      ASSIGN_OR_RETURN(auto window, balances_.Range(tx, visible.members, from, to));
      balances.insert(balances.end(), window.begin(), window.end());
    }
    out = {{"format", "banyan.customer_export.v1"},
           {"exported_at", FormatRfc3339(deps_.clock.Now())},
           {"one_id", visible.root},
           {"members", visible.members},
           {"profile", ProfileJson(*deps_.schema, visible.profile, /*masked=*/false)},
           {"identifiers", IdentifiersJson(deps_.graph->types(), identifiers, false)},
           {"consents", ConsentFactsJson(history)},
           {"merges", MergesJson(merges)},
           {"balances", BalancesJson(balances, false)}};
    auth::AuditRecord record = Audit(principal, "customer.export", visible.root);
    record.details = {{"identifiers", identifiers.size()}, {"balance_days", balances.size()}};
    return deps_.audit.Append(tx, record, context);
  }));
  // Events last, outside the transaction: the log is not in the store.
  std::vector<uint64_t> sequences;
  for (const PersonId member : deps_.graph->Members(root)) {
    auto newest = timeline_.Newest(member, std::nullopt, kExportEventsMax);
    sequences.insert(sequences.end(), newest.begin(), newest.end());
  }
  std::sort(sequences.begin(), sequences.end());
  Json events = Json::array();
  RETURN_IF_ERROR(
      deps_.log.Read(sequences, [&](uint64_t sequence, Timestamp, std::string_view record) {
        auto event = events::DecodeEvent(record);
        if (!event.ok()) return event.status();
        events.push_back(EventJson(sequence, *event, *deps_.graph, nullptr, /*masked=*/false));
        return Status::Ok();
      }));
  out["events"] = std::move(events);
  return out;
}

Result<Json> CustomerService::Erase(const auth::Principal& principal, PersonId id,
                                    const auth::AuditContext& context) {
  std::lock_guard admin(admin_mutex_);
  RETURN_IF_ERROR(FlushLocked());
  PersonId root = 0;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    root = visible.root;
    return Status::Ok();
  }));
  // From here until CommitErase the person takes no new identifiers or merges.
  ASSIGN_OR_RETURN(identity::ErasePlan plan, deps_.graph->PlanErase(root));
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    // Balances first: taking a snapshot out of the bank-wide daily sums opens it, which needs
    // the key that WriteErase shreds.
    RETURN_IF_ERROR(balances_.Erase(tx, plan.members()));
    RETURN_IF_ERROR(deps_.graph->WriteErase(tx, plan));
    RETURN_IF_ERROR(profiles_.Erase(tx, plan.members()));
    RETURN_IF_ERROR(consents_.Erase(tx, plan.members()));
    auth::AuditRecord record = Audit(principal, "customer.erase", root);
    record.details = {{"persons", plan.members().size()},
                      {"identifiers", plan.identifiers().size()}};
    return deps_.audit.Append(tx, record, context);
  }));
  const std::vector<PersonId> members = plan.members();
  deps_.graph->CommitErase(plan);
  if (engine_feed_) engine_feed_->AddErasure(members);
  size_t events = 0;
  for (const PersonId member : members) events += timeline_.Take(member).size();
  return Json{
      {"one_id", root}, {"erased", true}, {"persons", members.size()}, {"events_detached", events}};
}

Result<events::RewriteReport> CustomerService::ScrubErasedEvents() {
  struct ErasedState {
    int64_t count = 0;
    int64_t at_max = 0;
    bool operator==(const ErasedState&) const = default;
  };
  ErasedState now;
  std::optional<ErasedState> scrubbed;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Query("SELECT COUNT(*), COALESCE(MAX(erased_at), 0) FROM erased_identifier",
                             {}, [&](const store::Row& row) {
                               now = {row.Int(0), row.Int(1)};
                               return Status::Ok();
                             }));
    return tx.Query("SELECT erased_identifiers, erased_at_max FROM event_scrub WHERE id = 1", {},
                    [&](const store::Row& row) {
                      scrubbed = ErasedState{row.Int(0), row.Int(1)};
                      return Status::Ok();
                    });
  }));
  if (now == scrubbed.value_or(ErasedState{})) return events::RewriteReport{};
  RETURN_IF_ERROR(deps_.log.SealActiveSegment());
  ASSIGN_OR_RETURN(events::RewriteReport report,
                   deps_.log.RewriteSealed(0, [this](uint64_t, std::string_view record) {
                     return ScrubErasedEvent(record, *deps_.graph);
                   }));
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    return tx.Execute(
        "INSERT INTO event_scrub (id, erased_identifiers, erased_at_max, completed_at) "
        "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "erased_identifiers = excluded.erased_identifiers, "
        "erased_at_max = excluded.erased_at_max, completed_at = excluded.completed_at",
        {now.count, now.at_max, ToUnixMicros(deps_.clock.Now())});
  }));
  log::Info("customers.events_scrubbed", {{"segments_scanned", report.segments_scanned},
                                          {"segments_rewritten", report.segments_rewritten},
                                          {"events_scrubbed", report.records_rewritten}});
  return report;
}

Result<Json> CustomerService::Unmerge(const auth::Principal& principal, int64_t merge_id,
                                      const auth::AuditContext& context) {
  std::lock_guard admin(admin_mutex_);
  RETURN_IF_ERROR(FlushLocked());
  ASSIGN_OR_RETURN(auto result, deps_.graph->Unmerge(deps_.db, merge_id, principal.id));
  auth::AuditRecord record = auth::AuditRecord::By(principal, "identity.unmerge", "identity_merge",
                                                   std::to_string(merge_id));
  record.details = {{"survivor_root", result.survivor_root}, {"absorbed_id", result.absorbed_id}};
  RETURN_IF_ERROR(deps_.audit.Record(record, context));
  // The engine cannot split a history: the absorbed person's events stay with the survivor until
  // the next start rebuilds from the log. Attributes are re-read for both.
  const PersonId split[] = {result.survivor_root, result.absorbed_id};
  RefreshEngine(split);
  return Json{{"merge_id", merge_id},
              {"survivor_id", result.survivor_root},
              {"absorbed_id", result.absorbed_id}};
}

Result<Json> CustomerService::ListConflicts(const auth::Principal& principal,
                                            std::string_view status,
                                            std::optional<int64_t> before_id, int limit) {
  (void)principal;  // route permission customers:erase; conflicts hold no personal values
  if (status != "open" && status != "kept_separate" && status != "merged" && status != "all") {
    return InvalidArgumentError("expected open, kept_separate, merged or all", "?status");
  }
  Json items = Json::array();
  std::optional<int64_t> next;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(auto conflicts,
                     deps_.graph->ListConflicts(tx, status == "all" ? "" : status,
                                                before_id.value_or(INT64_MAX), limit));
    for (const auto& c : conflicts) {
      items.push_back({{"id", c.id},
                       {"person_a", c.person_a},
                       {"person_b", c.person_b},
                       {"identifier_type", c.identifier_type},
                       {"at", FormatRfc3339(c.at)},
                       {"evidence", ParseJson(c.evidence).value_or(Json(c.evidence))},
                       {"status", c.status}});
    }
    if (static_cast<int>(conflicts.size()) == limit && !conflicts.empty()) {
      next = conflicts.back().id;
    }
    return Status::Ok();
  }));
  return Json{{"items", std::move(items)}, {"next_before", next ? Json(*next) : Json()}};
}

Result<Json> CustomerService::ResolveConflict(const auth::Principal& principal, int64_t conflict_id,
                                              std::string_view resolution,
                                              const auth::AuditContext& context) {
  if (resolution != "kept_separate" && resolution != "merged") {
    return InvalidArgumentError("expected kept_separate or merged", "/resolution");
  }
  std::lock_guard admin(admin_mutex_);
  RETURN_IF_ERROR(FlushLocked());
  RETURN_IF_ERROR(deps_.graph->ResolveConflict(deps_.db, conflict_id, resolution, principal.id));
  auth::AuditRecord record = auth::AuditRecord::By(
      principal, "identity.conflict_resolve", "identity_conflict", std::to_string(conflict_id));
  record.details = {{"resolution", resolution}};
  RETURN_IF_ERROR(deps_.audit.Record(record, context));
  return Json{{"id", conflict_id}, {"status", resolution}};
}

Result<Json> CustomerService::RecordConsent(const auth::Principal& principal, PersonId id,
                                            privacy::ConsentFact fact,
                                            const auth::AuditContext& context) {
  Json out;
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    fact.person_id = visible.root;
    if (principal.kind == auth::PrincipalKind::kStaff) fact.recorded_by = principal.id;
    RETURN_IF_ERROR(consents_.Record(tx, fact));
    auth::AuditRecord record = Audit(principal, "consent.record", visible.root);
    record.details = {{"purpose", privacy::PurposeName(fact.purpose)},
                      {"channel", fact.channel},
                      {"granted", fact.granted},
                      {"fact_id", fact.id}};
    RETURN_IF_ERROR(deps_.audit.Append(tx, record, context));
    out = ConsentFactsJson(std::span(&fact, 1))[0];
    return Status::Ok();
  }));
  RefreshEngine(std::span(&fact.person_id, 1));
  return out;
}

Result<Json> CustomerService::AddAttribute(const auth::Principal& principal,
                                           profile::AttributeDef def,
                                           const auth::AuditContext& context) {
  if (principal.scope != auth::ScopeKind::kAll) {
    return PermissionDeniedError(
        "custom attributes are bank-wide: only head-office staff add them");
  }
  ASSIGN_OR_RETURN(profile::AttributeDef added,
                   deps_.schema->Add(
                       deps_.db, def, principal.id, deps_.clock.Now(), [&](store::Transaction& tx) {
                         auth::AuditRecord record = auth::AuditRecord::By(
                             principal, "profile.attribute_add", "profile_attribute", def.name);
                         return deps_.audit.Append(tx, record, context);
                       }));
  if (auto spec = EngineAttributeSpec(added); spec && engine_feed_) {
    engine_feed_->AddAttributes({}, {*spec});
  }
  return AttributeJson(added);
}

Result<profile::ImportReport> CustomerService::Import(bool customers,
                                                      const profile::ImportOptions& options) {
  std::lock_guard admin(admin_mutex_);
  RETURN_IF_ERROR(FlushLocked());
  std::lock_guard apply(pending_mutex_);  // the graph takes one resolving thread at a time
  profile::ImportDeps deps{.db = deps_.db,
                           .graph = *deps_.graph,
                           .schema = *deps_.schema,
                           .profiles = profiles_,
                           .balances = balances_,
                           .clock = deps_.clock,
                           .calendar = deps_.calendar};
  Result<profile::ImportReport> report =
      customers ? profile::ImportCustomers(options, deps) : profile::ImportBalances(options, deps);
  // An import writes profiles (and may merge persons) outside the live path: re-read them all.
  if (customers && engine_feed_) {
    if (Status fed = FeedAllProfiles(); !fed.ok()) {
      log::Error("engine.refresh_failed", {{"error", fed.ToString()}});
    }
  }
  return report;
}

Result<profile::ImportReport> CustomerService::ImportCustomers(
    const profile::ImportOptions& options) {
  return Import(true, options);
}

Result<profile::ImportReport> CustomerService::ImportBalances(
    const profile::ImportOptions& options) {
  return Import(false, options);
}

}  // namespace banyan::customer
