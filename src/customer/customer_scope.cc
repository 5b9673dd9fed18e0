// CustomerService reads for the engine's readers (segments, analytics): VisibleCustomers, the
// read scope of every customer API as a bitmap of engine customers (the rule is InScope's: the
// home branch within the caller's subtree, the caller's own customers, or everyone), and
// Summaries, the masked list rows of given OneIDs (a segment's sample).

#include <fmt/format.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "customer/customer_service.h"
#include "customer/views.h"
#include "engine/query.h"

namespace banyan::customer {

Result<engine::Bitmap> CustomerService::VisibleCustomers(const auth::Principal& principal,
                                                         const engine::Snapshot& snapshot) {
  std::vector<engine::AttributeValue> values;
  std::string attribute;
  switch (principal.scope) {
    case auth::ScopeKind::kAll:
      return snapshot.live();
    case auth::ScopeKind::kSubtree:
      attribute = "home_branch";
      RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
        return tx.Query("SELECT code, path FROM branch", {}, [&](const store::Row& row) {
          if (principal.CanSeeBranchPath(row.Text(1))) values.emplace_back(row.Text(0));
          return Status::Ok();
        });
      }));
      break;
    case auth::ScopeKind::kOwnCustomers:
      attribute = "relationship_manager";
      RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
        return tx.Query("SELECT username FROM staff WHERE id = ?", {principal.id},
                        [&](const store::Row& row) {
                          values.emplace_back(row.Text(0));
                          return Status::Ok();
                        });
      }));
      break;
  }
  if (values.empty()) return engine::Bitmap();
  Result<engine::Bitmap> visible = engine::AttributeIn(snapshot, attribute, values);
  // No customer has the attribute yet: the engine does not know it, and nobody is in scope.
  if (!visible.ok() && visible.status().code() == StatusCode::kNotFound) return engine::Bitmap();
  return visible;
}

Result<std::vector<CustomerSummary>> CustomerService::Summaries(const auth::Principal& principal,
                                                                std::span<const PersonId> ids) {
  if (ids.size() > static_cast<size_t>(kCustomerPageMax)) {
    return InvalidArgumentError(fmt::format("at most {} customers at once", kCustomerPageMax));
  }
  std::vector<CustomerSummary> out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    for (const PersonId id : ids) {
      auto visible = LoadVisible(tx, principal, id);
      if (!visible.ok()) {
        if (visible.status().code() == StatusCode::kNotFound) continue;
        return visible.status();
      }
      out.push_back({visible->root, SummaryJson(*deps_.schema, visible->profile),
                     visible->profile.home_branch_id, visible->profile.rm_id});
    }
    return Status::Ok();
  }));
  return out;
}

Result<CustomerService::AumDailyCells> CustomerService::AumDaily(const auth::Principal& principal,
                                                                 CivilDay from, CivilDay to) {
  AumDailyCells out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    profile::AumCellScope scope;
    std::map<int64_t, std::pair<std::string, std::string>> branches;
    RETURN_IF_ERROR(
        tx.Query("SELECT id, code, name, path FROM branch", {}, [&](const store::Row& row) {
          branches[row.Int(0)] = {row.Text(1), row.Text(2)};
          if (principal.scope == auth::ScopeKind::kSubtree &&
              principal.CanSeeBranchPath(row.Text(3))) {
            if (!scope.branch_ids) scope.branch_ids.emplace();
            scope.branch_ids->push_back(row.Int(0));
          }
          return Status::Ok();
        }));
    switch (principal.scope) {
      case auth::ScopeKind::kAll:
        break;
      case auth::ScopeKind::kSubtree:
        if (!scope.branch_ids) scope.branch_ids.emplace();
        break;
      case auth::ScopeKind::kOwnCustomers:
        scope.rm_id = principal.id;
        break;
    }
    ASSIGN_OR_RETURN(out.cells, profile::ReadAumDaily(tx, from, to, scope));
    std::set<int64_t> managers;
    for (const profile::AumCell& cell : out.cells) {
      if (const auto it = branches.find(cell.key.branch_id); it != branches.end()) {
        out.branches.insert(*it);
      }
      if (cell.key.rm_id != 0) managers.insert(cell.key.rm_id);
    }
    for (const int64_t id : managers) {
      RETURN_IF_ERROR(tx.Query("SELECT username, display_name FROM staff WHERE id = ?", {id},
                               [&](const store::Row& row) {
                                 out.managers[id] = {row.Text(0), row.Text(1)};
                                 return Status::Ok();
                               }));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace banyan::customer
