// Templates: what a message says on one channel for one purpose, with typed variables, versions
// and a compliance workflow (tables message_template, message_template_version).
//
// A version is written as a draft, then submitted. A service version is approved on submission;
// a marketing version stays "submitted" until a staff member other than its author and its
// submitter approves (or rejects) it — the second pair of eyes regulators ask for. Messages use
// the newest approved version, or one named explicitly; a submitted version is never changed.
//
// The body is a JSON object whose strings may hold {{variable}} placeholders; Render checks the
// values against the declared types and substitutes them everywhere in the body.
//
// Thread safety: stateless functions over a Transaction.

#ifndef BANYAN_MESSAGING_TEMPLATES_H_
#define BANYAN_MESSAGING_TEMPLATES_H_

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "messaging/types.h"
#include "store/database.h"

namespace banyan::messaging {

inline constexpr size_t kTemplateVariablesMax = 32;
inline constexpr size_t kVariableValueBytesMax = 1024;
inline constexpr int kTemplatePageMax = 200;

// Variable types: "string", "number", "amount" (a decimal string, "1234.50"), "date"
// (YYYY-MM-DD), "url" (http(s); rewritten to a short link when sent).
struct VariableDef {
  std::string name;  // [a-z][a-z0-9_]{0,31}
  std::string type = "string";
  bool required = true;
};

enum class VersionState { kDraft, kSubmitted, kApproved, kRejected };
std::string_view VersionStateName(VersionState state);

struct TemplateVersion {
  int64_t template_id = 0;
  int version = 0;
  Json body = Json::object();
  std::vector<VariableDef> variables;
  VersionState state = VersionState::kDraft;
  std::optional<int64_t> created_by, submitted_by, reviewed_by;
  Timestamp created_at{};
  std::optional<Timestamp> submitted_at, reviewed_at;
  std::string review_note;
};

struct Template {
  int64_t id = 0;
  std::string name;
  std::string channel;
  Purpose purpose = Purpose::kService;
  std::string description;
  Timestamp created_at{}, updated_at{};
};

// Parses and checks a version's "body" and "variables" members (InvalidArgument naming
// "/body/..." or "/variables/3/type"). Every {{name}} in the body must be declared.
Status ParseVersionInput(const Json& body, const Json& variables, std::vector<VariableDef>* out);
Json VariablesJson(const std::vector<VariableDef>& variables);

class TemplateStore {
 public:
  explicit TemplateStore(const Clock& clock) : clock_(clock) {}

  // Creates the template and its version 1 as a draft. AlreadyExists ("/name") for a used name.
  Result<int64_t> Create(store::Transaction& tx, const Template& t, const Json& body,
                         const std::vector<VariableDef>& variables, std::optional<int64_t> by);
  // A new draft version; returns its number.
  Result<int> AddVersion(store::Transaction& tx, int64_t template_id, const Json& body,
                         const std::vector<VariableDef>& variables, std::optional<int64_t> by);
  // Draft → approved (service) or submitted (marketing). FailedPrecondition otherwise.
  Result<VersionState> Submit(store::Transaction& tx, int64_t template_id, int version,
                              std::optional<int64_t> by);
  // Submitted → approved / rejected. PermissionDenied when `by` wrote or submitted the version.
  Status Review(store::Transaction& tx, int64_t template_id, int version, int64_t by, bool approve,
                std::string_view note);

  Result<Template> Get(store::Transaction& tx, int64_t template_id);
  Result<std::vector<TemplateVersion>> Versions(store::Transaction& tx, int64_t template_id);
  Result<TemplateVersion> Version(store::Transaction& tx, int64_t template_id, int version);
  // The newest approved version; FailedPrecondition when none is approved.
  Result<TemplateVersion> Approved(store::Transaction& tx, int64_t template_id,
                                   std::optional<int> version);
  // Templates with id > after, by id.
  Result<std::vector<Template>> List(store::Transaction& tx, int64_t after, int limit);

 private:
  const Clock& clock_;
};

// The body with every {{name}} replaced by its value. InvalidArgument naming "/variables/name"
// for a missing required value, a value of the wrong type or an undeclared variable.
Result<Json> Render(const TemplateVersion& version, const Json& values);
// Replaces {{name}} in `text` by values[name] (strings as is, numbers printed). Unknown names are
// left as they are.
std::string Substitute(std::string_view text, const Json& values);

}  // namespace banyan::messaging

#endif  // BANYAN_MESSAGING_TEMPLATES_H_
