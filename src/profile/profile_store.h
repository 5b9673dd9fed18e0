// ProfileStore: one sealed attribute document per person (table profile) and the merged view of
// a OneID's profile.
//
// Identity never rewrites persons on a merge, so a OneID's profile is the merge of its member
// persons' documents: for each attribute the entry with the latest time wins (a tombstone
// winning means "no value"); on equal times the member listed first wins. Updates go to one
// person's document (normally the OneID's root), by the ops and rules of update.h.
//
// A document is sealed (privacy/sealer.h) under the person's data key with associated data
// "profile/<person_id>". Beside it, two clear columns carry the scope keys the console filters
// by — home_branch_id (branch.id of the home_branch code) and rm_id (staff.id of the
// relationship_manager username) — set from the update that last changed those attributes.
//
// Apply never fails on content: unknown attributes and invalid values (traits come from SDKs
// outside our control) are skipped and counted by name in the ApplyReport. It fails only on
// store or key errors, and then the caller's transaction should roll back.
//
// Used by: ingestion (traits, in batches), import, the api (customer 360, edits, erasure).
// Thread safety: safe from any thread (the store's transactions serialise writes); the schema,
// keys, random and clock must outlive it, and `random` must be safe from the calling threads.

#ifndef BANYAN_PROFILE_PROFILE_STORE_H_
#define BANYAN_PROFILE_PROFILE_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "base/result.h"
#include "base/time.h"
#include "privacy/person_keys.h"
#include "profile/schema.h"
#include "profile/update.h"
#include "store/database.h"

namespace banyan::profile {

inline constexpr size_t kMembersMax = 1000;  // persons merged in one Read or Erase
// InvalidArgument ("/members") when `members` exceeds kMembersMax; for this store and the
// balance store.
Status CheckMembers(std::span<const PersonId> members);
// Distinct names kept in ApplyReport::unknown / invalid; further names count under "(other)".
inline constexpr size_t kReportNamesMax = 64;

struct ApplyReport {
  int64_t applied = 0;                     // updates that changed a document
  int64_t unchanged = 0;                   // the document already held exactly this
  int64_t superseded = 0;                  // a newer entry won (or set_once met a value)
  std::map<std::string, int64_t> unknown;  // attribute name -> updates skipped
  std::map<std::string, int64_t> invalid;  // attribute name -> updates skipped
  int64_t documents_written = 0;

  // Adds `other`'s counts to these.
  void Add(const ApplyReport& other);
  void CountUnknown(const std::string& name);
  void CountInvalid(const std::string& name);
  int64_t unknown_total() const;
  int64_t invalid_total() const;
};

// Updates for one person, for ApplyPrepared in batches.
struct PersonUpdates {
  PersonId person = 0;
  std::vector<PreparedUpdate> updates;
  // The caller knows the person has no document yet (OneID just created it): the read is
  // skipped. A document that exists after all makes the insert fail with AlreadyExists.
  bool new_person = false;
};

struct ProfileValue {
  std::string json;  // canonical JSON (schema.h)
  Timestamp at{};
  std::string source;   // "derived" for age
  PersonId person = 0;  // the member whose document holds it
};

struct Profile {
  std::map<std::string, ProfileValue> attributes;  // live values only, plus derived age
  std::optional<int64_t> age;                      // whole years in the bank's time zone
  std::optional<int64_t> home_branch_id;           // from the member whose home_branch won
  std::optional<int64_t> rm_id;                    // from the member whose relationship_manager won
  std::optional<Timestamp> updated_at;             // latest write to any member's document
};

class ProfileStore {
 public:
  ProfileStore(const AttributeSchema& schema, privacy::PersonKeys& keys, Random& random,
               const Clock& clock);

  // Read-decrypt-merge-seal-write of `person`'s document. At most kUpdatesPerApplyMax updates
  // (more is InvalidArgument). `report` may be null.
  Status Apply(store::Transaction& tx, PersonId person, std::span<const AttributeUpdate> updates,
               ApplyReport* report);
  // The same for updates already prepared (update.h), several persons at once; updates of one
  // person are applied in order. Increment/append overflows are counted as invalid.
  Status ApplyPrepared(store::Transaction& tx, std::span<const PersonUpdates> batch,
                       ApplyReport* report);

  // The merged profile of a OneID's `members` (the root first), age derived at `now` in
  // `calendar`'s zone. Members without a document contribute nothing; no document at all gives
  // an empty profile. InvalidArgument beyond kMembersMax members.
  Result<Profile> Read(store::Transaction& tx, std::span<const PersonId> members, Timestamp now,
                       const BusinessCalendar& calendar);

  // Removes the documents of `members` (erasure; the keys are shredded by the caller).
  Status Erase(store::Transaction& tx, std::span<const PersonId> members);

 private:
  struct Loaded;
  Result<Loaded> Load(store::Transaction& tx, PersonId person, bool create_key, bool known_new);
  Status Write(store::Transaction& tx, PersonId person, const Loaded& loaded);
  Status ApplyOne(store::Transaction& tx, PersonId person, std::span<const PreparedUpdate> updates,
                  bool new_person, ApplyReport* report);

  const AttributeSchema& schema_;
  privacy::PersonKeys& keys_;
  Random& random_;
  const Clock& clock_;
};

// "profile/<person_id>": the associated data of a sealed profile document.
std::string ProfileAssociatedData(PersonId person);

// Whole years from `birth` to `today`; a 29 February birthday falls on 1 March in other years.
// nullopt when `birth` is after `today`.
std::optional<int64_t> AgeOn(CivilDay birth, CivilDay today);

}  // namespace banyan::profile

#endif  // BANYAN_PROFILE_PROFILE_STORE_H_
