// The query primitives against a deliberately simple reference evaluator over the same
// generated data, across two chunks.

#include "engine/query.h"

#include <gtest/gtest.h>

#include <map>

#include "base/random.h"
#include "engine/engine.h"
#include "engine/testing/conditions.h"

namespace banyan::engine {
namespace {

using testing::On;

constexpr int64_t kNow = 1'750'000'000;
constexpr int64_t kDay = 86400;
constexpr int kCustomers = 70'000;  // two chunks
const char* kTypes[] = {"view_product", "purchase", "login"};
const char* kProducts[] = {"card", "loan", "fund"};

struct Person {
  std::optional<int64_t> age;
  std::optional<std::string> tier;
  std::vector<std::string> tags;
  std::vector<EventRecord> events;
};

class QueryTest : public ::testing::Test {
 protected:
  QueryTest()
      : engine_({{"age", AttributeKind::kInteger},
                 {"tier", AttributeKind::kString},
                 {"tags", AttributeKind::kStringList}}) {
    SeededRandom random(11);
    Batch batch;
    for (int p = 1; p <= kCustomers; ++p) {
      Person& person = people_[p];
      if (random.Uniform(10) != 0) person.age = 18 + static_cast<int64_t>(random.Uniform(60));
      if (random.Uniform(2) == 0) person.tier = random.Uniform(3) == 0 ? "gold" : "mass";
      if (random.Uniform(4) == 0) person.tags = {"wealth"};
      if (person.age) batch.attributes.push_back({p, "age", *person.age});
      if (person.tier) batch.attributes.push_back({p, "tier", *person.tier});
      if (!person.tags.empty()) batch.attributes.push_back({p, "tags", person.tags});
      const int events = random.Uniform(3) == 0 ? static_cast<int>(random.Uniform(8)) : 0;
      for (int e = 0; e < events; ++e) {
        EventRecord event{p,
                          kNow - static_cast<int64_t>(random.Uniform(60 * kDay)),
                          kTypes[random.Uniform(3)],
                          1,
                          {}};
        if (event.type == "view_product") {
          event.properties.push_back({"product", std::string(kProducts[random.Uniform(3)])});
        } else if (event.type == "purchase") {
          event.properties.push_back({"amount", static_cast<double>(random.Uniform(100000)) / 100});
        }
        person.events.push_back(event);
        batch.events.push_back(std::move(event));
      }
    }
    CHECK(engine_.Apply(batch).ok());
    snapshot_ = engine_.snapshot();
  }

  // The reference: persons satisfying `pred`, as engine indexes.
  template <typename Pred>
  std::vector<uint32_t> Expect(Pred pred) const {
    std::vector<uint32_t> result;
    for (const auto& [id, person] : people_) {
      // A person with neither attributes nor events is unknown to the engine, rightly.
      std::optional<CustomerIndex> index = engine_.Find(id);
      if (index && pred(person)) result.push_back(*index);
    }
    std::sort(result.begin(), result.end());
    return result;
  }

  static int64_t Count(const Person& person, std::string_view type, int64_t from,
                       std::optional<std::string> product = {}) {
    int64_t count = 0;
    for (const EventRecord& e : person.events) {
      if (e.type != type || e.time_seconds < from) continue;
      if (product && std::get<std::string>(e.properties[0].value) != *product) continue;
      ++count;
    }
    return count;
  }

  std::map<PersonId, Person> people_;
  Engine engine_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(QueryTest, AttributeComparisonsMatchTheReference) {
  const Snapshot& s = *snapshot_;
  EXPECT_EQ(AttributeBetween(s, "age", 25, 35)->ToVector(),
            Expect([](const Person& p) { return p.age && *p.age >= 25 && *p.age <= 35; }));
  EXPECT_EQ(AttributeCompare(s, "age", Compare::kGt, int64_t{60})->ToVector(),
            Expect([](const Person& p) { return p.age && *p.age > 60; }));
  EXPECT_EQ(AttributeCompare(s, "age", Compare::kNe, int64_t{30})->ToVector(),
            Expect([](const Person& p) { return p.age && *p.age != 30; }));
  EXPECT_EQ(AttributeCompare(s, "tier", Compare::kEq, std::string("gold"))->ToVector(),
            Expect([](const Person& p) { return p.tier == "gold"; }));
  EXPECT_EQ(AttributeCompare(s, "tier", Compare::kNe, std::string("gold"))->ToVector(),
            Expect([](const Person& p) { return p.tier && *p.tier != "gold"; }));
  const AttributeValue tiers[] = {std::string("gold"), std::string("mass")};
  EXPECT_EQ(AttributeIn(s, "tier", tiers)->ToVector(),
            Expect([](const Person& p) { return p.tier.has_value(); }));
  EXPECT_EQ(AttributeContains(s, "tags", "wealth")->ToVector(),
            Expect([](const Person& p) { return !p.tags.empty(); }));
  EXPECT_EQ(AttributeIsSet(s, "age")->ToVector(),
            Expect([](const Person& p) { return p.age.has_value(); }));
  EXPECT_TRUE(AttributeCompare(s, "tier", Compare::kEq, std::string("platinum"))->IsEmpty());
}

TEST_F(QueryTest, AttributeErrorsAreReported) {
  EXPECT_EQ(AttributeIsSet(*snapshot_, "height").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AttributeCompare(*snapshot_, "tier", Compare::kLt, std::string("x")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(AttributeCompare(*snapshot_, "age", Compare::kEq, std::string("x")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(QueryTest, CountsAndDidNotMatchTheReference) {
  const Snapshot& s = *snapshot_;
  const int64_t from = kNow - 30 * kDay;
  EventCondition views = On("view_product", from);
  EXPECT_EQ(CountEvents(s, s.live(), views, Compare::kGe, 3)->ToVector(),
            Expect([&](const Person& p) { return Count(p, "view_product", from) >= 3; }));
  EXPECT_EQ(CountEvents(s, s.live(), views, Compare::kEq, 0)->ToVector(),
            Expect([&](const Person& p) { return Count(p, "view_product", from) == 0; }));
  EXPECT_EQ(CountEvents(s, s.live(), views, Compare::kLe, 1)->ToVector(),
            Expect([&](const Person& p) { return Count(p, "view_product", from) <= 1; }));
  EventCondition cards = On("view_product", from, {{"product", Compare::kEq, std::string("card")}});
  EXPECT_EQ(CountEvents(s, s.live(), cards, Compare::kGe, 2)->ToVector(),
            Expect([&](const Person& p) { return Count(p, "view_product", from, "card") >= 2; }));
  Bitmap young = *AttributeBetween(s, "age", 25, 35);
  EXPECT_EQ(CountEvents(s, young, views, Compare::kGe, 1)->ToVector(), Expect([&](const Person& p) {
              return p.age && *p.age >= 25 && *p.age <= 35 && Count(p, "view_product", from) >= 1;
            }));
  EXPECT_EQ(CountEvents(s, s.live(), On("never_seen"), Compare::kEq, 0)->Cardinality(),
            s.live().Cardinality());
}

TEST_F(QueryTest, AggregatesFirstLastAndOrderMatchTheReference) {
  const Snapshot& s = *snapshot_;
  auto sum = [](const Person& p) {
    double total = 0;
    for (const EventRecord& e : p.events) {
      if (e.type == "purchase") total += std::get<double>(e.properties[0].value);
    }
    return total;
  };
  EXPECT_EQ(
      AggregateProperty(s, s.live(), On("purchase"), Aggregate::kSum, "amount", Compare::kGt, 1000)
          ->ToVector(),
      Expect([&](const Person& p) { return sum(p) > 1000 + 1e-9; }));
  EXPECT_EQ(
      AggregateProperty(s, s.live(), On("purchase"), Aggregate::kSum, "amount", Compare::kLt, 1)
          ->ToVector(),
      Expect([&](const Person& p) { return sum(p) < 1 - 1e-9; }));
  auto first_login = [](const Person& p) {
    std::optional<int64_t> first;
    for (const EventRecord& e : p.events) {
      if (e.type == "login" && (!first || e.time_seconds < *first)) first = e.time_seconds;
    }
    return first;
  };
  EXPECT_EQ(EventTime(s, s.live(), On("login"), Occurrence::kFirst, Compare::kGe, kNow - 10 * kDay)
                ->ToVector(),
            Expect([&](const Person& p) {
              auto first = first_login(p);
              return first && *first >= kNow - 10 * kDay;
            }));
  auto view_then_buy = [](const Person& p) {
    for (const EventRecord& a : p.events) {
      for (const EventRecord& b : p.events) {
        if (a.type == "view_product" && b.type == "purchase" && b.time_seconds > a.time_seconds &&
            b.time_seconds - a.time_seconds <= 7 * kDay) {
          return true;
        }
      }
    }
    return false;
  };
  EXPECT_EQ(FollowedBy(s, s.live(), On("view_product"), On("purchase"), 7 * kDay)->ToVector(),
            Expect(view_then_buy));
}

}  // namespace
}  // namespace banyan::engine
