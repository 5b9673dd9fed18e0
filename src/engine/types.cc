#include "engine/types.h"

namespace banyan::engine {

std::string_view AttributeKindName(AttributeKind kind) {
  switch (kind) {
    case AttributeKind::kInteger:
      return "integer";
    case AttributeKind::kDecimal:
      return "decimal";
    case AttributeKind::kDate:
      return "date";
    case AttributeKind::kTimestamp:
      return "timestamp";
    case AttributeKind::kBoolean:
      return "boolean";
    case AttributeKind::kString:
      return "string";
    case AttributeKind::kStringList:
      return "string_list";
  }
  return "unknown";
}

bool IsNumeric(AttributeKind kind) {
  return kind == AttributeKind::kInteger || kind == AttributeKind::kDecimal ||
         kind == AttributeKind::kDate || kind == AttributeKind::kTimestamp;
}

std::string_view CompareName(Compare op) {
  switch (op) {
    case Compare::kEq:
      return "=";
    case Compare::kNe:
      return "!=";
    case Compare::kLt:
      return "<";
    case Compare::kLe:
      return "<=";
    case Compare::kGt:
      return ">";
    case Compare::kGe:
      return ">=";
  }
  return "?";
}

}  // namespace banyan::engine
