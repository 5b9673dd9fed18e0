// BranchService: the bank's organisation tree — one head office, its branches (分行) and their
// sub-branches (支行) — which defines every principal's scope.
//
// Rules: exactly one head office (no parent); below it branches (分行, which may nest: 一级分行 →
// 二级分行) and sub-branches (支行), which are leaves and may also sit directly below the head
// office; at most kBranchDepthMax levels; codes are unique; moving a branch rewrites the
// materialised path ("/1/4/9/") of the branch and all its descendants. Every call is scoped: a
// branch outside the caller's subtree is NotFound (its existence is not revealed); a caller lacking
// branches:read/branches:write gets PermissionDenied. Writes are audited in the same transaction.
//
// Used by: the api (/api/v1/branches), the admin CLI (to create the head office).
// Thread safety: safe from any thread.

#ifndef BANYAN_AUTH_ORG_H_
#define BANYAN_AUTH_ORG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/audit.h"
#include "auth/page.h"
#include "auth/principal.h"
#include "auth/principal_epoch.h"
#include "base/clock.h"
#include "base/result.h"
#include "store/database.h"

namespace banyan::auth {

inline constexpr size_t kBranchCodeLengthMax = 32;
inline constexpr int64_t kBranchDepthMax = 8;
inline constexpr size_t kBranchNameLengthMax = 128;     // code points
inline constexpr size_t kBranchAddressLengthMax = 512;  // code points

struct Branch {
  int64_t id = 0;
  std::optional<int64_t> parent_id{};
  std::string code{};
  std::string name{};
  std::string kind{};  // "head_office", "branch", "sub_branch"
  std::string address{};
  double latitude = 0;
  double longitude = 0;
  std::string path{};  // "/1/4/9/"
  Timestamp created_at{};
  Timestamp updated_at{};
};

// For Create: parent_id absent creates the head office; kind may be omitted and is then "branch"
// below the head office and "sub_branch" below a branch; code, name, latitude and longitude
// are required.
// For Update: absent members are unchanged; a set parent_id moves the branch.
struct BranchInput {
  std::optional<int64_t> parent_id{};
  std::optional<std::string> code{};  // [A-Za-z0-9_-], 1..kBranchCodeLengthMax
  std::optional<std::string> name{};
  std::optional<std::string> kind{};
  std::optional<std::string> address{};
  std::optional<double> latitude{};   // -90..90
  std::optional<double> longitude{};  // -180..180
};

class BranchService {
 public:
  // `epoch` (may be null) is bumped after a move so cached principals pick up new paths.
  BranchService(store::Database& db, const Clock& clock, AuditLog& audit,
                PrincipalEpoch* epoch = nullptr);

  Result<Branch> Create(const Principal& actor, const BranchInput& input,
                        const AuditContext& context);
  Result<Branch> Update(const Principal& actor, int64_t id, const BranchInput& patch,
                        const AuditContext& context);
  Result<Branch> Get(const Principal& actor, int64_t id);
  // Branches in the caller's scope, by id; only children of `parent_id` when given.
  Result<Page<Branch>> List(const Principal& actor, std::optional<int64_t> parent_id,
                            std::string_view cursor, int limit);
  // The head office, if the caller may see it; NotFound before one is created.
  Result<Branch> HeadOffice(const Principal& actor);

 private:
  Result<Branch> CreateIn(store::Transaction& tx, const Principal& actor, const BranchInput& input,
                          const AuditContext& context);
  Result<Branch> UpdateIn(store::Transaction& tx, const Principal& actor, int64_t id,
                          const BranchInput& patch, const AuditContext& context, bool* moved);

  store::Database& db_;
  const Clock& clock_;
  AuditLog& audit_;
  PrincipalEpoch own_epoch_;
  PrincipalEpoch* epoch_;
};

}  // namespace banyan::auth

#endif  // BANYAN_AUTH_ORG_H_
