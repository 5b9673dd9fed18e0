#include "analytics/activity.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "analytics/internal/event_match.h"
#include "analytics/internal/groups.h"
#include "analytics/internal/periods.h"
#include "analytics/internal/scan_loop.h"
#include "analytics/internal/stats.h"
#include "events/event.h"

namespace banyan::analytics {
namespace {

using internal::Periods;
constexpr uint32_t kNever = std::numeric_limits<uint32_t>::max();
constexpr size_t kWeekDays = 7, kMonthDays = 30;

// One customer (under one key: overall or a channel): when it was first active, and the periods
// and days it was active in.
struct Trace {
  uint32_t first = kNever;
  std::vector<bool> periods;  // the table: the period before the range, then the range's
  std::vector<bool> days;     // day intervals: the 29 days before the range, then the range's
  bool any = false;
  void Reset(size_t period_count, size_t day_count) {
    first = kNever;
    any = false;
    periods.assign(period_count, false);
    days.assign(day_count, false);
  }
};

struct Tally {
  std::vector<int64_t> active, fresh, returning, resurrected, dormant;
  std::vector<int64_t> week_diff, month_diff;  // over the day table, difference arrays
  int64_t customers = 0;
  Tally(size_t periods, size_t days)
      : active(periods),
        fresh(periods),
        returning(periods),
        resurrected(periods),
        dormant(periods),
        week_diff(days + 1),
        month_diff(days + 1) {}

  void Add(const Trace& trace, const Periods& table) {
    if (!trace.any) return;
    const int first = trace.first == kNever ? -1 : table.Index(trace.first);
    bool counted = false;
    for (size_t p = 1; p < trace.periods.size(); ++p) {
      const bool now = trace.periods[p], before = trace.periods[p - 1];
      if (now) {
        counted = true;
        ++active[p];
        if (first == static_cast<int>(p)) {
          ++fresh[p];
        } else if (before) {
          ++returning[p];
        } else {
          ++resurrected[p];
        }
      } else if (before) {
        --dormant[p];
      }
    }
    customers += counted;
    Cover(trace.days, kWeekDays, week_diff);
    Cover(trace.days, kMonthDays, month_diff);
  }

  // Adds 1 on every day within `span` days after an active day (the day itself included).
  static void Cover(const std::vector<bool>& days, size_t span, std::vector<int64_t>& diff) {
    size_t covered = 0;  // days before this are covered
    for (size_t d = 0; d < days.size(); ++d) {
      if (!days[d]) continue;
      const size_t begin = std::max(d, covered);
      const size_t end = std::min(d + span, days.size());
      if (begin < end) {
        ++diff[begin];
        --diff[end];
        covered = end;
      }
    }
  }

  void Merge(const Tally& other) {
    auto add = [](std::vector<int64_t>& to, const std::vector<int64_t>& from) {
      for (size_t i = 0; i < to.size(); ++i) to[i] += from[i];
    };
    add(active, other.active);
    add(fresh, other.fresh);
    add(returning, other.returning);
    add(resurrected, other.resurrected);
    add(dormant, other.dormant);
    add(week_diff, other.week_diff);
    add(month_diff, other.month_diff);
    customers += other.customers;
  }
};

struct Plan {
  Periods table;  // interval periods: the one before the range, then the range's
  Periods days;   // day intervals: 29 days before the range, then the range's
  bool daily = false;
  uint32_t scan_from = 0, scan_end = 0;
};

ActivitySeries Finish(const Plan& plan, const Tally& tally, std::string name) {
  ActivitySeries series;
  series.name = std::move(name);
  series.customers = tally.customers;
  int64_t week = 0, month = 0;
  size_t day = 0;
  for (size_t p = 1; p < plan.table.size(); ++p) {
    ActivityPoint point;
    point.period = plan.table.Label(p);
    point.active = tally.active[p];
    point.new_customers = tally.fresh[p];
    point.returning = tally.returning[p];
    point.resurrected = tally.resurrected[p];
    point.dormant = tally.dormant[p];
    if (plan.daily) {
      // Day p of the table is day p + kMonthDays - 2 of the day table.
      const size_t target = p + kMonthDays - 2;
      for (; day <= target; ++day) {
        week += tally.week_diff[day];
        month += tally.month_diff[day];
      }
      point.wau = week;
      point.mau = month;
      point.stickiness = internal::Ratio(point.active, month);
    }
    series.points.push_back(std::move(point));
  }
  return series;
}

}  // namespace

Status ValidateActivity(const ActivityQuery& query) {
  if (query.events.size() > kActivityEventsMax) {
    return InvalidArgumentError(
        fmt::format("at most {} events (kActivityEventsMax)", kActivityEventsMax), "/events");
  }
  if (query.group_by.kind == GroupKind::kProperty) {
    return InvalidArgumentError("activity groups by channel, attribute, tag or branch",
                                "/group_by/kind");
  }
  RETURN_IF_ERROR(ValidateRange(query.range, "/range"));
  return ValidateGroupBy(query.group_by, "/group_by");
}

Result<ActivityResult> RunActivity(const QueryContext& context, const ActivityQuery& query) {
  RETURN_IF_ERROR(ValidateActivity(query));
  const engine::Snapshot& snapshot = *context.snapshot;
  const BusinessCalendar& calendar = *context.calendar;
  const CivilDay first = internal::PeriodStart(query.interval, query.range.from);
  Plan plan{Periods::Make(calendar, query.interval,
                          internal::PeriodStart(query.interval, first - 1), query.range.to),
            Periods::Make(calendar, Interval::kDay, first - (kMonthDays - 1), query.range.to)};
  plan.daily = query.interval == Interval::kDay;
  plan.scan_from = std::min(plan.table.Start(0), plan.days.Start(0));
  plan.scan_end = std::min(plan.table.End(plan.table.size() - 1),
                           internal::EngineTime(ToUnixSeconds(context.now) + 1));

  // Which event types are activity.
  const engine::internal::Catalog& catalog = snapshot.catalog();
  std::vector<bool> activity(catalog.event_types->size(), query.events.empty());
  engine::Bitmap candidates;
  if (query.events.empty()) {
    for (const std::string_view name : kNotActivity) {
      if (const auto id = catalog.event_types->Find(name)) activity[*id] = false;
    }
    candidates = context.population & snapshot.live();
  } else {
    for (const std::string& name : query.events) {
      if (const auto id = catalog.event_types->Find(name)) {
        activity[*id] = true;
        candidates |= snapshot.EverDid(*id);
      }
    }
    candidates &= context.population & snapshot.live();
  }

  const bool by_channel = query.group_by.kind == GroupKind::kChannel;
  const bool by_customer = query.group_by.kind != GroupKind::kNone && !by_channel;
  const size_t periods = plan.table.size(), days = plan.daily ? plan.days.size() : 0;
  std::optional<internal::CustomerGroups> customer_groups;
  std::vector<std::string> names;
  std::vector<Tally> groups;
  if (by_customer) {
    ASSIGN_OR_RETURN(customer_groups,
                     internal::CustomerGroups::Make(context, query.group_by, candidates));
    names = customer_groups->names();
    groups.assign(names.size(), Tally(periods, days));
  }
  std::vector<int> channel_group(256, -1);
  Tally overall(periods, days);
  Trace mine;
  std::vector<Trace> channels(256);
  std::vector<uint8_t> seen_channels;
  std::vector<uint32_t> customer_of;
  auto mark = [&](Trace& trace, uint32_t t) {
    if (trace.first == kNever) trace.first = t;
    if (t < plan.scan_from) return;
    const int p = plan.table.Index(t);
    if (p >= 0) trace.periods[static_cast<size_t>(p)] = true;
    if (plan.daily) {
      const int d = plan.days.Index(t);
      if (d >= 0) trace.days[static_cast<size_t>(d)] = true;
    }
    trace.any = true;
  };
  RETURN_IF_ERROR(internal::ForEachCustomer(context, candidates, [&](uint32_t index) {
    const internal::SequenceView view = snapshot.Sequence(index);
    const uint32_t end = view.LowerBound(plan.scan_end);
    mine.Reset(periods, days);
    for (const uint8_t c : seen_channels) channels[c].Reset(periods, days);
    seen_channels.clear();
    uint32_t i = 0;
    if (!by_channel) {  // only the first activity is needed before the tables
      while (i < end && !activity[view.types[i]]) ++i;
      if (i < end) mine.first = view.times[i];
      i = std::max(i, view.LowerBound(plan.scan_from));
    }
    for (; i < end; ++i) {
      if (!activity[view.types[i]]) continue;
      const uint32_t t = view.times[i];
      mark(mine, t);
      if (by_channel) {
        const uint8_t c = view.channels[i];
        if (std::find(seen_channels.begin(), seen_channels.end(), c) == seen_channels.end()) {
          seen_channels.push_back(c);
          channels[c].Reset(periods, days);
        }
        mark(channels[c], t);
      }
    }
    if (!mine.any) return;
    overall.Add(mine, plan.table);
    if (by_customer) {
      customer_of.clear();
      customer_groups->Of(index, &customer_of);
      for (const uint32_t g : customer_of) groups[g].Add(mine, plan.table);
    }
    for (const uint8_t c : seen_channels) {
      if (!channels[c].any) continue;
      if (channel_group[c] < 0) {
        channel_group[c] = static_cast<int>(groups.size());
        groups.emplace_back(periods, days);
        names.emplace_back(events::ChannelName(static_cast<events::Channel>(c)));
      }
      groups[static_cast<size_t>(channel_group[c])].Add(channels[c], plan.table);
    }
  }));
  ActivityResult result;
  result.overall = Finish(plan, overall, "");
  for (size_t g = 0; g < groups.size(); ++g)
    result.groups.push_back(Finish(plan, groups[g], names[g]));
  internal::SortGroups(result.groups,
                       [](const ActivitySeries& series) { return series.customers; });
  return result;
}

}  // namespace banyan::analytics
