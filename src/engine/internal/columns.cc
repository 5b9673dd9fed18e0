#include "engine/internal/columns.h"

#include <fmt/format.h>

#include <algorithm>

namespace banyan::engine::internal {

namespace {

bool HasPerValueBitmaps(AttributeKind kind) {
  return kind == AttributeKind::kBoolean || kind == AttributeKind::kString ||
         kind == AttributeKind::kStringList;
}

Status KindMismatch(const AttributeSpec& spec) {
  return InvalidArgumentError(
      fmt::format("{}: expected a {} value", spec.name, AttributeKindName(spec.kind)),
      "/" + spec.name);
}

Bitmap& ValueBitmap(ColumnChunk& column, uint32_t id) {
  if (id >= column.by_value.size()) column.by_value.resize(id + 1);
  return column.by_value[id];
}

}  // namespace

Result<CodedValue> CodeValue(const AttributeSpec& spec, const AttributeValue& value,
                             Dictionary* dictionary) {
  CodedValue coded;
  if (std::holds_alternative<std::monostate>(value)) return coded;
  coded.set = true;
  switch (spec.kind) {
    case AttributeKind::kInteger:
    case AttributeKind::kDecimal:
    case AttributeKind::kDate:
    case AttributeKind::kTimestamp:
      if (!std::holds_alternative<int64_t>(value)) return KindMismatch(spec);
      coded.scalar = std::get<int64_t>(value);
      return coded;
    case AttributeKind::kBoolean:
      if (!std::holds_alternative<bool>(value)) return KindMismatch(spec);
      coded.scalar = std::get<bool>(value) ? 1 : 0;
      return coded;
    case AttributeKind::kString: {
      if (!std::holds_alternative<std::string>(value)) return KindMismatch(spec);
      ASSIGN_OR_RETURN(uint32_t id, dictionary->Intern(std::get<std::string>(value)));
      coded.scalar = id;
      return coded;
    }
    case AttributeKind::kStringList: {
      const auto* items = std::get_if<std::vector<std::string>>(&value);
      if (items == nullptr) return KindMismatch(spec);
      if (items->size() > kAttributeValuesPerCustomerMax) {
        return TooLargeError(
            fmt::format("{}: more than {} items", spec.name, kAttributeValuesPerCustomerMax),
            "/" + spec.name);
      }
      for (const std::string& item : *items) {
        ASSIGN_OR_RETURN(uint32_t id, dictionary->Intern(item));
        coded.members.push_back(id);
      }
      std::sort(coded.members.begin(), coded.members.end());
      coded.members.erase(std::unique(coded.members.begin(), coded.members.end()),
                          coded.members.end());
      return coded;
    }
  }
  return KindMismatch(spec);
}

AttributeValue DecodeValue(const AttributeSpec& spec, const CodedValue& value,
                           const Dictionary* dictionary) {
  if (!value.set) return std::monostate{};
  switch (spec.kind) {
    case AttributeKind::kBoolean:
      return value.scalar != 0;
    case AttributeKind::kString:
      return dictionary->Name(static_cast<uint32_t>(value.scalar));
    case AttributeKind::kStringList: {
      std::vector<std::string> items;
      for (uint32_t id : value.members) items.push_back(dictionary->Name(id));
      std::sort(items.begin(), items.end());
      return items;
    }
    default:
      return value.scalar;
  }
}

CodedValue ReadValue(const ColumnChunk& column, AttributeKind kind, CustomerIndex index) {
  CodedValue value;
  const uint32_t local = index & (kChunkCustomers - 1);
  value.set = (column.has_words[local >> 6] >> (local & 63)) & 1;
  if (!value.set) return value;
  if (kind == AttributeKind::kStringList) {
    for (uint32_t id = 0; id < column.by_value.size(); ++id) {
      if (column.by_value[id].Contains(index)) value.members.push_back(id);
    }
  } else {
    value.scalar = column.values[local];
  }
  return value;
}

void WriteValue(ColumnChunk& column, AttributeKind kind, CustomerIndex index,
                const CodedValue& value) {
  const uint32_t local = index & (kChunkCustomers - 1);
  const bool had = (column.has_words[local >> 6] >> (local & 63)) & 1;
  if (had && HasPerValueBitmaps(kind)) {
    if (kind == AttributeKind::kStringList) {
      for (Bitmap& bitmap : column.by_value) bitmap.Remove(index);
    } else {
      column.by_value[static_cast<uint32_t>(column.values[local])].Remove(index);
    }
  }
  if (!value.set) {
    column.has_words[local >> 6] &= ~(uint64_t{1} << (local & 63));
    column.has.Remove(index);
    if (kind != AttributeKind::kStringList) column.values[local] = 0;
    return;
  }
  column.has_words[local >> 6] |= uint64_t{1} << (local & 63);
  column.has.Add(index);
  if (kind == AttributeKind::kStringList) {
    for (uint32_t id : value.members) ValueBitmap(column, id).Add(index);
    return;
  }
  column.values[local] = value.scalar;
  if (HasPerValueBitmaps(kind)) ValueBitmap(column, static_cast<uint32_t>(value.scalar)).Add(index);
}

}  // namespace banyan::engine::internal
