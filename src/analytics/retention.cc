#include "analytics/retention.h"

#include <fmt/format.h>

#include <algorithm>
#include <bitset>
#include <functional>
#include <span>

#include "analytics/internal/event_match.h"
#include "analytics/internal/groups.h"
#include "analytics/internal/periods.h"
#include "analytics/internal/scan_loop.h"
#include "analytics/internal/stats.h"
#include "engine/scan.h"

namespace banyan::analytics {
namespace {

using internal::Periods;
using Retained = std::bitset<kRetentionPeriodsMax + 1>;

// One customer's place in the table: its cohort and the periods it came back in.
struct Outcome {
  int cohort = -1;
  Retained retained;  // bounded: bit n = came back in period n (bit 0 always)
  bool urr_active = false;
};

struct Tally {
  std::vector<int64_t> customers;
  std::vector<std::vector<int64_t>> retained;
  std::vector<int64_t> urr_active;
  Tally(size_t cohorts, int64_t periods)
      : customers(cohorts, 0),
        retained(cohorts, std::vector<int64_t>(periods + 1, 0)),
        urr_active(cohorts, 0) {}
  void Add(const Outcome& outcome) {
    const size_t c = static_cast<size_t>(outcome.cohort);
    ++customers[c];
    for (size_t n = 0; n < retained[c].size(); ++n) retained[c][n] += outcome.retained[n];
    urr_active[c] += outcome.urr_active;
  }
  void Merge(const Tally& other) {
    for (size_t c = 0; c < customers.size(); ++c) {
      customers[c] += other.customers[c];
      urr_active[c] += other.urr_active[c];
      for (size_t n = 0; n < retained[c].size(); ++n) retained[c][n] += other.retained[c][n];
    }
  }
};

using Collector = std::function<void(engine::CustomerIndex, int, const Outcome&)>;

struct Plan {
  const RetentionQuery& query;
  Periods periods;
  size_t cohorts = 0;
  uint32_t range_from = 0, range_to = 0, now_end = 0;  // engine time; now_end exclusive
  std::vector<uint32_t> urr_from;                      // per cohort
};

Plan MakePlan(const QueryContext& context, const RetentionQuery& query) {
  const BusinessCalendar& calendar = *context.calendar;
  CivilDay last = internal::PeriodStart(query.interval, query.range.to);
  for (int64_t n = 0; n <= query.periods; ++n) last = internal::NextPeriod(query.interval, last);
  Plan plan{query, Periods::Make(calendar, query.interval, query.range.from, last - 1), 0, 0, 0, 0,
            {}};
  plan.cohorts = static_cast<size_t>(
      plan.periods.Index(internal::EngineTime(
          ToUnixSeconds(calendar.StartOf(internal::PeriodStart(query.interval, query.range.to))))) +
      1);
  plan.range_from = internal::EngineTime(ToUnixSeconds(calendar.StartOf(query.range.from)));
  plan.range_to = internal::EngineTime(ToUnixSeconds(calendar.StartOf(query.range.to + 1)));
  plan.now_end = internal::EngineTime(ToUnixSeconds(context.now) + 1);
  for (size_t c = 0; c < plan.cohorts; ++c) {
    const CivilDay next = internal::NextPeriod(query.interval, plan.periods.FirstDay(c));
    const CivilDay from = std::max(plan.periods.FirstDay(c), next - query.urr_active_days);
    plan.urr_from.push_back(internal::EngineTime(ToUnixSeconds(calendar.StartOf(from))));
  }
  return plan;
}

// The periods after the start in which the customer did the return event.
Outcome Follow(const Plan& plan, const internal::SequenceView& view,
               const internal::CompiledFilter& back, uint32_t start_time, int cohort) {
  Outcome outcome;
  outcome.cohort = cohort;
  outcome.retained.set(0);
  if (back.never()) return outcome;
  const int64_t periods = plan.query.periods;
  const uint32_t cohort_end = plan.periods.End(static_cast<size_t>(cohort));
  const uint32_t urr_from = std::max(plan.urr_from[static_cast<size_t>(cohort)], start_time);
  int64_t furthest = 0;
  internal::SequenceWalk walk(view);
  const uint32_t end = view.LowerBound(plan.now_end);
  for (uint32_t i = view.LowerBound(std::min(urr_from, cohort_end)); i < end; ++i) {
    if (view.types[i] != back.type() || !back.Passes(view, i, walk)) continue;
    const uint32_t t = view.times[i];
    if (t < cohort_end) {
      outcome.urr_active = outcome.urr_active || t >= urr_from;
      continue;
    }
    const int p = plan.periods.Index(t);
    // Past the table: later than every reported period.
    const int64_t n = p < 0 ? periods + 1 : p - cohort;
    if (n >= 1 && n <= periods) outcome.retained.set(static_cast<size_t>(n));
    furthest = std::max(furthest, std::min(n, periods));
    if (n >= periods && (plan.query.unbounded || n > periods)) break;  // nothing more to learn
  }
  if (plan.query.unbounded) {
    for (int64_t n = 1; n <= furthest; ++n) outcome.retained.set(static_cast<size_t>(n));
  }
  return outcome;
}

struct RawRun {
  std::vector<Tally> groups;
  std::vector<std::string> names;
};

// The candidates are split over context.threads slices (internal/scan_loop.h) unless `collect`
// is given (it is called in customer order, on the calling thread); the slices' tallies merge in
// slice order, so groups are numbered as one thread would number them.
Result<RawRun> Scan(const QueryContext& context, const Plan& plan, Tally* overall,
                    const Collector& collect) {
  const engine::Snapshot& snapshot = *context.snapshot;
  const RetentionQuery& query = plan.query;
  const internal::CompiledFilter back =
      internal::CompiledFilter::Compile(snapshot, query.return_event);
  const internal::CompiledFilter start = internal::CompiledFilter::Compile(snapshot, query.start);
  const bool by_event = internal::ReadsEvents(query.group_by);
  const bool by_customer = query.group_by.kind != GroupKind::kNone && !by_event;

  engine::Bitmap candidates = context.population & snapshot.live();
  // What groups by customer are made of: the candidates as without the property-value index.
  engine::Bitmap grouped;
  std::vector<std::pair<engine::CustomerIndex, int64_t>> since;  // kCustomerSince, by index
  if (query.cohort_by == CohortBy::kFirstEvent) {
    candidates = start.never() ? engine::Bitmap() : candidates & snapshot.EverDid(start.type());
    grouped = candidates;
    // Who never did a matching start event is in no cohort.
    if (context.property_index) candidates &= start.MayMatch(snapshot, true);
  } else {
    Result<std::vector<std::pair<engine::CustomerIndex, int64_t>>> values =
        engine::NumericValues(snapshot, kCustomerSinceAttribute, candidates);
    if (values.ok()) since = std::move(*values);
    candidates = engine::Bitmap();
    for (const auto& [index, day] : since) candidates.Add(index);
    grouped = candidates;
  }

  RawRun run;
  std::optional<internal::CustomerGroups> customer_groups;
  if (by_customer) {
    ASSIGN_OR_RETURN(customer_groups,
                     internal::CustomerGroups::Make(context, query.group_by, grouped));
    run.names = customer_groups->names();
    run.groups.assign(run.names.size(), Tally(plan.cohorts, query.periods));
  }
  struct Slice {
    Tally overall;
    RawRun run;
    internal::EventGroups event_groups;
  };
  const std::vector<uint32_t> customers = candidates.ToVector();
  const int count = collect ? 1 : internal::SliceCount(context, customers.size());
  std::vector<Slice> slices;
  for (int s = 0; s < count; ++s) {
    slices.push_back({Tally(plan.cohorts, query.periods), RawRun{run.groups, {}},
                      internal::EventGroups(snapshot, query.group_by)});
  }
  const CivilDay epoch(1970, 1, 1);
  RETURN_IF_ERROR(
      internal::ForEachSlice(customers, count, [&](int s, std::span<const uint32_t> part) {
        Slice& slice = slices[s];
        std::vector<uint32_t> groups;
        // `since` is in index order, as the customers are: this slice's first customer onwards.
        size_t next_since =
            part.empty()
                ? 0
                : static_cast<size_t>(std::lower_bound(since.begin(), since.end(),
                                                       std::make_pair(part.front(), INT64_MIN)) -
                                      since.begin());
        return internal::ForEachIn(context, part, [&](uint32_t index) {
          const internal::SequenceView view = snapshot.Sequence(index);
          uint32_t start_time = 0;
          std::optional<uint64_t> key;
          if (query.cohort_by == CohortBy::kFirstEvent) {
            internal::SequenceWalk walk(view);
            const uint32_t end = view.LowerBound(plan.now_end);
            uint32_t i = 0;
            while (i < end && (view.types[i] != start.type() || !start.Passes(view, i, walk))) ++i;
            if (i == end) return;
            start_time = view.times[i];
            if (by_event) key = slice.event_groups.Key(view, i, walk);
          } else {
            while (since[next_since].first != index) ++next_since;
            const CivilDay day = epoch + since[next_since].second;
            start_time = internal::EngineTime(ToUnixSeconds(context.calendar->StartOf(day)));
          }
          if (start_time < plan.range_from || start_time >= plan.range_to) return;
          const int cohort = plan.periods.Index(start_time);
          const Outcome outcome = Follow(plan, view, back, start_time, cohort);
          slice.overall.Add(outcome);
          if (collect) collect(index, -1, outcome);
          groups.clear();
          if (by_customer) customer_groups->Of(index, &groups);
          if (key) {
            groups.push_back(slice.event_groups.Group(*key));
            if (groups.back() >= slice.run.groups.size()) {
              slice.run.groups.resize(groups.back() + 1, Tally(plan.cohorts, query.periods));
            }
          }
          for (const uint32_t g : groups) {
            slice.run.groups[g].Add(outcome);
            if (collect) collect(index, static_cast<int>(g), outcome);
          }
        });
      }));

  internal::EventGroups merged(snapshot, query.group_by);
  for (Slice& slice : slices) {
    overall->Merge(slice.overall);
    for (uint32_t g = 0; g < slice.run.groups.size(); ++g) {
      const uint32_t to = by_event ? merged.Group(slice.event_groups.KeyOf(g)) : g;
      if (to >= run.groups.size()) run.groups.resize(to + 1, Tally(plan.cohorts, query.periods));
      run.groups[to].Merge(slice.run.groups[g]);
    }
  }
  if (by_event) {
    for (uint32_t g = 0; g < merged.size(); ++g) run.names.push_back(merged.Name(g));
  }
  return run;
}

RetentionTable Finish(const Plan& plan, const Tally& tally, std::string name) {
  RetentionTable table;
  table.name = std::move(name);
  const int64_t periods = plan.query.periods;
  std::vector<int64_t> sum_retained(periods + 1, 0), sum_customers(periods + 1, 0);
  for (size_t c = 0; c < plan.cohorts; ++c) {
    RetentionCohort cohort;
    cohort.label = plan.periods.Label(c);
    cohort.customers = tally.customers[c];
    table.customers += cohort.customers;
    for (int64_t n = 0; n <= periods; ++n) {
      const size_t p = c + static_cast<size_t>(n);
      if (plan.periods.Start(p) >= plan.now_end) {  // not begun by now
        cohort.retained.push_back(std::nullopt);
        cohort.rates.push_back(std::nullopt);
        continue;
      }
      const int64_t retained = tally.retained[c][static_cast<size_t>(n)];
      cohort.retained.push_back(retained);
      cohort.rates.push_back(cohort.customers == 0 ? std::nullopt
                                                   : std::optional<double>(internal::Ratio(
                                                         retained, cohort.customers)));
      sum_retained[n] += retained;
      sum_customers[n] += cohort.customers;
    }
    if (plan.periods.End(c) <= plan.now_end && cohort.customers > 0) {
      cohort.urr = internal::Ratio(tally.urr_active[c], cohort.customers);
    }
    table.cohorts.push_back(std::move(cohort));
  }
  for (int64_t n = 0; n <= periods; ++n) {
    table.average_rates.push_back(sum_customers[n] == 0 ? std::nullopt
                                                        : std::optional<double>(internal::Ratio(
                                                              sum_retained[n], sum_customers[n])));
  }
  return table;
}

std::vector<uint32_t> Fold(const RawRun& run, std::vector<std::string>* names) {
  std::vector<int64_t> sizes;
  for (const Tally& tally : run.groups) {
    int64_t size = 0;
    for (const int64_t customers : tally.customers) size += customers;
    sizes.push_back(size);
  }
  return internal::FoldGroups(run.names, sizes, names);
}

}  // namespace

Status ValidateRetention(const RetentionQuery& query) {
  if (query.cohort_by == CohortBy::kFirstEvent) {
    RETURN_IF_ERROR(ValidateFilter(query.start, "/start"));
  } else if (internal::ReadsEvents(query.group_by)) {
    return InvalidArgumentError(
        "cohorts by customer_since have no start event to read a channel or property from",
        "/group_by/kind");
  }
  RETURN_IF_ERROR(ValidateFilter(query.return_event, "/return"));
  if (query.periods < 1 || query.periods > kRetentionPeriodsMax) {
    return InvalidArgumentError(
        fmt::format("1 to {} periods (kRetentionPeriodsMax)", kRetentionPeriodsMax), "/periods");
  }
  if (query.urr_active_days < 1 || query.urr_active_days > 31) {
    return InvalidArgumentError("1 to 31 days", "/urr_active_days");
  }
  RETURN_IF_ERROR(ValidateRange(query.range, "/range"));
  return ValidateGroupBy(query.group_by, "/group_by");
}

Result<RetentionResult> RunRetention(const QueryContext& context, const RetentionQuery& query) {
  RETURN_IF_ERROR(ValidateRetention(query));
  const Plan plan = MakePlan(context, query);
  Tally overall(plan.cohorts, query.periods);
  ASSIGN_OR_RETURN(const RawRun raw, Scan(context, plan, &overall, nullptr));
  RetentionResult result;
  result.overall = Finish(plan, overall, "");
  std::vector<std::string> names;
  const std::vector<uint32_t> fold = Fold(raw, &names);
  std::vector<Tally> shown(names.size(), Tally(plan.cohorts, query.periods));
  for (size_t g = 0; g < raw.groups.size(); ++g) {
    shown[fold[g]].Merge(raw.groups[g]);
  }
  for (size_t g = 0; g < shown.size(); ++g)
    result.groups.push_back(Finish(plan, shown[g], names[g]));
  internal::SortGroups(result.groups, [](const RetentionTable& table) { return table.customers; });
  return result;
}

Result<engine::Bitmap> RetentionMembers(const QueryContext& context, const RetentionQuery& query,
                                        const RetentionSelection& selection) {
  RETURN_IF_ERROR(ValidateRetention(query));
  if (selection.period < 0 || selection.period > query.periods) {
    return InvalidArgumentError(fmt::format("period is 0 to {}", query.periods), "/select/period");
  }
  const Plan plan = MakePlan(context, query);
  int cohort = -1;
  for (size_t c = 0; c < plan.cohorts; ++c) {
    if (plan.periods.Label(c) == selection.cohort) cohort = static_cast<int>(c);
  }
  if (cohort < 0) {
    return InvalidArgumentError(fmt::format("no cohort {} in the result", selection.cohort),
                                "/select/cohort");
  }
  std::vector<std::pair<engine::CustomerIndex, int>> cells;
  const Collector collect = [&](engine::CustomerIndex index, int group, const Outcome& outcome) {
    if (outcome.cohort == cohort && outcome.retained[static_cast<size_t>(selection.period)]) {
      cells.emplace_back(index, group);
    }
  };
  Tally overall(plan.cohorts, query.periods);
  ASSIGN_OR_RETURN(const RawRun raw, Scan(context, plan, &overall, collect));
  std::vector<bool> wanted(raw.groups.size(), false);
  if (selection.group) {
    std::vector<std::string> names;
    const std::vector<uint32_t> fold = Fold(raw, &names);
    const auto named = std::find(names.begin(), names.end(), *selection.group);
    if (named == names.end()) {
      return InvalidArgumentError(fmt::format("no group {} in the result", *selection.group),
                                  "/select/group");
    }
    for (size_t g = 0; g < fold.size(); ++g) wanted[g] = fold[g] == named - names.begin();
  }
  std::vector<uint32_t> members;
  for (const auto& [index, group] : cells) {
    if (selection.group ? (group >= 0 && wanted[static_cast<size_t>(group)]) : group < 0) {
      members.push_back(index);
    }
  }
  engine::Bitmap out;
  out.AddMany(members);
  return out;
}

}  // namespace banyan::analytics
