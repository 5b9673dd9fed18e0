#include "segment/testing/random_world.h"

#include <fmt/format.h>

#include <array>
#include <iterator>

namespace banyan::segment::testing {

namespace {

constexpr Micros kDay = std::chrono::hours(24);
constexpr Micros kSecond = std::chrono::seconds(1);

template <typename T, size_t N>
const T& Pick(Random& random, const std::array<T, N>& options) {
  return options[random.Uniform(N)];
}

// A decimal with up to `scale` fraction digits as its canonical-ish text.
std::string Decimal(Random& random, int64_t whole_max, int scale) {
  const int64_t whole = static_cast<int64_t>(random.Uniform(whole_max));
  if (scale == 0 || random.Uniform(2) == 0) return std::to_string(whole);
  int64_t fraction_max = 1;
  for (int i = 0; i < scale; ++i) fraction_max *= 10;
  return fmt::format("{}.{:0{}}", whole, random.Uniform(fraction_max), scale);
}

}  // namespace

RandomWorld::RandomWorld(uint64_t seed, const BusinessCalendar& calendar)
    : random_(seed), calendar_(calendar) {}

void RandomWorld::Start(Dataset& data, Catalog& catalog, int customers) {
  data.now = calendar_.StartOf(CivilDay(2026, 3, 1)) + std::chrono::hours(12);
  data.branches["Xixi"] = {30.2741, 120.1300};
  data.branches["Wulin"] = {30.2780, 120.1650};
  catalog.branches = {"Xixi", "Wulin"};
  for (const char* name : {"view_product", "purchase", "app_open", "login"}) catalog.events[name];
  // Either property on either event, so generated where clauses mostly validate.
  catalog.events["view_product"].properties["category"] = AttributeType::kString;
  catalog.events["purchase"].properties["product"] = AttributeType::kString;
  catalog.tags["vip"];
  catalog.tags["aum_tier"].values = {"gold", "mass"};
  catalog.segments = {"high_value"};
  for (int i = 0; i < customers; ++i) AddCustomer(data);
}

void RandomWorld::Advance(Dataset& data, Catalog& catalog, int events) {
  switch (random_.Uniform(3)) {
    case 0:
      data.now += kDay * static_cast<int64_t>(random_.Uniform(4));
      break;
    case 1:
      data.now += kSecond * static_cast<int64_t>(random_.Uniform(5 * 86400));
      break;
    default:
      data.now += Micros(static_cast<int64_t>(random_.Uniform(3 * 86400)) * 1'000'000 + 500'000);
      break;
  }
  for (int i = 0; i < 3; ++i) AddCustomer(data);
  for (int i = 0; i < events; ++i) AddEvent(data);
  for (int i = 0; i < 10; ++i) ChangeAttributes(data, data.customers[AnyCustomer(data)]);
  for (int i = 0; i < 10; ++i) {
    TestConsent fact;
    fact.customer = AnyCustomer(data);
    fact.purpose = Pick(random_, std::array<const char*, 2>{"marketing", "data_sharing"});
    fact.channel = Pick(random_, std::array<const char*, 3>{"all", "sms", "email"});
    fact.granted = random_.Uniform(3) != 0;
    // Mostly the past, some at now, a few in the future (not seen yet).
    fact.at = data.now - kSecond * static_cast<int64_t>(random_.Uniform(20 * 86400)) +
              (random_.Uniform(8) == 0 ? kDay : Micros(0));
    data.consents.push_back(fact);
  }
  (void)catalog;
}

void RandomWorld::AddCustomer(Dataset& data) {
  TestCustomer& customer = data.customers[next_id_];
  customer.id = next_id_++;
  if (random_.Uniform(8) != 0) {
    // Around Xixi, in millionths of a degree as the engine holds them; ~1.5 km is 0.0135°.
    customer.home = GeoPoint{
        static_cast<double>(30'274'100 + static_cast<int64_t>(random_.Uniform(40'000)) - 20'000) /
            1e6,
        static_cast<double>(120'130'000 + static_cast<int64_t>(random_.Uniform(60'000)) - 20'000) /
            1e6};
  }
  ChangeAttributes(data, customer);
  ChangeAttributes(data, customer);
  if (random_.Uniform(4) == 0) customer.tags["vip"].insert("");
  if (random_.Uniform(2) == 0) {
    customer.tags["aum_tier"].insert(random_.Uniform(3) == 0 ? "gold" : "mass");
  }
  if (random_.Uniform(5) == 0) customer.segments.insert("high_value");
}

// Sets (or, one time in six, unsets) a few attributes.
void RandomWorld::ChangeAttributes(Dataset& data, TestCustomer& customer) {
  auto& a = customer.attributes;
  for (int i = 0; i < 4; ++i) {
    const uint64_t which = random_.Uniform(11);
    const char* names[] = {"age",       "aum",         "city",     "name",
                           "gender",    "risk_level",  "products", "customer_since",
                           "last_seen", "is_employee", "email"};
    if (random_.Uniform(6) == 0) {
      a.erase(names[which]);
      continue;
    }
    const CivilDay today = calendar_.DayOf(data.now);
    switch (which) {
      case 0:
        a["age"] = 18 + random_.Uniform(70);
        break;
      case 1:
        a["aum"] = Json::parse(random_.Uniform(3) == 0 ? "500000" : Decimal(random_, 1'000'000, 2));
        break;
      case 2:
        a["city"] = Pick(random_, std::array<const char*, 3>{"杭州市", "绍兴市", "宁波市"});
        break;
      case 3:
        a["name"] = Pick(random_, std::array<const char*, 4>{"王小明", "李四", "王五", "张小"});
        break;
      case 4:
        a["gender"] = Pick(random_, std::array<const char*, 3>{"male", "female", "unknown"});
        break;
      case 5:
        a["risk_level"] = Pick(random_, std::array<const char*, 5>{"R1", "R2", "R3", "R4", "R5"});
        break;
      case 6: {
        Json list = Json::array();
        for (const char* p : {"fund", "deposit", "loan", "card"}) {
          if (random_.Uniform(2) == 0) list.push_back(p);
        }
        a["products"] = list;
        break;
      }
      case 7:
        a["customer_since"] = FormatDate(today - static_cast<int64_t>(random_.Uniform(90)));
        break;
      case 8: {
        // On a local-day boundary a quarter of the time, to test date comparisons at the edge.
        const CivilDay day = today - static_cast<int64_t>(random_.Uniform(30));
        Timestamp t =
            calendar_.StartOf(day) + kSecond * static_cast<int64_t>(random_.Uniform(86400));
        if (random_.Uniform(4) == 0)
          t = calendar_.StartOf(day) - kSecond * static_cast<int64_t>(random_.Uniform(2));
        a["last_seen"] = FormatRfc3339(t);
        break;
      }
      case 9:
        a["is_employee"] = random_.Uniform(5) == 0;
        break;
      default:
        a["email"] = fmt::format("c{}@example.com", customer.id);
        break;
    }
  }
  (void)data;
}

Timestamp RandomWorld::EventTime(const Dataset& data) {
  const Timestamp now_second = data.now - Micros(ToUnixMicros(data.now) % 1'000'000);
  switch (random_.Uniform(8)) {
    case 0: {  // N×24 h before now (rounded to its second), a second either side
      const int64_t days = Pick(random_, std::array<int64_t, 3>{1, 7, 30});
      const Timestamp edge = now_second - kDay * days;
      return edge + kSecond * (static_cast<int64_t>(random_.Uniform(3)) - 1);
    }
    case 1: {  // local midnight, a second either side
      const CivilDay day = calendar_.DayOf(data.now) - static_cast<int64_t>(random_.Uniform(20));
      return calendar_.StartOf(day) + kSecond * (static_cast<int64_t>(random_.Uniform(3)) - 1);
    }
    case 2:  // now, or the second after (unseen until now moves)
      return now_second + kSecond * static_cast<int64_t>(random_.Uniform(2));
    case 3:  // late: long before what came already
      return now_second - kSecond * static_cast<int64_t>(40 * 86400 + random_.Uniform(50 * 86400));
    case 4:  // the future
      return now_second + kSecond * static_cast<int64_t>(1 + random_.Uniform(2 * 86400));
    default:
      return now_second - kSecond * static_cast<int64_t>(random_.Uniform(35 * 86400));
  }
}

void RandomWorld::AddEvent(Dataset& data) {
  TestEvent event;
  event.customer = AnyCustomer(data);
  event.time = EventTime(data);
  event.name =
      Pick(random_, std::array<const char*, 4>{"view_product", "purchase", "app_open", "login"});
  event.channel = Pick(random_, std::array<const char*, 4>{"app", "web", "mini_program", ""});
  // Amounts with at most two fraction digits (the engine's property scale), some as strings.
  auto amount = [&] {
    const std::string text = Decimal(random_, 120, 2);
    return random_.Uniform(6) == 0 ? Json(text) : Json::parse(text);
  };
  if (event.name == "view_product") {
    if (random_.Uniform(5) != 0) {
      event.properties["product"] =
          Pick(random_, std::array<const char*, 4>{"card", "loan", "fund", "100"});
    }
    if (random_.Uniform(2) == 0) event.properties["amount"] = amount();
  } else if (event.name == "purchase") {
    if (random_.Uniform(6) != 0) event.properties["amount"] = amount();
    if (random_.Uniform(2) == 0) {
      event.properties["category"] = Pick(random_, std::array<const char*, 2>{"food", "travel"});
    }
  } else if (event.name == "app_open" && random_.Uniform(2) == 0) {
    event.location = GeoPoint{
        static_cast<double>(30'274'100 + static_cast<int64_t>(random_.Uniform(40'000)) - 20'000) /
            1e6,
        static_cast<double>(120'130'000 + static_cast<int64_t>(random_.Uniform(40'000)) - 20'000) /
            1e6};
  }
  data.events.push_back(std::move(event));
}

int64_t RandomWorld::AnyCustomer(const Dataset& data) {
  auto it = data.customers.begin();
  std::advance(it, static_cast<long>(random_.Uniform(data.customers.size())));
  return it->first;
}

std::optional<std::pair<int64_t, int64_t>> RandomWorld::PickMerge(const Dataset& data) {
  if (data.customers.size() < 2) return std::nullopt;
  const int64_t survivor = AnyCustomer(data);
  int64_t absorbed = survivor;
  while (absorbed == survivor) absorbed = AnyCustomer(data);
  return std::pair(survivor, absorbed);
}

Vocabulary RandomWorld::ExpressionVocabulary() {
  Vocabulary v;
  v.leaves = {
      "age {op} {n}",
      "age between {n} and {n}",
      "age in (30, 45, 60)",
      "age > 30.5",
      "aum {op} 500000",
      "aum > 123.45",
      "aum <= 0.5",
      "aum between 1000 and 600000.5",
      "aum in (500000, 123.45)",
      "aum != 500000",
      "city = \"杭州市\"",
      "city != \"杭州市\"",
      "city in (\"杭州市\", \"绍兴市\")",
      "name contains \"王\"",
      "name contains \"小\"",
      "gender = \"female\"",
      "risk_level != \"R5\"",
      "risk_level in (\"R1\", \"R2\")",
      "products contains \"fund\"",
      "email is set",
      "email is not set",
      "age is not set",
      "products is set",
      "customer_since within {n} days",
      "customer_since before {n} days ago",
      "customer_since > 2026-02-15",
      "customer_since between 2026-01-01 and 2026-02-28",
      "last_seen within {n} days",
      "last_seen before {n} days ago",
      "last_seen = 2026-03-01",
      "last_seen >= 2026-03-01",
      "last_seen < 2026-03-10",
      "last_seen != 2026-03-01",
      "last_seen between 2026-02-25 and 2026-03-05",
      "is_employee = true",
      "is_employee != false",
      "has tag vip",
      "has tag aum_tier = \"gold\"",
      "has tag aum_tier",
      "in segment high_value",
      "(did {step}{times}{window})",
      "(did {step}{times}{window})",
      "(did {step}{window})",
      "(did not {step}{times}{window})",
      "(did {step} then {step}{within}{window})",
      "(did not {step} then {step} then {step}{within}{window})",
      "first time did {step} within {n} days",
      "last time did {step} before {n} days ago",
      "first time did {step} in last {n} days",
      "last time did {step} between 2026-03-01 and 2026-03-20",
      "sum(purchase.amount where {where}){window} > {n}",
      "sum(purchase.amount) < 1",
      "avg(view_product.amount){window} >= 50.5",
      "min(purchase.amount) < 10",
      "max(view_product.amount via app){window} <= 99.99",
      "count(view_product where {where}){window} >= 2",
      "count(login){window} = 0",
      "within 1.5 km of branch Xixi",
      "within 800 m of branch Wulin from home",
      "within 2 km of branch Xixi from last event location",
      "consented to marketing",
      "consented to marketing via sms",
      "consented to data_sharing via email",
  };
  v.events = {"view_product", "purchase", "app_open", "login"};
  v.channels = {"app", "web"};
  v.where_leaves = {"amount > {n}",           "amount between 10 and 50.5",
                    "amount <= 20.25",        "product = \"card\"",
                    "product != \"loan\"",    "product in (\"card\", \"fund\")",
                    "product contains \"o\"", "amount is set",
                    "category is not set",    "amount in (12.5, 33)",
                    "category = \"food\"",    "product = \"100\""};
  v.windows = {"",
               " in last 1 day",
               " in last 7 days",
               " in the last 30 days",
               " between 2026-03-01 and 2026-03-15",
               " between 2026-03-10 and 2026-03-10"};
  v.times = {"", " at least 2 times", " at most 1 time", " exactly 0 times", " exactly 2 times"};
  v.withins = {"", " within 1 day", " within 7 days"};
  v.number_max = 60;
  return v;
}

}  // namespace banyan::segment::testing
