// Catalog: what an expression may name — attributes with their types, events and the types of
// their properties, tags and their values, saved segments, branches, event channels, consent
// purposes and channels — and Validate, which checks an expression against it: unknown names,
// comparisons that do not fit the type (`aum > "abc"`), enum values that do not exist, each
// reported with where it is ("1:7: aum is a decimal: expected a number, found the string "abc"").
//
// The catalog is a plain value: the server fills one from the attribute schema, the tracking plan,
// the tag catalog, saved segments, branches and the consent vocabulary; tests fill a small one by
// hand. Attribute types mirror profile::AttributeType one to one (same names), so this module does
// not depend on profile.
//
// Thread safety: a Catalog is a value; Validate only reads it.

#ifndef BANYAN_SEGMENT_CATALOG_H_
#define BANYAN_SEGMENT_CATALOG_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "segment/ast.h"

namespace banyan::segment {

enum class AttributeType {
  kString,
  kEnum,
  kInteger,
  kDecimal,
  kBoolean,
  kDate,
  kTimestamp,
  kStringList,
};
// "string", "enum", "integer", "decimal", "boolean", "date", "timestamp", "string_list".
std::string_view AttributeTypeName(AttributeType type);

struct AttributeInfo {
  AttributeType type = AttributeType::kString;
  std::vector<std::string> enum_values;  // kEnum only
};

struct EventInfo {
  // Property types (kString, kInteger, kDecimal, kBoolean, ...). Empty: the event's properties
  // are not declared, and any property name is accepted.
  std::map<std::string, AttributeType, std::less<>> properties;
};

struct TagInfo {
  // The values a valued tag takes ("gold", "wealth", ...); empty for a tag one has or has not.
  std::vector<std::string> values;
};

struct Catalog {
  std::map<std::string, AttributeInfo, std::less<>> attributes;
  std::map<std::string, EventInfo, std::less<>> events;
  std::map<std::string, TagInfo, std::less<>> tags;
  std::set<std::string, std::less<>> segments;
  std::set<std::string, std::less<>> branches;          // branch codes
  std::set<std::string, std::less<>> event_channels;    // "app", "web", "mini_program", ...
  std::set<std::string, std::less<>> consent_purposes;  // "marketing", ...
  std::set<std::string, std::less<>> consent_channels;  // "all", "sms", ...
};

// One thing wrong with an expression: where (Origin::ToString) and what.
struct Problem {
  Origin origin;
  std::string message;
  // "1:7: unknown attribute "agee"", or without a prefix when the origin is unknown.
  std::string ToString() const;
};

// Every problem of `expr` against `catalog`, in the order the text reads; at most 100.
std::vector<Problem> FindProblems(const Expr& expr, const Catalog& catalog);
// OK, or InvalidArgument carrying the first problem.
Status Validate(const Expr& expr, const Catalog& catalog);

}  // namespace banyan::segment

#endif  // BANYAN_SEGMENT_CATALOG_H_
