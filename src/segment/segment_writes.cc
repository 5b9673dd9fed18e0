// SegmentService writes: loading definitions, tag and segment create/update/delete, imported
// tag members, snapshots and static segments. Every write is audited in its own transaction and
// followed by a reload of the in-memory definitions.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "base/logging.h"
#include "segment/dependencies.h"
#include "segment/internal/resolver.h"
#include "segment/segment_service.h"

namespace banyan::segment {
namespace {

// 1..bytes_max bytes without control characters.
Status CheckName(const std::string& name, size_t bytes_max, const std::string& field) {
  if (name.empty() || name.size() > bytes_max) {
    return InvalidArgumentError(fmt::format("a name has 1..{} bytes", bytes_max), field);
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return InvalidArgumentError("no control characters", field);
  }
  return Status::Ok();
}

std::optional<int64_t> StaffOf(const auth::Principal& principal) {
  if (principal.kind == auth::PrincipalKind::kStaff) return principal.id;
  return std::nullopt;
}

// One CSV line split on commas; a field may be "quoted" with "" for a quote.
std::vector<std::string> SplitCsv(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  for (std::string& f : fields) {
    while (!f.empty() && (f.back() == ' ' || f.back() == '\r')) f.pop_back();
    while (!f.empty() && f.front() == ' ') f.erase(f.begin());
  }
  return fields;
}

TagDef TagFromRow(const store::Row& row) {
  TagDef tag;
  tag.id = row.Int(0);
  tag.name = row.Text(1);
  tag.category = row.Text(2);
  tag.owner_staff_id = row.OptionalInt(3);
  tag.description = row.Text(4);
  tag.kind = ParseTagKind(row.Text(5)).value_or(TagKind::kRule);
  tag.refresh = ParseTagRefresh(row.Text(7)).value_or(TagRefresh::kLive);
  tag.version = row.Int(8);
  tag.created_at = FromUnixMicros(row.Int(9));
  tag.updated_at = FromUnixMicros(row.Int(10));
  auto definition = ParseJson(row.Text(6));
  if (definition.ok()) {
    Status read = ReadTagDefinition(*definition, tag.kind, tag);
    if (!read.ok()) {
      log::Error("segment.tag_unreadable", {{"tag", tag.name}, {"error", read.ToString()}});
    }
  }
  return tag;
}

constexpr std::string_view kTagColumns =
    "id, name, category, owner_staff_id, description, kind, definition, refresh, version, "
    "created_at, updated_at";

}  // namespace

Status SegmentService::EnsureBuiltinTags() {
  return deps_.db.Write([&](store::Transaction& tx) -> Status {
    bool added = false;
    RETURN_IF_ERROR(tx.Query("SELECT 1 FROM segment_meta WHERE id = 1", {}, [&](const store::Row&) {
      added = true;
      return Status::Ok();
    }));
    if (added) return Status::Ok();
    const int64_t now = ToUnixMicros(deps_.clock.Now());
    for (const TagDef& tag : BuiltinTags()) {
      RETURN_IF_ERROR(tx.Execute(
          "INSERT OR IGNORE INTO tag (name, category, owner_staff_id, description, kind, "
          "definition, refresh, version, created_at, updated_at) VALUES (?, ?, NULL, ?, ?, ?, ?, "
          "1, ?, ?)",
          {tag.name, tag.category, tag.description, TagKindName(tag.kind),
           TagDefinitionJson(tag).dump(), TagRefreshName(tag.refresh), now, now}));
    }
    return tx.Execute("INSERT INTO segment_meta (id, builtin_tags_added_at) VALUES (1, ?)", {now});
  });
}

Status SegmentService::Load() {
  std::vector<TagDef> tags;
  std::map<std::string, std::vector<int64_t>, std::less<>> imported;
  std::map<std::string, std::vector<std::string>, std::less<>> imported_values;
  std::map<std::string, std::map<int64_t, std::string>, std::less<>> imported_value_of;
  std::vector<SegmentDef> segments;
  std::map<int64_t, std::vector<int64_t>, std::less<>> statics;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Query(fmt::format("SELECT {} FROM tag ORDER BY id", kTagColumns), {},
                             [&](const store::Row& row) {
                               tags.push_back(TagFromRow(row));
                               return Status::Ok();
                             }));
    RETURN_IF_ERROR(
        tx.Query("SELECT t.name, m.person_id, m.value FROM tag_import_member m JOIN tag t "
                 "ON t.id = m.tag_id ORDER BY t.name, m.person_id",
                 {}, [&](const store::Row& row) {
                   const std::string name = row.Text(0);
                   imported[name].push_back(row.Int(1));
                   const std::string value = row.Text(2);
                   if (!value.empty()) {
                     imported_value_of[name][row.Int(1)] = value;
                     auto& values = imported_values[name];
                     if (std::find(values.begin(), values.end(), value) == values.end()) {
                       values.push_back(value);
                     }
                   }
                   return Status::Ok();
                 }));
    RETURN_IF_ERROR(
        tx.Query("SELECT s.id, s.name, s.description, s.kind, s.expression, s.owner_staff_id, "
                 "s.branch_id, COALESCE(b.path, '/'), s.version, s.created_at, s.updated_at "
                 "FROM segment s LEFT JOIN branch b ON b.id = s.branch_id ORDER BY s.id",
                 {}, [&](const store::Row& row) {
                   SegmentDef s;
                   s.id = row.Int(0);
                   s.name = row.Text(1);
                   s.description = row.Text(2);
                   s.kind = row.Text(3) == "static" ? SegmentKind::kStatic : SegmentKind::kLive;
                   s.expression = row.Text(4);
                   s.owner_staff_id = row.OptionalInt(5);
                   s.branch_id = row.OptionalInt(6);
                   s.branch_path = row.Text(7);
                   s.version = row.Int(8);
                   s.created_at = FromUnixMicros(row.Int(9));
                   s.updated_at = FromUnixMicros(row.Int(10));
                   segments.push_back(std::move(s));
                   return Status::Ok();
                 }));
    // A static segment's members: those of its latest snapshot.
    return tx.Query(
        "SELECT s.id, m.person_id FROM segment s "
        "JOIN segment_snapshot n ON n.id = (SELECT MAX(id) FROM segment_snapshot "
        "WHERE segment_id = s.id) "
        "JOIN segment_snapshot_member m ON m.snapshot_id = n.id "
        "WHERE s.kind = 'static' ORDER BY s.id, m.person_id",
        {}, [&](const store::Row& row) {
          statics[row.Int(0)].push_back(row.Int(1));
          return Status::Ok();
        });
  }));

  // Live segments keep their state across reloads while their expression is unchanged.
  std::map<int64_t, std::shared_ptr<Live>> live;
  std::map<std::string, const SegmentDef*, std::less<>> by_name;
  for (const SegmentDef& s : segments) by_name[s.name] = &s;
  {
    std::lock_guard lock(mutex_);
    for (const SegmentDef& s : segments) {
      if (s.kind != SegmentKind::kLive) continue;
      auto expr = Parse(s.expression);
      if (!expr.ok()) {
        log::Error("segment.unreadable",
                   {{"segment", s.name}, {"error", expr.status().ToString()}});
        continue;
      }
      auto existing = live_.find(s.id);
      if (existing != live_.end() && existing->second->expr == *expr) {
        live[s.id] = existing->second;
        continue;
      }
      auto entry = std::make_shared<Live>();
      entry->id = s.id;
      entry->name = s.name;
      entry->expr = std::move(expr).value();
      entry->deps = DependenciesOf(entry->expr);
      live[s.id] = std::move(entry);
    }
    // Depth: 0 without segment references, else one more than the deepest referenced.
    std::function<int(const std::string&, int)> depth = [&](const std::string& name, int hops) {
      if (hops > kSegmentRefsDepthMax) return hops;
      auto found = by_name.find(name);
      if (found == by_name.end() || found->second->kind != SegmentKind::kLive) return 0;
      auto entry = live.find(found->second->id);
      if (entry == live.end()) return 0;
      int d = 0;
      for (const std::string& ref : entry->second->deps.segments) {
        d = std::max(d, 1 + depth(ref, hops + 1));
      }
      return d;
    };
    for (auto& [id, entry] : live) entry->depth = depth(entry->name, 0);
    tags_ = std::move(tags);
    imported_ = std::move(imported);
    imported_values_ = std::move(imported_values);
    imported_value_of_ = std::move(imported_value_of);
    segments_ = std::move(segments);
    live_ = std::move(live);
    static_members_ = std::move(statics);
    tag_cache_ = std::make_shared<internal::TagCache>();
  }
  return Status::Ok();
}

void SegmentService::Reload() {
  if (Status s = Load(); !s.ok()) {
    log::Error("segment.reload_failed", {{"error", s.ToString()}});
  }
}

Result<TagDef> SegmentService::SaveTag(const auth::Principal& principal, std::optional<int64_t> id,
                                       const Json& body, const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown(
      {"name", "category", "description", "kind", "refresh", "definition", "version"}));
  TagDef tag;
  if (id) {
    ASSIGN_OR_RETURN(tag, GetTag(*id));
    ASSIGN_OR_RETURN(auto version, reader.OptionalInt("version", 1, INT64_MAX));
    if (version && *version != tag.version) {
      return AbortedError(fmt::format("tag {} is at version {}, not {}: reload and retry", *id,
                                      tag.version, *version));
    }
  }
  ASSIGN_OR_RETURN(auto name, reader.OptionalString("name", kTagNameBytesMax));
  if (name) tag.name = *name;
  RETURN_IF_ERROR(CheckName(tag.name, kTagNameBytesMax, "/name"));
  ASSIGN_OR_RETURN(auto category, reader.OptionalString("category", kTagCategoryBytesMax));
  if (category) tag.category = *category;
  RETURN_IF_ERROR(CheckName(tag.category, kTagCategoryBytesMax, "/category"));
  ASSIGN_OR_RETURN(auto description, reader.OptionalString("description", kTagDescriptionBytesMax));
  if (description) tag.description = *description;
  ASSIGN_OR_RETURN(auto kind, reader.OptionalString("kind", 16));
  if (kind) {
    auto parsed = ParseTagKind(*kind);
    if (!parsed) {
      return InvalidArgumentError("expected rule, bucket, imported or lifecycle", "/kind");
    }
    if (id && *parsed != tag.kind)
      return InvalidArgumentError("a tag's kind cannot change", "/kind");
    tag.kind = *parsed;
  } else if (!id) {
    return InvalidArgumentError("is required", "/kind");
  }
  ASSIGN_OR_RETURN(auto refresh, reader.OptionalString("refresh", 16));
  if (refresh) {
    auto parsed = ParseTagRefresh(*refresh);
    if (!parsed) return InvalidArgumentError("expected live, daily or manual", "/refresh");
    tag.refresh = *parsed;
  } else if (!id) {
    tag.refresh = tag.kind == TagKind::kImported    ? TagRefresh::kManual
                  : tag.kind == TagKind::kLifecycle ? TagRefresh::kDaily
                                                    : TagRefresh::kLive;
  }
  if (body.contains("definition")) {
    RETURN_IF_ERROR(ReadTagDefinition(body["definition"], tag.kind, tag));
  } else if (!id) {
    if (tag.kind != TagKind::kImported && tag.kind != TagKind::kLifecycle) {
      return InvalidArgumentError("is required", "/definition");
    }
  }
  Catalog catalog = BuildCatalog();
  catalog.tags.erase(tag.name);  // a rule may not name its own tag
  RETURN_IF_ERROR(ValidateTag(tag, catalog));

  const int64_t now = ToUnixMicros(deps_.clock.Now());
  Status saved = deps_.db.Write([&](store::Transaction& tx) -> Status {
    if (!id) {
      int64_t count = 0;
      RETURN_IF_ERROR(tx.Query("SELECT COUNT(*) FROM tag", {}, [&](const store::Row& row) {
        count = row.Int(0);
        return Status::Ok();
      }));
      if (count >= static_cast<int64_t>(kTagsMax)) {
        return ResourceExhaustedError(fmt::format("at most {} tags", kTagsMax));
      }
      RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO tag (name, category, owner_staff_id, description, kind, definition, "
          "refresh, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
          {tag.name, tag.category, StaffOf(principal), tag.description, TagKindName(tag.kind),
           TagDefinitionJson(tag).dump(), TagRefreshName(tag.refresh), now, now}));
      tag.id = tx.LastInsertId();
    } else {
      RETURN_IF_ERROR(tx.Execute(
          "UPDATE tag SET name = ?, category = ?, description = ?, definition = ?, refresh = ?, "
          "version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
          {tag.name, tag.category, tag.description, TagDefinitionJson(tag).dump(),
           TagRefreshName(tag.refresh), now, *id, tag.version}));
      if (tx.Changes() == 0) return AbortedError(fmt::format("tag {} changed meanwhile", *id));
    }
    auth::AuditRecord record = auth::AuditRecord::By(principal, id ? "tag.update" : "tag.create",
                                                     "tag", std::to_string(tag.id));
    record.details = {{"name", tag.name}, {"kind", TagKindName(tag.kind)}};
    return deps_.audit.Append(tx, record, context);
  });
  if (!saved.ok()) {
    if (saved.message().find("UNIQUE") != std::string::npos) {
      return AlreadyExistsError(fmt::format("a tag named \"{}\" exists", tag.name), "/name");
    }
    return saved;
  }
  Reload();
  return GetTag(tag.id);
}

Result<TagDef> SegmentService::CreateTag(const auth::Principal& principal, const Json& body,
                                         const auth::AuditContext& context) {
  return SaveTag(principal, std::nullopt, body, context);
}

Result<TagDef> SegmentService::UpdateTag(const auth::Principal& principal, int64_t id,
                                         const Json& body, const auth::AuditContext& context) {
  return SaveTag(principal, id, body, context);
}

Status SegmentService::DeleteTag(const auth::Principal& principal, int64_t id,
                                 const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(TagDef tag, GetTag(id));
  // Refuse while a segment or a rule tag names it.
  std::vector<std::string> users;
  {
    std::lock_guard lock(mutex_);
    for (const SegmentDef& s : segments_) {
      if (auto expr = Parse(s.expression);
          expr.ok() && DependenciesOf(*expr).tags.contains(tag.name)) {
        users.push_back(fmt::format("segment \"{}\"", s.name));
      }
    }
    for (const TagDef& t : tags_) {
      if (t.tree && DependenciesOf(*t.tree).tags.contains(tag.name)) {
        users.push_back(fmt::format("tag \"{}\"", t.name));
      }
    }
  }
  if (!users.empty()) {
    return FailedPreconditionError(
        fmt::format("tag \"{}\" is used by {}", tag.name, fmt::join(users, ", ")));
  }
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM tag_import_member WHERE tag_id = ?", {id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM tag WHERE id = ?", {id}));
    auth::AuditRecord record =
        auth::AuditRecord::By(principal, "tag.delete", "tag", std::to_string(id));
    record.details = {{"name", tag.name}};
    return deps_.audit.Append(tx, record, context);
  }));
  Reload();
  return Status::Ok();
}

Result<Json> SegmentService::ImportTagMembers(const auth::Principal& principal, int64_t id,
                                              std::string_view csv,
                                              const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(TagDef tag, GetTag(id));
  if (tag.kind != TagKind::kImported) {
    return FailedPreconditionError(fmt::format(
        "tag \"{}\" is a {} tag: only imported tags take a list", tag.name, TagKindName(tag.kind)));
  }
  if (csv.size() > kImportBytesMax) {
    return TooLargeError(fmt::format("a list has at most {} bytes", kImportBytesMax));
  }
  std::map<int64_t, std::string> members;  // person -> value
  int64_t rows = 0, unmatched = 0, ambiguous = 0;
  size_t line_no = 0, start = 0;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    const std::string_view line = csv.substr(start, end - start);
    start = end + 1;
    ++line_no;
    std::vector<std::string> fields = SplitCsv(line);
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (line_no == 1 && fields[0] == "type") continue;  // the header
    const std::string where = fmt::format("line {}", line_no);
    if (fields.size() < 2 || fields.size() > 3 || fields[0].empty() || fields[1].empty()) {
      return InvalidArgumentError(fmt::format("{}: expected type,value[,tag_value]", where), where);
    }
    if (fields.size() == 3 && fields[2].size() > kTagValueBytesMax) {
      return InvalidArgumentError(
          fmt::format("{}: a tag value has at most {} bytes", where, kTagValueBytesMax), where);
    }
    if (++rows > static_cast<int64_t>(kImportRowsMax)) {
      return TooLargeError(fmt::format("a list has at most {} rows", kImportRowsMax));
    }
    auto found = deps_.customers.graph().Find(fields[0], fields[1]);
    if (!found.ok()) {
      if (found.status().code() == StatusCode::kInvalidArgument) {
        return InvalidArgumentError(fmt::format("{}: {}", where, found.status().message()), where);
      }
      return found.status();
    }
    if (found->empty()) {
      ++unmatched;
      continue;
    }
    if (found->size() > 1) ++ambiguous;
    for (const int64_t person : *found) members[person] = fields.size() == 3 ? fields[2] : "";
  }
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM tag_import_member WHERE tag_id = ?", {id}));
    for (const auto& [person, value] : members) {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO tag_import_member (tag_id, person_id, value) VALUES (?, ?, ?)",
                     {id, person, value}));
    }
    RETURN_IF_ERROR(tx.Execute("UPDATE tag SET version = version + 1, updated_at = ? WHERE id = ?",
                               {ToUnixMicros(deps_.clock.Now()), id}));
    auth::AuditRecord record =
        auth::AuditRecord::By(principal, "tag.import", "tag", std::to_string(id));
    record.details = {{"name", tag.name},
                      {"rows", rows},
                      {"customers", members.size()},
                      {"unmatched", unmatched}};
    return deps_.audit.Append(tx, record, context);
  }));
  Reload();
  return Json{{"rows", rows},
              {"customers", members.size()},
              {"unmatched", unmatched},
              {"ambiguous", ambiguous}};
}

Status SegmentService::CheckSegmentRefs(const Expr& expr, const std::string& self) const {
  std::map<std::string, std::set<std::string>, std::less<>> refs;
  {
    std::lock_guard lock(mutex_);
    for (const SegmentDef& s : segments_) {
      if (s.kind != SegmentKind::kLive || s.name == self) continue;
      if (auto e = Parse(s.expression); e.ok()) {
        for (const std::string& r : DependenciesOf(*e).segments) refs[s.name].insert(r);
      }
    }
  }
  refs[self].clear();
  for (const std::string& r : DependenciesOf(expr).segments) refs[self].insert(r);
  // Depth-first from self: reaching self again is a cycle; going too deep is refused too.
  std::function<Status(const std::string&, int)> walk = [&](const std::string& name,
                                                            int depth) -> Status {
    if (depth > kSegmentRefsDepthMax) {
      return InvalidArgumentError(
          fmt::format("segments may refer to segments at most {} deep", kSegmentRefsDepthMax),
          "/expression");
    }
    for (const std::string& next : refs[name]) {
      if (next == self) {
        return InvalidArgumentError(
            fmt::format("segment \"{}\" would refer to itself through \"{}\"", self, name),
            "/expression");
      }
      RETURN_IF_ERROR(walk(next, depth + 1));
    }
    return Status::Ok();
  };
  return walk(self, 0);
}

Result<SegmentDef> SegmentService::SaveSegment(const auth::Principal& principal,
                                               std::optional<int64_t> id, const Json& body,
                                               const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(
      reader.RejectUnknown({"name", "description", "kind", "expression", "tree", "version"}));
  SegmentDef def;
  if (id) {
    ASSIGN_OR_RETURN(def, VisibleSegment(principal, *id));
    ASSIGN_OR_RETURN(auto version, reader.OptionalInt("version", 1, INT64_MAX));
    if (version && *version != def.version) {
      return AbortedError(fmt::format("segment {} is at version {}, not {}: reload and retry", *id,
                                      def.version, *version));
    }
    if (def.kind == SegmentKind::kStatic &&
        (body.contains("expression") || body.contains("tree"))) {
      return FailedPreconditionError(
          "a static segment's members are fixed: save a new segment instead");
    }
  } else {
    def.owner_staff_id = StaffOf(principal);
    if (principal.branch_path != "/" && principal.scope != auth::ScopeKind::kAll) {
      def.branch_id = principal.branch_id;
    }
  }
  ASSIGN_OR_RETURN(auto name, reader.OptionalString("name", kSegmentNameBytesMax));
  if (name) def.name = *name;
  RETURN_IF_ERROR(CheckName(def.name, kSegmentNameBytesMax, "/name"));
  ASSIGN_OR_RETURN(auto description,
                   reader.OptionalString("description", kSegmentDescriptionBytesMax));
  if (description) def.description = *description;
  ASSIGN_OR_RETURN(auto kind, reader.OptionalString("kind", 16));
  if (kind) {
    if (*kind != "live" && *kind != "static") {
      return InvalidArgumentError("expected live or static", "/kind");
    }
    const SegmentKind parsed = *kind == "live" ? SegmentKind::kLive : SegmentKind::kStatic;
    if (id && parsed != def.kind)
      return InvalidArgumentError("a segment's kind cannot change", "/kind");
    def.kind = parsed;
  }
  std::optional<Expr> expr;
  if (!id || body.contains("expression") || body.contains("tree")) {
    ASSIGN_OR_RETURN(expr, ReadExpression(body));
    RETURN_IF_ERROR(CheckSegmentRefs(*expr, def.name));
    def.expression = ToText(*expr);
  }
  if (id && name) {
    // A renamed segment must not be named by others under its old name.
    std::lock_guard lock(mutex_);
    for (const SegmentDef& s : segments_) {
      if (s.id == *id || s.name == def.name) continue;
      if (auto e = Parse(s.expression); e.ok() && s.kind == SegmentKind::kLive) {
        for (const SegmentDef& old : segments_) {
          if (old.id == *id && old.name != def.name &&
              DependenciesOf(*e).segments.contains(old.name)) {
            return FailedPreconditionError(fmt::format(
                "segment \"{}\" refers to \"{}\": change it before renaming", s.name, old.name));
          }
        }
      }
    }
  }
  const int64_t now = ToUnixMicros(deps_.clock.Now());
  std::optional<engine::Bitmap> frozen;
  std::shared_ptr<const engine::Snapshot> snapshot;
  if (!id && def.kind == SegmentKind::kStatic) {
    snapshot = deps_.customers.engine().snapshot();
    ASSIGN_OR_RETURN(engine::Bitmap visible,
                     deps_.customers.VisibleCustomers(principal, *snapshot));
    Resolver resolver(*this, deps_.clock.Now());
    ASSIGN_OR_RETURN(engine::Bitmap members,
                     EvaluateAmong(*expr, *snapshot,
                                   ContextFor(*snapshot, deps_.clock.Now(), resolver), visible));
    frozen = std::move(members);
  }
  Status saved = deps_.db.Write([&](store::Transaction& tx) -> Status {
    if (!id) {
      int64_t total = 0, live = 0;
      RETURN_IF_ERROR(tx.Query("SELECT COUNT(*), SUM(kind = 'live') FROM segment", {},
                               [&](const store::Row& row) {
                                 total = row.Int(0);
                                 live = row.Int(1);
                                 return Status::Ok();
                               }));
      if (total >= static_cast<int64_t>(kSegmentsMax)) {
        return ResourceExhaustedError(fmt::format("at most {} segments", kSegmentsMax));
      }
      if (def.kind == SegmentKind::kLive && live >= static_cast<int64_t>(kLiveSegmentsMax)) {
        return ResourceExhaustedError(fmt::format("at most {} live segments", kLiveSegmentsMax));
      }
      RETURN_IF_ERROR(tx.Execute(
          "INSERT INTO segment (name, description, kind, expression, owner_staff_id, branch_id, "
          "version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
          {def.name, def.description, SegmentKindName(def.kind), def.expression, def.owner_staff_id,
           def.branch_id, now, now}));
      def.id = tx.LastInsertId();
      if (frozen) {
        RETURN_IF_ERROR(tx.Execute(
            "INSERT INTO segment_snapshot (segment_id, name, expression, taken_at, taken_by, "
            "member_count) VALUES (?, ?, ?, ?, ?, ?)",
            {def.id, def.name, def.expression, now, StaffOf(principal),
             static_cast<int64_t>(frozen->Cardinality())}));
        const int64_t snapshot_id = tx.LastInsertId();
        for (const int64_t person : OneIds(*snapshot, *frozen)) {
          RETURN_IF_ERROR(tx.Execute(
              "INSERT INTO segment_snapshot_member (snapshot_id, person_id) VALUES (?, ?)",
              {snapshot_id, person}));
        }
      }
    } else {
      RETURN_IF_ERROR(tx.Execute(
          "UPDATE segment SET name = ?, description = ?, expression = ?, version = version + 1, "
          "updated_at = ? WHERE id = ? AND version = ?",
          {def.name, def.description, def.expression, now, *id, def.version}));
      if (tx.Changes() == 0) return AbortedError(fmt::format("segment {} changed meanwhile", *id));
    }
    auth::AuditRecord record = auth::AuditRecord::By(
        principal, id ? "segment.update" : "segment.create", "segment", std::to_string(def.id));
    record.details = {
        {"name", def.name}, {"kind", SegmentKindName(def.kind)}, {"expression", def.expression}};
    return deps_.audit.Append(tx, record, context);
  });
  if (!saved.ok()) {
    if (saved.message().find("UNIQUE") != std::string::npos) {
      return AlreadyExistsError(fmt::format("a segment named \"{}\" exists", def.name), "/name");
    }
    return saved;
  }
  Reload();
  // A new or changed live segment gets its baseline now, so it answers at once.
  if (Status s = Refresh(); !s.ok())
    log::Error("segment.refresh_failed", {{"error", s.ToString()}});
  return VisibleSegment(principal, def.id);
}

Result<SegmentDef> SegmentService::CreateSegment(const auth::Principal& principal, const Json& body,
                                                 const auth::AuditContext& context) {
  return SaveSegment(principal, std::nullopt, body, context);
}

Result<SegmentDef> SegmentService::UpdateSegment(const auth::Principal& principal, int64_t id,
                                                 const Json& body,
                                                 const auth::AuditContext& context) {
  return SaveSegment(principal, id, body, context);
}

Status SegmentService::DeleteSegment(const auth::Principal& principal, int64_t id,
                                     const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  std::vector<std::string> users;
  {
    std::lock_guard lock(mutex_);
    for (const SegmentDef& s : segments_) {
      if (s.id == id || s.kind != SegmentKind::kLive) continue;
      if (auto e = Parse(s.expression); e.ok() && DependenciesOf(*e).segments.contains(def.name)) {
        users.push_back(fmt::format("segment \"{}\"", s.name));
      }
    }
    for (const TagDef& t : tags_) {
      if (t.tree && DependenciesOf(*t.tree).segments.contains(def.name)) {
        users.push_back(fmt::format("tag \"{}\"", t.name));
      }
    }
  }
  if (!users.empty()) {
    return FailedPreconditionError(
        fmt::format("segment \"{}\" is used by {}", def.name, fmt::join(users, ", ")));
  }
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM segment_transition WHERE segment_id = ?", {id}));
    RETURN_IF_ERROR(tx.Execute("DELETE FROM segment WHERE id = ?", {id}));
    auth::AuditRecord record =
        auth::AuditRecord::By(principal, "segment.delete", "segment", std::to_string(id));
    record.details = {{"name", def.name}};
    return deps_.audit.Append(tx, record, context);
  }));
  Reload();
  return Status::Ok();
}

Result<SegmentDef> SegmentService::CreateStaticSegment(const auth::Principal& principal,
                                                       std::string name, std::string description,
                                                       std::string origin,
                                                       const std::vector<int64_t>& one_ids,
                                                       const auth::AuditContext& context) {
  RETURN_IF_ERROR(CheckName(name, kSegmentNameBytesMax, "/name"));
  if (description.size() > kSegmentDescriptionBytesMax) {
    return InvalidArgumentError(
        fmt::format("a description has at most {} bytes", kSegmentDescriptionBytesMax),
        "/description");
  }
  if (one_ids.size() > kExportMembersMax) {
    return TooLargeError(fmt::format("a segment has at most {} members", kExportMembersMax));
  }
  const int64_t now = ToUnixMicros(deps_.clock.Now());
  int64_t id = 0;
  Status saved = deps_.db.Write([&](store::Transaction& tx) -> Status {
    std::optional<int64_t> branch;
    if (principal.branch_path != "/" && principal.scope != auth::ScopeKind::kAll) {
      branch = principal.branch_id;
    }
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO segment (name, description, kind, expression, owner_staff_id, branch_id, "
        "version, created_at, updated_at) VALUES (?, ?, 'static', ?, ?, ?, 1, ?, ?)",
        {name, description, origin, StaffOf(principal), branch, now, now}));
    id = tx.LastInsertId();
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO segment_snapshot (segment_id, name, expression, taken_at, taken_by, "
        "member_count) VALUES (?, ?, ?, ?, ?, ?)",
        {id, name, origin, now, StaffOf(principal), static_cast<int64_t>(one_ids.size())}));
    const int64_t snapshot_id = tx.LastInsertId();
    std::vector<int64_t> sorted = one_ids;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (const int64_t person : sorted) {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO segment_snapshot_member (snapshot_id, person_id) VALUES (?, ?)",
                     {snapshot_id, person}));
    }
    auth::AuditRecord record =
        auth::AuditRecord::By(principal, "segment.create", "segment", std::to_string(id));
    record.details = {
        {"name", name}, {"kind", "static"}, {"origin", origin}, {"members", sorted.size()}};
    return deps_.audit.Append(tx, record, context);
  });
  if (!saved.ok()) {
    if (saved.message().find("UNIQUE") != std::string::npos) {
      return AlreadyExistsError(fmt::format("a segment named \"{}\" exists", name), "/name");
    }
    return saved;
  }
  Reload();
  return VisibleSegment(principal, id);
}

Result<Json> SegmentService::TakeSnapshot(const auth::Principal& principal, int64_t id,
                                          const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  const auto snapshot = deps_.customers.engine().snapshot();
  ASSIGN_OR_RETURN(engine::Bitmap members, Members(principal, id, *snapshot));
  const std::vector<int64_t> one_ids = OneIds(*snapshot, members);
  const Timestamp now = deps_.clock.Now();
  int64_t snapshot_id = 0;
  RETURN_IF_ERROR(deps_.db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(tx.Execute(
        "INSERT INTO segment_snapshot (segment_id, name, expression, taken_at, taken_by, "
        "member_count) VALUES (?, ?, ?, ?, ?, ?)",
        {id, def.name, def.expression, ToUnixMicros(now), StaffOf(principal),
         static_cast<int64_t>(one_ids.size())}));
    snapshot_id = tx.LastInsertId();
    for (const int64_t person : one_ids) {
      RETURN_IF_ERROR(
          tx.Execute("INSERT INTO segment_snapshot_member (snapshot_id, person_id) VALUES (?, ?)",
                     {snapshot_id, person}));
    }
    auth::AuditRecord record =
        auth::AuditRecord::By(principal, "segment.snapshot", "segment", std::to_string(id));
    record.details = {{"name", def.name}, {"members", one_ids.size()}};
    return deps_.audit.Append(tx, record, context);
  }));
  if (def.kind == SegmentKind::kStatic) Reload();
  return Json{{"id", snapshot_id},
              {"segment_id", id},
              {"name", def.name},
              {"expression", def.expression},
              {"taken_at", FormatRfc3339(now)},
              {"member_count", one_ids.size()},
              {"engine_version", snapshot->version()}};
}

Result<Json> SegmentService::ListSnapshots(const auth::Principal& principal, int64_t id) {
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  Json out = Json::array();
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query(
        "SELECT id, name, expression, taken_at, taken_by, member_count FROM segment_snapshot "
        "WHERE segment_id = ? ORDER BY id DESC LIMIT 100",
        {id}, [&](const store::Row& row) {
          out.push_back({{"id", row.Int(0)},
                         {"segment_id", id},
                         {"name", row.Text(1)},
                         {"expression", row.Text(2)},
                         {"taken_at", FormatRfc3339(FromUnixMicros(row.Int(3)))},
                         {"taken_by", row.IsNull(4) ? Json(nullptr) : Json(row.Int(4))},
                         {"member_count", row.Int(5)}});
          return Status::Ok();
        });
  }));
  return out;
}

}  // namespace banyan::segment
