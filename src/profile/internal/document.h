// The profile document of one person and the merge of one prepared update into it — pure
// functions, so the last-write-wins rules are testable without a database.
//
// On disk (sealed, see docs/profiles.md) a document is compact JSON:
//   {"t":1767225600000000,"s":"import","a":{"city":["杭州"],"name":["张伟"],
//    "occupation":[null,1767312000000000,"sensors"]}}
// "a" holds one entry per attribute, sorted by name: [value], [value, t] or [value, t, source];
// value is canonical (schema.h) or null for a tombstone left by unset; t is the entry's time in
// UTC microseconds. What an entry leaves out is the document's default "t" / "s" — the time and
// source most entries share, so an imported row's entries are just their values.
//
// Thread safety: plain values and stateless functions.

#ifndef BANYAN_PROFILE_INTERNAL_DOCUMENT_H_
#define BANYAN_PROFILE_INTERNAL_DOCUMENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"
#include "profile/update.h"

namespace banyan::profile::internal {

struct Entry {
  std::string value;  // canonical JSON; empty for a tombstone
  int64_t at_us = 0;
  std::string source;

  bool tombstone() const { return value.empty(); }
  bool operator==(const Entry&) const = default;
};

using Document = std::map<std::string, Entry, std::less<>>;

// DataLoss when `json` is not a document of the form above.
Result<Document> ParseDocument(std::string_view json);
std::string SerializeDocument(const Document& document);

enum class MergeOutcome {
  kApplied,     // the document changed
  kUnchanged,   // the document already held exactly this
  kSuperseded,  // a newer entry (or, for set_once, a value) wins; nothing changed
};

// Merges `update` into `document` by the rules in update.h. InvalidArgument (naming the
// attribute) when an increment leaves the decimal range or an append exceeds the list limit;
// the document is then unchanged.
Result<MergeOutcome> Merge(const PreparedUpdate& update, Document* document);

}  // namespace banyan::profile::internal

#endif  // BANYAN_PROFILE_INTERNAL_DOCUMENT_H_
