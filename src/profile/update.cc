#include "profile/update.h"

#include <fmt/format.h>

#include "profile/internal/text.h"

namespace banyan::profile {
namespace {

Status InvalidOp(const AttributeDef& def, UpdateOp op) {
  return InvalidArgumentError(fmt::format("{}: {} does not apply to a {} attribute", def.name,
                                          UpdateOpName(op), AttributeTypeName(def.type)),
                              "/" + def.name);
}

Status CheckOp(const AttributeDef& def, UpdateOp op) {
  if (def.read_only) {
    return InvalidArgumentError(fmt::format("{}: derived; it cannot be written", def.name),
                                "/" + def.name);
  }
  if (op == UpdateOp::kIncrement && def.type != AttributeType::kInteger &&
      def.type != AttributeType::kDecimal) {
    return InvalidOp(def, op);
  }
  if (op == UpdateOp::kAppend && def.type != AttributeType::kStringList) return InvalidOp(def, op);
  return Status::Ok();
}

Status CheckSource(std::string_view source) {
  if (source.empty() || source.size() > kSourceBytesMax || !internal::IsCleanUtf8(source)) {
    return InvalidArgumentError(
        fmt::format("source: expected 1 to {} bytes of text", kSourceBytesMax), "/source");
  }
  return Status::Ok();
}

// Fills `prepared->scope_id` for the two attributes that carry a scope.
Status ResolveScope(ScopeResolver& scopes, PreparedUpdate* prepared) {
  const std::string& name = prepared->def->name;
  const bool branch = name == "home_branch";
  if ((!branch && name != "relationship_manager") || prepared->op == UpdateOp::kUnset) {
    return Status::Ok();
  }
  // The canonical value is a JSON string; only one with escapes needs a parser to read back.
  const std::string& json = prepared->value;
  std::string key;
  if (json.find('\\') == std::string::npos) {
    key = json.substr(1, json.size() - 2);
  } else {
    ASSIGN_OR_RETURN(const Json value, ParseJson(json));
    key = value.get<std::string>();
  }
  ASSIGN_OR_RETURN(prepared->scope_id, branch ? scopes.BranchId(key) : scopes.StaffId(key));
  if (!prepared->scope_id) {
    return InvalidArgumentError(
        branch ? fmt::format("{}: no branch has the code '{}'", name, key)
               : fmt::format("{}: no staff member has the username '{}'", name, key),
        "/" + name);
  }
  return Status::Ok();
}

// Segment/Sensors gender spellings to the enum; anything else is passed on for Normalize to
// judge.
Json MapGender(const Json& value) {
  if (!value.is_string()) return value;
  const std::string text(internal::TrimSpace(value.get_ref<const std::string&>()));
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"男", "male"},       {"m", "male"},          {"M", "male"},       {"Male", "male"},
      {"MALE", "male"},     {"女", "female"},       {"f", "female"},     {"F", "female"},
      {"Female", "female"}, {"FEMALE", "female"},   {"未知", "unknown"}, {"u", "unknown"},
      {"U", "unknown"},     {"Unknown", "unknown"},
  };
  for (const auto& [alias, canonical] : kAliases) {
    if (text == alias) return std::string(canonical);
  }
  return value;
}

// "张" + "伟" → "张伟" (family name first, no space, when CJK); "John" + "Smith" → "John Smith".
std::optional<std::string> ComposeName(const Json& traits) {
  const auto text = [&](std::initializer_list<const char*> keys) -> std::string {
    for (const char* key : keys) {
      auto it = traits.find(key);
      if (it != traits.end() && it->is_string()) {
        return std::string(internal::TrimSpace(it->get_ref<const std::string&>()));
      }
    }
    return "";
  };
  const std::string first = text({"firstName", "first_name"});
  const std::string last = text({"lastName", "last_name"});
  if (first.empty() && last.empty()) return std::nullopt;
  if (first.empty()) return last;
  if (last.empty()) return first;
  if (internal::ContainsCjk(first) || internal::ContainsCjk(last)) return last + first;
  return first + " " + last;
}

UpdateOp OpFor(events::EventType type) {
  switch (type) {
    case events::EventType::kProfileSetOnce:
      return UpdateOp::kSetOnce;
    case events::EventType::kProfileIncrement:
      return UpdateOp::kIncrement;
    case events::EventType::kProfileAppend:
      return UpdateOp::kAppend;
    case events::EventType::kProfileUnset:
      return UpdateOp::kUnset;
    default:
      return UpdateOp::kSet;
  }
}

// The attribute a conventional trait key stands for; empty to skip the key.
std::string_view MapTraitName(std::string_view key) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"birthday", "birth_date"},
      {"title", "occupation"},
      {"$name", "name"},
      {"$city", "city"},
      {"age", ""},
      {"firstName", ""},
      {"lastName", ""},
      {"first_name", ""},
      {"last_name", ""},
      {"address", ""},  // handled on its own: a string or Segment's address object
      {"id", ""},
      {"userId", ""},
      {"anonymousId", ""},
      {"$phone", ""},
      {"$email", ""},
  };
  for (const auto& [from, to] : kNames) {
    if (key == from) return to;
  }
  if (IsReservedAttributeName(key)) return "";
  return key;
}

}  // namespace

std::string_view UpdateOpName(UpdateOp op) {
  switch (op) {
    case UpdateOp::kSet:
      return "set";
    case UpdateOp::kSetOnce:
      return "set_once";
    case UpdateOp::kIncrement:
      return "increment";
    case UpdateOp::kAppend:
      return "append";
    case UpdateOp::kUnset:
      return "unset";
  }
  return "unknown";
}

Result<std::optional<int64_t>> ScopeResolver::Lookup(
    std::string_view sql, const std::string& key,
    std::unordered_map<std::string, std::optional<int64_t>>& cache) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::optional<int64_t> id;
  RETURN_IF_ERROR(tx_.Query(
      sql, {key},
      [&](const store::Row& row) {
        id = row.Int(0);
        return Status::Ok();
      },
      1));
  cache.emplace(key, id);
  return id;
}

Result<std::optional<int64_t>> ScopeResolver::BranchId(const std::string& code) {
  return Lookup("SELECT id FROM branch WHERE code = ?", code, branches_);
}

Result<std::optional<int64_t>> ScopeResolver::StaffId(const std::string& username) {
  return Lookup("SELECT id FROM staff WHERE username = ?", username, staff_);
}

Result<PreparedUpdate> Prepare(const AttributeSchema& schema, const AttributeUpdate& update,
                               ScopeResolver& scopes) {
  const AttributeDef* def = schema.Find(update.name);
  if (def == nullptr) {
    return NotFoundError(fmt::format("unknown attribute '{}'", update.name));
  }
  RETURN_IF_ERROR(CheckOp(*def, update.op));
  RETURN_IF_ERROR(CheckSource(update.source));
  PreparedUpdate prepared;
  prepared.def = def;
  prepared.op = update.op;
  prepared.at_us = ToUnixMicros(update.at);
  prepared.source = update.source;
  if (update.op != UpdateOp::kUnset) {
    ASSIGN_OR_RETURN(prepared.value, Normalize(*def, update.value));
  }
  RETURN_IF_ERROR(ResolveScope(scopes, &prepared));
  return prepared;
}

Result<PreparedUpdate> PrepareText(const AttributeDef& def, std::string_view text, Timestamp at,
                                   std::string_view source, ScopeResolver& scopes) {
  RETURN_IF_ERROR(CheckOp(def, UpdateOp::kSet));
  RETURN_IF_ERROR(CheckSource(source));
  PreparedUpdate prepared;
  prepared.def = &def;
  prepared.at_us = ToUnixMicros(at);
  prepared.source = std::string(source);
  ASSIGN_OR_RETURN(prepared.value, NormalizeText(def, text));
  RETURN_IF_ERROR(ResolveScope(scopes, &prepared));
  return prepared;
}

std::vector<AttributeUpdate> UpdatesFromTraits(events::EventType type, std::string_view traits_json,
                                               Timestamp at, std::string source) {
  std::vector<AttributeUpdate> updates;
  if (type != events::EventType::kIdentify && type != events::EventType::kProfileSetOnce &&
      type != events::EventType::kProfileIncrement && type != events::EventType::kProfileAppend &&
      type != events::EventType::kProfileUnset) {
    return updates;
  }
  Result<Json> traits = ParseJson(traits_json, {.depth_max = events::kJsonDepthMax});
  if (!traits.ok() || !traits->is_object()) return updates;
  const UpdateOp op = OpFor(type);
  const auto add = [&](std::string name, Json value) {
    if (name == "gender") value = MapGender(value);
    updates.push_back(AttributeUpdate{std::move(name), op, std::move(value), at, source});
  };
  for (const auto& [key, value] : traits->items()) {
    const std::string_view name = MapTraitName(key);
    if (name.empty()) continue;
    // An explicit "birth_date" or "name" beats its conventional spelling: skip the alias then.
    if (name != key && traits->contains(std::string(name))) continue;
    add(std::string(name), value);
  }
  if (!traits->contains("name") && !traits->contains("$name")) {
    if (std::optional<std::string> name = ComposeName(*traits)) add("name", std::move(*name));
  }
  if (auto it = traits->find("address"); it != traits->end()) {
    if (it->is_object()) {
      if (auto city = it->find("city"); city != it->end() && !traits->contains("city")) {
        add("city", *city);
      }
      if (auto street = it->find("street"); street != it->end()) add("address", *street);
    } else {
      add("address", *it);
    }
  }
  return updates;
}

}  // namespace banyan::profile
