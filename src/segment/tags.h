// Tags: named descriptions of customers that expressions use (`has tag "金葵花"`, `has tag
// aum_tier = "gold"`), in a catalog with a name, category, owner, description, kind and refresh
// policy. Four kinds, each with its JSON `definition`:
//
//   rule       {"expression": "aum > 500000 and did buy in last 90 days"} — a segment expression;
//              holders have the tag without a value.
//   bucket     {"attribute": "aum", "buckets": [{"value": "mass", "label": "大众", "max": 50000},
//              {"value": "gold", "label": "金卡", "min": 50000, "max": 500000}, ...]} — a numeric
//              attribute cut into named ranges, min included and max excluded (either may be
//              absent); holders have the tag with their bucket's value.
//   imported   {} — the holders are a list of identifiers uploaded as CSV (tag_import_member),
//              each with an optional value.
//   lifecycle  lifecycle.h's rules as JSON; the value is the stage.
//
// Refresh: `live` tags follow the data as it changes; `daily` ones are recomputed once a day
// (and on demand); `manual` ones only on demand (imported tags are manual by nature).
//
// Thread safety: values and pure functions.

#ifndef BANYAN_SEGMENT_TAGS_H_
#define BANYAN_SEGMENT_TAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "engine/bitmap.h"
#include "segment/ast.h"
#include "segment/catalog.h"
#include "segment/lifecycle.h"

namespace banyan::segment {

inline constexpr size_t kTagNameBytesMax = 64;
inline constexpr size_t kTagCategoryBytesMax = 64;
inline constexpr size_t kTagDescriptionBytesMax = 2000;
inline constexpr size_t kTagBucketsMax = 32;
inline constexpr size_t kTagValueBytesMax = 64;
inline constexpr size_t kTagsMax = 10'000;

enum class TagKind { kRule, kBucket, kImported, kLifecycle };
enum class TagRefresh { kLive, kDaily, kManual };
std::string_view TagKindName(TagKind kind);  // "rule", "bucket", "imported", "lifecycle"
std::optional<TagKind> ParseTagKind(std::string_view name);
std::string_view TagRefreshName(TagRefresh refresh);  // "live", "daily", "manual"
std::optional<TagRefresh> ParseTagRefresh(std::string_view name);

struct Bucket {
  std::string value;                    // what `has tag NAME = "VALUE"` names
  std::string label;                    // what people read: 金卡
  std::optional<std::string> min, max;  // canonical decimal numbers; min ≤ x < max
};

struct TagDef {
  int64_t id = 0;
  std::string name;
  std::string category;
  std::optional<int64_t> owner_staff_id;
  std::string description;
  TagKind kind = TagKind::kRule;
  TagRefresh refresh = TagRefresh::kLive;
  int64_t version = 1;
  Timestamp created_at{}, updated_at{};
  // By kind — rule: the expression (canonical text) and its tree; bucket: the attribute and
  // buckets; lifecycle: the rules. Imported: nothing here.
  std::string expression;
  std::optional<Expr> tree;
  std::string attribute;
  std::vector<Bucket> buckets;
  LifecycleRules lifecycle;
};

// The definition member of `tag` as stored and served.
Json TagDefinitionJson(const TagDef& tag);
// Reads `definition` for `kind` into `tag` (expression parsed, buckets checked: distinct
// values, min < max, ranges that do not overlap). Errors name the member under "/definition".
// Does not check names against a catalog (ValidateTag does).
Status ReadTagDefinition(const Json& definition, TagKind kind, TagDef& tag);
// Checks a rule tag's expression and a bucket tag's attribute against `catalog`: a rule may not
// name its own tag (directly), a bucket attribute must be numeric (integer, decimal or date).
Status ValidateTag(const TagDef& tag, const Catalog& catalog);
// What the catalog knows of the tag: the values it takes.
TagInfo TagInfoOf(const TagDef& tag, const std::vector<std::string>& imported_values);

// The built-in tags a new bank starts with: the AUM tiers (大众/mass < 50k, 金卡/gold 50k–500k,
// 金葵花/wealth 500k–10M, 私人银行/private ≥ 10M; names and bounds editable like any bucket tag)
// and the lifecycle stage.
std::vector<TagDef> BuiltinTags();

// The bucket expression for one bucket: `ATTR >= MIN and ATTR < MAX` (either side may be absent;
// with neither, `ATTR is set`).
Expr BucketExpr(const std::string& attribute, const Bucket& bucket);

// Who holds a tag: by value ("" for a tag without values) and in all.
struct TagMembers {
  std::map<std::string, engine::Bitmap, std::less<>> by_value;
  engine::Bitmap all;
};

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_TAGS_H_
