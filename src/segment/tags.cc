#include "segment/tags.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "segment/dependencies.h"
#include "segment/internal/number.h"

namespace banyan::segment {
namespace {

constexpr std::array<std::string_view, 4> kKindNames = {"rule", "bucket", "imported", "lifecycle"};
constexpr std::array<std::string_view, 3> kRefreshNames = {"live", "daily", "manual"};

// A JSON number or a string holding one, as the language's canonical decimal text.
Result<std::string> ReadNumber(const Json& json, const std::string& field) {
  std::string text;
  if (json.is_number_integer() || json.is_number_unsigned()) {
    text = json.dump();
  } else if (json.is_number_float()) {
    text = fmt::format("{}", json.get<double>());
  } else if (json.is_string()) {
    text = json.get<std::string>();
  } else {
    return InvalidArgumentError("must be a number", field);
  }
  auto canonical = internal::CanonicalNumber(text);
  if (!canonical.ok() || !internal::ParseMicros(*canonical)) {
    return InvalidArgumentError(fmt::format("\"{}\" is not a decimal number", text), field);
  }
  return *canonical;
}

Result<std::string> ReadText(const JsonObjectReader& reader, std::string_view key, size_t bytes_max,
                             bool required) {
  ASSIGN_OR_RETURN(auto text, reader.OptionalString(key, bytes_max));
  if (!text || text->empty()) {
    if (required) return InvalidArgumentError("is required", reader.PointerTo(key));
    return std::string();
  }
  return *text;
}

Status ReadBuckets(const Json& definition, TagDef& tag) {
  ASSIGN_OR_RETURN(JsonObjectReader reader, JsonObjectReader::Create(definition, "/definition"));
  RETURN_IF_ERROR(reader.RejectUnknown({"attribute", "buckets"}));
  ASSIGN_OR_RETURN(tag.attribute, ReadText(reader, "attribute", 128, true));
  if (!definition.contains("buckets") || !definition["buckets"].is_array() ||
      definition["buckets"].empty()) {
    return InvalidArgumentError("must be a non-empty array of buckets", "/definition/buckets");
  }
  const Json& buckets = definition["buckets"];
  if (buckets.size() > kTagBucketsMax) {
    return InvalidArgumentError(fmt::format("at most {} buckets", kTagBucketsMax),
                                "/definition/buckets");
  }
  tag.buckets.clear();
  for (size_t i = 0; i < buckets.size(); ++i) {
    const std::string base = fmt::format("/definition/buckets/{}", i);
    ASSIGN_OR_RETURN(JsonObjectReader b, JsonObjectReader::Create(buckets[i], base));
    RETURN_IF_ERROR(b.RejectUnknown({"value", "label", "min", "max"}));
    Bucket bucket;
    ASSIGN_OR_RETURN(bucket.value, ReadText(b, "value", kTagValueBytesMax, true));
    ASSIGN_OR_RETURN(bucket.label, ReadText(b, "label", kTagValueBytesMax, false));
    if (bucket.label.empty()) bucket.label = bucket.value;
    for (auto [key, out] : {std::pair{"min", &bucket.min}, std::pair{"max", &bucket.max}}) {
      if (buckets[i].contains(key) && !buckets[i][key].is_null()) {
        ASSIGN_OR_RETURN(*out, ReadNumber(buckets[i][key], b.PointerTo(key)));
      }
    }
    if (bucket.min && bucket.max &&
        *internal::ParseMicros(*bucket.min) >= *internal::ParseMicros(*bucket.max)) {
      return InvalidArgumentError("min must be below max", base);
    }
    for (const Bucket& other : tag.buckets) {
      if (other.value == bucket.value) {
        return InvalidArgumentError(fmt::format("the value \"{}\" is used twice", bucket.value),
                                    b.PointerTo("value"));
      }
    }
    tag.buckets.push_back(std::move(bucket));
  }
  // Ranges may not overlap: sorted by min (absent = −∞), each ends at or before the next starts.
  std::vector<const Bucket*> sorted;
  for (const Bucket& b : tag.buckets) sorted.push_back(&b);
  const auto low = [](const Bucket* b) {
    return b->min ? *internal::ParseMicros(*b->min) : std::numeric_limits<__int128>::min();
  };
  const auto high = [](const Bucket* b) {
    return b->max ? *internal::ParseMicros(*b->max) : std::numeric_limits<__int128>::max();
  };
  std::sort(sorted.begin(), sorted.end(),
            [&](const Bucket* a, const Bucket* b) { return low(a) < low(b); });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (low(sorted[i]) < high(sorted[i - 1])) {
      return InvalidArgumentError(fmt::format("the buckets \"{}\" and \"{}\" overlap",
                                              sorted[i - 1]->value, sorted[i]->value),
                                  "/definition/buckets");
    }
  }
  return Status::Ok();
}

TagDef Builtin(std::string name, std::string category, std::string description, TagKind kind,
               TagRefresh refresh) {
  TagDef tag;
  tag.name = std::move(name);
  tag.category = std::move(category);
  tag.description = std::move(description);
  tag.kind = kind;
  tag.refresh = refresh;
  return tag;
}

}  // namespace

std::string_view TagKindName(TagKind kind) { return kKindNames[static_cast<size_t>(kind)]; }

std::optional<TagKind> ParseTagKind(std::string_view name) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == name) return static_cast<TagKind>(i);
  }
  return std::nullopt;
}

std::string_view TagRefreshName(TagRefresh refresh) {
  return kRefreshNames[static_cast<size_t>(refresh)];
}

std::optional<TagRefresh> ParseTagRefresh(std::string_view name) {
  for (size_t i = 0; i < kRefreshNames.size(); ++i) {
    if (kRefreshNames[i] == name) return static_cast<TagRefresh>(i);
  }
  return std::nullopt;
}

Json TagDefinitionJson(const TagDef& tag) {
  switch (tag.kind) {
    case TagKind::kRule:
      return {{"expression", tag.expression}};
    case TagKind::kBucket: {
      Json buckets = Json::array();
      for (const Bucket& b : tag.buckets) {
        Json bucket = {{"value", b.value}, {"label", b.label}};
        if (b.min) bucket["min"] = *b.min;
        if (b.max) bucket["max"] = *b.max;
        buckets.push_back(std::move(bucket));
      }
      return {{"attribute", tag.attribute}, {"buckets", std::move(buckets)}};
    }
    case TagKind::kImported:
      return Json::object();
    case TagKind::kLifecycle:
      return LifecycleRulesToJson(tag.lifecycle);
  }
  return Json::object();
}

Status ReadTagDefinition(const Json& definition, TagKind kind, TagDef& tag) {
  if (!definition.is_object()) return InvalidArgumentError("must be an object", "/definition");
  switch (kind) {
    case TagKind::kRule: {
      ASSIGN_OR_RETURN(JsonObjectReader reader,
                       JsonObjectReader::Create(definition, "/definition"));
      RETURN_IF_ERROR(reader.RejectUnknown({"expression", "tree"}));
      Result<Expr> expr =
          InvalidArgumentError("an expression or a tree is required", "/definition/expression");
      if (definition.contains("tree")) {
        expr = FromJson(definition["tree"]);
        if (!expr.ok()) return expr.status().WithFieldPrefix("/definition/tree");
      } else {
        ASSIGN_OR_RETURN(std::string text,
                         ReadText(reader, "expression", kExpressionBytesMax, true));
        expr = Parse(text);
        if (!expr.ok()) {
          return InvalidArgumentError(expr.status().message(), "/definition/expression");
        }
      }
      tag.expression = ToText(*expr);
      tag.tree = std::move(expr).value();
      return Status::Ok();
    }
    case TagKind::kBucket:
      return ReadBuckets(definition, tag);
    case TagKind::kImported:
      if (!definition.empty()) {
        return InvalidArgumentError("an imported tag has no definition: upload its members",
                                    "/definition");
      }
      return Status::Ok();
    case TagKind::kLifecycle: {
      auto rules = LifecycleRulesFromJson(definition);
      if (!rules.ok()) return rules.status().WithFieldPrefix("/definition");
      tag.lifecycle = std::move(rules).value();
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status ValidateTag(const TagDef& tag, const Catalog& catalog) {
  if (tag.kind == TagKind::kRule) {
    if (!tag.tree) return InvalidArgumentError("a rule tag needs an expression", "/definition");
    if (DependenciesOf(*tag.tree).tags.contains(tag.name)) {
      return InvalidArgumentError(
          fmt::format("the rule of tag \"{}\" names the tag itself", tag.name),
          "/definition/expression");
    }
    Status valid = Validate(*tag.tree, catalog);
    if (!valid.ok()) return InvalidArgumentError(valid.message(), "/definition/expression");
  }
  if (tag.kind == TagKind::kBucket) {
    auto found = catalog.attributes.find(tag.attribute);
    if (found == catalog.attributes.end()) {
      return InvalidArgumentError(fmt::format("unknown attribute \"{}\"", tag.attribute),
                                  "/definition/attribute");
    }
    const AttributeType type = found->second.type;
    if (type != AttributeType::kInteger && type != AttributeType::kDecimal) {
      return InvalidArgumentError(
          fmt::format("{} is a {}: buckets need an integer or decimal attribute", tag.attribute,
                      AttributeTypeName(type)),
          "/definition/attribute");
    }
  }
  return Status::Ok();
}

TagInfo TagInfoOf(const TagDef& tag, const std::vector<std::string>& imported_values) {
  TagInfo info;
  switch (tag.kind) {
    case TagKind::kRule:
      break;
    case TagKind::kBucket:
      for (const Bucket& b : tag.buckets) info.values.push_back(b.value);
      break;
    case TagKind::kImported:
      for (const std::string& v : imported_values) {
        if (!v.empty()) info.values.push_back(v);
      }
      break;
    case TagKind::kLifecycle:
      for (size_t s = 0; s < kLifecycleStageCount; ++s) {
        info.values.emplace_back(LifecycleStageName(static_cast<LifecycleStage>(s)));
      }
      break;
  }
  return info;
}

std::vector<TagDef> BuiltinTags() {
  TagDef tiers =
      Builtin("aum_tier", "资产等级",
              "AUM tiers: 大众 below 50k, 金卡 50k–500k, 金葵花 500k–10M, 私人银行 10M and "
              "above. Names and bounds are the bank's to change.",
              TagKind::kBucket, TagRefresh::kLive);
  tiers.attribute = "aum";
  tiers.buckets = {{"mass", "大众", std::nullopt, "50000"},
                   {"gold", "金卡", "50000", "500000"},
                   {"wealth", "金葵花", "500000", "10000000"},
                   {"private", "私人银行", "10000000", std::nullopt}};
  TagDef lifecycle = Builtin("lifecycle", "生命周期",
                             "Lifecycle stage: introduction (new within 30 days), growth (active "
                             "days rising), maturity (steady), decline (falling, or dormant 60 "
                             "days). Thresholds are the bank's to change.",
                             TagKind::kLifecycle, TagRefresh::kDaily);
  return {std::move(tiers), std::move(lifecycle)};
}

Expr BucketExpr(const std::string& attribute, const Bucket& bucket) {
  const auto compare = [&](CompareOp op, const std::string& number) {
    Expr e = Expr::Of(Kind::kCompare);
    e.name = attribute;
    e.op = op;
    e.values = {Value::Number(number)};
    return e;
  };
  std::vector<Expr> parts;
  if (bucket.min) parts.push_back(compare(CompareOp::kGe, *bucket.min));
  if (bucket.max) parts.push_back(compare(CompareOp::kLt, *bucket.max));
  if (parts.empty()) {
    Expr set = Expr::Of(Kind::kIsSet);
    set.name = attribute;
    return set;
  }
  if (parts.size() == 1) return std::move(parts[0]);
  Expr both = Expr::Of(Kind::kAnd);
  both.children = std::move(parts);
  return both;
}

}  // namespace banyan::segment
