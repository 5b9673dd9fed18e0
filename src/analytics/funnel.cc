#include "analytics/funnel.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <span>

#include "analytics/internal/event_match.h"
#include "analytics/internal/funnel_scan.h"
#include "analytics/internal/groups.h"
#include "analytics/internal/periods.h"
#include "analytics/internal/scan_loop.h"
#include "analytics/internal/stats.h"

namespace banyan::analytics {
namespace {

using internal::FunnelOutcome;

// One row being counted: customers by the deepest step they reached, and the time to each step.
struct Tally {
  std::vector<int64_t> at_level;               // index = steps reached
  std::vector<std::vector<uint32_t>> seconds;  // per step (from 1)

  explicit Tally(int steps) : at_level(steps + 1, 0), seconds(steps) {}
  void Add(const FunnelOutcome& outcome, FunnelOrder order) {
    ++at_level[outcome.level];
    for (int k = 1; k < outcome.level; ++k) {
      const uint32_t from = order == FunnelOrder::kStrict ? outcome.times[k - 1] : outcome.times[0];
      seconds[k].push_back(outcome.times[k] - from);
    }
  }
  void Merge(const Tally& other) {
    for (size_t l = 0; l < at_level.size(); ++l) at_level[l] += other.at_level[l];
    for (size_t k = 0; k < seconds.size(); ++k) {
      seconds[k].insert(seconds[k].end(), other.seconds[k].begin(), other.seconds[k].end());
    }
  }
  FunnelGroup Finish(std::string name) {
    FunnelGroup group{std::move(name), {}};
    const int n = static_cast<int>(seconds.size());
    int64_t reached = 0;
    std::vector<int64_t> customers(n);
    for (int k = n - 1; k >= 0; --k) customers[k] = (reached += at_level[k + 1]);
    for (int k = 0; k < n; ++k) {
      FunnelStep step;
      step.customers = customers[k];
      const int64_t previous = k == 0 ? customers[0] : customers[k - 1];
      step.drop_off = previous - customers[k];
      step.conversion_from_previous = internal::Ratio(customers[k], previous);
      step.conversion_from_first = internal::Ratio(customers[k], customers[0]);
      if (k > 0 && !seconds[k].empty()) {
        step.median_seconds = internal::NearestRank(seconds[k], 0.5);
        step.p90_seconds = internal::NearestRank(seconds[k], 0.9);
      }
      group.steps.push_back(step);
    }
    return group;
  }
};

// One counted customer in one group (-1 overall, else the run's raw group number): for
// FunnelMembers.
struct Cell {
  engine::CustomerIndex index = 0;
  int group = -1;
  int level = 0;
};

struct RawRun {
  Tally overall;
  std::vector<Tally> groups;
  std::vector<std::string> names;  // raw group names
  std::vector<Cell> cells;         // when collecting, in customer index order
};

// What one slice of the candidates counts. By event, its group numbers are its own
// `event_groups`' until the merge.
struct SliceRun {
  RawRun run;
  internal::EventGroups event_groups;
};

// Counts the customers of `slice` into `out`.
Status ScanSlice(const QueryContext& context, const FunnelQuery& query,
                 const internal::FilterSet& steps, const internal::FunnelBounds& bounds,
                 const internal::CustomerGroups* customer_groups, bool collect,
                 std::span<const uint32_t> slice, SliceRun* out) {
  const engine::Snapshot& snapshot = *context.snapshot;
  const int n = static_cast<int>(query.steps.size());
  const bool by_event = internal::ReadsEvents(query.group_by);
  RawRun& run = out->run;
  if (customer_groups != nullptr) run.groups.assign(customer_groups->names().size(), Tally(n));
  const internal::FunnelScan scan(steps, query.order, query.window_seconds, bounds,
                                  &out->event_groups);
  std::vector<uint64_t> keys;
  std::vector<uint32_t> groups;
  return internal::ForEachIn(context, slice, [&](uint32_t index) {
    const internal::SequenceView view = snapshot.Sequence(index);
    if (view.count == 0 || view.times[view.count - 1] < bounds.entry_from) return;
    const FunnelOutcome outcome = scan.Run(view, std::nullopt, by_event ? &keys : nullptr);
    if (outcome.level == 0) return;
    run.overall.Add(outcome, query.order);
    if (collect) run.cells.push_back({index, -1, outcome.level});
    if (customer_groups != nullptr) {
      groups.clear();
      customer_groups->Of(index, &groups);
      for (const uint32_t g : groups) {
        run.groups[g].Add(outcome, query.order);
        if (collect) run.cells.push_back({index, static_cast<int>(g), outcome.level});
      }
    } else if (by_event) {
      for (const uint64_t key : keys) {
        const FunnelOutcome mine = keys.size() == 1 ? outcome : scan.Run(view, key);
        const uint32_t g = out->event_groups.Group(key);
        if (g >= run.groups.size()) run.groups.resize(g + 1, Tally(n));
        run.groups[g].Add(mine, query.order);
        if (collect) run.cells.push_back({index, static_cast<int>(g), mine.level});
      }
    }
  });
}

// The candidates are split over context.threads slices (internal/scan_loop.h); the slices'
// tallies merge in slice order, so groups are numbered as one thread would number them.
Result<RawRun> Scan(const QueryContext& context, const FunnelQuery& query, const DateRange& range,
                    bool collect) {
  const engine::Snapshot& snapshot = *context.snapshot;
  const int n = static_cast<int>(query.steps.size());
  std::vector<internal::CompiledFilter> filters;
  for (const EventFilter& step : query.steps) {
    filters.push_back(internal::CompiledFilter::Compile(snapshot, step));
  }
  const internal::FilterSet steps(std::move(filters));
  RawRun run{Tally(n), {}, {}, {}};
  if (steps.filter(0).never()) return run;

  internal::FunnelBounds bounds;
  bounds.entry_from = internal::EngineTime(ToUnixSeconds(context.calendar->StartOf(range.from)));
  bounds.entry_to = internal::EngineTime(ToUnixSeconds(context.calendar->StartOf(range.to + 1)));
  const int64_t now_end = ToUnixSeconds(context.now) + 1;  // events at `now` are seen
  bounds.scan_end =
      std::min(internal::EngineTime(internal::UnixSeconds(bounds.entry_to) + query.window_seconds),
               internal::EngineTime(now_end));
  bounds.entry_to = std::min(bounds.entry_to, bounds.scan_end);

  // Groups by customer are made of (and folded by) everyone who did the entry's type, as without
  // the index; the scan reads only who may have entered: the property-value index narrows
  // `view_product where product = "card"` to the card's viewers.
  const engine::Bitmap did_type =
      context.population & snapshot.live() & snapshot.EverDid(steps.filter(0).type());
  const engine::Bitmap candidates =
      context.property_index ? did_type & steps.filter(0).MayMatch(snapshot, true) : did_type;
  const bool by_event = internal::ReadsEvents(query.group_by);
  const bool by_customer = query.group_by.kind != GroupKind::kNone && !by_event;
  std::optional<internal::CustomerGroups> customer_groups;
  if (by_customer) {
    ASSIGN_OR_RETURN(customer_groups,
                     internal::CustomerGroups::Make(context, query.group_by, did_type));
    run.names = customer_groups->names();
    run.groups.assign(run.names.size(), Tally(n));
  }
  const std::vector<uint32_t> customers = candidates.ToVector();
  const int count = internal::SliceCount(context, customers.size());
  std::vector<SliceRun> slices;
  for (int s = 0; s < count; ++s) {
    slices.push_back(
        {RawRun{Tally(n), {}, {}, {}}, internal::EventGroups(snapshot, query.group_by)});
  }
  RETURN_IF_ERROR(
      internal::ForEachSlice(customers, count, [&](int s, std::span<const uint32_t> slice) {
        return ScanSlice(context, query, steps, bounds,
                         customer_groups ? &*customer_groups : nullptr, collect, slice, &slices[s]);
      }));

  internal::EventGroups merged(snapshot, query.group_by);
  for (SliceRun& slice : slices) {
    run.overall.Merge(slice.run.overall);
    // This slice's group numbers in the run's.
    std::vector<uint32_t> to(slice.run.groups.size());
    for (uint32_t g = 0; g < to.size(); ++g) {
      to[g] = by_event ? merged.Group(slice.event_groups.KeyOf(g)) : g;
      if (to[g] >= run.groups.size()) run.groups.resize(to[g] + 1, Tally(n));
      run.groups[to[g]].Merge(slice.run.groups[g]);
    }
    for (Cell cell : slice.run.cells) {
      if (cell.group >= 0) cell.group = static_cast<int>(to[cell.group]);
      run.cells.push_back(cell);
    }
  }
  if (by_event) {
    for (uint32_t g = 0; g < merged.size(); ++g) run.names.push_back(merged.Name(g));
  }
  return run;
}

// Raw group -> shown group (folding past kGroupsMax), and the shown names.
std::vector<uint32_t> Fold(const RawRun& run, std::vector<std::string>* names) {
  std::vector<int64_t> sizes;
  for (const Tally& tally : run.groups)
    sizes.push_back(tally.at_level.size() > 1 ? [&] {
    int64_t entered = 0;
    for (size_t l = 1; l < tally.at_level.size(); ++l) entered += tally.at_level[l];
    return entered;
  }() : 0);
  return internal::FoldGroups(run.names, sizes, names);
}

Result<FunnelRun> RunOnce(const QueryContext& context, const FunnelQuery& query,
                          const DateRange& range) {
  ASSIGN_OR_RETURN(RawRun raw, Scan(context, query, range, false));
  FunnelRun run;
  run.range = range;
  run.overall = raw.overall.Finish("");
  std::vector<std::string> names;
  const std::vector<uint32_t> fold = Fold(raw, &names);
  const int n = static_cast<int>(query.steps.size());
  std::vector<Tally> shown(names.size(), Tally(n));
  for (size_t g = 0; g < raw.groups.size(); ++g) shown[fold[g]].Merge(raw.groups[g]);
  for (size_t g = 0; g < shown.size(); ++g) run.groups.push_back(shown[g].Finish(names[g]));
  internal::SortGroups(run.groups, [](const FunnelGroup& group) {
    return group.steps.empty() ? 0 : group.steps[0].customers;
  });
  return run;
}

}  // namespace

Status ValidateFunnel(const FunnelQuery& query) {
  if (query.steps.size() < kFunnelStepsMin || query.steps.size() > kFunnelStepsMax) {
    return InvalidArgumentError(fmt::format("a funnel has {} to {} steps (kFunnelStepsMax), not {}",
                                            kFunnelStepsMin, kFunnelStepsMax, query.steps.size()),
                                "/steps");
  }
  for (size_t i = 0; i < query.steps.size(); ++i) {
    RETURN_IF_ERROR(ValidateFilter(query.steps[i], fmt::format("/steps/{}", i)));
  }
  if (query.window_seconds < 1 || query.window_seconds > kFunnelWindowSecondsMax) {
    return InvalidArgumentError(
        fmt::format("the conversion window is 1 second to {} days (kFunnelWindowSecondsMax)",
                    kFunnelWindowSecondsMax / 86'400),
        "/window");
  }
  RETURN_IF_ERROR(ValidateRange(query.range, "/range"));
  if (query.compare_range) RETURN_IF_ERROR(ValidateRange(*query.compare_range, "/compare_range"));
  return ValidateGroupBy(query.group_by, "/group_by");
}

Result<FunnelResult> RunFunnel(const QueryContext& context, const FunnelQuery& query) {
  RETURN_IF_ERROR(ValidateFunnel(query));
  FunnelResult result;
  ASSIGN_OR_RETURN(result.current, RunOnce(context, query, query.range));
  if (query.compare_range) {
    ASSIGN_OR_RETURN(result.compare, RunOnce(context, query, *query.compare_range));
  }
  return result;
}

Result<engine::Bitmap> FunnelMembers(const QueryContext& context, const FunnelQuery& query,
                                     const FunnelSelection& selection) {
  RETURN_IF_ERROR(ValidateFunnel(query));
  const int n = static_cast<int>(query.steps.size());
  if (selection.step < 1 || selection.step > n ||
      (selection.kind == FunnelMembersKind::kDroppedAt && selection.step < 2)) {
    return InvalidArgumentError(fmt::format("step is 1 to {} (2 to {} for drop-offs)", n, n),
                                "/select/step");
  }
  if (selection.compare_range && !query.compare_range) {
    return InvalidArgumentError("the query has no compare_range", "/select/compare_range");
  }
  const DateRange& range = selection.compare_range ? *query.compare_range : query.range;
  ASSIGN_OR_RETURN(const RawRun raw, Scan(context, query, range, true));
  // Which raw groups the selection names (several when it names the folded "(other)").
  std::vector<bool> wanted(raw.groups.size(), false);
  bool overall = !selection.group.has_value();
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
  for (const auto& [index, group, level] : raw.cells) {
    if (group < 0 ? !overall : (overall || !wanted[group])) continue;
    bool in = false;
    switch (selection.kind) {
      case FunnelMembersKind::kReached:
        in = level >= selection.step;
        break;
      case FunnelMembersKind::kDroppedAt:
        in = level == selection.step - 1;
        break;
      case FunnelMembersKind::kConverted:
        in = level == n;
        break;
    }
    if (in) members.push_back(index);
  }
  engine::Bitmap out;
  out.AddMany(members);
  return out;
}

}  // namespace banyan::analytics
