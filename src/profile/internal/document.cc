#include "profile/internal/document.h"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "base/json.h"
#include "profile/internal/decimal.h"
#include "profile/internal/text.h"

namespace banyan::profile::internal {
namespace {

Status Malformed(std::string_view what) {
  return DataLossError(fmt::format("profile document is malformed: {}", what));
}

// The number a canonical integer or decimal value holds, in units of the attribute's scale.
Result<int64_t> Units(const AttributeDef& def, std::string_view canonical) {
  if (def.type == AttributeType::kInteger) {
    int64_t value = 0;
    const auto [ptr, ec] =
        std::from_chars(canonical.data(), canonical.data() + canonical.size(), value);
    if (ec != std::errc() || ptr != canonical.data() + canonical.size()) {
      return InvalidArgumentError(fmt::format("{}: '{}' is not an integer", def.name, canonical));
    }
    return value;
  }
  // A canonical decimal is a JSON string: strip the quotes.
  if (canonical.size() < 2) return InvalidArgumentError(fmt::format("{}: bad decimal", def.name));
  return ParseDecimal(canonical.substr(1, canonical.size() - 2), DecimalScale(def));
}

Result<std::string> Add(const AttributeDef& def, std::string_view held, std::string_view delta) {
  ASSIGN_OR_RETURN(const int64_t a, Units(def, held));
  ASSIGN_OR_RETURN(const int64_t b, Units(def, delta));
  if (def.type == AttributeType::kInteger) {
    int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
      return InvalidArgumentError(fmt::format("{}: the sum leaves the integer range", def.name),
                                  "/" + def.name);
    }
    return std::to_string(sum);
  }
  Result<int64_t> sum = AddDecimal(a, b, DecimalScale(def));
  if (!sum.ok()) {
    return InvalidArgumentError(fmt::format("{}: {}", def.name, sum.status().message()),
                                "/" + def.name);
  }
  return JsonString(FormatDecimal(*sum, DecimalScale(def)));
}

Result<std::string> Union(const AttributeDef& def, std::string_view held, std::string_view more) {
  ASSIGN_OR_RETURN(Json a, ParseJson(held));
  ASSIGN_OR_RETURN(Json b, ParseJson(more));
  if (!a.is_array() || !b.is_array()) return Malformed("a string list is not an array");
  for (Json& item : b) a.push_back(std::move(item));
  return Normalize(def, a);  // sorts, removes duplicates, checks the item limit
}

// Combines a held live value with an increment or append.
Result<std::string> Combine(const PreparedUpdate& update, std::string_view held) {
  return update.op == UpdateOp::kIncrement ? Add(*update.def, held, update.value)
                                           : Union(*update.def, held, update.value);
}

}  // namespace

Result<Document> ParseDocument(std::string_view json) {
  Result<Json> parsed = ParseJson(json, {.bytes_max = 16 << 20});
  if (!parsed.ok()) return Malformed(parsed.status().message());
  const auto t = parsed->find("t");
  const auto s = parsed->find("s");
  const auto a = parsed->find("a");
  if (!parsed->is_object() || t == parsed->end() || s == parsed->end() || a == parsed->end() ||
      !t->is_number_integer() || !s->is_string() || !a->is_object()) {
    return Malformed("expected {\"t\":…,\"s\":…,\"a\":{…}}");
  }
  Document document;
  for (const auto& [name, member] : a->items()) {
    // [v], [v, t] or [v, t, s]; what is left out is the document's default.
    if (!member.is_array() || member.empty() || member.size() > 3 ||
        (member.size() > 1 && !member[1].is_number_integer()) ||
        (member.size() > 2 && !member[2].is_string())) {
      return Malformed(fmt::format("entry '{}'", name));
    }
    Entry entry;
    if (!member[0].is_null()) {
      entry.value = member[0].dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    entry.at_us = (member.size() > 1 ? member[1] : *t).get<int64_t>();
    entry.source = (member.size() > 2 ? member[2] : *s).get<std::string>();
    document.emplace(name, std::move(entry));
  }
  return document;
}

std::string SerializeDocument(const Document& document) {
  // The (time, source) most entries share becomes the default they leave out: an imported row
  // sets every attribute at once, so its entries are just their values.
  std::map<std::pair<int64_t, std::string_view>, size_t> shared;
  for (const auto& [name, entry] : document) ++shared[{entry.at_us, entry.source}];
  std::pair<int64_t, std::string_view> common{0, ""};
  size_t most = 0;
  for (const auto& [key, n] : shared) {
    if (n > most) common = key, most = n;
  }
  char digits[24];
  const auto append_number = [&](int64_t n, std::string* out) {
    out->append(digits, std::to_chars(digits, digits + sizeof(digits), n).ptr);
  };
  std::string out = "{\"t\":";
  append_number(common.first, &out);
  out.append(",\"s\":");
  AppendJsonString(common.second, &out);
  out.append(",\"a\":{");
  bool first = true;
  for (const auto& [name, entry] : document) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(name, &out);
    out.append(":[");
    out.append(entry.tombstone() ? std::string_view("null") : std::string_view(entry.value));
    const bool same_source = entry.source == common.second;
    if (entry.at_us != common.first || !same_source) {
      out.push_back(',');
      append_number(entry.at_us, &out);
    }
    if (!same_source) {
      out.push_back(',');
      AppendJsonString(entry.source, &out);
    }
    out.push_back(']');
  }
  out.append("}}");
  return out;
}

Result<MergeOutcome> Merge(const PreparedUpdate& update, Document* document) {
  const std::string& name = update.def->name;
  auto it = document->find(name);
  const bool held = it != document->end();
  const bool live = held && !it->second.tombstone();
  const bool older = held && update.at_us < it->second.at_us;
  Entry next{update.value, update.at_us, update.source};
  switch (update.op) {
    case UpdateOp::kSet:
      if (older) return MergeOutcome::kSuperseded;
      break;
    case UpdateOp::kSetOnce:
      if (live) {
        return it->second.value == update.value ? MergeOutcome::kUnchanged
                                                : MergeOutcome::kSuperseded;
      }
      if (older) return MergeOutcome::kSuperseded;
      break;
    case UpdateOp::kUnset:
      if (older) return MergeOutcome::kSuperseded;
      next.value.clear();
      break;
    case UpdateOp::kIncrement:
    case UpdateOp::kAppend:
      if (!live && older) return MergeOutcome::kSuperseded;
      if (live) {
        ASSIGN_OR_RETURN(next.value, Combine(update, it->second.value));
        next.at_us = std::max(it->second.at_us, update.at_us);
      }
      break;
  }
  if (held && it->second == next) return MergeOutcome::kUnchanged;
  if (held) {
    it->second = std::move(next);
  } else {
    document->emplace(name, std::move(next));
  }
  return MergeOutcome::kApplied;
}

}  // namespace banyan::profile::internal
