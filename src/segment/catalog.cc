#include "segment/catalog.h"

namespace banyan::segment {

std::string_view AttributeTypeName(AttributeType type) {
  static constexpr std::string_view kNames[] = {"string",  "enum", "integer",   "decimal",
                                                "boolean", "date", "timestamp", "string_list"};
  return kNames[static_cast<int>(type)];
}

std::string Problem::ToString() const {
  const std::string where = origin.ToString();
  return where.empty() ? message : where + ": " + message;
}

}  // namespace banyan::segment
