// Attribute primitives of query.h: answered from the column indexes alone.

#include <fmt/format.h>

#include <limits>

#include "engine/query.h"

namespace banyan::engine {

namespace {

using internal::ColumnChunk;

struct Target {
  uint32_t id;
  const AttributeSpec* spec;
  const Dictionary* dictionary;
};

Result<Target> FindTarget(const Snapshot& snapshot, std::string_view attribute) {
  const internal::Catalog& catalog = snapshot.catalog();
  std::optional<uint32_t> id = catalog.FindAttribute(attribute);
  if (!id) return NotFoundError(fmt::format("no attribute {}", attribute));
  return Target{*id, &catalog.attributes[*id], catalog.attribute_values[*id].get()};
}

Status Mismatch(const Target& target, std::string_view what) {
  return InvalidArgumentError(fmt::format("{}: {} does not apply to a {} attribute",
                                          target.spec->name, what,
                                          AttributeKindName(target.spec->kind)));
}

Bitmap IsSet(const Snapshot& snapshot, const Target& target) {
  std::vector<const Bitmap*> parts;
  for (size_t c = 0; c < snapshot.chunk_count(); ++c) {
    parts.push_back(&snapshot.chunk(c).columns[target.id]->has);
  }
  return Bitmap::Union(parts);
}

// Holders of value id `id` (per-value bitmaps).
Bitmap HoldersOf(const Snapshot& snapshot, const Target& target, uint32_t id) {
  std::vector<const Bitmap*> parts;
  for (size_t c = 0; c < snapshot.chunk_count(); ++c) {
    const ColumnChunk& column = *snapshot.chunk(c).columns[target.id];
    if (id < column.by_value.size()) parts.push_back(&column.by_value[id]);
  }
  return Bitmap::Union(parts);
}

Bitmap NumericRange(const Snapshot& snapshot, const Target& target, int64_t low, int64_t high) {
  Bitmap result;
  if (low > high) return result;
  std::vector<uint64_t> words(kChunkWords);
  for (size_t c = 0; c < snapshot.chunk_count(); ++c) {
    std::fill(words.begin(), words.end(), 0);
    snapshot.chunk(c).columns[target.id]->range.Select(low, high, words.data());
    result |= Bitmap::FromWords(static_cast<uint32_t>(c << kChunkBits), words);
  }
  return result;
}

// Customers whose value equals `constant`.
Result<Bitmap> Equal(const Snapshot& snapshot, const Target& target,
                     const AttributeValue& constant) {
  const AttributeKind kind = target.spec->kind;
  if (IsNumeric(kind)) {
    const auto* number = std::get_if<int64_t>(&constant);
    if (number == nullptr) return Mismatch(target, "a non-integer constant");
    return NumericRange(snapshot, target, *number, *number);
  }
  if (kind == AttributeKind::kBoolean) {
    const auto* flag = std::get_if<bool>(&constant);
    if (flag == nullptr) return Mismatch(target, "a non-boolean constant");
    return HoldersOf(snapshot, target, *flag ? 1 : 0);
  }
  const auto* text = std::get_if<std::string>(&constant);
  if (text == nullptr || kind == AttributeKind::kStringList) {
    return Mismatch(target, "= with a non-string constant (or on a list: use contains)");
  }
  std::optional<uint32_t> id = target.dictionary->Find(*text);
  return id ? HoldersOf(snapshot, target, *id) : Bitmap();
}

}  // namespace

Result<Bitmap> AttributeCompare(const Snapshot& snapshot, std::string_view attribute, Compare op,
                                const AttributeValue& constant) {
  ASSIGN_OR_RETURN(Target target, FindTarget(snapshot, attribute));
  if (op == Compare::kEq) return Equal(snapshot, target, constant);
  if (op == Compare::kNe) {
    ASSIGN_OR_RETURN(Bitmap equal, Equal(snapshot, target, constant));
    return IsSet(snapshot, target) - equal;
  }
  if (!IsNumeric(target.spec->kind)) return Mismatch(target, CompareName(op));
  const auto* number = std::get_if<int64_t>(&constant);
  if (number == nullptr) return Mismatch(target, "a non-integer constant");
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const int64_t c = *number;
  switch (op) {
    case Compare::kLt:
      return c == kMin ? Bitmap() : NumericRange(snapshot, target, kMin, c - 1);
    case Compare::kLe:
      return NumericRange(snapshot, target, kMin, c);
    case Compare::kGt:
      return c == kMax ? Bitmap() : NumericRange(snapshot, target, c + 1, kMax);
    case Compare::kGe:
      return NumericRange(snapshot, target, c, kMax);
    default:
      break;
  }
  return Mismatch(target, CompareName(op));
}

Result<Bitmap> AttributeBetween(const Snapshot& snapshot, std::string_view attribute, int64_t low,
                                int64_t high) {
  ASSIGN_OR_RETURN(Target target, FindTarget(snapshot, attribute));
  if (!IsNumeric(target.spec->kind)) return Mismatch(target, "between");
  return NumericRange(snapshot, target, low, high);
}

Result<Bitmap> AttributeIn(const Snapshot& snapshot, std::string_view attribute,
                           std::span<const AttributeValue> values) {
  ASSIGN_OR_RETURN(Target target, FindTarget(snapshot, attribute));
  Bitmap result;
  for (const AttributeValue& value : values) {
    if (target.spec->kind == AttributeKind::kStringList) {
      const auto* text = std::get_if<std::string>(&value);
      if (text == nullptr) return Mismatch(target, "in with a non-string constant");
      ASSIGN_OR_RETURN(Bitmap holders, AttributeContains(snapshot, attribute, *text));
      result |= holders;
      continue;
    }
    ASSIGN_OR_RETURN(Bitmap equal, Equal(snapshot, target, value));
    result |= equal;
  }
  return result;
}

Result<Bitmap> AttributeContains(const Snapshot& snapshot, std::string_view attribute,
                                 std::string_view member) {
  ASSIGN_OR_RETURN(Target target, FindTarget(snapshot, attribute));
  const AttributeKind kind = target.spec->kind;
  if (kind != AttributeKind::kStringList && kind != AttributeKind::kString) {
    return Mismatch(target, "contains");
  }
  std::optional<uint32_t> id = target.dictionary->Find(member);
  return id ? HoldersOf(snapshot, target, *id) : Bitmap();
}

Result<Bitmap> AttributeIsSet(const Snapshot& snapshot, std::string_view attribute) {
  ASSIGN_OR_RETURN(Target target, FindTarget(snapshot, attribute));
  return IsSet(snapshot, target);
}

}  // namespace banyan::engine
