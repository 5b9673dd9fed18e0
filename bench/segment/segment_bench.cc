// segment_bench: builds the engine in memory from a deterministic generator (N customers with
// age, log-normal AUM, tier, home coordinates around Hangzhou and five tags; M events of 20 types
// over 180 days, view_product with a product, purchase with an amount) through Engine::Apply in
// batches, then times the count of
//
//   (a) age between 25 and 35 and aum > 500000 and did view_product at least 3 times in last
//       30 days
//   (b) the same and within 1.5 km of branch "Xixi"
//   (c) has tag payroll or has tag card_holder or ... (five tags)
//
// (a) through the query primitives directly (the `segment count` line), and all three through
// segment::Parse + segment::Evaluate, the path the API takes (`segment query` lines; (a) must
// give the same count both ways). One line per figure:
//
//   segment data customers=… events=… seed=…
//   segment apply events_per_s=… seconds=… batch_events=…
//   segment count=… median_ms=… min_ms=… max_ms=… repeats=…
//   segment parts age_between_ms=… aum_gt_ms=… and_ms=… did_ms=…   (a)'s primitives one by one
//   segment query=a|b|c count=… median_ms=… min_ms=… max_ms=… repeats=… expr=TEXT
//   segment memory bytes_per_event=… bytes_per_customer=… engine_mb=… writer_mb=… rss_mb=…
//
//   segment_bench [--customers N] [--events M] [--seed S] [--repeats R] [--batch B] [--dump DIR]
//
// --dump DIR also writes the generated data as DIR/customers.tsv (id, age, aum in fen, tier,
// home latitude, home longitude with 6 decimals), DIR/events.tsv (person, time in Unix seconds,
// type, channel, product, amount; empty when absent) and DIR/tags.tsv (tag, id) for the peers of
// bench/segment/run.sh, and prints the query's window and the branch:
//
//   segment window from_s=… to_s=…
//   segment branch Xixi lat=… lon=… radius_m=1500

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "base/random.h"
#include "engine/engine.h"
#include "engine/query.h"
#include "segment/ast.h"
#include "segment/engine_eval.h"

namespace banyan::engine {
namespace {

constexpr int64_t kNow = 1'767'225'600;  // 2026-01-01T00:00:00Z: fixed, so runs compare
constexpr int64_t kDay = 86400;
constexpr int64_t kSpanSeconds = 180 * kDay;

struct Args {
  int64_t customers = 1'000'000;
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  int repeats = 21;
  int64_t batch = 50'000;
  std::string dump_dir;  // empty: no dump
};

// Tab-separated files of what was applied, for loading the same data into the peers.
class Dump {
 public:
  explicit Dump(const std::string& dir) {
    if (dir.empty()) return;
    customers_.open(dir + "/customers.tsv");
    events_.open(dir + "/events.tsv");
    tags_.open(dir + "/tags.tsv");
    CHECK(customers_.good() && events_.good() && tags_.good(), "cannot write the dump in {}", dir);
  }
  void WriteTag(std::string_view tag, PersonId person) {
    if (tags_.is_open()) tags_ << tag << '\t' << person << '\n';
  }
  void Write(const Batch& batch) {
    if (!events_.is_open()) return;
    // Customers' batches hold age, aum (millionths), tier, home latitude and longitude
    // (millionths of a degree) for each person, in that order; aum goes out in fen.
    for (size_t i = 0; i + 4 < batch.attributes.size(); i += 5) {
      const AttributeChange* a = &batch.attributes[i];
      customers_ << a[0].person << '\t' << std::get<int64_t>(a[0].value) << '\t'
                 << std::get<int64_t>(a[1].value) / 10'000 << '\t'
                 << std::get<std::string>(a[2].value) << '\t'
                 << Degrees(std::get<int64_t>(a[3].value)) << '\t'
                 << Degrees(std::get<int64_t>(a[4].value)) << '\n';
    }
    for (const EventRecord& e : batch.events) {
      std::string product, amount;
      for (const EventProperty& p : e.properties) {
        if (p.key == "product") product = std::get<std::string>(p.value);
        if (p.key == "amount") amount = fmt::format("{}", std::get<double>(p.value));
      }
      events_ << e.person << '\t' << e.time_seconds << '\t' << e.type << '\t'
              << static_cast<int>(e.channel) << '\t' << product << '\t' << amount << '\n';
    }
  }
  void Close() {
    if (!events_.is_open()) return;  // no --dump (closing an unopened stream sets failbit)
    customers_.close();
    events_.close();
    tags_.close();
    CHECK(!customers_.fail() && !events_.fail() && !tags_.fail(), "writing the dump failed");
  }

 private:
  // 30274100 -> "30.274100": exactly the double the engine's millionths stand for.
  static std::string Degrees(int64_t millionths) {
    return fmt::format("{}{}.{:06}", millionths < 0 ? "-" : "", std::abs(millionths) / 1'000'000,
                       std::abs(millionths) % 1'000'000);
  }

  std::ofstream customers_;
  std::ofstream events_;
  std::ofstream tags_;
};

// 20 event types; weights are rough shares of a retail bank app's traffic.
constexpr std::string_view kTypes[] = {
    "login",          "view_product", "view_home",     "search",       "transfer",
    "purchase",       "view_balance", "pay_bill",      "apply_loan",   "open_account",
    "view_statement", "click_banner", "redeem_points", "share",        "chat_rm",
    "update_profile", "logout",       "view_news",     "set_reminder", "rate_app"};
constexpr int kWeights[] = {20, 15, 14, 8, 7, 4, 9, 3, 1, 1, 4, 4, 2, 1, 1, 1, 2, 1, 1, 1};
constexpr std::string_view kProducts[] = {"card",      "fund",   "loan", "deposit",
                                          "insurance", "wealth", "gold", "fx"};

double Normal(Random& random) {
  const double u = std::max(random.UniformDouble(), 1e-12), v = random.UniformDouble();
  return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
}

// Xixi sub-branch, Hangzhou: the centre of query (b).
constexpr int64_t kXixiLatitude = 30'274'100, kXixiLongitude = 120'130'000;  // millionths

// `random` draws what the bench always drew (so counts stay comparable across versions);
// `places` draws the home coordinates: normal around Xixi, σ ≈ 5.5 km.
Batch Customers(Random& random, Random& places, int64_t first, int64_t count) {
  Batch batch;
  for (int64_t p = first; p < first + count; ++p) {
    const int64_t age = std::clamp<int64_t>(std::llround(42 + 14 * Normal(random)), 18, 90);
    const double aum_yuan = std::exp(11.0 + 1.5 * Normal(random));  // median ~60,000
    batch.attributes.push_back({p, "age", age});
    // Decimals are held in millionths (segment::kDecimalScale): fen × 10,000.
    batch.attributes.push_back({p, "aum", static_cast<int64_t>(aum_yuan * 100) * 10'000});
    const char* tier = aum_yuan >= 1e7   ? "private"
                       : aum_yuan >= 5e5 ? "wealth"
                       : aum_yuan >= 5e4 ? "gold"
                                         : "mass";
    batch.attributes.push_back({p, "tier", std::string(tier)});
    batch.attributes.push_back(
        {p, "home_latitude", kXixiLatitude + std::llround(50'000 * Normal(places))});
    batch.attributes.push_back(
        {p, "home_longitude", kXixiLongitude + std::llround(50'000 * Normal(places))});
  }
  return batch;
}

// Five tags held by 0.5% .. 10% of customers each, independently: query (c).
constexpr std::string_view kTags[] = {"payroll", "card_holder", "fund_buyer", "mortgage",
                                      "young_pro"};
constexpr double kTagShares[] = {0.005, 0.01, 0.02, 0.05, 0.10};

// The tag catalog of the bench: one bitmap per tag, as the tag module will hold them.
class BenchTags final : public segment::MembershipResolver {
 public:
  Result<Bitmap> Tag(const Snapshot&, std::string_view tag, const std::string*) const override {
    for (size_t i = 0; i < std::size(kTags); ++i) {
      if (kTags[i] == tag) return holders[i];
    }
    return Bitmap();
  }
  Result<Bitmap> Segment(const Snapshot&, std::string_view) const override { return Bitmap(); }
  Bitmap holders[std::size(kTags)];
};

// Events k in [first, first + count) of `total`, in time order like a live stream; customers
// drawn with a skew (u^2) so some are far more active than others.
Batch Events(Random& random, const Args& args, int64_t first, int64_t count) {
  static const int kWeightSum = [] {
    int sum = 0;
    for (int w : kWeights) sum += w;
    return sum;
  }();
  Batch batch;
  batch.events.reserve(count);
  for (int64_t k = first; k < first + count; ++k) {
    const double u = random.UniformDouble();
    EventRecord event;
    event.person = 1 + static_cast<int64_t>(u * u * static_cast<double>(args.customers));
    event.time_seconds = kNow - kSpanSeconds + kSpanSeconds * k / args.events;
    int pick = static_cast<int>(random.Uniform(kWeightSum)), type = 0;
    while (pick >= kWeights[type]) pick -= kWeights[type++];
    event.type = std::string(kTypes[type]);
    event.channel = static_cast<uint8_t>(1 + random.Uniform(10));
    if (event.type == "view_product") {
      event.properties.push_back({"product", std::string(kProducts[random.Uniform(8)])});
    } else if (event.type == "purchase" || event.type == "transfer") {
      event.properties.push_back({"amount", std::round(std::exp(7 + Normal(random)))});
    }
    batch.events.push_back(std::move(event));
  }
  return batch;
}

double RssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atof(line.c_str() + 6) / 1024;
  }
  return 0;
}

Bitmap CountSegment(const Snapshot& snapshot) {
  Bitmap candidates = *AttributeBetween(snapshot, "age", 25, 35);
  candidates &= *AttributeCompare(snapshot, "aum", Compare::kGt, int64_t{500'000} * 1'000'000);
  EventCondition views;
  views.type = "view_product";
  views.from_seconds = kNow - 30 * kDay;
  views.to_seconds = kNow;
  return *CountEvents(snapshot, candidates, views, Compare::kGe, 3);
}

using Clock = std::chrono::steady_clock;

struct Timing {
  uint64_t count = 0;
  std::vector<double> ms;  // sorted
};

template <typename Fn>
Timing Time(int repeats, Fn&& count) {
  Timing timing;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    timing.count = count();
    timing.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(timing.ms.begin(), timing.ms.end());
  return timing;
}

std::string Figures(const Timing& t, int repeats) {
  return fmt::format("count={} median_ms={:.2f} min_ms={:.2f} max_ms={:.2f} repeats={}", t.count,
                     t.ms[t.ms.size() / 2], t.ms.front(), t.ms.back(), repeats);
}

// Where (a)'s time goes: each primitive alone, medians in ms.
void PrintParts(const Snapshot& snapshot, int repeats) {
  const Bitmap age = *AttributeBetween(snapshot, "age", 25, 35);
  const Bitmap aum = *AttributeCompare(snapshot, "aum", Compare::kGt, int64_t{500'000} * 1'000'000);
  const Bitmap both = age & aum;
  EventCondition views;
  views.type = "view_product";
  views.from_seconds = kNow - 30 * kDay;
  views.to_seconds = kNow;
  auto median = [](const Timing& t) { return t.ms[t.ms.size() / 2]; };
  const Timing t_age =
      Time(repeats, [&] { return AttributeBetween(snapshot, "age", 25, 35)->Cardinality(); });
  const Timing t_aum = Time(repeats, [&] {
    return AttributeCompare(snapshot, "aum", Compare::kGt, int64_t{500'000} * 1'000'000)
        ->Cardinality();
  });
  const Timing t_and = Time(repeats, [&] { return (age & aum).Cardinality(); });
  const Timing t_did = Time(
      repeats, [&] { return CountEvents(snapshot, both, views, Compare::kGe, 3)->Cardinality(); });
  fmt::print(
      "segment parts age_between_ms={:.2f} ({} customers) aum_gt_ms={:.2f} ({}) and_ms={:.2f} "
      "({}) did_ms={:.2f} ({})\n",
      median(t_age), t_age.count, median(t_aum), t_aum.count, median(t_and), t_and.count,
      median(t_did), t_did.count);
}

// Customers (with their tags) and events through Apply, written to the dump as they go.
void Build(const Args& args, Engine& engine, BenchTags& tags, Dump& dump) {
  SeededRandom random(args.seed), places(args.seed + 1), tagging(args.seed + 2);
  for (int64_t first = 1; first <= args.customers; first += 500'000) {
    const Batch customers =
        Customers(random, places, first, std::min<int64_t>(500'000, args.customers - first + 1));
    dump.Write(customers);
    CHECK(engine.Apply(customers).ok());
  }
  for (int64_t p = 1; p <= args.customers; ++p) {
    for (size_t t = 0; t < std::size(kTags); ++t) {
      if (tagging.UniformDouble() >= kTagShares[t]) continue;
      tags.holders[t].Add(*engine.Find(p));
      dump.WriteTag(kTags[t], p);
    }
  }
  fmt::print("segment data customers={} events={} seed={}\n", args.customers, args.events,
             args.seed);
  double apply_seconds = 0;
  for (int64_t first = 0; first < args.events; first += args.batch) {
    Batch batch = Events(random, args, first, std::min(args.batch, args.events - first));
    dump.Write(batch);
    const auto start = Clock::now();
    Result<ApplyReport> report = engine.Apply(batch);
    apply_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    CHECK(report.ok(), "{}", report.status().ToString());
  }
  dump.Close();
  fmt::print("segment window from_s={} to_s={}\n", kNow - 30 * kDay, kNow);
  fmt::print("segment branch Xixi lat={:.6f} lon={:.6f} radius_m=1500\n", kXixiLatitude / 1e6,
             kXixiLongitude / 1e6);
  fmt::print("segment apply events_per_s={:.0f} seconds={:.2f} batch_events={}\n",
             static_cast<double>(args.events) / apply_seconds, apply_seconds, args.batch);
}

void PrintMemory(const Snapshot& snapshot, const Engine& engine) {
  const MemoryStats memory = snapshot.Memory();
  const double customers = static_cast<double>(memory.customers);
  const double events = static_cast<double>(memory.events);
  fmt::print(
      "segment memory bytes_per_event={:.2f} (blocks {:.2f} + who-did-it bitmaps {:.2f}) "
      "bytes_per_customer={:.1f} (ids+refs {:.1f}, columns {:.1f}, indexes {:.1f}) "
      "engine_mb={:.0f} writer_mb={:.0f} rss_mb={:.0f}\n",
      (memory.event_bytes + memory.event_type_bytes) / events, memory.event_bytes / events,
      memory.event_type_bytes / events,
      (memory.customer_bytes + memory.column_bytes + memory.index_bytes) / customers,
      memory.customer_bytes / customers, memory.column_bytes / customers,
      memory.index_bytes / customers, memory.total() / 1e6, engine.WriterMemoryBytes() / 1e6,
      RssMb());
}

constexpr std::pair<char, std::string_view> kQueries[] = {
    {'a',
     "age between 25 and 35 and aum > 500000 and did view_product at least 3 times in "
     "last 30 days"},
    {'b',
     "age between 25 and 35 and aum > 500000 and did view_product at least 3 times in "
     "last 30 days and within 1.5 km of branch \"Xixi\""},
    {'c',
     "has tag payroll or has tag card_holder or has tag fund_buyer or has tag mortgage or "
     "has tag young_pro"},
};

int Run(const Args& args) {
  Engine engine({{"age", AttributeKind::kInteger},
                 {"aum", AttributeKind::kDecimal},
                 {"tier", AttributeKind::kString},
                 {"home_latitude", AttributeKind::kDecimal},
                 {"home_longitude", AttributeKind::kDecimal}});
  BenchTags tags;
  Dump dump(args.dump_dir);
  Build(args, engine, tags, dump);
  engine.Compact();
  std::shared_ptr<const Snapshot> snapshot = engine.snapshot();
  const Timing raw = Time(args.repeats, [&] { return CountSegment(*snapshot).Cardinality(); });
  fmt::print("segment {}\n", Figures(raw, args.repeats));
  PrintParts(*snapshot, args.repeats);

  static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
  segment::EvalContext context;
  context.now = FromUnixMicros(kNow * 1'000'000);
  context.calendar = &calendar;
  context.memberships = &tags;
  context.branches["Xixi"] = {kXixiLatitude / 1e6, kXixiLongitude / 1e6};
  for (const auto& query : kQueries) {
    const char name = query.first;
    const std::string_view text = query.second;
    const Timing timing = Time(args.repeats, [&] {
      const Result<segment::Expr> expr = segment::Parse(text);
      CHECK(expr.ok(), "{}", expr.status().ToString());
      const Result<Bitmap> members = segment::Evaluate(*expr, *snapshot, context);
      CHECK(members.ok(), "{}", members.status().ToString());
      return members->Cardinality();
    });
    fmt::print("segment query={} {} expr={}\n", name, Figures(timing, args.repeats), text);
    CHECK(name != 'a' || timing.count == raw.count, "Evaluate counted {}, the primitives {}",
          timing.count, raw.count);
  }
  PrintMemory(*snapshot, engine);
  return 0;
}

}  // namespace
}  // namespace banyan::engine

int main(int argc, char** argv) {
  banyan::engine::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--customers")
      args.customers = std::atoll(value);
    else if (flag == "--events")
      args.events = std::atoll(value);
    else if (flag == "--seed")
      args.seed = std::strtoull(value, nullptr, 10);
    else if (flag == "--repeats")
      args.repeats = std::atoi(value);
    else if (flag == "--batch")
      args.batch = std::atoll(value);
    else if (flag == "--dump")
      args.dump_dir = value;
    else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  if (args.customers <= 0 || args.events <= 0 || args.repeats <= 0 || args.batch <= 0) {
    fmt::print(stderr, "counts must be positive\n");
    return 2;
  }
  return banyan::engine::Run(args);
}
