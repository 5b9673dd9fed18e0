// CustomerService reads: find, list, the 360 view, the timeline, consents and balances — each
// scoped to the caller and masked.

#include <fmt/format.h>

#include <algorithm>

#include "customer/customer_service.h"
#include "customer/views.h"
#include "events/event_codec.h"
#include "privacy/masking.h"

namespace banyan::customer {
namespace {

Status NotVisible(PersonId id) { return NotFoundError(fmt::format("customer {} not found", id)); }

// The branch path of `branch_id`, or empty when there is no such branch.
Result<std::string> BranchPath(store::Transaction& tx, int64_t branch_id) {
  std::string path;
  RETURN_IF_ERROR(
      tx.Query("SELECT path FROM branch WHERE id = ?", {branch_id}, [&](const store::Row& row) {
        path = row.Text(0);
        return Status::Ok();
      }));
  return path;
}

// Who looks after the customer: the home branch and relationship manager the profile names.
Result<Json> ScopeJson(store::Transaction& tx, const profile::Profile& profile) {
  Json out = {{"home_branch", nullptr}, {"relationship_manager", nullptr}};
  if (profile.home_branch_id) {
    RETURN_IF_ERROR(tx.Query(
        "SELECT id, code, name FROM branch WHERE id = ?", {*profile.home_branch_id},
        [&](const store::Row& row) {
          out["home_branch"] = {{"id", row.Int(0)}, {"code", row.Text(1)}, {"name", row.Text(2)}};
          return Status::Ok();
        }));
  }
  if (profile.rm_id) {
    RETURN_IF_ERROR(tx.Query("SELECT id, username, display_name FROM staff WHERE id = ?",
                             {*profile.rm_id}, [&](const store::Row& row) {
                               out["relationship_manager"] = {{"id", row.Int(0)},
                                                              {"username", row.Text(1)},
                                                              {"display_name", row.Text(2)}};
                               return Status::Ok();
                             }));
  }
  return out;
}

}  // namespace

// Whether `principal` may see a customer whose merged profile gives these scope keys.
Result<bool> CustomerService::InScope(store::Transaction& tx, const auth::Principal& principal,
                                      const profile::Profile& profile) {
  switch (principal.scope) {
    case auth::ScopeKind::kAll:
      return true;
    case auth::ScopeKind::kOwnCustomers:
      return profile.rm_id && *profile.rm_id == principal.id;
    case auth::ScopeKind::kSubtree: {
      if (!profile.home_branch_id) return false;
      ASSIGN_OR_RETURN(const std::string path, BranchPath(tx, *profile.home_branch_id));
      return !path.empty() && principal.CanSeeBranchPath(path);
    }
  }
  return false;
}

Result<CustomerService::Visible> CustomerService::LoadVisible(store::Transaction& tx,
                                                              const auth::Principal& principal,
                                                              PersonId id) {
  const auto root = deps_.graph->Root(id);
  if (!root) return NotVisible(id);
  Visible visible;
  visible.root = *root;
  visible.members = deps_.graph->Members(*root);
  ASSIGN_OR_RETURN(visible.profile,
                   profiles_.Read(tx, visible.members, deps_.clock.Now(), deps_.calendar));
  ASSIGN_OR_RETURN(const bool in_scope, InScope(tx, principal, visible.profile));
  if (!in_scope) return NotVisible(id);
  return visible;
}

Result<std::vector<PersonId>> CustomerService::Find(const auth::Principal& principal,
                                                    std::string_view type, std::string_view value) {
  ASSIGN_OR_RETURN(const std::vector<PersonId> roots, deps_.graph->Find(type, value));
  std::vector<PersonId> out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    for (const PersonId root : roots) {
      auto visible = LoadVisible(tx, principal, root);
      if (visible.ok()) {
        out.push_back(visible->root);
      } else if (visible.status().code() != StatusCode::kNotFound) {
        return visible.status();
      }
    }
    return Status::Ok();
  }));
  return out;
}

Result<CustomerPage> CustomerService::List(const auth::Principal& principal,
                                           const CustomerListQuery& query) {
  if (query.limit < 1 || query.limit > kCustomerPageMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kCustomerPageMax), "?limit");
  }
  CustomerPage page;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    // Roots with a profile, in id order, filtered by the caller's scope in SQL so a page is full.
    std::string sql =
        "SELECT p.id FROM person p JOIN profile f ON f.person_id = p.id "
        "LEFT JOIN branch b ON b.id = f.home_branch_id "
        "WHERE p.merged_into IS NULL AND p.erased_at IS NULL AND p.id > ?";
    std::vector<store::Value> params{query.after.value_or(0)};
    if (principal.scope == auth::ScopeKind::kOwnCustomers) {
      sql += " AND f.rm_id = ?";
      params.emplace_back(principal.id);
    } else if (principal.scope == auth::ScopeKind::kSubtree) {
      sql += " AND substr(b.path, 1, ?) = ?";
      params.emplace_back(static_cast<int64_t>(principal.branch_path.size()));
      params.emplace_back(principal.branch_path);
    }
    if (query.branch_id) {
      sql += " AND f.home_branch_id = ?";
      params.emplace_back(*query.branch_id);
    }
    if (query.rm_id) {
      sql += " AND f.rm_id = ?";
      params.emplace_back(*query.rm_id);
    }
    sql += " ORDER BY p.id LIMIT ?";
    params.emplace_back(static_cast<int64_t>(query.limit + 1));
    std::vector<PersonId> ids;
    RETURN_IF_ERROR(tx.Query(sql, params, [&](const store::Row& row) {
      ids.push_back(row.Int(0));
      return Status::Ok();
    }));
    if (ids.size() > static_cast<size_t>(query.limit)) {
      ids.resize(query.limit);
      page.next_after = ids.back();
    }
    for (const PersonId id : ids) {
      auto visible = LoadVisible(tx, principal, id);
      if (!visible.ok()) {
        if (visible.status().code() == StatusCode::kNotFound) continue;  // merged meanwhile
        return visible.status();
      }
      page.items.push_back({visible->root, SummaryJson(*deps_.schema, visible->profile),
                            visible->profile.home_branch_id, visible->profile.rm_id});
    }
    return Status::Ok();
  }));
  return page;
}

Result<Json> CustomerService::Get(const auth::Principal& principal, PersonId id) {
  Json view;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    ASSIGN_OR_RETURN(auto identifiers, deps_.graph->ReadIdentifiers(tx, visible.members));
    ASSIGN_OR_RETURN(auto consents, consents_.Current(tx, visible.members));
    ASSIGN_OR_RETURN(auto merges, deps_.graph->ListMerges(tx, visible.root));
    ASSIGN_OR_RETURN(Json scope, ScopeJson(tx, visible.profile));
    view = {{"one_id", visible.root},
            {"members", visible.members},
            {"profile", ProfileJson(*deps_.schema, visible.profile, /*masked=*/true)},
            {"identifiers", IdentifiersJson(deps_.graph->types(), identifiers, true)},
            {"consents", ConsentStatesJson(consents)},
            {"merges", MergesJson(merges)},
            {"scope", std::move(scope)}};
    if (visible.root != id) view["requested_id"] = id;
    return Status::Ok();
  }));
  ASSIGN_OR_RETURN(Json recent, TimelineItems(view["one_id"].get<PersonId>(), std::nullopt,
                                              kRecentEventsIn360, EventDetail::kSummary));
  view["recent_events"] = std::move(recent["items"]);
  return view;
}

// Newest events of a OneID: the merge of its members' timeline lists (a merged person's events
// stay filed under the id they had when they arrived).
Result<Json> CustomerService::TimelineItems(PersonId root, std::optional<uint64_t> before,
                                            int limit, EventDetail detail) {
  std::vector<uint64_t> sequences;
  for (const PersonId member : deps_.graph->Members(root)) {
    auto newest = timeline_.Newest(member, before, static_cast<size_t>(limit) + 1);
    sequences.insert(sequences.end(), newest.begin(), newest.end());
  }
  std::sort(sequences.begin(), sequences.end(), std::greater<>());
  sequences.erase(std::unique(sequences.begin(), sequences.end()), sequences.end());
  std::optional<uint64_t> next;
  if (sequences.size() > static_cast<size_t>(limit)) {
    sequences.resize(limit);
    next = sequences.back();
  }
  Json items = Json::array();
  RETURN_IF_ERROR(deps_.log.Read(sequences, [&](uint64_t sequence, Timestamp,
                                                std::string_view record) {
    auto event = events::DecodeEvent(record);
    if (!event.ok()) return event.status();
    items.push_back(EventJson(sequence, *event, *deps_.graph, deps_.schema.get(), true, detail));
    return Status::Ok();
  }));
  return Json{{"items", std::move(items)},
              {"next_before", next ? Json(static_cast<int64_t>(*next)) : Json()}};
}

Result<Json> CustomerService::Timeline(const auth::Principal& principal, PersonId id,
                                       std::optional<uint64_t> before, int limit) {
  if (limit < 1 || limit > kTimelinePageMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kTimelinePageMax), "?limit");
  }
  PersonId root = 0;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    root = visible.root;
    return Status::Ok();
  }));
  return TimelineItems(root, before, limit, EventDetail::kFull);
}

Result<Json> CustomerService::Consents(const auth::Principal& principal, PersonId id,
                                       std::optional<int64_t> before_id, int limit) {
  Json out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    ASSIGN_OR_RETURN(auto current, consents_.Current(tx, visible.members));
    ASSIGN_OR_RETURN(auto history, consents_.History(tx, visible.members, before_id, limit));
    out = {{"one_id", visible.root},
           {"current", ConsentStatesJson(current)},
           {"history", ConsentFactsJson(history)}};
    return Status::Ok();
  }));
  return out;
}

Result<Json> CustomerService::Balances(const auth::Principal& principal, PersonId id, CivilDay from,
                                       CivilDay to, const auth::AuditContext& context) {
  const bool clear = principal.Can(auth::Permission::kPiiUnmask);
  Json out;
  const auto body = [&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    ASSIGN_OR_RETURN(auto days, balances_.Range(tx, visible.members, from, to));
    out = {{"one_id", visible.root},
           {"from", FormatDate(from)},
           {"to", FormatDate(to)},
           {"masked", !clear},
           {"days", BalancesJson(days, !clear)}};
    if (!clear) return Status::Ok();
    auth::AuditRecord record = auth::AuditRecord::By(principal, "pii.view_balances", "customer",
                                                     std::to_string(visible.root));
    record.details = {{"from", FormatDate(from)}, {"to", FormatDate(to)}};
    return deps_.audit.Append(tx, record, context);
  };
  RETURN_IF_ERROR(clear ? deps_.db.Write(body) : deps_.db.Read(body));
  return out;
}

}  // namespace banyan::customer
