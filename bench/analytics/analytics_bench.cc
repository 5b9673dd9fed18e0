// analytics_bench: builds the engine in memory from a deterministic generator — N customers who
// open their accounts evenly over a year (an `open_account` event each), then sessions through
// five channels: browsing (login, then 0–5 of view_home, view_balance, transfer, search,
// view_product ...) and, in 8% of sessions, the card-application funnel view_product(card) →
// apply_card → submit_form → card_approved with per-channel step rates, the approval up to ten
// days later (past the window now and then) — M events in all, and times on the analytics
// functions the API calls:
//
//   funnel      the 4 steps, window 7 days, strict order, entries over the whole year
//   funnel_by_channel   the same grouped by the entry's channel
//   retention   cohorts by first open_account, return login, 30 daily periods, 30 cohorts
//   mau         activity by month over the 12 months (every event counts)
//
// One line per figure:
//
//   analytics data customers=… events=… seed=… span_days=365
//   analytics apply events_per_s=… seconds=…
//   analytics query=NAME median_ms=… min_ms=… max_ms=… repeats=… answer=…
//   analytics memory engine_mb=… rss_mb=… peak_rss_mb=…
//
//   analytics_bench [--customers N] [--events M] [--seed S] [--repeats R] [--threads T]
//                   [--dump DIR]
//
// --threads T: threads per query (default: the machine's cores up to kQueryThreadsMax, as the
// API's handlers run queries).
//
// --dump DIR writes DIR/events.tsv (person, Unix seconds, type, channel name, product) for the
// peers of bench/analytics/run.sh, and the engine's answers in the form the peers print them:
// DIR/banyan_funnel.tsv (group, step, customers; group "all" overall), DIR/banyan_retention.tsv
// (cohort day, period, retained; periods 1..30) and DIR/banyan_mau.tsv (month, active).

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/activity.h"
#include "analytics/funnel.h"
#include "analytics/query_json.h"
#include "analytics/retention.h"
#include "base/random.h"
#include "engine/engine.h"
#include "events/event.h"

namespace banyan::analytics {
namespace {

// 2026-01-01 00:00 in Shanghai: the data is the year before it.
constexpr int64_t kNow = 1'767'196'800;
constexpr int64_t kDay = 86'400;
constexpr int64_t kSpanDays = 365;
constexpr int64_t kStart = kNow - kSpanDays * kDay;
constexpr int64_t kWindowSeconds = 7 * kDay;
constexpr double kFunnelSessionShare = 0.08;
// Browsing: 1 + 2.5 events; the funnel: about 1.6 (spreads the sessions over the year).
constexpr double kEventsPerSession = 0.92 * 3.5 + 0.08 * 1.6;

struct Args {
  int64_t customers = 1'000'000;
  int64_t events = 10'000'000;
  uint64_t seed = 42;
  int repeats = 21;
  int threads = 0;  // 0: DefaultQueryThreads(), as the API runs queries
  std::string dump_dir;
};

struct ChannelMix {
  events::Channel channel;
  int weight;
  double rates[3];  // view → apply → submit → approved
};
constexpr ChannelMix kChannels[] = {
    {events::Channel::kApp, 40, {0.35, 0.62, 0.86}},
    {events::Channel::kWechat, 25, {0.429, 0.415, 0.537}},
    {events::Channel::kAlipay, 20, {0.22, 0.494, 0.93}},
    {events::Channel::kWeb, 10, {0.30, 0.55, 0.80}},
    {events::Channel::kBranch, 5, {0.58, 0.83, 0.71}},
};
constexpr std::string_view kBrowse[] = {"view_home",    "view_balance", "transfer",       "search",
                                        "view_product", "pay_bill",     "view_statement", "logout"};
constexpr std::string_view kProducts[] = {"card", "fund", "loan", "deposit", "insurance", "gold"};
constexpr std::string_view kSteps[] = {"view_product", "apply_card", "submit_form",
                                       "card_approved"};

class Generator {
 public:
  explicit Generator(const Args& args)
      : args_(args),
        random_(args.seed),
        sessions_(static_cast<double>(args.events - args.customers) / kEventsPerSession) {}

  // The next batch of about `size` events in time order (a live stream: sessions' later steps
  // wait in a queue until their time comes); empty at the end.
  engine::Batch Next(int64_t size) {
    engine::Batch batch;
    while (static_cast<int64_t>(batch.events.size()) < size) {
      const bool done = pushed_ >= args_.events;
      if (!pending_.empty() && (done || pending_.top().time_seconds <= SessionTime())) {
        Pop(batch);
      } else if (done) {
        break;
      } else if (next_person_ <= args_.customers && JoinTime(next_person_) <= SessionTime()) {
        Emit(next_person_, JoinTime(next_person_), events::Channel::kBranch, "open_account", "");
        ++next_person_;
      } else {
        Session();
        ++session_;
      }
    }
    return batch;
  }

  std::ofstream* dump = nullptr;

 private:
  int64_t JoinTime(int64_t person) const {
    return kStart + (kSpanDays * kDay) * (person - 1) / args_.customers;
  }
  int64_t SessionTime() const {
    const double at = std::min(1.0, static_cast<double>(session_) / sessions_);
    return kStart + static_cast<int64_t>(at * static_cast<double>(kSpanDays * kDay - 3600));
  }

  void Emit(int64_t person, int64_t t, events::Channel channel, std::string_view type,
            std::string_view product) {
    if (pushed_ >= args_.events || t >= kNow) return;
    engine::EventRecord event;
    event.person = person;
    event.time_seconds = t;
    event.type = std::string(type);
    event.channel = static_cast<uint8_t>(channel);
    if (!product.empty()) event.properties.push_back({"product", std::string(product)});
    pending_.push(std::move(event));
    ++pushed_;
  }

  void Pop(engine::Batch& batch) {
    engine::EventRecord event = pending_.top();
    pending_.pop();
    if (dump != nullptr) {
      const std::string_view product =
          event.properties.empty() ? "" : std::get<std::string>(event.properties[0].value);
      *dump << event.person << '\t' << event.time_seconds << '\t' << event.type << '\t'
            << events::ChannelName(static_cast<events::Channel>(event.channel)) << '\t' << product
            << '\n';
    }
    batch.events.push_back(std::move(event));
  }

  void Session() {
    const int64_t t0 = SessionTime();
    const int64_t joined = std::max<int64_t>(1, std::min(next_person_ - 1, args_.customers));
    // Half the sessions from anyone who has joined, half skewed to recent joiners.
    const double u = random_.UniformDouble();
    const int64_t person =
        random_.Uniform(2) == 0
            ? 1 + static_cast<int64_t>(u * static_cast<double>(joined))
            : std::max<int64_t>(1,
                                joined - static_cast<int64_t>(u * u * static_cast<double>(joined)));
    int pick = static_cast<int>(random_.Uniform(100));
    const ChannelMix* mix = kChannels;
    while (pick >= mix->weight) pick -= (mix++)->weight;
    int64_t t = std::max(t0, JoinTime(person) + 1);
    if (random_.UniformDouble() < kFunnelSessionShare) {
      Emit(person, t, mix->channel, kSteps[0], "card");
      const int64_t gaps[3] = {30 + static_cast<int64_t>(random_.Uniform(1800)),
                               60 + static_cast<int64_t>(random_.Uniform(7200)),
                               3600 + static_cast<int64_t>(random_.Uniform(10 * kDay))};
      for (int k = 0; k < 3; ++k) {
        if (random_.UniformDouble() >= mix->rates[k]) return;
        t += gaps[k];
        Emit(person, t, mix->channel, kSteps[k + 1], "");
      }
      return;
    }
    Emit(person, t, mix->channel, "login", "");
    const int more = static_cast<int>(random_.Uniform(6));
    for (int i = 0; i < more; ++i) {
      t += 5 + static_cast<int64_t>(random_.Uniform(300));
      const std::string_view type = kBrowse[random_.Uniform(std::size(kBrowse))];
      const std::string_view product =
          type == "view_product" ? kProducts[random_.Uniform(std::size(kProducts))] : "";
      Emit(person, t, mix->channel, type, product);
    }
  }

  const Args& args_;
  SeededRandom random_;
  double sessions_;  // expected sessions, for spreading them over the year
  int64_t session_ = 0;
  int64_t next_person_ = 1;
  int64_t pushed_ = 0;
  struct Later {
    bool operator()(const engine::EventRecord& a, const engine::EventRecord& b) const {
      return a.time_seconds > b.time_seconds;
    }
  };
  std::priority_queue<engine::EventRecord, std::vector<engine::EventRecord>, Later> pending_;
};

using SteadyClock = std::chrono::steady_clock;

struct Timing {
  std::vector<double> ms;  // sorted
  double median() const { return ms[ms.size() / 2]; }
};

template <typename Fn>
Timing Time(int repeats, Fn&& run) {
  Timing timing;
  for (int r = 0; r < repeats; ++r) {
    const auto start = SteadyClock::now();
    run();
    timing.ms.push_back(
        std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count());
  }
  std::sort(timing.ms.begin(), timing.ms.end());
  return timing;
}

void PrintTiming(std::string_view name, const Timing& t, int repeats, const std::string& answer) {
  fmt::print(
      "analytics query={} median_ms={:.2f} min_ms={:.2f} max_ms={:.2f} repeats={} answer={}\n",
      name, t.median(), t.ms.front(), t.ms.back(), repeats, answer);
}

double StatusMb(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::atof(line.c_str() + field.size()) / 1024;
  }
  return 0;
}

CivilDay DayOf(int64_t unix_seconds, const BusinessCalendar& calendar) {
  return calendar.DayOf(FromUnixMicros(unix_seconds * 1'000'000));
}

FunnelQuery Funnel(const BusinessCalendar& calendar) {
  FunnelQuery query;
  for (const std::string_view step : kSteps) query.steps.push_back({std::string(step), {}, {}});
  query.steps[0].where.push_back({"product", engine::Compare::kEq, {std::string("card")}});
  query.window_seconds = kWindowSeconds;
  query.range = {DayOf(kStart, calendar), DayOf(kNow - 1, calendar)};
  return query;
}

std::string StepsText(const FunnelGroup& group) {
  std::string out;
  for (const FunnelStep& step : group.steps)
    out += fmt::format("{}{}", out.empty() ? "" : ",", step.customers);
  return out;
}

int Run(const Args& args) {
  engine::Engine engine({{"tier", engine::AttributeKind::kString}});
  std::ofstream events_tsv;
  Generator generator(args);
  if (!args.dump_dir.empty()) {
    events_tsv.open(args.dump_dir + "/events.tsv");
    CHECK(events_tsv.good(), "cannot write {}/events.tsv", args.dump_dir);
    generator.dump = &events_tsv;
  }
  fmt::print("analytics data customers={} events={} seed={} span_days={}\n", args.customers,
             args.events, args.seed, kSpanDays);
  double apply_seconds = 0;
  for (;;) {
    engine::Batch batch = generator.Next(50'000);
    if (batch.events.empty()) break;
    const auto start = SteadyClock::now();
    const auto report = engine.Apply(batch);
    apply_seconds += std::chrono::duration<double>(SteadyClock::now() - start).count();
    CHECK(report.ok(), "{}", report.status().ToString());
  }
  if (events_tsv.is_open()) {
    events_tsv.close();
    CHECK(!events_tsv.fail(), "writing events.tsv failed");
  }
  engine.Compact();
  fmt::print("analytics apply events_per_s={:.0f} seconds={:.2f}\n",
             static_cast<double>(args.events) / apply_seconds, apply_seconds);

  const std::shared_ptr<const engine::Snapshot> snapshot = engine.snapshot();
  static const BusinessCalendar calendar = *BusinessCalendar::Create("Asia/Shanghai");
  QueryContext context;
  context.snapshot = snapshot.get();
  context.population = snapshot->live();
  context.calendar = &calendar;
  context.now = FromUnixMicros(kNow * 1'000'000);
  context.threads = args.threads > 0 ? args.threads : DefaultQueryThreads();
  fmt::print("analytics threads={}\n", context.threads);

  FunnelQuery funnel = Funnel(calendar);
  FunnelResult overall;
  const Timing t_funnel = Time(args.repeats, [&] { overall = *RunFunnel(context, funnel); });
  PrintTiming("funnel", t_funnel, args.repeats, StepsText(overall.current.overall));
  funnel.group_by.kind = GroupKind::kChannel;
  FunnelResult by_channel;
  const Timing t_channel = Time(args.repeats, [&] { by_channel = *RunFunnel(context, funnel); });
  std::string groups;
  for (const FunnelGroup& g : by_channel.current.groups) {
    groups += fmt::format("{}{}:{}", groups.empty() ? "" : ";", g.name, StepsText(g));
  }
  PrintTiming("funnel_by_channel", t_channel, args.repeats, groups);
  // The same without the engine's property-value index (every viewer walked, as before it): the
  // answer must not change.
  QueryContext unindexed = context;
  unindexed.property_index = false;
  FunnelResult walked;
  const Timing t_walked = Time(args.repeats, [&] { walked = *RunFunnel(unindexed, funnel); });
  CHECK(FunnelResultJson(funnel, walked).dump() == FunnelResultJson(funnel, by_channel).dump(),
        "the funnel by channel differs without the property-value index");
  PrintTiming("funnel_by_channel_unindexed", t_walked, args.repeats, "same answer");

  RetentionQuery retention;
  retention.start = {"open_account", {}, {}};
  retention.return_event = {"login", {}, {}};
  retention.interval = Interval::kDay;
  retention.periods = 30;
  retention.range = {DayOf(kNow - 90 * kDay, calendar), DayOf(kNow - 61 * kDay, calendar)};
  RetentionResult cohorts;
  const Timing t_retention =
      Time(args.repeats, [&] { cohorts = *RunRetention(context, retention); });
  PrintTiming("retention", t_retention, args.repeats,
              fmt::format("cohorts={} customers={}", cohorts.overall.cohorts.size(),
                          cohorts.overall.customers));

  ActivityQuery mau;
  mau.interval = Interval::kMonth;
  mau.range = {DayOf(kStart, calendar), DayOf(kNow - 1, calendar)};
  ActivityResult months;
  const Timing t_mau = Time(args.repeats, [&] { months = *RunActivity(context, mau); });
  std::string actives;
  for (const ActivityPoint& p : months.overall.points) {
    actives += fmt::format("{}{}", actives.empty() ? "" : ",", p.active);
  }
  PrintTiming("mau", t_mau, args.repeats, actives);

  if (!args.dump_dir.empty()) {
    std::ofstream out(args.dump_dir + "/banyan_funnel.tsv");
    auto rows = [&](std::string_view name, const FunnelGroup& g) {
      for (size_t k = 0; k < g.steps.size(); ++k) {
        out << name << '\t' << k + 1 << '\t' << g.steps[k].customers << '\n';
      }
    };
    rows("all", overall.current.overall);
    for (const FunnelGroup& g : by_channel.current.groups) rows(g.name, g);
    std::ofstream ret(args.dump_dir + "/banyan_retention.tsv");
    for (const RetentionCohort& c : cohorts.overall.cohorts) {
      for (size_t n = 1; n < c.retained.size(); ++n) {
        ret << c.label << '\t' << n << '\t' << c.retained[n].value_or(-1) << '\n';
      }
    }
    std::ofstream m(args.dump_dir + "/banyan_mau.tsv");
    for (const ActivityPoint& p : months.overall.points) m << p.period << '\t' << p.active << '\n';
  }
  const engine::MemoryStats memory = snapshot->Memory();
  fmt::print(
      "analytics memory engine_mb={:.0f} bytes_per_event={:.2f} property_index_mb={:.1f} "
      "rss_mb={:.0f} peak_rss_mb={:.0f}\n",
      memory.total() / 1e6,
      static_cast<double>(memory.total()) / static_cast<double>(memory.events),
      memory.property_index_bytes / 1e6, StatusMb("VmRSS:"), StatusMb("VmHWM:"));
  return 0;
}

}  // namespace
}  // namespace banyan::analytics

int main(int argc, char** argv) {
  banyan::analytics::Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--customers") {
      args.customers = std::atoll(value);
    } else if (flag == "--events") {
      args.events = std::atoll(value);
    } else if (flag == "--seed") {
      args.seed = std::strtoull(value, nullptr, 10);
    } else if (flag == "--repeats") {
      args.repeats = std::atoi(value);
    } else if (flag == "--threads") {
      args.threads = std::atoi(value);
    } else if (flag == "--dump") {
      args.dump_dir = value;
    } else {
      fmt::print(stderr, "unknown flag {}\n", flag);
      return 2;
    }
  }
  if (args.customers <= 0 || args.events <= args.customers || args.repeats <= 0) {
    fmt::print(stderr, "counts must be positive, with more events than customers\n");
    return 2;
  }
  return banyan::analytics::Run(args);
}
