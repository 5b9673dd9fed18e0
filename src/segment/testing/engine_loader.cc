#include "segment/testing/engine_loader.h"

#include <algorithm>
#include <cmath>

#include "events/event.h"
#include "segment/internal/number.h"

namespace banyan::segment::testing {

namespace {

using engine::AttributeKind;
using engine::AttributeValue;

AttributeKind KindOf(AttributeType type) {
  switch (type) {
    case AttributeType::kString:
    case AttributeType::kEnum:
      return AttributeKind::kString;
    case AttributeType::kInteger:
      return AttributeKind::kInteger;
    case AttributeType::kDecimal:
      return AttributeKind::kDecimal;
    case AttributeType::kBoolean:
      return AttributeKind::kBoolean;
    case AttributeType::kDate:
      return AttributeKind::kDate;
    case AttributeType::kTimestamp:
      return AttributeKind::kTimestamp;
    case AttributeType::kStringList:
      return AttributeKind::kStringList;
  }
  return AttributeKind::kString;
}

// A stored JSON value as the engine holds it; monostate when it does not fit the type.
AttributeValue Convert(const Json& v, AttributeType type) {
  const std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : "";
  switch (type) {
    case AttributeType::kString:
    case AttributeType::kEnum:
      if (v.is_string()) return text;
      break;
    case AttributeType::kInteger:
    case AttributeType::kDecimal: {
      const std::optional<internal::Micros128> micros = internal::ParseMicros(text);
      if (!micros) break;
      if (type == AttributeType::kDecimal) return static_cast<int64_t>(*micros);
      if (*micros % internal::kMicrosPerUnit == 0) {
        return static_cast<int64_t>(*micros / internal::kMicrosPerUnit);
      }
      break;
    }
    case AttributeType::kBoolean:
      if (v.is_boolean()) return v.get<bool>();
      break;
    case AttributeType::kDate:
      if (Result<CivilDay> day = ParseDate(text); day.ok() && text.size() == 10) {
        return static_cast<int64_t>(*day - CivilDay(1970, 1, 1));
      }
      break;
    case AttributeType::kTimestamp:
      if (Result<Timestamp> t = ParseRfc3339(text); t.ok()) return ToUnixSeconds(*t);
      break;
    case AttributeType::kStringList: {
      if (!v.is_array()) break;
      std::vector<std::string> members;
      for (const Json& item : v) {
        if (item.is_string()) members.push_back(item.get<std::string>());
      }
      return members;
    }
  }
  return std::monostate{};
}

int64_t Micros(double degrees) { return std::llround(degrees * 1e6); }

engine::EventRecord ToRecord(const TestEvent& event) {
  engine::EventRecord record;
  record.person = event.customer;
  record.time_seconds = ToUnixSeconds(event.time);
  record.type = event.name;
  if (std::optional<events::Channel> c = events::ChannelFromName(event.channel)) {
    record.channel = static_cast<uint8_t>(*c);
  }
  for (const auto& [key, value] : event.properties.items()) {
    if (value.is_number()) {
      record.properties.push_back({key, std::stod(value.dump())});
    } else if (value.is_string()) {
      record.properties.push_back({key, value.get<std::string>()});
    } else if (value.is_boolean()) {  // as the customer feed does: 1 / 0
      record.properties.push_back({key, value.get<bool>() ? 1.0 : 0.0});
    }
  }
  return record;
}

}  // namespace

EngineLoader::EngineLoader() = default;

Status EngineLoader::DefineAttributes(const Catalog& catalog, engine::Batch& batch) {
  auto define = [&](const std::string& name, AttributeKind kind) {
    if (defined_.emplace(name, kind).second) batch.new_attributes.push_back({name, kind});
  };
  for (const auto& [name, info] : catalog.attributes) define(name, KindOf(info.type));
  define(std::string(kHomeLatitude), AttributeKind::kDecimal);
  define(std::string(kHomeLongitude), AttributeKind::kDecimal);
  define(std::string(kLastLocationLatitude), AttributeKind::kDecimal);
  define(std::string(kLastLocationLongitude), AttributeKind::kDecimal);
  for (const std::string& purpose : catalog.consent_purposes) {
    for (const std::string& channel : catalog.consent_channels) {
      define(ConsentAttribute(purpose, channel), AttributeKind::kBoolean);
    }
  }
  return Status::Ok();
}

// Everything the engine should hold for `customer` at data.now.
EngineLoader::Values EngineLoader::EngineValues(const TestCustomer& customer, const Dataset& data,
                                                const Catalog& catalog) const {
  Values values;
  for (const auto& [name, json] : customer.attributes) {
    const auto info = catalog.attributes.find(name);
    if (info == catalog.attributes.end() || json.is_null()) continue;
    AttributeValue value = Convert(json, info->second.type);
    if (!std::holds_alternative<std::monostate>(value)) values[name] = std::move(value);
  }
  if (customer.home) {
    values[std::string(kHomeLatitude)] = Micros(customer.home->latitude);
    values[std::string(kHomeLongitude)] = Micros(customer.home->longitude);
  }
  // The latest located event up to now; on equal times the later one in arrival order.
  const TestEvent* located = nullptr;
  for (const TestEvent& event : data.events) {
    if (event.customer != customer.id || !event.location || event.time > data.now) continue;
    if (located == nullptr || event.time >= located->time) located = &event;
  }
  if (located != nullptr) {
    values[std::string(kLastLocationLatitude)] = Micros(located->location->latitude);
    values[std::string(kLastLocationLongitude)] = Micros(located->location->longitude);
  }
  // Consent: per (purpose, channel) the latest fact up to now (later in the list on ties).
  std::map<std::pair<std::string, std::string>, std::pair<Timestamp, bool>> latest;
  for (const TestConsent& fact : data.consents) {
    if (fact.customer != customer.id || fact.at > data.now) continue;
    auto [it, added] = latest.try_emplace({fact.purpose, fact.channel}, fact.at, fact.granted);
    if (!added && fact.at >= it->second.first) it->second = {fact.at, fact.granted};
  }
  for (const std::string& purpose : catalog.consent_purposes) {
    for (const std::string& channel : catalog.consent_channels) {
      auto it = latest.find({purpose, channel});
      if (it == latest.end()) it = latest.find({purpose, "all"});
      if (it != latest.end() && it->second.second)
        values[ConsentAttribute(purpose, channel)] = true;
    }
  }
  return values;
}

Status EngineLoader::Sync(const Dataset& data, const Catalog& catalog) {
  data_ = &data;
  engine::Batch batch;
  RETURN_IF_ERROR(DefineAttributes(catalog, batch));
  for (const auto& [id, customer] : data.customers) {
    Values want = EngineValues(customer, data, catalog);
    auto [it, added] = sent_.try_emplace(id);
    Values& have = it->second;
    if (added) {  // make the engine know the customer even without data
      batch.attributes.push_back({id, std::string(kHomeLatitude), std::monostate{}});
    }
    for (const auto& [name, value] : have) {
      if (!want.contains(name)) batch.attributes.push_back({id, name, std::monostate{}});
    }
    for (const auto& [name, value] : want) {
      const auto old = have.find(name);
      if (old == have.end() || old->second != value) batch.attributes.push_back({id, name, value});
    }
    have = std::move(want);
  }
  for (; events_sent_ < data.events.size(); ++events_sent_) {
    batch.events.push_back(ToRecord(data.events[events_sent_]));
  }
  ASSIGN_OR_RETURN(const engine::ApplyReport report, engine_.Apply(batch));
  if (report.events_rejected > 0 || report.properties_dropped > 0) {
    return InvalidArgumentError("the engine rejected events or dropped properties");
  }
  return Status::Ok();
}

Status EngineLoader::Merge(Dataset& data, int64_t survivor, int64_t absorbed) {
  TestCustomer& to = data.customers.at(survivor);
  const TestCustomer from = data.customers.at(absorbed);
  for (TestEvent& event : data.events) {
    if (event.customer == absorbed) event.customer = survivor;
  }
  for (TestConsent& fact : data.consents) {
    if (fact.customer == absorbed) fact.customer = survivor;
  }
  for (const auto& [name, value] : from.attributes) to.attributes.try_emplace(name, value);
  if (!to.home) to.home = from.home;
  for (const auto& [tag, values] : from.tags) to.tags[tag].insert(values.begin(), values.end());
  to.segments.insert(from.segments.begin(), from.segments.end());
  data.customers.erase(absorbed);
  // The engine's rule: the survivor takes each attribute it lacks.
  Values& mine = sent_[survivor];
  for (auto& [name, value] : sent_[absorbed]) mine.try_emplace(name, std::move(value));
  sent_.erase(absorbed);
  engine::Batch batch;
  batch.merges.push_back({survivor, absorbed});
  return engine_.Apply(batch).status();
}

std::vector<int64_t> EngineLoader::Ids(const engine::Bitmap& members,
                                       const engine::Snapshot& snapshot) const {
  std::vector<int64_t> ids;
  members.ForEach([&](uint32_t index) {
    if (std::optional<engine::PersonId> person = snapshot.Person(index)) ids.push_back(*person);
    return true;
  });
  std::sort(ids.begin(), ids.end());
  return ids;
}

EvalContext EngineLoader::Context(const Dataset& data, const BusinessCalendar& calendar) const {
  EvalContext context;
  context.now = data.now;
  context.calendar = &calendar;
  context.memberships = this;
  for (const auto& [code, point] : data.branches) context.branches[code] = point;
  return context;
}

Result<engine::Bitmap> EngineLoader::Tag(const engine::Snapshot&, std::string_view tag,
                                         const std::string* value) const {
  engine::Bitmap out;
  if (data_ == nullptr) return out;
  for (const auto& [id, customer] : data_->customers) {
    const auto it = customer.tags.find(tag);
    if (it == customer.tags.end() || (value != nullptr && !it->second.contains(*value))) continue;
    if (std::optional<engine::CustomerIndex> index = engine_.Find(id)) out.Add(*index);
  }
  return out;
}

Result<engine::Bitmap> EngineLoader::Segment(const engine::Snapshot&,
                                             std::string_view segment) const {
  engine::Bitmap out;
  if (data_ == nullptr) return out;
  for (const auto& [id, customer] : data_->customers) {
    if (!customer.segments.contains(segment)) continue;
    if (std::optional<engine::CustomerIndex> index = engine_.Find(id)) out.Add(*index);
  }
  return out;
}

}  // namespace banyan::segment::testing
