// SegmentService: definitions, the catalog, evaluation with tags and segments, previews and
// reads. The live monitor is in segment_live.cc; tag and segment writes in segment_writes.cc.

#include "segment/segment_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "base/logging.h"
#include "customer/engine_records.h"
#include "events/event.h"
#include "privacy/consent.h"
#include "segment/dependencies.h"
#include "segment/internal/resolver.h"
#include "segment/internal/service_parts.h"
#include "segment/lifecycle.h"

namespace banyan::segment {

using internal::IndexOfPerson;
using internal::Live;
using internal::TagCache;

std::string_view SegmentKindName(SegmentKind kind) {
  return kind == SegmentKind::kLive ? "live" : "static";
}

Result<engine::Bitmap> SegmentService::Resolver::Tag(const engine::Snapshot& snapshot,
                                                     std::string_view tag,
                                                     const std::string* value) const {
  ASSIGN_OR_RETURN(std::shared_ptr<const TagMembers> members,
                   service_.TagMembersOf(tag, snapshot, now_, *this));
  if (members == nullptr) return engine::Bitmap();
  if (value == nullptr) return members->all;
  auto found = members->by_value.find(*value);
  return found == members->by_value.end() ? engine::Bitmap() : found->second;
}

Result<engine::Bitmap> SegmentService::Resolver::Segment(const engine::Snapshot& snapshot,
                                                         std::string_view name) const {
  if (depth_ >= kSegmentRefsDepthMax) {
    return InvalidArgumentError(
        fmt::format("segments refer to segments more than {} deep", kSegmentRefsDepthMax));
  }
  // This round's answer first (the monitor evaluates referenced segments before referrers).
  if (auto found = round_.find(name); found != round_.end()) return found->second;
  std::optional<SegmentDef> def;
  std::shared_ptr<Live> live;
  std::vector<int64_t> statics;
  {
    std::lock_guard lock(service_.mutex_);
    for (const SegmentDef& s : service_.segments_) {
      if (s.name == name) def = s;
    }
    if (!def) return engine::Bitmap();
    if (auto it = service_.live_.find(def->id); it != service_.live_.end()) live = it->second;
    if (auto it = service_.static_members_.find(def->id); it != service_.static_members_.end()) {
      statics = it->second;
    }
  }
  if (def->kind == SegmentKind::kStatic) return service_.IndexesOf(snapshot, statics);
  if (live != nullptr) {
    std::lock_guard lock(live->mutex);
    if (live->evaluated && live->engine_version == snapshot.version()) {
      return live->members;
    }
  }
  ASSIGN_OR_RETURN(Expr expr, Parse(def->expression));
  Resolver deeper(service_, now_, depth_ + 1);
  return service_.Evaluate(expr, snapshot, now_, deeper);
}

SegmentService::SegmentService(Deps deps, SegmentOptions options)
    : deps_(deps), options_(options), tag_cache_(std::make_shared<TagCache>()) {}

Result<std::unique_ptr<SegmentService>> SegmentService::Open(Deps deps, SegmentOptions options) {
  if (!deps.customers.has_engine()) {
    return FailedPreconditionError("segments need the analytic engine");
  }
  std::unique_ptr<SegmentService> service(new SegmentService(deps, options));
  RETURN_IF_ERROR(service->EnsureBuiltinTags());
  RETURN_IF_ERROR(service->Load());
  RETURN_IF_ERROR(service->Refresh(/*expire=*/true));
  if (options.monitor) service->monitor_ = std::thread([s = service.get()] { s->RunMonitor(); });
  return service;
}

SegmentService::~SegmentService() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (monitor_.joinable()) monitor_.join();
}

std::unique_ptr<MembershipResolver> SegmentService::NewResolver(Timestamp now) const {
  return std::make_unique<Resolver>(*this, now);
}

Catalog SegmentService::BuildCatalog() const {
  Catalog catalog;
  for (const profile::AttributeDef& def : deps_.customers.schema().List()) {
    if (!customer::EngineAttributeSpec(def)) continue;
    AttributeInfo info;
    info.type = static_cast<AttributeType>(def.type);
    info.enum_values = def.enum_values;
    catalog.attributes.emplace(def.name, std::move(info));
  }
  const auto snapshot = deps_.customers.engine().snapshot();
  for (const std::string& type : snapshot->catalog().event_types->All()) {
    catalog.events.emplace(type, EventInfo{});
  }
  if (deps_.plan != nullptr) {
    for (const auto& [event, plan] : deps_.plan->events()) {
      EventInfo info;
      for (const events::PropertySpec& p : plan.properties) {
        switch (p.type) {
          case events::PropertyType::kString:
            info.properties[p.path] = AttributeType::kString;
            break;
          case events::PropertyType::kNumber:
            info.properties[p.path] = AttributeType::kDecimal;
            break;
          case events::PropertyType::kInteger:
            info.properties[p.path] = AttributeType::kInteger;
            break;
          case events::PropertyType::kBoolean:
            info.properties[p.path] = AttributeType::kBoolean;
            break;
          case events::PropertyType::kTimestamp:
            info.properties[p.path] = AttributeType::kTimestamp;
            break;
          case events::PropertyType::kObject:
          case events::PropertyType::kArray:
            break;
        }
      }
      // Undeclared extra properties are allowed by the plan: accept any name then.
      if (plan.allow_unexpected) info.properties.clear();
      catalog.events[plan.event] = std::move(info);
    }
  }
  {
    std::lock_guard lock(mutex_);
    for (const TagDef& tag : tags_) {
      auto values = imported_values_.find(tag.name);
      catalog.tags[tag.name] = TagInfoOf(
          tag, values == imported_values_.end() ? std::vector<std::string>{} : values->second);
    }
    for (const SegmentDef& s : segments_) catalog.segments.insert(s.name);
  }
  (void)deps_.db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query("SELECT code FROM branch", {}, [&](const store::Row& row) {
      catalog.branches.insert(row.Text(0));
      return Status::Ok();
    });
  });
  for (uint8_t c = 1; c <= events::kChannelMax; ++c) {
    catalog.event_channels.emplace(events::ChannelName(static_cast<events::Channel>(c)));
  }
  for (privacy::Purpose p : {privacy::Purpose::kMarketing, privacy::Purpose::kPersonalisedMarketing,
                             privacy::Purpose::kDataSharing}) {
    catalog.consent_purposes.emplace(privacy::PurposeName(p));
  }
  for (std::string_view channel :
       {"all", "sms", "wechat", "wecom", "rcs", "email", "app_push", "phone", "webhook"}) {
    if (privacy::IsConsentChannel(channel)) catalog.consent_channels.emplace(channel);
  }
  return catalog;
}

Result<Expr> SegmentService::ReadExpression(const Json& body) const {
  Result<Expr> expr =
      InvalidArgumentError("an expression (text) or a tree (JSON) is required", "/expression");
  if (body.contains("tree") && !body["tree"].is_null()) {
    expr = FromJson(body["tree"]);
    if (!expr.ok()) return expr.status().WithFieldPrefix("/tree");
    Status valid = Validate(*expr, BuildCatalog());
    if (!valid.ok()) return InvalidArgumentError(valid.message(), "/tree");
    return expr;
  }
  if (body.contains("expression") && body["expression"].is_string()) {
    const std::string& text = body["expression"].get_ref<const std::string&>();
    if (text.size() > kExpressionBytesMax) {
      return TooLargeError(fmt::format("an expression has at most {} bytes", kExpressionBytesMax),
                           "/expression");
    }
    expr = Parse(text);
    if (!expr.ok()) return InvalidArgumentError(expr.status().message(), "/expression");
    Status valid = Validate(*expr, BuildCatalog());
    if (!valid.ok()) return InvalidArgumentError(valid.message(), "/expression");
  }
  return expr;
}

EvalContext SegmentService::ContextFor(const engine::Snapshot&, Timestamp now,
                                       const Resolver& resolver) const {
  EvalContext context;
  context.now = now;
  context.calendar = &deps_.calendar;
  context.memberships = &resolver;
  (void)deps_.db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query("SELECT code, latitude, longitude FROM branch", {}, [&](const store::Row& row) {
      context.branches[row.Text(0)] = GeoPoint{row.Double(1), row.Double(2)};
      return Status::Ok();
    });
  });
  for (const profile::AttributeDef& def : deps_.customers.schema().List()) {
    if (def.type == profile::AttributeType::kDecimal) {
      context.decimal_scales[def.name] = profile::DecimalScale(def);
    }
  }
  return context;
}

Result<engine::Bitmap> SegmentService::Evaluate(const Expr& expr, const engine::Snapshot& snapshot,
                                                Timestamp now, const Resolver& resolver) const {
  return segment::Evaluate(expr, snapshot, ContextFor(snapshot, now, resolver));
}

Result<engine::Bitmap> SegmentService::IndexesOf(const engine::Snapshot& snapshot,
                                                 const std::vector<int64_t>& one_ids) const {
  std::shared_ptr<const IndexOfPerson> index = IndexFor(snapshot);
  std::vector<uint32_t> indexes;
  indexes.reserve(one_ids.size());
  for (const int64_t id : one_ids) {
    const auto root = deps_.customers.graph().Root(id);
    if (!root) continue;
    auto found = index->of.find(*root);
    if (found != index->of.end()) indexes.push_back(found->second);
  }
  std::sort(indexes.begin(), indexes.end());
  engine::Bitmap out;
  out.AddMany(indexes);
  return out;
}

std::shared_ptr<const IndexOfPerson> SegmentService::IndexFor(
    const engine::Snapshot& snapshot) const {
  std::lock_guard lock(index_mutex_);
  if (index_ && index_->version == snapshot.version()) return index_;
  auto index = std::make_shared<IndexOfPerson>();
  index->version = snapshot.version();
  index->of.reserve(snapshot.live().Cardinality());
  snapshot.live().ForEach([&](uint32_t i) {
    if (auto person = snapshot.Person(i)) index->of.emplace(*person, i);
    return true;
  });
  index_ = index;
  return index;
}

std::vector<int64_t> SegmentService::OneIds(const engine::Snapshot& snapshot,
                                            const engine::Bitmap& members) const {
  std::vector<int64_t> out;
  out.reserve(members.Cardinality());
  members.ForEach([&](uint32_t i) {
    if (auto person = snapshot.Person(i)) out.push_back(*person);
    return true;
  });
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::shared_ptr<const TagMembers>> SegmentService::TagMembersOf(
    std::string_view name, const engine::Snapshot& snapshot, Timestamp now,
    const Resolver& resolver) const {
  std::optional<TagDef> tag;
  std::shared_ptr<TagCache> cache;
  {
    std::lock_guard lock(mutex_);
    for (const TagDef& t : tags_) {
      if (t.name == name) tag = t;
    }
    if (!tag) return std::shared_ptr<const TagMembers>();
    cache = tag_cache_;
  }
  // How long a result holds, by the tag's refresh policy: a live tag's for one snapshot version
  // (and one expiry interval, for its time windows); a daily tag's for the bank's day; a manual
  // tag's until it changes or is refreshed (RefreshTag).
  std::string key;
  switch (tag->refresh) {
    case TagRefresh::kLive:
      key =
          fmt::format("v{}/{}", snapshot.version(),
                      ToUnixSeconds(now) / std::max<int64_t>(1, options_.expiry_interval.count()));
      break;
    case TagRefresh::kDaily:
      key = FormatDate(deps_.calendar.DayOf(now));
      break;
    case TagRefresh::kManual:
      key = "manual";
      break;
  }
  {
    std::lock_guard lock(cache->mutex);
    if (auto found = cache->members.find(tag->name);
        found != cache->members.end() && found->second.first == key) {
      return found->second.second;
    }
  }
  ASSIGN_OR_RETURN(TagMembers computed, ComputeTag(*tag, snapshot, now, resolver));
  auto shared = std::make_shared<const TagMembers>(std::move(computed));
  std::lock_guard lock(cache->mutex);
  cache->members[tag->name] = {key, shared};
  return shared;
}

Status SegmentService::RefreshTag(int64_t id) {
  ASSIGN_OR_RETURN(TagDef tag, GetTag(id));
  std::shared_ptr<TagCache> cache;
  {
    std::lock_guard lock(mutex_);
    cache = tag_cache_;
  }
  std::lock_guard lock(cache->mutex);
  cache->members.erase(tag.name);
  return Status::Ok();
}

Result<TagMembers> SegmentService::ComputeTag(const TagDef& tag, const engine::Snapshot& snapshot,
                                              Timestamp now, const Resolver& resolver) const {
  TagMembers out;
  switch (tag.kind) {
    case TagKind::kRule: {
      if (!tag.tree) return out;
      ASSIGN_OR_RETURN(out.all, Evaluate(*tag.tree, snapshot, now, resolver));
      out.by_value[""] = out.all;
      return out;
    }
    case TagKind::kBucket: {
      std::vector<const engine::Bitmap*> parts;
      for (const Bucket& bucket : tag.buckets) {
        Result<engine::Bitmap> members =
            Evaluate(BucketExpr(tag.attribute, bucket), snapshot, now, resolver);
        // An attribute no customer has yet: nobody is in any bucket.
        if (!members.ok() && members.status().code() == StatusCode::kNotFound) {
          members = engine::Bitmap();
        }
        RETURN_IF_ERROR(members.status());
        out.by_value[bucket.value] = std::move(members).value();
      }
      for (const auto& [value, members] : out.by_value) parts.push_back(&members);
      out.all = engine::Bitmap::Union(parts);
      return out;
    }
    case TagKind::kImported: {
      std::vector<int64_t> persons;
      std::map<int64_t, std::string> values;
      {
        std::lock_guard lock(mutex_);
        if (auto it = imported_.find(tag.name); it != imported_.end()) persons = it->second;
        if (auto it = imported_value_of_.find(tag.name); it != imported_value_of_.end()) {
          values = it->second;
        }
      }
      std::shared_ptr<const IndexOfPerson> index = IndexFor(snapshot);
      std::map<std::string, std::vector<uint32_t>> by_value;
      std::vector<uint32_t> all;
      for (const int64_t person : persons) {
        const auto root = deps_.customers.graph().Root(person);
        if (!root) continue;
        auto found = index->of.find(*root);
        if (found == index->of.end()) continue;
        all.push_back(found->second);
        by_value[values.contains(person) ? values[person] : std::string()].push_back(found->second);
      }
      out.all.AddMany(all);
      for (auto& [value, indexes] : by_value) out.by_value[value].AddMany(indexes);
      return out;
    }
    case TagKind::kLifecycle: {
      const auto bitmaps =
          LifecycleBitmaps(LifecycleStages(snapshot, now, deps_.calendar, tag.lifecycle));
      std::vector<const engine::Bitmap*> parts;
      for (size_t s = 0; s < kLifecycleStageCount; ++s) {
        auto& members =
            out.by_value[std::string(LifecycleStageName(static_cast<LifecycleStage>(s)))];
        members = bitmaps[s];
        parts.push_back(&members);
      }
      out.all = engine::Bitmap::Union(parts);
      return out;
    }
  }
  return out;
}

Result<Preview> SegmentService::PreviewExpression(const auth::Principal& principal,
                                                  const Expr& expr, int sample_size) {
  if (sample_size < 0 || sample_size > kPreviewSampleMax) {
    return InvalidArgumentError(fmt::format("expected 0..{}", kPreviewSampleMax), "?sample");
  }
  const auto started = std::chrono::steady_clock::now();
  const auto snapshot = deps_.customers.engine().snapshot();
  const Timestamp now = deps_.clock.Now();
  Resolver resolver(*this, now);
  ASSIGN_OR_RETURN(engine::Bitmap visible, deps_.customers.VisibleCustomers(principal, *snapshot));
  ASSIGN_OR_RETURN(engine::Bitmap members,
                   EvaluateAmong(expr, *snapshot, ContextFor(*snapshot, now, resolver), visible));
  Preview preview;
  preview.count = members.Cardinality();
  preview.expression = ToText(expr);
  preview.tree = ToJson(expr);
  preview.engine_version = snapshot->version();
  preview.as_of = now;
  if (sample_size > 0) {
    std::vector<int64_t> ids;
    members.ForEach([&](uint32_t i) {
      if (auto person = snapshot->Person(i)) ids.push_back(*person);
      return ids.size() < static_cast<size_t>(sample_size);
    });
    ASSIGN_OR_RETURN(preview.sample, deps_.customers.Summaries(principal, ids));
  }
  preview.took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return preview;
}

Result<uint64_t> SegmentService::Count(const auth::Principal& principal, const Expr& expr) {
  ASSIGN_OR_RETURN(Preview preview, PreviewExpression(principal, expr, 0));
  return preview.count;
}

Result<Json> SegmentService::TagCounts(const auth::Principal& principal, int64_t id) {
  ASSIGN_OR_RETURN(TagDef tag, GetTag(id));
  const auto snapshot = deps_.customers.engine().snapshot();
  const Timestamp now = deps_.clock.Now();
  Resolver resolver(*this, now);
  ASSIGN_OR_RETURN(engine::Bitmap visible, deps_.customers.VisibleCustomers(principal, *snapshot));
  ASSIGN_OR_RETURN(std::shared_ptr<const TagMembers> members,
                   TagMembersOf(tag.name, *snapshot, now, resolver));
  Json values = Json::array();
  if (members != nullptr) {
    for (const auto& [value, bitmap] : members->by_value) {
      Json row = {{"value", value}, {"count", bitmap.AndCardinality(visible)}};
      for (const Bucket& b : tag.buckets) {
        if (b.value == value) row["label"] = b.label;
      }
      if (tag.kind == TagKind::kLifecycle) {
        if (auto stage = ParseLifecycleStage(value)) row["label"] = LifecycleStageLabel(*stage);
      }
      values.push_back(std::move(row));
    }
  }
  return Json{{"tag", tag.name},
              {"total", members == nullptr ? 0 : members->all.AndCardinality(visible)},
              {"values", std::move(values)},
              {"engine_version", snapshot->version()},
              {"as_of", FormatRfc3339(now)}};
}

Result<Json> SegmentService::TagsOf(const auth::Principal& principal, int64_t one_id) {
  const auto snapshot = deps_.customers.engine().snapshot();
  ASSIGN_OR_RETURN(engine::Bitmap visible, deps_.customers.VisibleCustomers(principal, *snapshot));
  ASSIGN_OR_RETURN(engine::Bitmap self, IndexesOf(*snapshot, {one_id}));
  self &= visible;
  if (self.IsEmpty()) return NotFoundError(fmt::format("customer {} not found", one_id));
  const uint32_t index = self.ToVector().front();
  const Timestamp now = deps_.clock.Now();
  Resolver resolver(*this, now);
  std::vector<TagDef> tags;
  {
    std::lock_guard lock(mutex_);
    tags = tags_;
  }
  Json out = Json::array();
  for (const TagDef& tag : tags) {
    ASSIGN_OR_RETURN(std::shared_ptr<const TagMembers> members,
                     TagMembersOf(tag.name, *snapshot, now, resolver));
    if (members == nullptr || !members->all.Contains(index)) continue;
    for (const auto& [value, bitmap] : members->by_value) {
      if (!bitmap.Contains(index)) continue;
      Json row = {{"tag_id", tag.id}, {"tag", tag.name}, {"category", tag.category}};
      if (!value.empty()) row["value"] = value;
      out.push_back(std::move(row));
    }
  }
  return out;
}

Result<std::vector<TagDef>> SegmentService::ListTags() const {
  std::lock_guard lock(mutex_);
  return tags_;
}

Result<TagDef> SegmentService::GetTag(int64_t id) const {
  std::lock_guard lock(mutex_);
  for (const TagDef& tag : tags_) {
    if (tag.id == id) return tag;
  }
  return NotFoundError(fmt::format("tag {} not found", id));
}

Result<std::vector<SegmentDef>> SegmentService::ListSegments(
    const auth::Principal& principal) const {
  std::lock_guard lock(mutex_);
  std::vector<SegmentDef> out;
  for (const SegmentDef& s : segments_) {
    if (principal.CanSeeBranchPath(s.branch_path) || s.branch_path == "/") out.push_back(s);
  }
  return out;
}

Result<SegmentDef> SegmentService::VisibleSegment(const auth::Principal& principal,
                                                  int64_t id) const {
  std::lock_guard lock(mutex_);
  for (const SegmentDef& s : segments_) {
    if (s.id != id) continue;
    if (principal.CanSeeBranchPath(s.branch_path) || s.branch_path == "/") return s;
    break;
  }
  return NotFoundError(fmt::format("segment {} not found", id));
}

Result<SegmentDef> SegmentService::GetSegment(const auth::Principal& principal, int64_t id) const {
  return VisibleSegment(principal, id);
}

std::optional<SegmentStatus> SegmentService::LiveStatus(int64_t id) const {
  std::shared_ptr<Live> live;
  {
    std::lock_guard lock(mutex_);
    auto found = live_.find(id);
    if (found == live_.end()) return std::nullopt;
    live = found->second;
  }
  std::lock_guard lock(live->mutex);
  return SegmentStatus{live->engine_version, live->consistent_at, live->members.Cardinality(),
                       live->entered, live->exited};
}

Result<engine::Bitmap> SegmentService::Members(const auth::Principal& principal, int64_t id,
                                               const engine::Snapshot& snapshot) {
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  ASSIGN_OR_RETURN(engine::Bitmap visible, deps_.customers.VisibleCustomers(principal, snapshot));
  Resolver resolver(*this, deps_.clock.Now());
  ASSIGN_OR_RETURN(engine::Bitmap members, resolver.Segment(snapshot, def.name));
  return members & visible;
}

Result<Preview> SegmentService::PreviewSegment(const auth::Principal& principal, int64_t id,
                                               int sample_size) {
  if (sample_size < 0 || sample_size > kPreviewSampleMax) {
    return InvalidArgumentError(fmt::format("expected 0..{}", kPreviewSampleMax), "?sample");
  }
  const auto started = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  const auto snapshot = deps_.customers.engine().snapshot();
  ASSIGN_OR_RETURN(engine::Bitmap members, Members(principal, id, *snapshot));
  Preview preview;
  preview.count = members.Cardinality();
  preview.expression = def.expression;
  if (auto expr = Parse(def.expression); expr.ok()) preview.tree = ToJson(*expr);
  preview.engine_version = snapshot->version();
  preview.as_of = deps_.clock.Now();
  std::vector<int64_t> ids;
  members.ForEach([&](uint32_t i) {
    if (static_cast<int>(ids.size()) >= sample_size) return false;
    if (auto person = snapshot->Person(i)) ids.push_back(*person);
    return true;
  });
  ASSIGN_OR_RETURN(preview.sample, deps_.customers.Summaries(principal, ids));
  preview.took_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return preview;
}

Result<Json> SegmentService::Overlap(const auth::Principal& principal,
                                     const std::vector<int64_t>& ids) {
  if (ids.size() < 2 || ids.size() > kOverlapSetsMax) {
    return InvalidArgumentError(fmt::format("overlap takes 2..{} segments", kOverlapSetsMax),
                                "/segments");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ids[i] == ids[j]) {
        return InvalidArgumentError("a segment is named twice", fmt::format("/segments/{}", i));
      }
    }
  }
  const auto snapshot = deps_.customers.engine().snapshot();
  std::vector<engine::Bitmap> sets;
  Json named = Json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto members = Members(principal, ids[i], *snapshot);
    if (!members.ok()) return members.status().WithFieldPrefix(fmt::format("/segments/{}", i));
    ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, ids[i]));
    named.push_back({{"id", def.id}, {"name", def.name}, {"count", members->Cardinality()}});
    sets.push_back(std::move(members).value());
  }
  // Region `mask` holds the customers in exactly the sets of its bits.
  Json regions = Json::array();
  const size_t n = sets.size();
  for (uint32_t mask = 1; mask < (1u << n); ++mask) {
    std::optional<engine::Bitmap> region;
    for (size_t i = 0; i < n; ++i) {
      if ((mask & (1u << i)) == 0) continue;
      region = region ? (*region & sets[i]) : sets[i];
    }
    for (size_t i = 0; i < n; ++i) {
      if ((mask & (1u << i)) != 0) continue;
      *region -= sets[i];
    }
    Json in = Json::array();
    for (size_t i = 0; i < n; ++i) {
      if ((mask & (1u << i)) != 0) in.push_back(i);
    }
    regions.push_back({{"sets", std::move(in)}, {"count", region->Cardinality()}});
  }
  std::vector<const engine::Bitmap*> all;
  for (const engine::Bitmap& s : sets) all.push_back(&s);
  return Json{{"segments", std::move(named)},
              {"regions", std::move(regions)},
              {"union", engine::Bitmap::Union(all).Cardinality()},
              {"engine_version", snapshot->version()}};
}

Result<std::vector<int64_t>> SegmentService::Export(const auth::Principal& principal, int64_t id,
                                                    const auth::AuditContext& context) {
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  const auto snapshot = deps_.customers.engine().snapshot();
  ASSIGN_OR_RETURN(engine::Bitmap members, Members(principal, id, *snapshot));
  if (members.Cardinality() > kExportMembersMax) {
    return TooLargeError(fmt::format("an export has at most {} members", kExportMembersMax));
  }
  std::vector<int64_t> one_ids = OneIds(*snapshot, members);
  auth::AuditRecord record =
      auth::AuditRecord::By(principal, "segment.export", "segment", std::to_string(id));
  record.details = {
      {"name", def.name}, {"members", one_ids.size()}, {"engine_version", snapshot->version()}};
  RETURN_IF_ERROR(deps_.audit.Record(record, context));
  return one_ids;
}

Result<std::vector<Transition>> SegmentService::Transitions(const auth::Principal& principal,
                                                            int64_t id, int64_t after_seq,
                                                            int limit) {
  if (limit < 1 || limit > kTransitionPageMax) {
    return InvalidArgumentError(fmt::format("expected 1..{}", kTransitionPageMax), "?limit");
  }
  ASSIGN_OR_RETURN(SegmentDef def, VisibleSegment(principal, id));
  std::vector<Transition> out;
  RETURN_IF_ERROR(deps_.db.Read([&](store::Transaction& tx) -> Status {
    return tx.Query(
        "SELECT seq, person_id, entered, at FROM segment_transition "
        "WHERE segment_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        {def.id, after_seq, static_cast<int64_t>(limit)}, [&](const store::Row& row) {
          out.push_back(
              {row.Int(0), def.id, row.Int(1), row.Int(2) != 0, FromUnixMicros(row.Int(3))});
          return Status::Ok();
        });
  }));
  // Only the customers the caller may see now.
  if (principal.scope != auth::ScopeKind::kAll && !out.empty()) {
    const auto snapshot = deps_.customers.engine().snapshot();
    ASSIGN_OR_RETURN(engine::Bitmap visible,
                     deps_.customers.VisibleCustomers(principal, *snapshot));
    std::shared_ptr<const IndexOfPerson> index = IndexFor(*snapshot);
    std::erase_if(out, [&](const Transition& t) {
      auto found = index->of.find(t.one_id);
      return found == index->of.end() || !visible.Contains(found->second);
    });
  }
  return out;
}

}  // namespace banyan::segment
