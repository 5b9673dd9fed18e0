#include "profile/profile_store.h"

#include <fmt/format.h>

#include "privacy/sealer.h"
#include "profile/internal/document.h"

namespace banyan::profile {

using internal::Document;
using internal::Entry;
using internal::MergeOutcome;

namespace {

constexpr std::string_view kOtherNames = "(other)";

void CountName(std::map<std::string, int64_t>& counts, const std::string& name, int64_t n = 1) {
  auto it = counts.find(name);
  if (it != counts.end()) {
    it->second += n;
  } else if (counts.size() < kReportNamesMax) {
    counts.emplace(name, n);
  } else {
    counts[std::string(kOtherNames)] += n;
  }
}

int64_t Total(const std::map<std::string, int64_t>& counts) {
  int64_t total = 0;
  for (const auto& [name, n] : counts) total += n;
  return total;
}

}  // namespace

Status CheckMembers(std::span<const PersonId> members) {
  if (members.size() > kMembersMax) {
    return InvalidArgumentError(
        fmt::format("members: {} persons exceed the limit of {}", members.size(), kMembersMax),
        "/members");
  }
  return Status::Ok();
}

void ApplyReport::Add(const ApplyReport& other) {
  applied += other.applied;
  unchanged += other.unchanged;
  superseded += other.superseded;
  documents_written += other.documents_written;
  for (const auto& [name, n] : other.unknown) CountName(unknown, name, n);
  for (const auto& [name, n] : other.invalid) CountName(invalid, name, n);
}

void ApplyReport::CountUnknown(const std::string& name) { CountName(unknown, name); }
void ApplyReport::CountInvalid(const std::string& name) { CountName(invalid, name); }
int64_t ApplyReport::unknown_total() const { return Total(unknown); }
int64_t ApplyReport::invalid_total() const { return Total(invalid); }

std::string ProfileAssociatedData(PersonId person) { return "profile/" + std::to_string(person); }

std::optional<int64_t> AgeOn(CivilDay birth, CivilDay today) {
  if (birth > today) return std::nullopt;
  int64_t age = today.year() - birth.year();
  if (today.month() < birth.month() ||
      (today.month() == birth.month() && today.day() < birth.day())) {
    --age;
  }
  return age;
}

struct ProfileStore::Loaded {
  bool exists = false;
  Document document;
  std::optional<int64_t> home_branch_id;
  std::optional<int64_t> rm_id;
  int64_t updated_at_us = 0;
  std::optional<privacy::DataKey> key;
};

ProfileStore::ProfileStore(const AttributeSchema& schema, privacy::PersonKeys& keys, Random& random,
                           const Clock& clock)
    : schema_(schema), keys_(keys), random_(random), clock_(clock) {}

Result<ProfileStore::Loaded> ProfileStore::Load(store::Transaction& tx, PersonId person,
                                                bool create_key, bool known_new) {
  Loaded loaded;
  std::string sealed;
  if (!known_new) {
    RETURN_IF_ERROR(tx.Query(
        "SELECT sealed, home_branch_id, rm_id, updated_at FROM profile WHERE person_id = ?",
        {person},
        [&](const store::Row& row) {
          loaded.exists = true;
          sealed = row.Bytes(0);
          loaded.home_branch_id = row.OptionalInt(1);
          loaded.rm_id = row.OptionalInt(2);
          loaded.updated_at_us = row.Int(3);
          return Status::Ok();
        },
        1));
  }
  if (!loaded.exists) {
    if (create_key) {
      ASSIGN_OR_RETURN(privacy::DataKey key, keys_.GetOrCreate(tx, person));
      loaded.key.emplace(key);
    }
    return loaded;
  }
  ASSIGN_OR_RETURN(privacy::DataKey key, keys_.Get(tx, person));
  ASSIGN_OR_RETURN(const std::string json,
                   privacy::Open(key, sealed, ProfileAssociatedData(person)));
  ASSIGN_OR_RETURN(loaded.document, internal::ParseDocument(json));
  loaded.key.emplace(key);
  return loaded;
}

Status ProfileStore::Write(store::Transaction& tx, PersonId person, const Loaded& loaded) {
  CHECK(loaded.key.has_value(), "profile of person {} written without a key", person);
  const std::string sealed =
      privacy::Seal(*loaded.key, internal::SerializeDocument(loaded.document),
                    ProfileAssociatedData(person), random_);
  const int64_t now_us = ToUnixMicros(clock_.Now());
  if (loaded.exists) {
    return tx.Execute(
        "UPDATE profile SET sealed = ?, home_branch_id = ?, rm_id = ?, updated_at = ? "
        "WHERE person_id = ?",
        {store::Blob{sealed}, loaded.home_branch_id, loaded.rm_id, now_us, person});
  }
  return tx.Execute(
      "INSERT INTO profile (person_id, sealed, home_branch_id, rm_id, updated_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {person, store::Blob{sealed}, loaded.home_branch_id, loaded.rm_id, now_us});
}

Status ProfileStore::ApplyOne(store::Transaction& tx, PersonId person,
                              std::span<const PreparedUpdate> updates, bool new_person,
                              ApplyReport* report) {
  if (updates.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(Loaded loaded, Load(tx, person, /*create_key=*/true, new_person));
  bool changed = false;
  for (const PreparedUpdate& update : updates) {
    CHECK(update.def != nullptr, "an update without its attribute");
    Result<MergeOutcome> outcome = internal::Merge(update, &loaded.document);
    if (!outcome.ok()) {
      if (outcome.status().code() != StatusCode::kInvalidArgument) return outcome.status();
      report->CountInvalid(update.def->name);
      continue;
    }
    switch (*outcome) {
      case MergeOutcome::kApplied:
        ++report->applied;
        changed = true;
        break;
      case MergeOutcome::kUnchanged:
        ++report->unchanged;
        continue;
      case MergeOutcome::kSuperseded:
        ++report->superseded;
        continue;
    }
    // The scope columns follow the update that changed their attribute.
    const std::optional<int64_t> scope =
        update.op == UpdateOp::kUnset ? std::nullopt : update.scope_id;
    if (update.def->name == "home_branch") loaded.home_branch_id = scope;
    if (update.def->name == "relationship_manager") loaded.rm_id = scope;
  }
  if (!changed) return Status::Ok();
  RETURN_IF_ERROR(Write(tx, person, loaded));
  ++report->documents_written;
  return Status::Ok();
}

Status ProfileStore::Apply(store::Transaction& tx, PersonId person,
                           std::span<const AttributeUpdate> updates, ApplyReport* report) {
  if (updates.size() > kUpdatesPerApplyMax) {
    return InvalidArgumentError(fmt::format("updates: {} exceed the limit of {} per person",
                                            updates.size(), kUpdatesPerApplyMax),
                                "/updates");
  }
  ApplyReport ignored;
  if (report == nullptr) report = &ignored;
  ScopeResolver scopes(tx);
  std::vector<PreparedUpdate> prepared;
  prepared.reserve(updates.size());
  for (const AttributeUpdate& update : updates) {
    Result<PreparedUpdate> one = Prepare(schema_, update, scopes);
    if (one.ok()) {
      prepared.push_back(std::move(*one));
    } else if (one.status().code() == StatusCode::kNotFound) {
      report->CountUnknown(update.name);
    } else if (one.status().code() == StatusCode::kInvalidArgument) {
      report->CountInvalid(update.name);
    } else {
      return one.status();
    }
  }
  return ApplyOne(tx, person, prepared, /*new_person=*/false, report);
}

Status ProfileStore::ApplyPrepared(store::Transaction& tx, std::span<const PersonUpdates> batch,
                                   ApplyReport* report) {
  ApplyReport ignored;
  if (report == nullptr) report = &ignored;
  for (const PersonUpdates& person : batch) {
    RETURN_IF_ERROR(ApplyOne(tx, person.person, person.updates, person.new_person, report));
  }
  return Status::Ok();
}

Result<Profile> ProfileStore::Read(store::Transaction& tx, std::span<const PersonId> members,
                                   Timestamp now, const BusinessCalendar& calendar) {
  RETURN_IF_ERROR(CheckMembers(members));
  struct Winner {
    Entry entry;
    PersonId person;
    std::optional<int64_t> scope;
  };
  std::map<std::string, Winner, std::less<>> winners;
  Profile profile;
  for (PersonId person : members) {
    ASSIGN_OR_RETURN(Loaded loaded, Load(tx, person, /*create_key=*/false, /*known_new=*/false));
    if (!loaded.exists) continue;
    const Timestamp updated = FromUnixMicros(loaded.updated_at_us);
    if (!profile.updated_at || *profile.updated_at < updated) profile.updated_at = updated;
    for (auto& [name, entry] : loaded.document) {
      auto it = winners.find(name);
      if (it != winners.end() && it->second.entry.at_us >= entry.at_us) continue;
      const std::optional<int64_t> scope = name == "home_branch"            ? loaded.home_branch_id
                                           : name == "relationship_manager" ? loaded.rm_id
                                                                            : std::nullopt;
      winners.insert_or_assign(name, Winner{std::move(entry), person, scope});
    }
  }
  for (auto& [name, winner] : winners) {
    if (winner.entry.tombstone()) continue;
    if (name == "home_branch") profile.home_branch_id = winner.scope;
    if (name == "relationship_manager") profile.rm_id = winner.scope;
    profile.attributes.emplace(
        name, ProfileValue{std::move(winner.entry.value), FromUnixMicros(winner.entry.at_us),
                           std::move(winner.entry.source), winner.person});
  }
  if (auto birth = profile.attributes.find("birth_date"); birth != profile.attributes.end()) {
    const std::string& json = birth->second.json;  // "\"1990-05-17\""
    Result<CivilDay> day = ParseDate(json.size() > 2 ? json.substr(1, json.size() - 2) : json);
    if (day.ok()) profile.age = AgeOn(*day, calendar.DayOf(now));
    if (profile.age) {
      profile.attributes.emplace("age", ProfileValue{std::to_string(*profile.age), birth->second.at,
                                                     "derived", birth->second.person});
    }
  }
  return profile;
}

Status ProfileStore::Erase(store::Transaction& tx, std::span<const PersonId> members) {
  RETURN_IF_ERROR(CheckMembers(members));
  for (PersonId person : members) {
    RETURN_IF_ERROR(tx.Execute("DELETE FROM profile WHERE person_id = ?", {person}));
  }
  return Status::Ok();
}

}  // namespace banyan::profile
