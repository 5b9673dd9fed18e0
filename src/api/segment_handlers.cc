// /api/v1/tags and /api/v1/segments: the tag catalog, saved segments, previews as the user
// types, overlap, export, snapshots and live transitions. Scoping, masking and auditing happen
// in segment::SegmentService; these handlers parse and serialise.

#include <fmt/format.h>

#include "api/handlers.h"
#include "api/serialize.h"
#include "base/time.h"
#include "segment/segment_service.h"

namespace banyan::api {
namespace {

Result<segment::SegmentService*> Segments(Call& call) {
  if (call.deps.segments == nullptr) return UnavailableError("segments are not open");
  return call.deps.segments;
}

Json TagJson(const segment::TagDef& tag) {
  return {{"id", tag.id},
          {"name", tag.name},
          {"category", tag.category},
          {"owner_staff_id", tag.owner_staff_id ? Json(*tag.owner_staff_id) : Json()},
          {"description", tag.description},
          {"kind", segment::TagKindName(tag.kind)},
          {"refresh", segment::TagRefreshName(tag.refresh)},
          {"definition", segment::TagDefinitionJson(tag)},
          {"version", tag.version},
          {"created_at", FormatRfc3339(tag.created_at)},
          {"updated_at", FormatRfc3339(tag.updated_at)}};
}

Json SegmentJson(const segment::SegmentDef& s, const segment::SegmentService& service) {
  Json out = {{"id", s.id},
              {"name", s.name},
              {"description", s.description},
              {"kind", segment::SegmentKindName(s.kind)},
              {"expression", s.expression},
              {"owner_staff_id", s.owner_staff_id ? Json(*s.owner_staff_id) : Json()},
              {"branch_id", s.branch_id ? Json(*s.branch_id) : Json()},
              {"version", s.version},
              {"created_at", FormatRfc3339(s.created_at)},
              {"updated_at", FormatRfc3339(s.updated_at)}};
  if (s.kind == segment::SegmentKind::kLive) {
    if (auto tree = segment::Parse(s.expression); tree.ok()) out["tree"] = segment::ToJson(*tree);
  }
  if (auto status = service.LiveStatus(s.id)) {
    out["live"] = {{"engine_version", status->engine_version},
                   {"consistent_at", FormatRfc3339(status->consistent_at)},
                   {"members", status->members},
                   {"entered", status->entered},
                   {"exited", status->exited}};
  } else {
    out["live"] = nullptr;
  }
  return out;
}

Json PreviewJson(const segment::Preview& preview) {
  Json sample = Json::array();
  for (const customer::CustomerSummary& c : preview.sample) sample.push_back(ToJson(c));
  return {{"count", preview.count},
          {"sample", std::move(sample)},
          {"expression", preview.expression},
          {"tree", preview.tree},
          {"engine_version", preview.engine_version},
          {"as_of", FormatRfc3339(preview.as_of)},
          {"took_ms", preview.took_ms}};
}

Result<int> ReadSample(const http::Request& request, int fallback) {
  ASSIGN_OR_RETURN(auto sample, ReadIntQuery(request, "sample"));
  if (!sample) return fallback;
  if (*sample < 0 || *sample > segment::kPreviewSampleMax) {
    return InvalidArgumentError(fmt::format("expected 0..{}", segment::kPreviewSampleMax),
                                "?sample");
  }
  return static_cast<int>(*sample);
}

}  // namespace

Result<http::Response> ListTags(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(auto tags, segments->ListTags());
  Json items = Json::array();
  for (const auto& tag : tags) items.push_back(TagJson(tag));
  return PageResponse(std::move(items), "");
}

Result<http::Response> CreateTag(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto tag, segments->CreateTag(call.principal, body, call.audit));
  return JsonResponse(201, TagJson(tag));
}

Result<http::Response> GetTag(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auto tag, segments->GetTag(id));
  Json out = TagJson(tag);
  ASSIGN_OR_RETURN(out["counts"], segments->TagCounts(call.principal, id));
  return JsonResponse(200, out);
}

Result<http::Response> UpdateTag(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto tag, segments->UpdateTag(call.principal, id, body, call.audit));
  return JsonResponse(200, TagJson(tag));
}

Result<http::Response> DeleteTag(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  RETURN_IF_ERROR(segments->DeleteTag(call.principal, id, call.audit));
  return http::Response::NoContent();
}

Result<http::Response> RefreshTag(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  RETURN_IF_ERROR(segments->RefreshTag(id));
  ASSIGN_OR_RETURN(Json counts, segments->TagCounts(call.principal, id));
  return JsonResponse(200, counts);
}

Result<http::Response> ImportTagMembers(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json report,
                   segments->ImportTagMembers(call.principal, id, call.request.body, call.audit));
  return JsonResponse(200, report);
}

Result<http::Response> GetCustomerTags(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json tags, segments->TagsOf(call.principal, id));
  return JsonResponse(200, {{"items", std::move(tags)}});
}

Result<http::Response> GetSegmentCatalog(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  const segment::Catalog catalog = segments->BuildCatalog();
  Json attributes = Json::array();
  for (const auto& [name, info] : catalog.attributes) {
    Json a = {{"name", name}, {"type", segment::AttributeTypeName(info.type)}};
    if (!info.enum_values.empty()) a["values"] = info.enum_values;
    attributes.push_back(std::move(a));
  }
  Json events = Json::array();
  for (const auto& [name, info] : catalog.events) {
    Json properties = Json::array();
    for (const auto& [property, type] : info.properties) {
      properties.push_back({{"name", property}, {"type", segment::AttributeTypeName(type)}});
    }
    events.push_back({{"name", name}, {"properties", std::move(properties)}});
  }
  Json tags = Json::array();
  for (const auto& [name, info] : catalog.tags) {
    tags.push_back({{"name", name}, {"values", info.values}});
  }
  return JsonResponse(200, {{"attributes", std::move(attributes)},
                            {"events", std::move(events)},
                            {"tags", std::move(tags)},
                            {"segments", catalog.segments},
                            {"branches", catalog.branches},
                            {"event_channels", catalog.event_channels},
                            {"consent_purposes", catalog.consent_purposes},
                            {"consent_channels", catalog.consent_channels}});
}

Result<http::Response> PreviewSegmentExpression(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"expression", "tree", "sample"}));
  ASSIGN_OR_RETURN(auto sample, reader.OptionalInt("sample", 0, segment::kPreviewSampleMax));
  ASSIGN_OR_RETURN(segment::Expr expr, segments->ReadExpression(body));
  ASSIGN_OR_RETURN(auto preview,
                   segments->PreviewExpression(call.principal, expr, sample.value_or(10)));
  return JsonResponse(200, PreviewJson(preview));
}

Result<http::Response> OverlapSegments(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(body));
  RETURN_IF_ERROR(reader.RejectUnknown({"segments"}));
  if (!body.contains("segments") || !body["segments"].is_array()) {
    return InvalidArgumentError("must be an array of segment ids", "/segments");
  }
  std::vector<int64_t> ids;
  for (size_t i = 0; i < body["segments"].size(); ++i) {
    const Json& id = body["segments"][i];
    if (!id.is_number_integer() || id.get<int64_t>() < 1) {
      return InvalidArgumentError("must be a segment id", fmt::format("/segments/{}", i));
    }
    ids.push_back(id.get<int64_t>());
  }
  ASSIGN_OR_RETURN(Json overlap, segments->Overlap(call.principal, ids));
  return JsonResponse(200, overlap);
}

Result<http::Response> ListSegments(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(auto list, segments->ListSegments(call.principal));
  Json items = Json::array();
  for (const auto& s : list) items.push_back(SegmentJson(s, *segments));
  return PageResponse(std::move(items), "");
}

Result<http::Response> CreateSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto created, segments->CreateSegment(call.principal, body, call.audit));
  return JsonResponse(201, SegmentJson(created, *segments));
}

Result<http::Response> GetSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auto s, segments->GetSegment(call.principal, id));
  return JsonResponse(200, SegmentJson(s, *segments));
}

Result<http::Response> UpdateSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json body, ParseJsonBody(call.request));
  ASSIGN_OR_RETURN(auto s, segments->UpdateSegment(call.principal, id, body, call.audit));
  return JsonResponse(200, SegmentJson(s, *segments));
}

Result<http::Response> DeleteSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  RETURN_IF_ERROR(segments->DeleteSegment(call.principal, id, call.audit));
  return http::Response::NoContent();
}

Result<http::Response> PreviewSavedSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(int sample, ReadSample(call.request, 10));
  ASSIGN_OR_RETURN(auto preview, segments->PreviewSegment(call.principal, id, sample));
  return JsonResponse(200, PreviewJson(preview));
}

Result<http::Response> ExportSegment(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auto one_ids, segments->Export(call.principal, id, call.audit));
  std::string csv = "one_id\n";
  csv.reserve(one_ids.size() * 10 + 8);
  for (const int64_t one_id : one_ids) {
    csv += std::to_string(one_id);
    csv += '\n';
  }
  return Attachment(http::Response::Text(200, std::move(csv), "text/csv; charset=utf-8"),
                    "segment-" + std::to_string(id) + ".csv");
}

Result<http::Response> CreateSegmentSnapshot(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json snapshot, segments->TakeSnapshot(call.principal, id, call.audit));
  return JsonResponse(201, snapshot);
}

Result<http::Response> ListSegmentSnapshots(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(Json items, segments->ListSnapshots(call.principal, id));
  return PageResponse(std::move(items), "");
}

Result<http::Response> ListSegmentTransitions(Call& call) {
  ASSIGN_OR_RETURN(auto* segments, Segments(call));
  ASSIGN_OR_RETURN(int64_t id, ReadIdParam(call.request, "id"));
  ASSIGN_OR_RETURN(auto after, ReadIntQuery(call.request, "after"));
  ASSIGN_OR_RETURN(auto limit, ReadIntQuery(call.request, "limit"));
  if (after && *after < 0) return InvalidArgumentError("expected 0 or more", "?after");
  if (limit && (*limit < 1 || *limit > segment::kTransitionPageMax)) {
    return InvalidArgumentError(fmt::format("expected 1..{}", segment::kTransitionPageMax),
                                "?limit");
  }
  ASSIGN_OR_RETURN(auto transitions, segments->Transitions(call.principal, id, after.value_or(0),
                                                           static_cast<int>(limit.value_or(100))));
  Json items = Json::array();
  for (const auto& t : transitions) {
    items.push_back({{"seq", t.seq},
                     {"one_id", t.one_id},
                     {"change", t.entered ? "entered" : "exited"},
                     {"at", FormatRfc3339(t.at)}});
  }
  return JsonResponse(200, {{"items", std::move(items)},
                            {"next_after", transitions.empty() ? Json(after.value_or(0))
                                                               : Json(transitions.back().seq)}});
}

}  // namespace banyan::api
