#include "segment/testing/dataset.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/time.h"
#include "segment/internal/number.h"

namespace banyan::segment::testing {
namespace {

struct Word {
  std::string text;
  bool quoted = false;
};

// Splits on spaces; a double-quoted stretch is one word (quotes removed, `quoted` set).
std::vector<Word> Words(std::string_view line) {
  std::vector<Word> out;
  Word word;
  bool in_quotes = false;
  bool any = false;
  for (char c : line) {
    if (c == '"') {
      in_quotes = !in_quotes;
      word.quoted = true;
      any = true;
    } else if (c == ' ' && !in_quotes) {
      if (any) out.push_back(std::move(word));
      word = Word{};
      any = false;
    } else {
      word.text.push_back(c);
      any = true;
    }
  }
  if (any) out.push_back(std::move(word));
  return out;
}

Result<int64_t> Id(const std::string& text) {
  try {
    size_t used = 0;
    const int64_t id = std::stoll(text, &used);
    if (used == text.size()) return id;
  } catch (const std::exception&) {
  }
  return InvalidArgumentError(fmt::format("\"{}\" is not a customer id", text));
}

Result<GeoPoint> Point(const std::string& text) {
  const size_t comma = text.find(',');
  try {
    if (comma != std::string::npos) {
      return GeoPoint{std::stod(text.substr(0, comma)), std::stod(text.substr(comma + 1))};
    }
  } catch (const std::exception&) {
  }
  return InvalidArgumentError(fmt::format("\"{}\" is not LATITUDE,LONGITUDE", text));
}

Result<Timestamp> Time(const std::string& text) { return ParseRfc3339(text); }

// An attribute value in the canonical JSON form of its type.
Result<Json> AttributeValue(const AttributeInfo& info, const std::string& text) {
  switch (info.type) {
    case AttributeType::kInteger:
    case AttributeType::kDecimal: {
      if (!internal::ParseMicros(text)) return InvalidArgumentError("expected a number");
      if (info.type == AttributeType::kInteger) return Json(std::stoll(text));
      return Json(text);
    }
    case AttributeType::kBoolean:
      if (text != "true" && text != "false") return InvalidArgumentError("expected true or false");
      return Json(text == "true");
    case AttributeType::kDate:
      RETURN_IF_ERROR(ParseDate(text).status());
      return Json(text);
    case AttributeType::kTimestamp: {
      ASSIGN_OR_RETURN(const Timestamp t, ParseRfc3339(text));
      return Json(FormatRfc3339(t));
    }
    case AttributeType::kStringList: {
      Json list = Json::array();
      size_t start = 0;
      while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        list.push_back(text.substr(start, comma - start));
        start = comma + 1;
      }
      return list;
    }
    default:
      return Json(text);
  }
}

Json PropertyValue(const Word& word) {
  if (!word.quoted) {
    if (word.text == "true" || word.text == "false") return word.text == "true";
    if (internal::ParseMicros(word.text)) return Json::parse(word.text);
  }
  return word.text;
}

Status Customer(const std::vector<Word>& w, Dataset& data, const Catalog& catalog) {
  if (w.size() < 2) return InvalidArgumentError("customer ID NAME=VALUE...");
  ASSIGN_OR_RETURN(const int64_t id, Id(w[1].text));
  TestCustomer& customer = data.customers[id];
  customer.id = id;
  for (size_t i = 2; i < w.size(); ++i) {
    const size_t eq = w[i].text.find('=');
    if (eq == std::string::npos) return InvalidArgumentError("expected NAME=VALUE: " + w[i].text);
    const std::string name = w[i].text.substr(0, eq);
    const std::string value = w[i].text.substr(eq + 1);
    if (name == "home") {
      ASSIGN_OR_RETURN(customer.home, Point(value));
      continue;
    }
    const auto it = catalog.attributes.find(name);
    if (it == catalog.attributes.end()) return InvalidArgumentError("unknown attribute " + name);
    Result<Json> json = AttributeValue(it->second, value);
    if (!json.ok()) return json.status().WithContext(name);
    customer.attributes[name] = *json;
  }
  return Status::Ok();
}

Status Event(const std::vector<Word>& w, Dataset& data, Catalog& catalog) {
  if (w.size() < 4) return InvalidArgumentError("event ID TIME NAME [NAME=VALUE...]");
  TestEvent event;
  ASSIGN_OR_RETURN(event.customer, Id(w[1].text));
  ASSIGN_OR_RETURN(event.time, Time(w[2].text));
  event.name = w[3].text;
  for (size_t i = 4; i < w.size(); ++i) {
    const size_t eq = w[i].text.find('=');
    if (eq == std::string::npos) return InvalidArgumentError("expected NAME=VALUE: " + w[i].text);
    const std::string name = w[i].text.substr(0, eq);
    Word value{w[i].text.substr(eq + 1), w[i].quoted};
    if (name == "channel") {
      event.channel = value.text;
    } else if (name == "location") {
      ASSIGN_OR_RETURN(event.location, Point(value.text));
    } else {
      event.properties[name] = PropertyValue(value);
    }
  }
  data.customers[event.customer].id = event.customer;
  catalog.events[event.name];  // known from now on, with its declared properties if any
  if (!event.channel.empty()) catalog.event_channels.insert(event.channel);
  data.events.push_back(std::move(event));
  return Status::Ok();
}

Status Other(const std::vector<Word>& w, Dataset& data, Catalog& catalog) {
  const std::string& verb = w[0].text;
  if (verb == "now" && w.size() == 2) {
    ASSIGN_OR_RETURN(data.now, Time(w[1].text));
    return Status::Ok();
  }
  if (verb == "branch" && w.size() == 3) {
    ASSIGN_OR_RETURN(data.branches[w[1].text], Point(w[2].text));
    catalog.branches.insert(w[1].text);
    return Status::Ok();
  }
  if ((verb == "tag" || verb == "member") && w.size() == 3) {
    ASSIGN_OR_RETURN(const int64_t id, Id(w[1].text));
    const size_t eq = w[2].quoted ? std::string::npos : w[2].text.find('=');
    const std::string name = w[2].text.substr(0, eq);
    TestCustomer& customer = data.customers[id];
    customer.id = id;
    if (verb == "member") {
      customer.segments.insert(name);
      catalog.segments.insert(name);
      return Status::Ok();
    }
    const std::string value = eq == std::string::npos ? "" : w[2].text.substr(eq + 1);
    customer.tags[name].insert(value);
    std::vector<std::string>& values = catalog.tags[name].values;
    if (!value.empty() && std::find(values.begin(), values.end(), value) == values.end()) {
      values.push_back(value);
    }
    return Status::Ok();
  }
  if (verb == "consent" && w.size() == 6) {
    TestConsent fact;
    ASSIGN_OR_RETURN(fact.customer, Id(w[1].text));
    fact.purpose = w[2].text;
    fact.channel = w[3].text;
    if (w[4].text != "granted" && w[4].text != "withdrawn") {
      return InvalidArgumentError("consent ID PURPOSE CHANNEL granted|withdrawn TIME");
    }
    fact.granted = w[4].text == "granted";
    ASSIGN_OR_RETURN(fact.at, Time(w[5].text));
    data.consents.push_back(std::move(fact));
    return Status::Ok();
  }
  return InvalidArgumentError("unknown data line");
}

}  // namespace

Catalog BuiltinTestCatalog() {
  using T = AttributeType;
  Catalog c;
  c.attributes = {
      {"name", {T::kString, {}}},
      {"gender", {T::kEnum, {"male", "female", "unknown"}}},
      {"birth_date", {T::kDate, {}}},
      {"age", {T::kInteger, {}}},
      {"occupation", {T::kString, {}}},
      {"city", {T::kString, {}}},
      {"address", {T::kString, {}}},
      {"home_branch", {T::kString, {}}},
      {"relationship_manager", {T::kString, {}}},
      {"risk_level", {T::kEnum, {"R1", "R2", "R3", "R4", "R5"}}},
      {"aum", {T::kDecimal, {}}},
      {"deposit_balance", {T::kDecimal, {}}},
      {"loan_balance", {T::kDecimal, {}}},
      {"credit_card_balance", {T::kDecimal, {}}},
      {"wealth_balance", {T::kDecimal, {}}},
      {"products", {T::kStringList, {}}},
      {"customer_since", {T::kDate, {}}},
      {"channel_preference",
       {T::kEnum, {"sms", "wechat", "wecom", "rcs", "email", "app_push", "phone"}}},
      {"home_latitude", {T::kDecimal, {}}},
      {"home_longitude", {T::kDecimal, {}}},
      {"email", {T::kString, {}}},
      {"last_seen", {T::kTimestamp, {}}},
      {"is_employee", {T::kBoolean, {}}},
  };
  c.events["view_product"].properties = {{"product", T::kString}, {"amount", T::kDecimal}};
  c.events["purchase"].properties = {{"amount", T::kDecimal}, {"category", T::kString}};
  c.event_channels = {"web",    "app",    "mini_program", "wechat", "alipay",
                      "branch", "douyin", "sms",          "email",  "wecom"};
  c.consent_purposes = {"marketing", "personalised_marketing", "data_sharing"};
  c.consent_channels = {"all",   "sms",      "wechat", "wecom",  "rcs",
                        "email", "app_push", "phone",  "webhook"};
  return c;
}

Status ApplyLine(std::string_view line, Dataset& data, Catalog& catalog) {
  const std::vector<Word> w = Words(line);
  if (w.empty()) return Status::Ok();
  Status status;
  if (w[0].text == "customer") {
    status = Customer(w, data, catalog);
  } else if (w[0].text == "event") {
    status = Event(w, data, catalog);
  } else {
    status = Other(w, data, catalog);
  }
  return status.ok() ? status : status.WithContext(std::string(line));
}

}  // namespace banyan::segment::testing
