// Profile updates: what an SDK trait, a Sensors profile_* record, an import row or the API asks
// to change in one person's profile, and their checked ("prepared") form.
//
// Ops (per attribute; `at` is the event time, UTC):
//   set        last write wins by `at`; on equal `at` the later applied wins
//   set_once   sets only when the attribute holds no value (absent, or unset before `at`)
//   increment  adds a number to an integer or decimal attribute (absent counts as 0)
//   append     adds items to a string_list attribute (set union)
//   unset      removes the value when `at` >= its time, leaving a tombstone with `at`, so an older
//              set arriving later cannot bring the value back
// increment and append apply to the value held whatever its time (they are not last-write-wins),
// except that they are superseded by a tombstone newer than their `at`; the entry's time becomes
// the later of the two.
//
// Trait mapping (UpdatesFromTraits), documented in docs/profiles.md: Segment identify traits and
// Sensors profile_set become set; Sensors profile_set_once/_increment/_append/_unset their op.
// Conventional names map onto the schema — name (or lastName+firstName / firstName lastName),
// birthday → birth_date, gender (男/女/M/F/... → male/female/unknown), address.city → city,
// address.street or a string address → address, title → occupation, $name → name, $city → city;
// any other key is taken as the attribute name. Identifier traits (phone, email, cust_no, ...,
// see IsReservedAttributeName) and age (derived) are skipped.
//
// Used by: profile_store, import, the ingestion path and the api.
// Thread safety: plain values and stateless functions; a ScopeResolver belongs to one transaction.

#ifndef BANYAN_PROFILE_UPDATE_H_
#define BANYAN_PROFILE_UPDATE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/result.h"
#include "events/event.h"
#include "profile/schema.h"
#include "store/database.h"

namespace banyan::profile {

// OneID person ids (identity::PersonId is the same type).
using PersonId = int64_t;

inline constexpr size_t kSourceBytesMax = 32;        // "import", "segment", "sensors", "api"
inline constexpr size_t kUpdatesPerApplyMax = 1024;  // updates for one person in one Apply

enum class UpdateOp { kSet, kSetOnce, kIncrement, kAppend, kUnset };

// "set", "set_once", "increment", "append", "unset".
std::string_view UpdateOpName(UpdateOp op);

struct AttributeUpdate {
  std::string name;
  UpdateOp op = UpdateOp::kSet;
  Json value;  // ignored by unset
  Timestamp at{};
  std::string source;
};

// An update checked against the schema, with its value in canonical form.
struct PreparedUpdate {
  const AttributeDef* def = nullptr;  // never null in a prepared update
  UpdateOp op = UpdateOp::kSet;
  std::string value;  // canonical JSON (schema.h); empty for unset
  int64_t at_us = 0;
  std::string source;
  // For home_branch / relationship_manager: the branch or staff id the value names.
  std::optional<int64_t> scope_id;
};

// Looks up branch codes and staff usernames for the clear scope columns of a profile, caching
// answers for the life of one transaction (create one per transaction).
class ScopeResolver {
 public:
  explicit ScopeResolver(store::Transaction& tx) : tx_(tx) {}
  // The branch with `code`, or nullopt when there is none.
  Result<std::optional<int64_t>> BranchId(const std::string& code);
  // The staff member with `username`, or nullopt when there is none.
  Result<std::optional<int64_t>> StaffId(const std::string& username);

 private:
  Result<std::optional<int64_t>> Lookup(std::string_view sql, const std::string& key,
                                        std::unordered_map<std::string, std::optional<int64_t>>&);
  store::Transaction& tx_;
  std::unordered_map<std::string, std::optional<int64_t>> branches_;
  std::unordered_map<std::string, std::optional<int64_t>> staff_;
};

// Checks `update` against `schema`: NotFound("unknown attribute 'x'") for a name the schema does
// not hold; InvalidArgument naming the attribute for a bad value, an op the type does not take
// (increment: integer/decimal; append: string_list), a read-only attribute, a bad source, or a
// branch code / staff username that does not exist. Store errors pass through.
Result<PreparedUpdate> Prepare(const AttributeSchema& schema, const AttributeUpdate& update,
                               ScopeResolver& scopes);
// The same for a CSV cell to set (import). REQUIRES: `text` is not empty.
Result<PreparedUpdate> PrepareText(const AttributeDef& def, std::string_view text, Timestamp at,
                                   std::string_view source, ScopeResolver& scopes);

// Maps the traits of an identify or profile_* event to updates (see the header comment). Other
// event types and traits that are not a JSON object give no updates.
std::vector<AttributeUpdate> UpdatesFromTraits(events::EventType op, std::string_view traits_json,
                                               Timestamp at, std::string source);

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_UPDATE_H_
