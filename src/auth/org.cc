#include "auth/org.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "auth/internal/rows.h"

namespace banyan::auth {
namespace {

constexpr std::string_view kBranchColumns =
    "id, parent_id, code, name, kind, address, latitude, longitude, path, created_at, updated_at";

Branch ReadBranch(const store::Row& row) {
  Branch b;
  b.id = row.Int(0);
  b.parent_id = row.OptionalInt(1);
  b.code = row.Text(2);
  b.name = row.Text(3);
  b.kind = row.Text(4);
  b.address = row.Text(5);
  b.latitude = row.Double(6);
  b.longitude = row.Double(7);
  b.path = row.Text(8);
  b.created_at = FromUnixMicros(row.Int(9));
  b.updated_at = FromUnixMicros(row.Int(10));
  return b;
}

Status NotFoundAt(std::string_view what, std::string field) {
  return Status(StatusCode::kNotFound, fmt::format("{} not found", what), std::move(field));
}

// The branch `id` if it exists and `actor` may see it; NotFound (at `field`) otherwise.
Result<Branch> LoadVisible(store::Transaction& tx, const Principal& actor, int64_t id,
                           std::string field = {}) {
  Result<Branch> branch =
      tx.QueryOne<Branch>(fmt::format("SELECT {} FROM branch WHERE id = ?", kBranchColumns), {id},
                          "branch", ReadBranch);
  if (!branch.ok()) {
    if (branch.status().code() != StatusCode::kNotFound) return branch.status();
    return NotFoundAt("branch", std::move(field));
  }
  if (!actor.CanSeeBranchPath(branch->path)) return NotFoundAt("branch", std::move(field));
  return branch;
}

// Whether a `parent_kind` branch may have a `child_kind` branch below it. Branches may nest
// (一级分行 → 二级分行) and sub-branches may sit directly below the head office (as at many
// city commercial banks); sub-branches are leaves and nothing goes above the head office.
bool MayContain(std::string_view parent_kind, std::string_view child_kind) {
  return parent_kind != "sub_branch" && (child_kind == "branch" || child_kind == "sub_branch");
}

// The kind a new branch gets when the request does not say.
std::string DefaultChildKind(std::string_view parent_kind) {
  return parent_kind == "head_office" ? "branch" : "sub_branch";
}

// The number of levels in a materialised path: "/1/4/9/" has 3.
int64_t Depth(std::string_view path) { return std::count(path.begin(), path.end(), '/') - 1; }

// How many levels the subtree rooted at `root` spans below it (0 for a leaf).
Result<int64_t> SubtreeHeight(store::Transaction& tx, const Branch& root) {
  int64_t deepest = Depth(root.path);
  RETURN_IF_ERROR(tx.Query("SELECT path FROM branch WHERE path LIKE ?", {root.path + "%"},
                           [&](const store::Row& row) {
                             deepest = std::max(deepest, Depth(row.Text(0)));
                             return Status::Ok();
                           }));
  return deepest - Depth(root.path);
}

bool IsCodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

Status CheckText(const std::optional<std::string>& text, size_t length_max, bool required,
                 std::string field) {
  if (!text) return Status::Ok();
  if (!internal::IsPrintableUtf8(*text)) {
    return InvalidArgumentError("must be UTF-8 text without control characters", field);
  }
  const size_t length = internal::CodePointCount(*text);
  if ((required && length == 0) || length > length_max) {
    return InvalidArgumentError(
        fmt::format("must be {}..{} characters", required ? 1 : 0, length_max), field);
  }
  return Status::Ok();
}

Status CheckCoordinate(const std::optional<double>& value, double bound, std::string field) {
  if (value && (!std::isfinite(*value) || *value < -bound || *value > bound)) {
    return InvalidArgumentError(fmt::format("must be between {} and {}", -bound, bound), field);
  }
  return Status::Ok();
}

// Checks every member present in `input`; on create, also that the required ones are present.
Status ValidateInput(const BranchInput& input, bool create) {
  if (create) {
    const std::pair<bool, const char*> required[] = {{input.code.has_value(), "/code"},
                                                     {input.name.has_value(), "/name"},
                                                     {input.latitude.has_value(), "/latitude"},
                                                     {input.longitude.has_value(), "/longitude"}};
    for (const auto& [present, field] : required) {
      if (!present) return InvalidArgumentError("is required", field);
    }
  }
  if (input.code) {
    const std::string& code = *input.code;
    bool ok = !code.empty() && code.size() <= kBranchCodeLengthMax;
    for (char c : code) ok = ok && IsCodeChar(c);
    if (!ok) {
      return InvalidArgumentError(
          fmt::format("must be 1..{} of A-Z, a-z, 0-9, '_', '-'", kBranchCodeLengthMax), "/code");
    }
  }
  RETURN_IF_ERROR(CheckText(input.name, kBranchNameLengthMax, true, "/name"));
  RETURN_IF_ERROR(CheckText(input.address, kBranchAddressLengthMax, false, "/address"));
  if (input.kind && *input.kind != "head_office" && *input.kind != "branch" &&
      *input.kind != "sub_branch") {
    return InvalidArgumentError("must be one of head_office, branch, sub_branch", "/kind");
  }
  RETURN_IF_ERROR(CheckCoordinate(input.latitude, 90, "/latitude"));
  return CheckCoordinate(input.longitude, 180, "/longitude");
}

// A unique violation on insert or update can only be the code (the head office is checked
// before writing); name the field.
Status WithCodeField(Status status) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError("a branch with this code already exists", "/code");
  }
  return status;
}

void ApplyPatch(const BranchInput& patch, Branch& b) {
  if (patch.code) b.code = *patch.code;
  if (patch.name) b.name = *patch.name;
  if (patch.kind) b.kind = *patch.kind;
  if (patch.address) b.address = *patch.address;
  if (patch.latitude) b.latitude = *patch.latitude;
  if (patch.longitude) b.longitude = *patch.longitude;
  if (patch.parent_id) b.parent_id = *patch.parent_id;
}

// The audit details of an update: each changed member's old and new value.
Json Changes(const Branch& before, const Branch& after) {
  Json changes = Json::object();
  auto note = [&](const char* key, const auto& old_value, const auto& new_value) {
    if (old_value != new_value) changes[key] = {{"from", old_value}, {"to", new_value}};
  };
  note("code", before.code, after.code);
  note("name", before.name, after.name);
  note("kind", before.kind, after.kind);
  note("address", before.address, after.address);
  note("latitude", before.latitude, after.latitude);
  note("longitude", before.longitude, after.longitude);
  note("parent_id", before.parent_id.value_or(0), after.parent_id.value_or(0));
  return changes;
}

}  // namespace

BranchService::BranchService(store::Database& db, const Clock& clock, AuditLog& audit,
                             PrincipalEpoch* epoch)
    : db_(db), clock_(clock), audit_(audit), epoch_(epoch ? epoch : &own_epoch_) {}

Result<Branch> BranchService::Create(const Principal& actor, const BranchInput& input,
                                     const AuditContext& context) {
  if (!actor.Can(Permission::kBranchesWrite)) {
    return audit_.Denied(AuditRecord::By(actor, "branch.create", "branch", ""), context,
                         "branches:write is required");
  }
  RETURN_IF_ERROR(ValidateInput(input, /*create=*/true));
  Branch created;
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(created, CreateIn(tx, actor, input, context));
    return Status::Ok();
  }));
  return created;
}

Result<Branch> BranchService::CreateIn(store::Transaction& tx, const Principal& actor,
                                       const BranchInput& input, const AuditContext& context) {
  Branch b;
  b.parent_id = input.parent_id;
  std::string parent_path = "/";
  if (input.parent_id) {
    ASSIGN_OR_RETURN(Branch parent, LoadVisible(tx, actor, *input.parent_id, "/parent_id"));
    b.kind = input.kind.value_or(DefaultChildKind(parent.kind));
    if (parent.kind == "sub_branch") {
      return InvalidArgumentError("a sub_branch cannot have branches below it", "/parent_id");
    }
    if (!MayContain(parent.kind, b.kind)) {
      return InvalidArgumentError(fmt::format("cannot be {} below a {}", b.kind, parent.kind),
                                  "/kind");
    }
    if (Depth(parent.path) + 1 > kBranchDepthMax) {
      return InvalidArgumentError(
          fmt::format("the tree would be deeper than {} levels", kBranchDepthMax), "/parent_id");
    }
    parent_path = parent.path;
  } else {
    bool exists = false;
    RETURN_IF_ERROR(
        tx.Query("SELECT id FROM branch WHERE parent_id IS NULL", {}, [&](const store::Row&) {
          exists = true;
          return Status::Ok();
        }));
    if (exists || actor.scope != ScopeKind::kAll) {
      return InvalidArgumentError("is required: the head office already exists", "/parent_id");
    }
    b.kind = "head_office";
  }
  if (input.kind && *input.kind != b.kind) {
    return InvalidArgumentError("the head office has no parent; give parent_id", "/kind");
  }
  b.code = *input.code;
  b.name = *input.name;
  b.address = input.address.value_or("");
  b.latitude = *input.latitude;
  b.longitude = *input.longitude;
  b.created_at = b.updated_at = clock_.Now();
  RETURN_IF_ERROR(WithCodeField(tx.Execute(
      "INSERT INTO branch (parent_id, code, name, kind, address, latitude, longitude, path, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
      {b.parent_id, b.code, b.name, b.kind, b.address, b.latitude, b.longitude,
       ToUnixMicros(b.created_at), ToUnixMicros(b.updated_at)})));
  b.id = tx.LastInsertId();
  b.path = fmt::format("{}{}/", parent_path, b.id);
  RETURN_IF_ERROR(tx.Execute("UPDATE branch SET path = ? WHERE id = ?", {b.path, b.id}));
  AuditRecord record = AuditRecord::By(actor, "branch.create", "branch", std::to_string(b.id));
  record.details = {{"code", b.code}, {"name", b.name}, {"kind", b.kind}};
  if (b.parent_id) record.details["parent_id"] = *b.parent_id;
  RETURN_IF_ERROR(audit_.Append(tx, record, context));
  return b;
}

Result<Branch> BranchService::Update(const Principal& actor, int64_t id, const BranchInput& patch,
                                     const AuditContext& context) {
  if (!actor.Can(Permission::kBranchesWrite)) {
    return audit_.Denied(AuditRecord::By(actor, "branch.update", "branch", std::to_string(id)),
                         context, "branches:write is required");
  }
  RETURN_IF_ERROR(ValidateInput(patch, /*create=*/false));
  Branch updated;
  bool moved = false;
  RETURN_IF_ERROR(db_.Write([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(updated, UpdateIn(tx, actor, id, patch, context, &moved));
    return Status::Ok();
  }));
  if (moved) epoch_->Bump();
  return updated;
}

Result<Branch> BranchService::UpdateIn(store::Transaction& tx, const Principal& actor, int64_t id,
                                       const BranchInput& patch, const AuditContext& context,
                                       bool* moved) {
  ASSIGN_OR_RETURN(const Branch before, LoadVisible(tx, actor, id));
  Branch after = before;
  ApplyPatch(patch, after);
  *moved = after.parent_id != before.parent_id;
  if (!before.parent_id) {
    if (patch.parent_id) return InvalidArgumentError("the head office has no parent", "/parent_id");
    if (after.kind != "head_office") return InvalidArgumentError("must be head_office", "/kind");
  } else if (*moved || after.kind != before.kind) {
    // The current parent needs no scope check (the caller may manage a branch whose parent it
    // cannot see); a new parent must be within the caller's scope.
    ASSIGN_OR_RETURN(Branch parent, LoadVisible(tx, *moved ? actor : Principal::System(),
                                                *after.parent_id, "/parent_id"));
    if (parent.path.starts_with(before.path)) {
      return InvalidArgumentError("a branch cannot move below itself", "/parent_id");
    }
    if (!MayContain(parent.kind, after.kind)) {
      return InvalidArgumentError(fmt::format("cannot be {} below a {}", after.kind, parent.kind),
                                  parent.kind == "sub_branch" ? "/parent_id" : "/kind");
    }
    if (*moved) {
      ASSIGN_OR_RETURN(const int64_t height, SubtreeHeight(tx, before));
      if (Depth(parent.path) + 1 + height > kBranchDepthMax) {
        return InvalidArgumentError(
            fmt::format("the tree would be deeper than {} levels", kBranchDepthMax), "/parent_id");
      }
      after.path = fmt::format("{}{}/", parent.path, after.id);
    }
  }
  if (after.kind == "sub_branch" && before.kind != "sub_branch") {
    ASSIGN_OR_RETURN(int64_t children,
                     tx.QueryOne<int64_t>("SELECT COUNT(*) FROM branch WHERE parent_id = ?", {id},
                                          "count", [](const store::Row& r) { return r.Int(0); }));
    if (children > 0) {
      return InvalidArgumentError("a branch with branches below it cannot become a sub_branch",
                                  "/kind");
    }
  }
  after.updated_at = clock_.Now();
  RETURN_IF_ERROR(WithCodeField(tx.Execute(
      "UPDATE branch SET parent_id = ?, code = ?, name = ?, kind = ?, address = ?, latitude = ?, "
      "longitude = ?, path = ?, updated_at = ? WHERE id = ?",
      {after.parent_id, after.code, after.name, after.kind, after.address, after.latitude,
       after.longitude, after.path, ToUnixMicros(after.updated_at), id})));
  if (after.path != before.path) {
    // Descendants keep their path below the moved branch; only the prefix changes.
    RETURN_IF_ERROR(tx.Execute(
        "UPDATE branch SET path = ? || substr(path, ?) WHERE path LIKE ? AND id <> ?",
        {after.path, static_cast<int64_t>(before.path.size()) + 1, before.path + "%", id}));
  }
  AuditRecord record = AuditRecord::By(actor, "branch.update", "branch", std::to_string(id));
  record.details = Changes(before, after);
  RETURN_IF_ERROR(audit_.Append(tx, record, context));
  return after;
}

Result<Branch> BranchService::Get(const Principal& actor, int64_t id) {
  if (!actor.Can(Permission::kBranchesRead)) {
    return PermissionDeniedError("branches:read is required");
  }
  Branch branch;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(branch, LoadVisible(tx, actor, id));
    return Status::Ok();
  }));
  return branch;
}

Result<Page<Branch>> BranchService::List(const Principal& actor, std::optional<int64_t> parent_id,
                                         std::string_view cursor, int limit) {
  if (!actor.Can(Permission::kBranchesRead)) {
    return PermissionDeniedError("branches:read is required");
  }
  RETURN_IF_ERROR(CheckPageLimit(limit));
  ASSIGN_OR_RETURN(std::optional<int64_t> after, DecodeCursor(cursor));
  std::vector<store::Value> params;
  std::string where = internal::ScopeCondition(actor, "path", params);
  if (parent_id) {
    where += " AND parent_id = ?";
    params.emplace_back(*parent_id);
  }
  where += " AND id > ?";
  params.emplace_back(after.value_or(0));
  params.emplace_back(limit + 1);
  std::vector<Branch> rows;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) {
    return tx.Query(
        fmt::format("SELECT {} FROM branch WHERE {} ORDER BY id LIMIT ?", kBranchColumns, where),
        params, [&](const store::Row& row) {
          rows.push_back(ReadBranch(row));
          return Status::Ok();
        });
  }));
  return MakePage(std::move(rows), limit, [](const Branch& b) { return b.id; });
}

Result<Branch> BranchService::HeadOffice(const Principal& actor) {
  if (!actor.Can(Permission::kBranchesRead)) {
    return PermissionDeniedError("branches:read is required");
  }
  Branch branch;
  RETURN_IF_ERROR(db_.Read([&](store::Transaction& tx) -> Status {
    ASSIGN_OR_RETURN(
        branch, tx.QueryOne<Branch>(
                    fmt::format("SELECT {} FROM branch WHERE parent_id IS NULL", kBranchColumns),
                    {}, "head office", ReadBranch));
    return Status::Ok();
  }));
  if (!actor.CanSeeBranchPath(branch.path)) return NotFoundError("head office not found");
  return branch;
}

}  // namespace banyan::auth
