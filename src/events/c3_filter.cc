#include "events/c3_filter.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <optional>
#include <regex>

namespace banyan::events {
namespace {

// Normalised names longer than this are rare; they are normalised into a heap string.
constexpr size_t kInlineNameBytes = 128;

constexpr bool IsSeparator(char c) {
  return c == '_' || c == '-' || c == '.' || c == ' ' || c == '$';
}
constexpr char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// One bit per character class a name needs; a rule can only match a name whose mask covers
// the rule's mask. This rejects most names with one AND per rule.
constexpr uint64_t CharBit(char c) {
  if (c >= 'a' && c <= 'z') return uint64_t{1} << (c - 'a');
  if (c >= '0' && c <= '9') return uint64_t{1} << (26 + c - '0');
  return uint64_t{1} << 63;
}

// Per byte: its normalised form (0: dropped) and its mask bit, so normalising a name is one
// table look-up per byte.
struct NormalizeTable {
  std::array<char, 256> lowered{};
  std::array<uint64_t, 256> bit{};
  constexpr NormalizeTable() {
    for (int i = 0; i < 256; ++i) {
      const char c = static_cast<char>(i);
      lowered[i] = IsSeparator(c) ? '\0' : Lower(c);
      bit[i] = lowered[i] == '\0' ? 0 : CharBit(lowered[i]);
    }
  }
};
constexpr NormalizeTable kNormalize;

// Writes the normalised form of `name` to `out`; returns its mask of characters.
uint64_t Normalize(std::string_view name, std::string* out) {
  uint64_t mask = 0;
  for (char c : name) {
    if (IsSeparator(c)) continue;
    c = Lower(c);
    mask |= CharBit(c);
    out->push_back(c);
  }
  return mask;
}

// Classic wildcard match with single backtracking point; linear in practice.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

size_t LeadingDigits(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  return n;
}

std::string_view StripEndSentinel(std::string_view s) {
  // The end sentinel may be followed by one longitudinal redundancy check character.
  if (s.size() >= 2 && s[s.size() - 2] == '?') return s.substr(0, s.size() - 2);
  if (!s.empty() && s.back() == '?') return s.substr(0, s.size() - 1);
  return s;
}

// Track 2: [;]PAN(12-19 digits)=EXPIRY+SERVICE+DISCRETIONARY(>= 7 digits)[?[LRC]]
bool LooksLikeTrack2(std::string_view s) {
  if (!s.empty() && s.front() == ';') s.remove_prefix(1);
  s = StripEndSentinel(s);
  const size_t pan = LeadingDigits(s);
  if (pan < 12 || pan > 19 || pan >= s.size() || s[pan] != '=') return false;
  const std::string_view rest = s.substr(pan + 1);
  return rest.size() >= 7 && rest.size() <= 30 && AllDigits(rest);
}

// Track 1: [%]B PAN ^ NAME(2-26) ^ EXPIRY+SERVICE(>= 7 digits) DISCRETIONARY [?[LRC]]
bool LooksLikeTrack1(std::string_view s) {
  if (!s.empty() && s.front() == '%') s.remove_prefix(1);
  if (s.empty() || (s.front() != 'B' && s.front() != 'b')) return false;
  s.remove_prefix(1);
  const size_t pan = LeadingDigits(s);
  if (pan < 12 || pan > 19 || pan >= s.size() || s[pan] != '^') return false;
  s.remove_prefix(pan + 1);
  const size_t caret = s.find('^');
  if (caret == std::string_view::npos || caret < 2 || caret > 26) return false;
  s.remove_prefix(caret + 1);
  return LeadingDigits(s) >= 7;
}

}  // namespace

enum class RuleKind { kExact, kPrefix, kSuffix, kContains, kGlob, kRegex };

struct C3Filter::Rule {
  RuleKind kind;
  std::string label;    // as configured; the counter label
  std::string pattern;  // normalised (globs keep '*' and '?')
  std::string literal;  // pattern without the '*' at its ends, for prefix/suffix/contains
  uint64_t mask = 0;
  std::optional<std::regex> regex;

  // REQUIRES: the name's mask covers `mask`.
  bool Matches(std::string_view normalized) const {
    switch (kind) {
      case RuleKind::kExact:
        return normalized == literal;
      case RuleKind::kPrefix:
        return normalized.starts_with(literal);
      case RuleKind::kSuffix:
        return normalized.ends_with(literal);
      case RuleKind::kContains:
        return normalized.find(literal) != std::string_view::npos;
      case RuleKind::kGlob:
        return GlobMatch(pattern, normalized);
      case RuleKind::kRegex:
        return false;  // matched on the raw name in MatchName
    }
    return false;
  }
};

C3FilterConfig DefaultC3FilterConfig() {
  C3FilterConfig config;
  config.names = {"password",
                  "passwd",
                  "pwd",
                  "pin",
                  "pin_code",
                  "pin_block",
                  "cvv",
                  "cvv2",
                  "cvc",
                  "cvc2",
                  "cvn2",
                  "card_track",
                  "track1",
                  "track2",
                  "track3",
                  "track_data",
                  "magnetic_stripe",
                  "mag_stripe",
                  "otp",
                  "otp_code",
                  "sms_code",
                  "verify_code",
                  "verification_code",
                  "security_code"};
  config.globs = {"*password*", "*passwd*",        "*_pwd",         "*_pin",       "*_pin_code",
                  "*_cvv",      "*_cvv2",          "*_cvc",         "*_cvc2",      "*_otp",
                  "*_sms_code", "*_security_code", "*_verify_code", "*track_data*"};
  return config;
}

void C3Counts::Add(std::string_view rule, int64_t count) {
  total_ += count;
  for (auto& [name, n] : entries_) {
    if (name == rule) {
      n += count;
      return;
    }
  }
  entries_.emplace_back(std::string(rule), count);
}

void C3Counts::Merge(const C3Counts& other) {
  for (const auto& [name, n] : other.entries_) Add(name, n);
}

int64_t C3Counts::Get(std::string_view rule) const {
  for (const auto& [name, n] : entries_) {
    if (name == rule) return n;
  }
  return 0;
}

C3Filter::C3Filter() = default;
C3Filter::C3Filter(C3Filter&&) noexcept = default;
C3Filter& C3Filter::operator=(C3Filter&&) noexcept = default;
C3Filter::~C3Filter() = default;

namespace {

Status CheckRuleText(std::string_view text, std::string_view what) {
  if (text.empty()) return InvalidArgumentError(fmt::format("empty C3 {}", what));
  if (text.size() > kC3RuleBytesMax) {
    return InvalidArgumentError(
        fmt::format("C3 {} '{}' is longer than {} bytes", what, text, kC3RuleBytesMax));
  }
  return Status::Ok();
}

}  // namespace

Result<C3Filter> C3Filter::Create(const C3FilterConfig& config) {
  const size_t count = config.names.size() + config.globs.size() + config.regexes.size();
  if (count > kC3RulesMax) {
    return InvalidArgumentError(
        fmt::format("{} C3 rules exceed the limit of {}", count, kC3RulesMax));
  }
  C3Filter filter;
  filter.strip_track_data_values_ = config.strip_track_data_values;
  for (const auto& name : config.names) {
    RETURN_IF_ERROR(CheckRuleText(name, "name"));
    Rule rule{RuleKind::kExact, name, {}, {}, 0, std::nullopt};
    rule.mask = Normalize(name, &rule.literal);
    rule.pattern = rule.literal;
    if (rule.literal.empty())
      return InvalidArgumentError(
          fmt::format("C3 name '{}' is empty "
                      "after normalisation",
                      name));
    filter.rules_.push_back(std::move(rule));
  }
  for (const auto& glob : config.globs) {
    RETURN_IF_ERROR(CheckRuleText(glob, "glob"));
    Rule rule{RuleKind::kGlob, glob, {}, {}, 0, std::nullopt};
    Normalize(glob, &rule.pattern);
    for (char c : rule.pattern) {
      if (c != '*' && c != '?') rule.mask |= CharBit(c);
    }
    const std::string& p = rule.pattern;
    const size_t first_meta = p.find_first_of("*?");
    const bool lead = !p.empty() && p.front() == '*';
    const bool trail = p.size() > 1 && p.back() == '*';
    const std::string inner = p.substr(lead ? 1 : 0, p.size() - (lead ? 1 : 0) - (trail ? 1 : 0));
    if (first_meta == std::string::npos) {
      rule.kind = RuleKind::kExact;
      rule.literal = p;
    } else if (!inner.empty() && inner.find_first_of("*?") == std::string::npos) {
      rule.kind = lead && trail ? RuleKind::kContains
                  : lead        ? RuleKind::kSuffix
                                : RuleKind::kPrefix;
      rule.literal = inner;
    }
    filter.rules_.push_back(std::move(rule));
  }
  for (const auto& pattern : config.regexes) {
    RETURN_IF_ERROR(CheckRuleText(pattern, "regex"));
    Rule rule{RuleKind::kRegex, pattern, {}, {}, 0, std::nullopt};
    try {
      rule.regex.emplace(pattern, std::regex::ECMAScript | std::regex::icase);
    } catch (const std::regex_error& e) {
      return InvalidArgumentError(fmt::format("C3 regex '{}' is invalid: {}", pattern, e.what()));
    }
    filter.rules_.push_back(std::move(rule));
  }
  for (const auto& rule : filter.rules_) filter.masks_.push_back(rule.mask);
  return filter;
}

const C3Filter& C3Filter::Default() {
  static const C3Filter* const kDefault = [] {
    auto filter = Create(DefaultC3FilterConfig());
    CHECK(filter.ok(), "default C3 rules are invalid: {}", filter.status().ToString());
    return new C3Filter(std::move(filter).value());
  }();
  return *kDefault;
}

const std::string* C3Filter::MatchName(std::string_view name) const {
  std::array<char, kInlineNameBytes> inline_buffer;
  std::string heap;
  std::string_view normalized;
  uint64_t mask = 0;
  if (name.size() <= kInlineNameBytes) {
    size_t n = 0;
    for (char c : name) {
      const auto byte = static_cast<unsigned char>(c);
      inline_buffer[n] = kNormalize.lowered[byte];
      mask |= kNormalize.bit[byte];
      n += inline_buffer[n] != '\0';
    }
    normalized = std::string_view(inline_buffer.data(), n);
  } else {
    mask = Normalize(name, &heap);
    normalized = heap;
  }
  // Masks are contiguous and checked without branches first: most names match no rule, and
  // rejecting them then costs one AND per rule.
  const uint64_t missing = ~mask;
  const uint64_t* masks = masks_.data();
  const size_t count = masks_.size();
  bool candidate = false;
  for (size_t i = 0; i < count; ++i) candidate |= (masks[i] & missing) == 0;
  if (!candidate) return nullptr;
  for (size_t i = 0; i < count; ++i) {
    if ((masks[i] & missing) != 0) continue;
    const Rule& rule = rules_[i];
    if (rule.kind != RuleKind::kRegex) {
      if (rule.Matches(normalized)) return &rule.label;
      continue;
    }
    std::string lowered(name);
    for (char& c : lowered) c = Lower(c);
    if (std::regex_search(lowered, *rule.regex)) return &rule.label;
  }
  return nullptr;
}

bool LooksLikeTrackData(std::string_view value) {
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) {
    value.remove_prefix(1);
  }
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) {
    value.remove_suffix(1);
  }
  // Shortest track 2 is 12 + 1 + 7 digits; longest track 1 is 79 characters plus sentinels.
  if (value.size() < 20 || value.size() > 82) return false;
  return LooksLikeTrack2(value) || LooksLikeTrack1(value);
}

bool C3Filter::IsTrackDataValue(std::string_view value) const {
  return strip_track_data_values_ && LooksLikeTrackData(value);
}

}  // namespace banyan::events
