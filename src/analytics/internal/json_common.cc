#include "analytics/internal/json_common.h"

#include <fmt/format.h>

#include <cmath>

#include "events/event.h"

namespace banyan::analytics::internal {
namespace {

Result<JsonObjectReader> Object(const Json& value, const std::string& pointer) {
  if (!value.is_object()) return InvalidArgumentError("expected an object", pointer);
  return JsonObjectReader::Create(value, pointer);
}

Result<CivilDay> ReadDay(const JsonObjectReader& reader, std::string_view key) {
  ASSIGN_OR_RETURN(const std::string text, reader.String(key, 10));
  Result<CivilDay> day = ParseDate(text);
  if (!day.ok()) return InvalidArgumentError(day.status().message(), reader.PointerTo(key));
  return day;
}

Result<engine::Compare> ReadOp(std::string_view op, const std::string& pointer, bool* in) {
  *in = op == "in";
  if (op == "=" || op == "in") return engine::Compare::kEq;
  if (op == "!=") return engine::Compare::kNe;
  if (op == "<") return engine::Compare::kLt;
  if (op == "<=") return engine::Compare::kLe;
  if (op == ">") return engine::Compare::kGt;
  if (op == ">=") return engine::Compare::kGe;
  return InvalidArgumentError(fmt::format("unknown op \"{}\": one of =, !=, <, <=, >, >=, in", op),
                              pointer);
}

Result<engine::PropertyValue> ReadValue(const Json& value, const std::string& pointer) {
  if (value.is_string()) return engine::PropertyValue(value.get<std::string>());
  if (value.is_boolean()) return engine::PropertyValue(value.get<bool>() ? 1.0 : 0.0);
  if (value.is_number()) return engine::PropertyValue(value.get<double>());
  return InvalidArgumentError("expected a string, a number or a boolean", pointer);
}

Result<PropertyFilter> ReadCondition(const Json& value, const std::string& pointer) {
  ASSIGN_OR_RETURN(const JsonObjectReader reader, Object(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"property", "op", "value"}));
  PropertyFilter out;
  ASSIGN_OR_RETURN(out.property, reader.String("property", kNameLengthMax));
  ASSIGN_OR_RETURN(const std::string op, reader.String("op", 2));
  bool in = false;
  ASSIGN_OR_RETURN(out.op, ReadOp(op, reader.PointerTo("op"), &in));
  ASSIGN_OR_RETURN(const Json* operand, Member(value, "value", pointer));
  const std::string at = reader.PointerTo("value");
  if (in) {
    if (!operand->is_array() || operand->empty() || operand->size() > kInValuesMax) {
      return InvalidArgumentError(
          fmt::format("\"in\" takes an array of 1 to {} values (kInValuesMax)", kInValuesMax), at);
    }
    for (size_t i = 0; i < operand->size(); ++i) {
      ASSIGN_OR_RETURN(engine::PropertyValue item, ReadValue((*operand)[i], JsonPointer(at, i)));
      out.values.push_back(std::move(item));
    }
  } else {
    ASSIGN_OR_RETURN(engine::PropertyValue item, ReadValue(*operand, at));
    out.values.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Result<const Json*> Member(const Json& object, std::string_view key, const std::string& pointer) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return InvalidArgumentError("is required", JsonPointer(pointer, key));
  }
  return &*it;
}

Status ReadPeriodMembers(const Json& body, DateRange& range, Interval* interval,
                         GroupBy* group_by) {
  if (interval != nullptr && body.contains("interval")) {
    ASSIGN_OR_RETURN(*interval, ReadInterval(body["interval"], "/interval"));
  }
  ASSIGN_OR_RETURN(const Json* member, Member(body, "range", ""));
  ASSIGN_OR_RETURN(range, ReadRange(*member, "/range"));
  if (group_by != nullptr && body.contains("group_by")) {
    ASSIGN_OR_RETURN(*group_by, ReadGroupBy(body["group_by"], "/group_by"));
  }
  return Status::Ok();
}

Result<DateRange> ReadRange(const Json& value, const std::string& pointer) {
  ASSIGN_OR_RETURN(const JsonObjectReader reader, Object(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"from", "to"}));
  DateRange range;
  ASSIGN_OR_RETURN(range.from, ReadDay(reader, "from"));
  ASSIGN_OR_RETURN(range.to, ReadDay(reader, "to"));
  RETURN_IF_ERROR(ValidateRange(range, pointer));
  return range;
}

Json RangeJson(const DateRange& range) {
  return {{"from", FormatDate(range.from)}, {"to", FormatDate(range.to)}};
}

Result<Interval> ReadInterval(const Json& value, const std::string& pointer) {
  if (value == "day") return Interval::kDay;
  if (value == "week") return Interval::kWeek;
  if (value == "month") return Interval::kMonth;
  return InvalidArgumentError("expected \"day\", \"week\" or \"month\"", pointer);
}

Result<EventFilter> ReadFilter(const Json& value, const std::string& pointer) {
  ASSIGN_OR_RETURN(const JsonObjectReader reader, Object(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"event", "channel", "where"}));
  EventFilter filter;
  ASSIGN_OR_RETURN(filter.event, reader.String("event", kNameLengthMax));
  ASSIGN_OR_RETURN(const std::optional<std::string> channel,
                   reader.OptionalString("channel", kNameLengthMax));
  if (channel) {
    const std::optional<events::Channel> code = events::ChannelFromName(*channel);
    if (!code) {
      return InvalidArgumentError(fmt::format("unknown channel \"{}\"", *channel),
                                  reader.PointerTo("channel"));
    }
    filter.channel = static_cast<uint8_t>(*code);
  }
  if (reader.Has("where")) {
    const Json& where = value["where"];
    const std::string at = reader.PointerTo("where");
    if (!where.is_array()) return InvalidArgumentError("expected an array", at);
    if (where.size() > kConditionsPerEventMax) {
      return InvalidArgumentError(
          fmt::format("at most {} conditions (kConditionsPerEventMax)", kConditionsPerEventMax),
          at);
    }
    for (size_t i = 0; i < where.size(); ++i) {
      ASSIGN_OR_RETURN(PropertyFilter condition, ReadCondition(where[i], JsonPointer(at, i)));
      filter.where.push_back(std::move(condition));
    }
  }
  RETURN_IF_ERROR(ValidateFilter(filter, pointer));
  return filter;
}

Result<GroupBy> ReadGroupBy(const Json& value, const std::string& pointer) {
  ASSIGN_OR_RETURN(const JsonObjectReader reader, Object(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"kind", "name", "values"}));
  GroupBy out;
  ASSIGN_OR_RETURN(const std::string kind, reader.String("kind", 16));
  if (kind == "channel") {
    out.kind = GroupKind::kChannel;
  } else if (kind == "property") {
    out.kind = GroupKind::kProperty;
  } else if (kind == "attribute") {
    out.kind = GroupKind::kAttribute;
  } else if (kind == "tag") {
    out.kind = GroupKind::kTag;
  } else if (kind == "branch") {
    out.kind = GroupKind::kBranch;
  } else {
    return InvalidArgumentError(
        "expected \"channel\", \"property\", \"attribute\", \"tag\" or \"branch\"",
        reader.PointerTo("kind"));
  }
  ASSIGN_OR_RETURN(const std::optional<std::string> name,
                   reader.OptionalString("name", kNameLengthMax));
  out.name = name.value_or("");
  if (reader.Has("values")) {
    const Json& values = value["values"];
    const std::string at = reader.PointerTo("values");
    if (!values.is_array()) return InvalidArgumentError("expected an array", at);
    for (size_t i = 0; i < values.size(); ++i) {
      if (!values[i].is_string())
        return InvalidArgumentError("expected a string", JsonPointer(at, i));
      out.values.push_back(values[i].get<std::string>());
      if (out.values.size() > kGroupsMax) {
        return InvalidArgumentError(fmt::format("at most {} values (kGroupsMax)", kGroupsMax), at);
      }
    }
  }
  RETURN_IF_ERROR(ValidateGroupBy(out, pointer));
  return out;
}

Result<int64_t> ReadDuration(const Json& value, const std::string& pointer, int64_t max_seconds) {
  ASSIGN_OR_RETURN(const JsonObjectReader reader, Object(value, pointer));
  RETURN_IF_ERROR(reader.RejectUnknown({"days", "hours", "minutes", "seconds"}));
  if (value.size() != 1) {
    return InvalidArgumentError("one of days, hours, minutes or seconds", pointer);
  }
  const std::string unit = value.begin().key();
  const int64_t scale = unit == "days"      ? 86'400
                        : unit == "hours"   ? 3'600
                        : unit == "minutes" ? 60
                                            : 1;
  ASSIGN_OR_RETURN(const int64_t count, reader.Int(unit, 1, max_seconds / scale));
  return count * scale;
}

double Rounded(double value) { return std::round(value * 1e6) / 1e6; }

}  // namespace banyan::analytics::internal
