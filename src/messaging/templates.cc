#include "messaging/templates.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "base/time.h"

namespace banyan::messaging {
namespace {

constexpr std::string_view kTypes[] = {"string", "number", "amount", "date", "url"};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Every {{name}} in the strings of `body`.
void CollectPlaceholders(const Json& body, std::set<std::string>* out) {
  if (body.is_string()) {
    const std::string& text = body.get_ref<const std::string&>();
    for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
      const size_t end = text.find("}}", at + 2);
      if (end == std::string::npos) break;
      out->insert(text.substr(at + 2, end - at - 2));
    }
  } else if (body.is_structured()) {
    for (const auto& item : body) CollectPlaceholders(item, out);
  }
}

Json SubstituteAll(const Json& body, const Json& values) {
  if (body.is_string()) return Substitute(body.get_ref<const std::string&>(), values);
  if (body.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : body.items()) out[key] = SubstituteAll(item, values);
    return out;
  }
  if (body.is_array()) {
    Json out = Json::array();
    for (const auto& item : body) out.push_back(SubstituteAll(item, values));
    return out;
  }
  return body;
}

Status CheckValue(const VariableDef& def, const Json& value, const std::string& pointer) {
  if (def.type == "number") {
    if (!value.is_number()) return InvalidArgumentError("expected a number", pointer);
    return Status::Ok();
  }
  if (!value.is_string()) return InvalidArgumentError("expected a string", pointer);
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() > kVariableValueBytesMax) {
    return InvalidArgumentError(fmt::format("longer than {} bytes", kVariableValueBytesMax),
                                pointer);
  }
  if (def.type == "amount") {
    static const std::regex kAmount(R"(-?[0-9]{1,15}(\.[0-9]{1,4})?)");
    if (!std::regex_match(text, kAmount)) {
      return InvalidArgumentError("expected a decimal amount such as \"1234.50\"", pointer);
    }
  } else if (def.type == "date") {
    if (!ParseDate(text).ok()) return InvalidArgumentError("expected YYYY-MM-DD", pointer);
  } else if (def.type == "url") {
    if (!text.starts_with("https://") && !text.starts_with("http://")) {
      return InvalidArgumentError("expected an http(s) URL", pointer);
    }
  }
  return Status::Ok();
}

TemplateVersion VersionFromRow(const store::Row& row) {
  TemplateVersion v;
  v.template_id = row.Int(0);
  v.version = static_cast<int>(row.Int(1));
  v.body = ParseJson(row.Text(2)).value_or(Json::object());
  const Json variables = ParseJson(row.Text(3)).value_or(Json::array());
  for (const auto& item : variables) {
    v.variables.push_back(
        {item.value("name", ""), item.value("type", "string"), item.value("required", true)});
  }
  const std::string state = row.Text(4);
  v.state = state == "approved"    ? VersionState::kApproved
            : state == "submitted" ? VersionState::kSubmitted
            : state == "rejected"  ? VersionState::kRejected
                                   : VersionState::kDraft;
  v.created_by = row.OptionalInt(5);
  v.submitted_by = row.OptionalInt(6);
  v.reviewed_by = row.OptionalInt(7);
  v.created_at = FromUnixMicros(row.Int(8));
  if (auto at = row.OptionalInt(9)) v.submitted_at = FromUnixMicros(*at);
  if (auto at = row.OptionalInt(10)) v.reviewed_at = FromUnixMicros(*at);
  v.review_note = row.Text(11);
  return v;
}

constexpr std::string_view kVersionColumns =
    "template_id, version, body, variables, state, created_by, submitted_by, reviewed_by, "
    "created_at, submitted_at, reviewed_at, review_note";

}  // namespace

std::string_view VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kDraft:
      return "draft";
    case VersionState::kSubmitted:
      return "submitted";
    case VersionState::kApproved:
      return "approved";
    case VersionState::kRejected:
      return "rejected";
  }
  return "draft";
}

std::string Substitute(std::string_view text, const Json& values) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  while (at < text.size()) {
    const size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const std::string name(text.substr(open + 2, close - open - 2));
    const auto it = values.find(name);
    if (it == values.end()) {
      out.append(text.substr(open, close + 2 - open));
    } else if (it->is_string()) {
      out.append(it->get_ref<const std::string&>());
    } else {
      out.append(it->dump());
    }
    at = close + 2;
  }
  out.append(text.substr(at));
  return out;
}

Status ParseVersionInput(const Json& body, const Json& variables, std::vector<VariableDef>* out) {
  if (!body.is_object()) return InvalidArgumentError("expected an object", "/body");
  if (body.dump().size() > kTemplateBodyBytesMax) {
    return InvalidArgumentError(fmt::format("larger than {} bytes", kTemplateBodyBytesMax),
                                "/body");
  }
  if (!variables.is_array()) return InvalidArgumentError("expected an array", "/variables");
  if (variables.size() > kTemplateVariablesMax) {
    return InvalidArgumentError(fmt::format("at most {}", kTemplateVariablesMax), "/variables");
  }
  out->clear();
  std::set<std::string> declared;
  for (size_t i = 0; i < variables.size(); ++i) {
    const std::string base = JsonPointer("/variables", i);
    ASSIGN_OR_RETURN(auto reader, JsonObjectReader::Create(variables[i], base));
    RETURN_IF_ERROR(reader.RejectUnknown({"name", "type", "required"}));
    VariableDef def;
    ASSIGN_OR_RETURN(def.name, reader.String("name", 32));
    if (!ValidName(def.name)) {
      return InvalidArgumentError("expected [a-z][a-z0-9_]{0,31}", base + "/name");
    }
    ASSIGN_OR_RETURN(auto type, reader.OptionalString("type", 16));
    def.type = type.value_or("string");
    if (std::find(std::begin(kTypes), std::end(kTypes), def.type) == std::end(kTypes)) {
      return InvalidArgumentError("expected string, number, amount, date or url", base + "/type");
    }
    ASSIGN_OR_RETURN(auto required, reader.OptionalBool("required"));
    def.required = required.value_or(true);
    if (!declared.insert(def.name).second) {
      return InvalidArgumentError("declared twice", base + "/name");
    }
    out->push_back(std::move(def));
  }
  std::set<std::string> used;
  CollectPlaceholders(body, &used);
  for (const std::string& name : used) {
    if (!declared.contains(name)) {
      return InvalidArgumentError(fmt::format("{{{{{}}}}} is not a declared variable", name),
                                  "/body");
    }
  }
  return Status::Ok();
}

Json VariablesJson(const std::vector<VariableDef>& variables) {
  Json out = Json::array();
  for (const auto& v : variables) {
    out.push_back({{"name", v.name}, {"type", v.type}, {"required", v.required}});
  }
  return out;
}

Result<Json> Render(const TemplateVersion& version, const Json& values) {
  if (!values.is_object()) return InvalidArgumentError("expected an object", "/variables");
  for (const auto& [name, value] : values.items()) {
    const auto def = std::find_if(version.variables.begin(), version.variables.end(),
                                  [&](const VariableDef& d) { return d.name == name; });
    const std::string pointer = JsonPointer("/variables", name);
    if (def == version.variables.end()) {
      return InvalidArgumentError("not a variable of the template", pointer);
    }
    RETURN_IF_ERROR(CheckValue(*def, value, pointer));
  }
  for (const VariableDef& def : version.variables) {
    if (def.required && !values.contains(def.name)) {
      return InvalidArgumentError("required", JsonPointer("/variables", def.name));
    }
  }
  Json filled = values;
  for (const VariableDef& def : version.variables) {
    if (!filled.contains(def.name)) filled[def.name] = "";
  }
  return SubstituteAll(version.body, filled);
}

Result<int64_t> TemplateStore::Create(store::Transaction& tx, const Template& t, const Json& body,
                                      const std::vector<VariableDef>& variables,
                                      std::optional<int64_t> by) {
  const int64_t now = ToUnixMicros(clock_.Now());
  Status inserted = tx.Execute(
      "INSERT INTO message_template (name, channel, purpose, description, created_by, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      {t.name, t.channel, PurposeName(t.purpose), t.description, by, now, now});
  if (inserted.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError(fmt::format("a template named '{}' exists", t.name), "/name");
  }
  RETURN_IF_ERROR(inserted);
  const int64_t id = tx.LastInsertId();
  RETURN_IF_ERROR(AddVersion(tx, id, body, variables, by).status());
  return id;
}

Result<int> TemplateStore::AddVersion(store::Transaction& tx, int64_t template_id, const Json& body,
                                      const std::vector<VariableDef>& variables,
                                      std::optional<int64_t> by) {
  RETURN_IF_ERROR(Get(tx, template_id).status());
  int version = 0;
  RETURN_IF_ERROR(tx.Query(
      "SELECT COALESCE(MAX(version), 0) FROM message_template_version WHERE template_id = ?",
      {template_id}, [&](const store::Row& row) {
        version = static_cast<int>(row.Int(0)) + 1;
        return Status::Ok();
      }));
  const int64_t now = ToUnixMicros(clock_.Now());
  RETURN_IF_ERROR(tx.Execute(
      "INSERT INTO message_template_version (template_id, version, body, variables, state, "
      "created_by, created_at) VALUES (?, ?, ?, ?, 'draft', ?, ?)",
      {template_id, version, body.dump(), VariablesJson(variables).dump(), by, now}));
  RETURN_IF_ERROR(
      tx.Execute("UPDATE message_template SET updated_at = ? WHERE id = ?", {now, template_id}));
  return version;
}

Result<VersionState> TemplateStore::Submit(store::Transaction& tx, int64_t template_id, int version,
                                           std::optional<int64_t> by) {
  ASSIGN_OR_RETURN(const Template t, Get(tx, template_id));
  ASSIGN_OR_RETURN(const TemplateVersion v, Version(tx, template_id, version));
  if (v.state != VersionState::kDraft) {
    return FailedPreconditionError(
        fmt::format("version {} is {}, not a draft", version, VersionStateName(v.state)));
  }
  const bool marketing = t.purpose == Purpose::kMarketing;
  const int64_t now = ToUnixMicros(clock_.Now());
  RETURN_IF_ERROR(tx.Execute(
      "UPDATE message_template_version SET state = ?, submitted_by = ?, submitted_at = ? "
      "WHERE template_id = ? AND version = ?",
      {marketing ? "submitted" : "approved", by, now, template_id, version}));
  return marketing ? VersionState::kSubmitted : VersionState::kApproved;
}

Status TemplateStore::Review(store::Transaction& tx, int64_t template_id, int version, int64_t by,
                             bool approve, std::string_view note) {
  ASSIGN_OR_RETURN(const TemplateVersion v, Version(tx, template_id, version));
  if (v.state != VersionState::kSubmitted) {
    return FailedPreconditionError(
        fmt::format("version {} is {}, not submitted", version, VersionStateName(v.state)));
  }
  if (v.created_by == by || v.submitted_by == by) {
    return PermissionDeniedError(
        "a marketing template must be reviewed by someone other than its author and submitter");
  }
  return tx.Execute(
      "UPDATE message_template_version SET state = ?, reviewed_by = ?, reviewed_at = ?, "
      "review_note = ? WHERE template_id = ? AND version = ?",
      {approve ? "approved" : "rejected", by, ToUnixMicros(clock_.Now()), note, template_id,
       version});
}

Result<Template> TemplateStore::Get(store::Transaction& tx, int64_t template_id) {
  return tx.QueryOne<Template>(
      "SELECT id, name, channel, purpose, description, created_at, updated_at "
      "FROM message_template WHERE id = ?",
      {template_id}, fmt::format("template {}", template_id), [](const store::Row& row) {
        Template t;
        t.id = row.Int(0);
        t.name = row.Text(1);
        t.channel = row.Text(2);
        t.purpose = ParsePurpose(row.Text(3)).value_or(Purpose::kMarketing);
        t.description = row.Text(4);
        t.created_at = FromUnixMicros(row.Int(5));
        t.updated_at = FromUnixMicros(row.Int(6));
        return t;
      });
}

Result<std::vector<TemplateVersion>> TemplateStore::Versions(store::Transaction& tx,
                                                             int64_t template_id) {
  std::vector<TemplateVersion> out;
  RETURN_IF_ERROR(tx.Query(fmt::format("SELECT {} FROM message_template_version WHERE "
                                       "template_id = ? ORDER BY version",
                                       kVersionColumns),
                           {template_id}, [&](const store::Row& row) {
                             out.push_back(VersionFromRow(row));
                             return Status::Ok();
                           }));
  return out;
}

Result<TemplateVersion> TemplateStore::Version(store::Transaction& tx, int64_t template_id,
                                               int version) {
  return tx.QueryOne<TemplateVersion>(
      fmt::format("SELECT {} FROM message_template_version WHERE template_id = ? AND version = ?",
                  kVersionColumns),
      {template_id, version}, fmt::format("template {} version {}", template_id, version),
      VersionFromRow);
}

Result<TemplateVersion> TemplateStore::Approved(store::Transaction& tx, int64_t template_id,
                                                std::optional<int> version) {
  std::optional<TemplateVersion> found;
  RETURN_IF_ERROR(tx.Query(
      fmt::format("SELECT {} FROM message_template_version WHERE template_id = ? AND "
                  "state = 'approved' AND (? IS NULL OR version = ?) ORDER BY version DESC",
                  kVersionColumns),
      {template_id, version, version},
      [&](const store::Row& row) {
        found = VersionFromRow(row);
        return Status::Ok();
      },
      1));
  if (!found) {
    RETURN_IF_ERROR(Get(tx, template_id).status());
    return FailedPreconditionError(
        version ? fmt::format("template {} version {} is not approved", template_id, *version)
                : fmt::format("template {} has no approved version", template_id));
  }
  return std::move(*found);
}

Result<std::vector<Template>> TemplateStore::List(store::Transaction& tx, int64_t after,
                                                  int limit) {
  std::vector<Template> out;
  std::vector<int64_t> ids;
  RETURN_IF_ERROR(tx.Query("SELECT id FROM message_template WHERE id > ? ORDER BY id LIMIT ?",
                           {after, limit}, [&](const store::Row& row) {
                             ids.push_back(row.Int(0));
                             return Status::Ok();
                           }));
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(Template t, Get(tx, id));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace banyan::messaging
