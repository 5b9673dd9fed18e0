// CustomerService::ContactsForSending: the one read that yields a customer's clear contact
// points, for messaging (the dispatcher resolves the phone number or openid at send time so that
// the outbox holds none). The API never returns them: the send API answers with masked values.

#include <algorithm>

#include "customer/customer_service.h"

namespace banyan::customer {

Result<Contacts> CustomerService::ContactsForSending(const auth::Principal& principal, PersonId id,
                                                     std::span<const std::string> types) {
  Contacts out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(Visible visible, LoadVisible(tx, principal, id));
    out.one_id = visible.root;
    out.members = visible.members;
    out.home_branch_id = visible.profile.home_branch_id;
    out.rm_id = visible.profile.rm_id;
    ASSIGN_OR_RETURN(auto identifiers, deps_.graph->ReadIdentifiers(tx, visible.members));
    for (auto& identifier : identifiers) {
      if (std::find(types.begin(), types.end(), identifier.type) == types.end()) continue;
      out.points.emplace_back(identifier.type, std::move(identifier.value));
    }
    return Status::Ok();
  }));
  return out;
}

}  // namespace banyan::customer
