// The engine evaluator: its edges one by one, then a randomised differential test against the
// reference evaluator over generated data that grows, merges and ages (testing/random_world.h).

#include "segment/engine_eval.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/random.h"
#include "segment/geo.h"
#include "segment/testing/dataset.h"
#include "segment/testing/engine_loader.h"
#include "segment/testing/expression_generator.h"
#include "segment/testing/random_world.h"
#include "segment/testing/reference_evaluator.h"

namespace banyan::segment {
namespace {

using testing::Dataset;
using testing::EngineLoader;

const BusinessCalendar& Shanghai() {
  static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
  return calendar;
}

// A dataset from lines of the case format, loaded into an engine.
class World {
 public:
  explicit World(std::initializer_list<std::string_view> lines)
      : catalog_(testing::BuiltinTestCatalog()) {
    for (std::string_view line : lines) CHECK(testing::ApplyLine(line, data_, catalog_).ok());
    CHECK(loader_.Sync(data_, catalog_).ok());
  }

  // The ids the engine evaluator finds, checked against the reference evaluator.
  std::vector<int64_t> Members(std::string_view text) {
    const Result<Expr> expr = Parse(text);
    CHECK(expr.ok(), "{}", expr.status().ToString());
    CHECK(Validate(*expr, catalog_).ok(), "{}", Validate(*expr, catalog_).ToString());
    const auto snapshot = loader_.engine().snapshot();
    const Result<engine::Bitmap> members =
        Evaluate(*expr, *snapshot, loader_.Context(data_, Shanghai()));
    CHECK(members.ok(), "{}", members.status().ToString());
    std::vector<int64_t> ids = loader_.Ids(*members, *snapshot);
    EXPECT_EQ(ids, *testing::Evaluate(*expr, data_, catalog_, Shanghai())) << text;
    return ids;
  }

  Dataset& data() { return data_; }
  Status Sync() { return loader_.Sync(data_, catalog_); }
  EngineLoader& loader() { return loader_; }

 private:
  Dataset data_;
  Catalog catalog_;
  EngineLoader loader_;
};

using Ids = std::vector<int64_t>;

TEST(EngineEval, LastNDaysIncludesBothEndsOfTheWindow) {
  World world({"now 2026-03-31T12:00:00+08:00",
               "event 1 2026-03-01T12:00:00+08:00 login",    // exactly now − 30 × 24 h
               "event 2 2026-03-01T11:59:59+08:00 login",    // a second before
               "event 3 2026-03-31T12:00:00+08:00 login",    // exactly now
               "event 4 2026-03-31T12:00:01+08:00 login"});  // after now: not seen
  EXPECT_EQ(world.Members("did login in last 30 days"), (Ids{1, 3}));
  EXPECT_EQ(world.Members("did not login in last 30 days"), (Ids{2, 4}));
  EXPECT_EQ(world.Members("did login"), (Ids{1, 2, 3}));
}

TEST(EngineEval, AFractionOfASecondInNowMovesTheWindowsStart) {
  World world({"event 1 2026-03-01T12:00:00+08:00 login", "event 2 2026-03-01T12:00:01+08:00 login",
               "event 3 2026-03-31T12:00:00+08:00 login"});
  world.data().now = *ParseRfc3339("2026-03-31T12:00:00.5+08:00");
  EXPECT_EQ(world.Members("did login in last 30 days"), (Ids{2, 3}));
}

TEST(EngineEval, BetweenUsesLocalDays) {
  World world({"now 2026-03-31T12:00:00+08:00",
               "event 1 2026-02-28T23:30:00Z login",    // 1 March, 07:30 in Shanghai
               "event 2 2026-02-28T15:59:59Z login",    // 28 February, 23:59:59
               "event 3 2026-03-01T16:00:00Z login"});  // 2 March, 00:00
  EXPECT_EQ(world.Members("did login between 2026-03-01 and 2026-03-01"), (Ids{1}));
}

TEST(EngineEval, ThenNeedsAStrictlyLaterEvent) {
  World world(
      {"now 2026-03-31T12:00:00+08:00", "event 1 2026-03-10T10:00:00+08:00 apply",
       "event 1 2026-03-10T10:00:00+08:00 submit", "event 2 2026-03-10T10:00:00+08:00 apply",
       "event 2 2026-03-17T10:00:00+08:00 submit", "event 3 2026-03-10T10:00:00+08:00 apply",
       "event 3 2026-03-17T10:00:01+08:00 submit"});
  EXPECT_EQ(world.Members("did apply then submit"), (Ids{2, 3}));
  EXPECT_EQ(world.Members("did apply then submit within 7 days"), (Ids{2}));
  EXPECT_EQ(world.Members("did not apply then submit within 7 days"), (Ids{1, 3}));
}

TEST(EngineEval, AMissingAttributeIsFalseEvenForNotEqual) {
  World world({"customer 1 risk_level=\"R5\"", "customer 2 risk_level=\"R1\"", "customer 3"});
  EXPECT_EQ(world.Members("risk_level != \"R5\""), (Ids{2}));
  EXPECT_EQ(world.Members("not risk_level = \"R5\""), (Ids{2, 3}));
  EXPECT_EQ(world.Members("risk_level is not set"), (Ids{3}));
}

TEST(EngineEval, NumbersCompareExactly) {
  World world({"now 2026-03-31T12:00:00+08:00", "customer 1 aum=0.000001 age=3",
               "customer 2 aum=0 age=2", "event 1 2026-03-30T10:00:00+08:00 purchase amount=0.1",
               "event 1 2026-03-30T11:00:00+08:00 purchase amount=0.2"});
  EXPECT_EQ(world.Members("aum > 0"), (Ids{1}));
  EXPECT_EQ(world.Members("aum = 0.000001"), (Ids{1}));
  EXPECT_EQ(world.Members("age > 2.5"), (Ids{1}));
  EXPECT_EQ(world.Members("age <= 2.5"), (Ids{2}));
  EXPECT_EQ(world.Members("age = 2.5"), Ids{});
  EXPECT_EQ(world.Members("age != 2.5"), (Ids{1, 2}));
  EXPECT_EQ(world.Members("sum(purchase.amount) = 0.3"), (Ids{1}));
  EXPECT_EQ(world.Members("avg(purchase.amount) = 0.15"), (Ids{1}));
  EXPECT_EQ(world.Members("sum(purchase.amount) < 0.3"), (Ids{2}));
}

TEST(EngineEval, DecimalsHeldWithFewerDigitsStillCompareExactly) {
  // Amounts held in fen, as the customer feed holds them (EvalContext::decimal_scales).
  engine::Engine engine({{"aum", engine::AttributeKind::kDecimal}});
  engine::Batch batch;
  batch.attributes = {{1, "aum", int64_t{50'000'000}},
                      {2, "aum", int64_t{50'000'001}},
                      {3, "aum", int64_t{0}},
                      {4, "aum", int64_t{1}}};
  ASSERT_TRUE(engine.Apply(batch).ok());
  const auto snapshot = engine.snapshot();
  EvalContext context;
  context.calendar = &Shanghai();
  context.decimal_scales["aum"] = 2;
  auto members = [&](std::string_view text) {
    std::vector<int64_t> ids;
    Evaluate(*Parse(text), *snapshot, context)->ForEach([&](uint32_t index) {
      ids.push_back(*snapshot->Person(index));
      return true;
    });
    return ids;
  };
  EXPECT_EQ(members("aum > 500000"), (Ids{2}));
  EXPECT_EQ(members("aum >= 500000.01"), (Ids{2}));
  EXPECT_EQ(members("aum = 0.001"), Ids{});
  EXPECT_EQ(members("aum != 0.001"), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(members("aum < 0.001"), (Ids{3}));
  EXPECT_EQ(members("aum > 0.001"), (Ids{1, 2, 4}));
  EXPECT_EQ(members("aum between 0.001 and 0.01"), (Ids{4}));
}

TEST(EngineEval, GeoAgreesAtTheMetre) {
  World world({"branch Xixi 30.2741,120.1300", "customer 1 home=30.2875,120.1300",
               "customer 2 home=30.2876,120.1300", "customer 3"});
  EXPECT_EQ(world.Members("within 1.5 km of branch Xixi"), (Ids{1}));
  EXPECT_EQ(world.Members("within 1490.014 m of branch Xixi"), (Ids{}));
  EXPECT_EQ(world.Members("within 1490.015 m of branch Xixi"), (Ids{1}));
  EXPECT_EQ(world.Members("not within 1.5 km of branch Xixi"), (Ids{2, 3}));
}

// Over 65,536 candidates the evaluator narrows by a coordinate box first (two chunks here).
TEST(EngineEval, GeoOverManyCustomersNarrowsByABoxAndAgrees) {
  World world({"branch Xixi 30.2741,120.1300", "now 2026-03-31T12:00:00+08:00"});
  SeededRandom random(5);
  for (int64_t id = 1; id <= 70'000; ++id) {
    testing::TestCustomer& customer = world.data().customers[id];
    customer.id = id;
    const int64_t lat = 30'274'100 + static_cast<int64_t>(random.Uniform(60'000)) - 30'000;
    const int64_t lon = 120'130'000 + static_cast<int64_t>(random.Uniform(60'000)) - 30'000;
    customer.home = GeoPoint{static_cast<double>(lat) / 1e6, static_cast<double>(lon) / 1e6};
  }
  ASSERT_TRUE(world.Sync().ok());
  const size_t near = world.Members("within 1.5 km of branch Xixi").size();
  EXPECT_GT(near, 5'000u);
  EXPECT_LT(near, 70'000u);
  world.Members("within 800 m of branch Xixi");
  world.Members("not within 2.5 km of branch Xixi");
}

TEST(Geo, EveryPointWithinTheDistanceIsInTheBox) {
  SeededRandom random(3);
  for (int i = 0; i < 100'000; ++i) {
    const GeoPoint centre{random.UniformDouble() * 170 - 85, random.UniformDouble() * 360 - 180};
    const double meters = 1 + random.UniformDouble() * 1e6;
    const GeoPoint point{centre.latitude + (random.UniformDouble() * 2 - 1) * 10,
                         centre.longitude + (random.UniformDouble() * 2 - 1) * 10};
    if (point.latitude < -90 || point.latitude > 90) continue;
    if (HaversineMeters(centre, point) > meters) continue;
    const GeoBox box = BoxAround(centre, meters);
    ASSERT_GE(point.latitude, box.latitude_min) << i;
    ASSERT_LE(point.latitude, box.latitude_max) << i;
    if (box.longitude) {
      ASSERT_GE(point.longitude, box.longitude->first) << i;
      ASSERT_LE(point.longitude, box.longitude->second) << i;
    }
  }
}

TEST(EngineEval, TagsAndSegmentsNeedAResolver) {
  World world({"tag 1 vip", "member 2 high_value"});
  EXPECT_EQ(world.Members("has tag vip or in segment high_value"), (Ids{1, 2}));
  EvalContext context = world.loader().Context(world.data(), Shanghai());
  context.memberships = nullptr;
  const Result<engine::Bitmap> members =
      Evaluate(*Parse("has tag vip"), *world.loader().engine().snapshot(), context);
  EXPECT_EQ(members.status().code(), StatusCode::kFailedPrecondition);
}

TEST(EngineEval, ConsentIsTheResolvedAttribute) {
  World world({"now 2026-03-31T12:00:00+08:00", "customer 1", "customer 2", "customer 3",
               "consent 1 marketing all granted 2026-01-01T00:00:00Z",
               "consent 2 marketing all granted 2026-01-01T00:00:00Z",
               "consent 2 marketing sms withdrawn 2026-02-01T00:00:00Z"});
  EXPECT_EQ(world.Members("consented to marketing via sms"), (Ids{1}));
  EXPECT_EQ(world.Members("consented to marketing"), (Ids{1, 2}));
}

// Generated data, grown in rounds (now moving forward, late and future events, merges), and
// generated expressions: the engine and the reference evaluator must find the same members.
TEST(EngineEval, AgreesWithTheReferenceOnGeneratedDataAndExpressions) {
  int compared = 0, nonempty = 0, partial = 0, invalid = 0;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    Dataset data;
    Catalog catalog = testing::BuiltinTestCatalog();
    testing::RandomWorld world(seed, Shanghai());
    testing::ExpressionGenerator generator(testing::RandomWorld::ExpressionVocabulary(), seed);
    EngineLoader loader;
    world.Start(data, catalog, 40);
    for (int round = 0; round < 8; ++round) {
      world.Advance(data, catalog, 120);
      ASSERT_TRUE(loader.Sync(data, catalog).ok());
      if (round % 2 == 1) {  // merges: the survivor takes the absorbed history
        const auto merge = world.PickMerge(data);
        ASSERT_TRUE(loader.Merge(data, merge->first, merge->second).ok());
        ASSERT_TRUE(loader.Sync(data, catalog).ok());
      }
      const auto snapshot = loader.engine().snapshot();
      const EvalContext context = loader.Context(data, Shanghai());
      for (int i = 0; i < 150; ++i) {
        const std::string text = generator.Expression(3);
        const Result<Expr> expr = Parse(text);
        ASSERT_TRUE(expr.ok()) << text << "\n" << expr.status().ToString();
        if (!Validate(*expr, catalog).ok()) {
          ++invalid;
          continue;
        }
        const auto want = testing::Evaluate(*expr, data, catalog, Shanghai());
        ASSERT_TRUE(want.ok()) << text;
        const Result<engine::Bitmap> got = Evaluate(*expr, *snapshot, context);
        ASSERT_TRUE(got.ok()) << text << "\n" << got.status().ToString();
        ASSERT_EQ(loader.Ids(*got, *snapshot), *want)
            << "seed " << seed << " round " << round << " now " << FormatRfc3339(data.now) << "\n"
            << ToText(*expr);
        // On a subset (every third customer), the live segments' re-check gives the same answer.
        engine::Bitmap subset;
        snapshot->live().ForEach([&, n = 0](uint32_t index) mutable {
          if (n++ % 3 == round % 3) subset.Add(index);
          return true;
        });
        const Result<engine::Bitmap> among = EvaluateAmong(*expr, *snapshot, context, subset);
        ASSERT_TRUE(among.ok()) << text;
        ASSERT_TRUE(*among == (*got & subset)) << ToText(*expr);
        ++compared;
        nonempty += want->empty() ? 0 : 1;
        partial += !want->empty() && want->size() < data.customers.size() ? 1 : 0;
      }
    }
  }
  // The test must not pass by comparing empty sets or everything.
  fmt::print(
      "differential: {} expressions compared, {} non-empty, {} neither empty nor all, {} "
      "did not validate\n",
      compared, nonempty, partial, invalid);
  EXPECT_GT(compared, 3000);
  EXPECT_GT(partial, compared / 3) << nonempty << " non-empty of " << compared;
  EXPECT_LT(invalid, compared / 10);
}

}  // namespace
}  // namespace banyan::segment
