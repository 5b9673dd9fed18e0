#include "profile/internal/document.h"

#include <fmt/format.h>

#include <charconv>

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
  if (!parsed->is_object()) return Malformed("not an object");
  Document document;
  for (const auto& [name, member] : parsed->items()) {
    const auto v = member.find("v");
    const auto t = member.find("t");
    const auto s = member.find("s");
    if (!member.is_object() || v == member.end() || t == member.end() || s == member.end() ||
        !t->is_number_integer() || !s->is_string()) {
      return Malformed(fmt::format("entry '{}'", name));
    }
    Entry entry;
    if (!v->is_null()) entry.value = v->dump(-1, ' ', false, Json::error_handler_t::replace);
    entry.at_us = t->get<int64_t>();
    entry.source = s->get<std::string>();
    document.emplace(name, std::move(entry));
  }
  return document;
}

std::string SerializeDocument(const Document& document) {
  std::string out = "{";
  for (const auto& [name, entry] : document) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(name, &out);
    out.append(":{\"v\":");
    out.append(entry.tombstone() ? std::string_view("null") : std::string_view(entry.value));
    out.append(",\"t\":");
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof(digits), entry.at_us).ptr);
    out.append(",\"s\":");
    AppendJsonString(entry.source, &out);
    out.push_back('}');
  }
  out.push_back('}');
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
