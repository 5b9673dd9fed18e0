// C3Filter: removes C3 personal financial information (JR/T 0171-2020 authentication data:
// passwords, PINs, card verification codes, magnetic-stripe track data, one-time codes) from
// event properties, traits and context before anything is stored.
//
// A member is removed, at any depth (inside nested objects and arrays of objects), when its
// NAME matches one of the configured rules. Names are compared after normalisation: ASCII
// lower-case, with '_', '-', '.', ' ' and '$' removed, so "Card_CVV2", "cardCvv2" and
// "$card-cvv2" all read "cardcvv2". Rules are
//   names    — the whole normalised name equals the normalised rule ("cvv2");
//   globs    — '*' (any run) and '?' (one character) over the normalised name ("*password*");
//   regexes  — ECMAScript, case-insensitive, searched in the lower-cased raw name (slow: use
//              sparingly; every member name is tried against every regex).
// Independently of names, a string VALUE that has the exact shape of magnetic-stripe track data
// (track 2 ";4000123412341234=2512101...?" or track 1 "%B4000...^NAME^2512...?", sentinels
// optional) is removed too: from objects with its member, from arrays as an element.
//
// Every removal is counted under the rule that matched (the rule text as configured, or
// "track_data_value"), so the count can be exported as a metric with bounded label cardinality.
// The defaults (DefaultC3FilterConfig) err on the side of removing: a false positive loses one
// analytics property; a false negative stores a PIN.
//
// Thread safety: a const C3Filter is safe from any thread. C3Counts is a plain value.

#ifndef BANYAN_EVENTS_C3_FILTER_H_
#define BANYAN_EVENTS_C3_FILTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace banyan::events {

inline constexpr size_t kC3RulesMax = 256;
inline constexpr size_t kC3RuleBytesMax = 128;
inline constexpr std::string_view kTrackDataValueRule = "track_data_value";

struct C3FilterConfig {
  std::vector<std::string> names;
  std::vector<std::string> globs;
  std::vector<std::string> regexes;
  bool strip_track_data_values = true;
};

// The built-in rules: password, passwd, pwd, pin, cvv, cvv2, cvc, card_track, track1, track2,
// track_data, otp, sms_code, security_code, ... and globs such as *password*, *_pin, *_cvv.
C3FilterConfig DefaultC3FilterConfig();

// Removal counts by rule.
class C3Counts {
 public:
  void Add(std::string_view rule, int64_t count = 1);
  void Merge(const C3Counts& other);
  int64_t Get(std::string_view rule) const;
  int64_t total() const { return total_; }
  const std::vector<std::pair<std::string, int64_t>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, int64_t>> entries_;  // few rules fire; a vector is fastest
  int64_t total_ = 0;
};

class C3Filter {
 public:
  // Fails with InvalidArgument naming the bad rule (empty, too long, bad regex, too many).
  static Result<C3Filter> Create(const C3FilterConfig& config);
  // The filter with DefaultC3FilterConfig(); lives forever.
  static const C3Filter& Default();

  C3Filter(C3Filter&&) noexcept;
  C3Filter& operator=(C3Filter&&) noexcept;
  ~C3Filter();

  // The rule `name` matches, or nullptr when the member may be kept.
  const std::string* MatchName(std::string_view name) const;
  // True when `value` looks like magnetic-stripe track data and the config strips such values.
  bool IsTrackDataValue(std::string_view value) const;

 private:
  struct Rule;
  C3Filter();
  std::vector<Rule> rules_;
  std::vector<uint64_t> masks_;  // rules_[i].mask: characters a name needs to match rule i
  bool strip_track_data_values_ = true;
};

// Shape checks behind IsTrackDataValue, exposed for tests.
bool LooksLikeTrackData(std::string_view value);

}  // namespace banyan::events

#endif  // BANYAN_EVENTS_C3_FILTER_H_
