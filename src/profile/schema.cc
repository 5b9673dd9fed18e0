#include "profile/schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <mutex>
#include <set>

#include "base/time.h"
#include "profile/internal/decimal.h"
#include "profile/internal/text.h"

namespace banyan::profile {
namespace {

using privacy::MaskRule;

AttributeDef Builtin(std::string name, AttributeType type, std::string label, bool personal,
                     MaskRule mask, std::string description,
                     std::vector<std::string> enum_values = {}) {
  AttributeDef def;
  def.name = std::move(name);
  def.type = type;
  def.enum_values = std::move(enum_values);
  def.personal = personal;
  def.mask = mask;
  def.label = std::move(label);
  def.description = std::move(description);
  def.builtin = true;
  return def;
}

std::vector<AttributeDef> MakeBuiltins() {
  using T = AttributeType;
  std::vector<AttributeDef> defs = {
      Builtin("name", T::kString, "姓名", true, MaskRule::kName, "Full name"),
      Builtin("gender", T::kEnum, "性别", false, MaskRule::kNone, "Gender",
              {"male", "female", "unknown"}),
      Builtin("birth_date", T::kDate, "出生日期", true, MaskRule::kDate, "Date of birth"),
      Builtin("age", T::kInteger, "年龄", false, MaskRule::kNone,
              "Age in whole years, derived from birth_date in the bank's time zone"),
      Builtin("occupation", T::kString, "职业", false, MaskRule::kNone, "Occupation"),
      Builtin("city", T::kString, "城市", false, MaskRule::kNone, "City of residence"),
      Builtin("address", T::kString, "地址", true, MaskRule::kAddress, "Home address"),
      Builtin("home_branch", T::kString, "归属网点", false, MaskRule::kNone,
              "Code of the branch the customer belongs to"),
      Builtin("relationship_manager", T::kString, "客户经理", false, MaskRule::kNone,
              "Username of the customer's relationship manager"),
      Builtin("risk_level", T::kEnum, "风险等级", false, MaskRule::kNone,
              "Risk tolerance from the suitability assessment", {"R1", "R2", "R3", "R4", "R5"}),
      Builtin("aum", T::kDecimal, "资产规模(AUM)", true, MaskRule::kAmount,
              "Assets under management, yuan"),
      Builtin("deposit_balance", T::kDecimal, "存款余额", true, MaskRule::kAmount,
              "Deposit balance, yuan"),
      Builtin("loan_balance", T::kDecimal, "贷款余额", true, MaskRule::kAmount,
              "Outstanding loans, yuan"),
      Builtin("credit_card_balance", T::kDecimal, "信用卡余额", true, MaskRule::kAmount,
              "Credit card balance owed, yuan"),
      Builtin("wealth_balance", T::kDecimal, "理财余额", true, MaskRule::kAmount,
              "Wealth management holdings, yuan"),
      Builtin("products", T::kStringList, "持有产品", false, MaskRule::kNone,
              "Codes of the products held"),
      Builtin("customer_since", T::kDate, "开户日期", false, MaskRule::kNone,
              "Date the customer relationship began"),
      Builtin("channel_preference", T::kEnum, "营销渠道偏好", false, MaskRule::kNone,
              "Preferred marketing channel",
              {"sms", "wechat", "wecom", "rcs", "email", "app_push", "phone"}),
      Builtin("home_latitude", T::kDecimal, "居住地纬度", true, MaskRule::kOpaque,
              "Latitude of the home address, decimal degrees"),
      Builtin("home_longitude", T::kDecimal, "居住地经度", true, MaskRule::kOpaque,
              "Longitude of the home address, decimal degrees"),
  };
  for (auto& def : defs) def.read_only = def.name == "age";
  return defs;
}

constexpr std::string_view kReservedNames[] = {
    "as_of",          "date",          "cust_no",
    "id_card",        "phone",         "email",
    "wechat_unionid", "wechat_openid", "wecom_external_userid",
    "alipay_user_id", "douyin_id",     "app_user_id",
    "device_id",      "anonymous_id",  "previous_id",
    "user_id",
};

Status Invalid(const AttributeDef& def, std::string_view what) {
  return InvalidArgumentError(fmt::format("{}: {}", def.name, what), "/" + def.name);
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

Result<std::string> NormalizeString(const AttributeDef& def, std::string_view text,
                                    size_t bytes_max) {
  text = internal::TrimSpace(text);
  if (text.empty()) return Invalid(def, "must not be empty");
  if (text.size() > bytes_max) return Invalid(def, fmt::format("longer than {} bytes", bytes_max));
  if (!internal::IsCleanUtf8(text)) return Invalid(def, "not clean UTF-8 text");
  return internal::JsonString(text);
}

Result<std::string> NormalizeEnum(const AttributeDef& def, std::string_view text) {
  text = internal::TrimSpace(text);
  for (const std::string& value : def.enum_values) {
    if (EqualsIgnoringAsciiCase(value, text)) return internal::JsonString(value);
  }
  return Invalid(def, fmt::format("expected one of {}", fmt::join(def.enum_values, ", ")));
}

Result<std::string> NormalizeInteger(const AttributeDef& def, std::string_view text) {
  text = internal::TrimSpace(text);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return Invalid(def, "expected an integer");
  }
  return std::to_string(value);
}

Result<std::string> NormalizeDecimal(const AttributeDef& def, std::string_view text) {
  const int scale = DecimalScale(def);
  Result<int64_t> units = internal::ParseDecimal(internal::TrimSpace(text), scale);
  if (!units.ok()) return Invalid(def, units.status().message());
  return internal::JsonString(internal::FormatDecimal(*units, scale));
}

Result<std::string> NormalizeBoolean(const AttributeDef& def, std::string_view text) {
  text = internal::TrimSpace(text);
  if (text == "true" || text == "1") return std::string("true");
  if (text == "false" || text == "0") return std::string("false");
  return Invalid(def, "expected true or false");
}

// The civil day "YYYY-MM-DD" names, or nullopt when it is not exactly that form of a real day.
std::optional<CivilDay> StrictDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  const CivilDay day(parts[0], parts[1], parts[2]);  // normalises 02-30 to 03-02: compare back
  if (day.year() != parts[0] || day.month() != parts[1] || day.day() != parts[2]) {
    return std::nullopt;
  }
  return day;
}

Result<std::string> NormalizeDate(const AttributeDef& def, std::string_view text) {
  text = internal::TrimSpace(text);
  // An RFC 3339 timestamp stands for its date as written ("1990-05-17T00:00:00.000Z").
  if (text.size() > 10 && ParseRfc3339(text).ok()) text = text.substr(0, 10);
  const std::optional<CivilDay> day = StrictDate(text);
  if (!day) return Invalid(def, "expected a date YYYY-MM-DD");
  if (day->year() < kDateYearMin || day->year() > kDateYearMax) {
    return Invalid(def, fmt::format("year outside {}..{}", kDateYearMin, kDateYearMax));
  }
  return internal::JsonString(text);
}

Result<std::string> NormalizeTimestamp(const AttributeDef& def, std::string_view text) {
  Result<Timestamp> at = ParseRfc3339(internal::TrimSpace(text));
  if (!at.ok()) return Invalid(def, "expected an RFC 3339 timestamp");
  return internal::JsonString(FormatRfc3339(*at));
}

// Items already checked for type; sorts, removes duplicates and checks every bound.
Result<std::string> NormalizeList(const AttributeDef& def, std::vector<std::string_view> items) {
  std::vector<std::string_view> kept;
  for (std::string_view item : items) {
    item = internal::TrimSpace(item);
    if (item.empty()) continue;  // "a||b" and trailing separators carry no item
    if (item.size() > kStringListItemBytesMax) {
      return Invalid(def, fmt::format("an item is longer than {} bytes", kStringListItemBytesMax));
    }
    if (!internal::IsCleanUtf8(item)) return Invalid(def, "an item is not clean UTF-8 text");
    kept.push_back(item);
  }
  std::sort(kept.begin(), kept.end());
  kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
  if (kept.size() > kStringListItemsMax) {
    return Invalid(def, fmt::format("more than {} items", kStringListItemsMax));
  }
  std::string out = "[";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back(',');
    internal::AppendJsonString(kept[i], &out);
  }
  out.push_back(']');
  return out;
}

Result<std::string> NormalizeScalarText(const AttributeDef& def, std::string_view text) {
  switch (def.type) {
    case AttributeType::kString:
      return NormalizeString(def, text, kAttributeValueBytesMax);
    case AttributeType::kEnum:
      return NormalizeEnum(def, text);
    case AttributeType::kInteger:
      return NormalizeInteger(def, text);
    case AttributeType::kDecimal:
      return NormalizeDecimal(def, text);
    case AttributeType::kBoolean:
      return NormalizeBoolean(def, text);
    case AttributeType::kDate:
      return NormalizeDate(def, text);
    case AttributeType::kTimestamp:
      return NormalizeTimestamp(def, text);
    case AttributeType::kStringList:
      return NormalizeList(def, {text});
  }
  return Invalid(def, "unknown type");
}

// A JSON number as decimal text. A fractional number arrives as a double: it is written in the
// shortest plain (not exponent) form that reads back as the same double, so 30.279223 stays
// "30.279223" (nlohmann's dump gives "30.279223000000002") and 1e6 becomes "1000000".
std::string NumberText(const Json& value) {
  if (!value.is_number_float()) return value.dump();
  char text[400];  // the longest fixed form of a double (DBL_MAX) has 309 digits
  const auto [end, ec] =
      std::to_chars(text, text + sizeof(text), value.get<double>(), std::chars_format::fixed);
  if (ec != std::errc()) return value.dump();
  return std::string(text, end);
}

std::string_view ExpectedWhat(AttributeType type) {
  switch (type) {
    case AttributeType::kString:
    case AttributeType::kEnum:
      return "expected a string";
    case AttributeType::kInteger:
      return "expected an integer";
    case AttributeType::kDecimal:
      return "expected a decimal number";
    case AttributeType::kBoolean:
      return "expected true or false";
    case AttributeType::kDate:
      return "expected a date YYYY-MM-DD";
    case AttributeType::kTimestamp:
      return "expected an RFC 3339 timestamp";
    case AttributeType::kStringList:
      return "expected a list of strings";
  }
  return "unexpected value";
}

}  // namespace

std::string_view AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kString:
      return "string";
    case AttributeType::kEnum:
      return "enum";
    case AttributeType::kInteger:
      return "integer";
    case AttributeType::kDecimal:
      return "decimal";
    case AttributeType::kBoolean:
      return "boolean";
    case AttributeType::kDate:
      return "date";
    case AttributeType::kTimestamp:
      return "timestamp";
    case AttributeType::kStringList:
      return "string_list";
  }
  return "unknown";
}

std::optional<AttributeType> ParseAttributeType(std::string_view name) {
  for (AttributeType type : {AttributeType::kString, AttributeType::kEnum, AttributeType::kInteger,
                             AttributeType::kDecimal, AttributeType::kBoolean, AttributeType::kDate,
                             AttributeType::kTimestamp, AttributeType::kStringList}) {
    if (AttributeTypeName(type) == name) return type;
  }
  return std::nullopt;
}

int DecimalScale(const AttributeDef& def) { return def.mask == MaskRule::kAmount ? 2 : 6; }

const std::vector<AttributeDef>& BuiltinAttributes() {
  static const auto* const kBuiltins = new std::vector<AttributeDef>(MakeBuiltins());
  return *kBuiltins;
}

bool IsReservedAttributeName(std::string_view name) {
  return std::find(std::begin(kReservedNames), std::end(kReservedNames), name) !=
         std::end(kReservedNames);
}

Result<std::string> Normalize(const AttributeDef& def, const Json& value) {
  if (def.read_only) return Invalid(def, "derived from birth_date; it cannot be set");
  switch (value.type()) {
    case Json::value_t::string:
      return NormalizeScalarText(def, value.get_ref<const std::string&>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      if (def.type == AttributeType::kInteger || def.type == AttributeType::kDecimal) {
        if (def.type == AttributeType::kInteger && value.is_number_float()) {
          return Invalid(def, "expected an integer");
        }
        return NormalizeScalarText(def, NumberText(value));
      }
      if (def.type == AttributeType::kBoolean && value.is_number_integer()) {
        return NormalizeBoolean(def, NumberText(value));
      }
      break;
    case Json::value_t::boolean:
      if (def.type == AttributeType::kBoolean)
        return std::string(value.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::array:
      if (def.type == AttributeType::kStringList) {
        std::vector<std::string_view> items;
        for (const Json& item : value) {
          if (!item.is_string()) return Invalid(def, "expected a list of strings");
          items.push_back(item.get_ref<const std::string&>());
        }
        return NormalizeList(def, std::move(items));
      }
      break;
    default:
      break;
  }
  return Invalid(def, ExpectedWhat(def.type));
}

Result<std::string> NormalizeText(const AttributeDef& def, std::string_view text) {
  if (def.read_only) return Invalid(def, "derived from birth_date; it cannot be set");
  if (def.type != AttributeType::kStringList) return NormalizeScalarText(def, text);
  std::vector<std::string_view> items;
  size_t start = 0;
  while (true) {
    const size_t bar = text.find('|', start);
    items.push_back(text.substr(start, bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return NormalizeList(def, std::move(items));
}

}  // namespace banyan::profile

namespace banyan::profile {
namespace {

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kAttributeNameBytesMax) return false;
  if (name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Status CheckText(std::string_view field, std::string_view text, size_t bytes_max) {
  if (text.size() > bytes_max) {
    return InvalidArgumentError(fmt::format("{}: longer than {} bytes", field, bytes_max),
                                "/" + std::string(field));
  }
  if (!internal::IsCleanUtf8(text)) {
    return InvalidArgumentError(fmt::format("{}: not clean UTF-8 text", field),
                                "/" + std::string(field));
  }
  return Status::Ok();
}

Status CheckEnumValues(const AttributeDef& def) {
  if (def.type != AttributeType::kEnum) {
    if (!def.enum_values.empty()) {
      return InvalidArgumentError("enum_values: only an enum attribute has values", "/enum_values");
    }
    return Status::Ok();
  }
  if (def.enum_values.empty() || def.enum_values.size() > kEnumValuesMax) {
    return InvalidArgumentError(
        fmt::format("enum_values: an enum needs 1 to {} values", kEnumValuesMax), "/enum_values");
  }
  for (size_t i = 0; i < def.enum_values.size(); ++i) {
    const std::string& value = def.enum_values[i];
    const std::string field = fmt::format("/enum_values/{}", i);
    if (value.empty() || value.size() > kEnumValueBytesMax || value != internal::TrimSpace(value) ||
        !internal::IsCleanUtf8(value)) {
      return InvalidArgumentError(
          fmt::format("enum_values[{}]: expected 1 to {} bytes of text without surrounding spaces",
                      i, kEnumValueBytesMax),
          field);
    }
    for (size_t j = 0; j < i; ++j) {
      if (EqualsIgnoringAsciiCase(def.enum_values[j], value)) {
        return InvalidArgumentError(fmt::format("enum_values[{}]: '{}' repeats", i, value), field);
      }
    }
  }
  return Status::Ok();
}

Result<AttributeDef> DefFromRow(const store::Row& row) {
  AttributeDef def;
  def.name = row.Text(0);
  const std::optional<AttributeType> type = ParseAttributeType(row.Text(1));
  Result<Json> values = ParseJson(row.Text(2));
  const std::optional<MaskRule> mask = privacy::ParseMaskRule(row.Text(4));
  if (!type || !values.ok() || !values->is_array() || !mask) {
    return DataLossError(fmt::format("profile_attribute '{}' is malformed", def.name));
  }
  def.type = *type;
  for (const Json& value : *values) {
    if (!value.is_string()) {
      return DataLossError(fmt::format("profile_attribute '{}' is malformed", def.name));
    }
    def.enum_values.push_back(value.get<std::string>());
  }
  def.personal = row.Int(3) != 0;
  def.mask = *mask;
  def.label = row.Text(5);
  def.description = row.Text(6);
  return def;
}

}  // namespace

AttributeSchema::AttributeSchema() {
  for (const AttributeDef& def : BuiltinAttributes()) {
    auto [it, inserted] = by_name_.emplace(def.name, std::make_unique<AttributeDef>(def));
    CHECK(inserted, "built-in attribute {} twice", def.name);
    builtins_.push_back(it->second.get());
  }
}

Result<std::unique_ptr<AttributeSchema>> AttributeSchema::Load(store::Transaction& tx) {
  auto schema = std::make_unique<AttributeSchema>();
  RETURN_IF_ERROR(tx.Query(
      "SELECT name, type, enum_values, personal, mask, label, description "
      "FROM profile_attribute ORDER BY name",
      {},
      [&](const store::Row& row) -> Status {
        ASSIGN_OR_RETURN(AttributeDef def, DefFromRow(row));
        if (schema->by_name_.count(def.name) > 0) {
          return DataLossError(fmt::format("profile_attribute '{}' shadows a built-in", def.name));
        }
        const std::string name = def.name;
        schema->by_name_.emplace(name, std::make_unique<AttributeDef>(std::move(def)));
        ++schema->custom_count_;
        return Status::Ok();
      },
      static_cast<int64_t>(kAttributesMax)));
  return schema;
}

const AttributeDef* AttributeSchema::Find(std::string_view name) const {
  std::shared_lock lock(mutex_);
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

std::vector<AttributeDef> AttributeSchema::List() const {
  std::shared_lock lock(mutex_);
  std::vector<AttributeDef> out;
  for (const AttributeDef* def : builtins_) out.push_back(*def);
  for (const auto& [name, def] : by_name_) {
    if (!def->builtin) out.push_back(*def);
  }
  return out;
}

size_t AttributeSchema::custom_count() const {
  std::shared_lock lock(mutex_);
  return custom_count_;
}

Status AttributeSchema::Validate(const AttributeDef& def) const {
  if (!IsValidName(def.name)) {
    return InvalidArgumentError(
        fmt::format("name: expected [a-z][a-z0-9_]{{0,{}}}", kAttributeNameBytesMax - 1), "/name");
  }
  if (IsReservedAttributeName(def.name)) {
    return InvalidArgumentError(
        fmt::format("name: '{}' is reserved for an identifier or import column", def.name),
        "/name");
  }
  if (def.builtin || def.read_only) {
    return InvalidArgumentError("builtin: a custom attribute cannot be built-in or read-only",
                                "/builtin");
  }
  RETURN_IF_ERROR(CheckEnumValues(def));
  if (def.personal && def.mask == MaskRule::kNone) {
    return InvalidArgumentError("mask: a personal attribute needs a mask rule", "/mask");
  }
  RETURN_IF_ERROR(CheckText("label", def.label, kAttributeLabelBytesMax));
  RETURN_IF_ERROR(CheckText("description", def.description, kAttributeDescriptionBytesMax));
  std::shared_lock lock(mutex_);
  if (by_name_.count(def.name) > 0) {
    return AlreadyExistsError(fmt::format("name: attribute '{}' already exists", def.name),
                              "/name");
  }
  if (custom_count_ >= kAttributesMax) {
    return FailedPreconditionError(
        fmt::format("the schema already holds {} custom attributes, the limit", kAttributesMax));
  }
  return Status::Ok();
}

Result<AttributeDef> AttributeSchema::Add(
    store::Database& db, const AttributeDef& def, int64_t staff_id, Timestamp now,
    const std::function<Status(store::Transaction&)>& in_transaction) {
  RETURN_IF_ERROR(Validate(def));
  const std::string enum_values = Json(def.enum_values).dump();
  RETURN_IF_ERROR(db.Write([&](store::Transaction& tx) -> Status {
    RETURN_IF_ERROR(
        tx.Execute("INSERT INTO profile_attribute (name, type, enum_values, personal, mask, label, "
                   "description, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   {def.name, AttributeTypeName(def.type), enum_values, def.personal,
                    privacy::MaskRuleName(def.mask), def.label, def.description, ToUnixMicros(now),
                    staff_id}));
    if (in_transaction) RETURN_IF_ERROR(in_transaction(tx));
    return Status::Ok();
  }));
  std::unique_lock lock(mutex_);
  // A concurrent Add of the same name fails on the primary key, so this insert is the only one.
  by_name_.emplace(def.name, std::make_unique<AttributeDef>(def));
  ++custom_count_;
  return def;
}

}  // namespace banyan::profile
