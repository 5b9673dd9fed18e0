// CustomerService reads for the engine's readers (segments, analytics): VisibleCustomers, the
// read scope of every customer API as a bitmap of engine customers (the rule is InScope's: the
// home branch within the caller's subtree, the caller's own customers, or everyone), and
// Summaries, the masked list rows of given OneIDs (a segment's sample).

#include <fmt/format.h>

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

}  // namespace banyan::customer
