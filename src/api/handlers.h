// Route handlers, one file per resource. Each is registered in routes.cc with its access rule;
// by the time it runs, the guard has authenticated and authorised the call.
// Thread safety: stateless functions; safe from any thread.

#ifndef BANYAN_API_HANDLERS_H_
#define BANYAN_API_HANDLERS_H_

#include "api/call.h"

namespace banyan::api {

// system_handlers.cc
Result<http::Response> Healthz(Call& call);
Result<http::Response> Readyz(Call& call);
Result<http::Response> MetricsText(Call& call);
Result<http::Response> OpenApi(Call& call);

// auth_handlers.cc
Result<http::Response> Login(Call& call);
Result<http::Response> Logout(Call& call);
Result<http::Response> GetMe(Call& call);
Result<http::Response> UpdateMe(Call& call);
Result<http::Response> ChangeMyPassword(Call& call);

// staff_handlers.cc
Result<http::Response> ListStaff(Call& call);
Result<http::Response> CreateStaff(Call& call);
Result<http::Response> GetStaff(Call& call);
Result<http::Response> UpdateStaff(Call& call);
Result<http::Response> SetStaffPassword(Call& call);

// branch_handlers.cc
Result<http::Response> ListBranches(Call& call);
Result<http::Response> CreateBranch(Call& call);
Result<http::Response> GetBranch(Call& call);
Result<http::Response> UpdateBranch(Call& call);

// api_key_handlers.cc
Result<http::Response> ListApiKeys(Call& call);
Result<http::Response> CreateApiKey(Call& call);
Result<http::Response> RevokeApiKey(Call& call);

// event_handlers.cc
Result<http::Response> ListEvents(Call& call);
Result<http::Response> GetTrackingPlan(Call& call);

// segment_handlers.cc
Result<http::Response> ListTags(Call& call);
Result<http::Response> CreateTag(Call& call);
Result<http::Response> GetTag(Call& call);
Result<http::Response> UpdateTag(Call& call);
Result<http::Response> DeleteTag(Call& call);
Result<http::Response> ImportTagMembers(Call& call);
Result<http::Response> RefreshTag(Call& call);
Result<http::Response> GetCustomerTags(Call& call);
Result<http::Response> GetSegmentCatalog(Call& call);
Result<http::Response> PreviewSegmentExpression(Call& call);
Result<http::Response> OverlapSegments(Call& call);
Result<http::Response> ListSegments(Call& call);
Result<http::Response> CreateSegment(Call& call);
Result<http::Response> GetSegment(Call& call);
Result<http::Response> UpdateSegment(Call& call);
Result<http::Response> DeleteSegment(Call& call);
Result<http::Response> PreviewSavedSegment(Call& call);
Result<http::Response> ExportSegment(Call& call);
Result<http::Response> CreateSegmentSnapshot(Call& call);
Result<http::Response> ListSegmentSnapshots(Call& call);
Result<http::Response> ListSegmentTransitions(Call& call);

// customer_handlers.cc
Result<http::Response> ListCustomers(Call& call);
Result<http::Response> GetCustomer(Call& call);
Result<http::Response> GetCustomerEvents(Call& call);
Result<http::Response> UnmaskCustomerField(Call& call);
Result<http::Response> ExportCustomer(Call& call);
Result<http::Response> EraseCustomer(Call& call);
Result<http::Response> ListCustomerConsents(Call& call);
Result<http::Response> RecordCustomerConsent(Call& call);
Result<http::Response> GetCustomerBalances(Call& call);
Result<http::Response> ListIdentityConflicts(Call& call);
Result<http::Response> ResolveIdentityConflict(Call& call);
Result<http::Response> UnmergeIdentity(Call& call);
Result<http::Response> ListIdentifierTypes(Call& call);
Result<http::Response> ListProfileAttributes(Call& call);
Result<http::Response> AddProfileAttribute(Call& call);

// audit_handlers.cc
Result<http::Response> ListAudit(Call& call);
Result<http::Response> VerifyAudit(Call& call);

}  // namespace banyan::api

#endif  // BANYAN_API_HANDLERS_H_
