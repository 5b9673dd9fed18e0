#include "analytics/trend.h"

#include <fmt/format.h>

#include <algorithm>

#include "analytics/internal/event_match.h"
#include "analytics/internal/groups.h"
#include "analytics/internal/periods.h"
#include "analytics/internal/scan_loop.h"

namespace banyan::analytics {
namespace {

// Per period: events, the scaled sum and how many events carried the property; customers.
struct Tally {
  std::vector<int64_t> events, sum, carried, customers;
  int64_t customers_total = 0;
  explicit Tally(size_t periods)
      : events(periods), sum(periods), carried(periods), customers(periods) {}
  void Merge(const Tally& other) {
    for (size_t p = 0; p < events.size(); ++p) {
      events[p] += other.events[p];
      sum[p] += other.sum[p];
      carried[p] += other.carried[p];
      customers[p] += other.customers[p];
    }
    customers_total += other.customers_total;
  }
  int64_t Size() const {
    int64_t n = 0;
    for (const int64_t e : events) n += e;
    return n;
  }
};

// One customer's marks in one tally, for uniques: events come in time order, so the period
// last counted is the only one to remember.
struct Marks {
  int last = -1;
  bool any = false;
};

TrendSeries Finish(const TrendQuery& query, const Tally& tally, std::string name) {
  TrendSeries series;
  series.name = std::move(name);
  int64_t events = 0, sum = 0, carried = 0;
  for (size_t p = 0; p < tally.events.size(); ++p) {
    events += tally.events[p];
    sum += tally.sum[p];
    carried += tally.carried[p];
    switch (query.measure) {
      case TrendMeasure::kCount:
        series.values.push_back(static_cast<double>(tally.events[p]));
        break;
      case TrendMeasure::kUniques:
        series.values.push_back(static_cast<double>(tally.customers[p]));
        break;
      case TrendMeasure::kSum:
        series.values.push_back(static_cast<double>(tally.sum[p]) / engine::kPropertyScale);
        break;
      case TrendMeasure::kAverage:
        series.values.push_back(
            tally.carried[p] == 0
                ? std::nullopt
                : std::optional<double>(static_cast<double>(tally.sum[p]) / engine::kPropertyScale /
                                        static_cast<double>(tally.carried[p])));
        break;
    }
  }
  switch (query.measure) {
    case TrendMeasure::kCount:
      series.total = static_cast<double>(events);
      break;
    case TrendMeasure::kUniques:
      series.total = static_cast<double>(tally.customers_total);
      break;
    case TrendMeasure::kSum:
      series.total = static_cast<double>(sum) / engine::kPropertyScale;
      break;
    case TrendMeasure::kAverage:
      series.total = carried == 0 ? 0
                                  : static_cast<double>(sum) / engine::kPropertyScale /
                                        static_cast<double>(carried);
      break;
  }
  return series;
}

}  // namespace

Status ValidateTrend(const TrendQuery& query) {
  RETURN_IF_ERROR(ValidateFilter(query.event, "/event"));
  const bool numeric =
      query.measure == TrendMeasure::kSum || query.measure == TrendMeasure::kAverage;
  if (numeric && query.property.empty()) {
    return InvalidArgumentError("sum and average need a numeric property", "/property");
  }
  if (!numeric && !query.property.empty()) {
    return InvalidArgumentError("a property goes with sum and average only", "/property");
  }
  RETURN_IF_ERROR(ValidateRange(query.range, "/range"));
  return ValidateGroupBy(query.group_by, "/group_by");
}

Result<TrendResult> RunTrend(const QueryContext& context, const TrendQuery& query) {
  RETURN_IF_ERROR(ValidateTrend(query));
  const engine::Snapshot& snapshot = *context.snapshot;
  const internal::Periods periods =
      internal::Periods::Make(*context.calendar, query.interval, query.range.from, query.range.to);
  const size_t n = periods.size();
  const uint32_t from =
      std::max(periods.Start(0),
               internal::EngineTime(ToUnixSeconds(context.calendar->StartOf(query.range.from))));
  const uint32_t to =
      std::min(internal::EngineTime(ToUnixSeconds(context.calendar->StartOf(query.range.to + 1))),
               internal::EngineTime(ToUnixSeconds(context.now) + 1));
  const internal::CompiledFilter filter = internal::CompiledFilter::Compile(snapshot, query.event);
  std::optional<uint32_t> property;
  if (!query.property.empty()) property = snapshot.catalog().property_keys->Find(query.property);

  // Groups by customer are made of who did the type, as without the property-value index; the
  // scan skips who never did a matching event (they count nothing).
  const engine::Bitmap did_type =
      filter.never() ? engine::Bitmap()
                     : context.population & snapshot.live() & snapshot.EverDid(filter.type());
  const engine::Bitmap candidates =
      context.property_index ? did_type & filter.MayMatch(snapshot, true) : did_type;
  const bool by_event = internal::ReadsEvents(query.group_by);
  const bool by_customer = query.group_by.kind != GroupKind::kNone && !by_event;
  std::optional<internal::CustomerGroups> customer_groups;
  std::vector<std::string> names;
  std::vector<Tally> groups;
  if (by_customer) {
    ASSIGN_OR_RETURN(customer_groups,
                     internal::CustomerGroups::Make(context, query.group_by, did_type));
    names = customer_groups->names();
    groups.assign(names.size(), Tally(n));
  }
  internal::EventGroups event_groups(snapshot, query.group_by);
  Tally overall(n);
  Marks overall_marks;
  std::vector<Marks> marks;  // per group, for the current customer
  std::vector<uint32_t> touched, customer_of;
  RETURN_IF_ERROR(internal::ForEachCustomer(context, candidates, [&](uint32_t index) {
    const internal::SequenceView view = snapshot.Sequence(index);
    internal::SequenceWalk walk(view);
    const uint32_t end = view.LowerBound(to);
    overall_marks = Marks{};
    touched.clear();
    customer_of.clear();
    if (by_customer) customer_groups->Of(index, &customer_of);
    auto count = [&](Tally& tally, Marks& mark, size_t p,
                     std::optional<internal::PropertyCellValue> cell) {
      ++tally.events[p];
      if (cell && !cell->is_string) {
        tally.sum[p] += cell->value;
        ++tally.carried[p];
      }
      if (mark.last != static_cast<int>(p)) {
        mark.last = static_cast<int>(p);
        ++tally.customers[p];
      }
      if (!mark.any) {
        mark.any = true;
        ++tally.customers_total;
      }
    };
    for (uint32_t i = view.LowerBound(from); i < end; ++i) {
      if (view.types[i] != filter.type() || !filter.Passes(view, i, walk)) continue;
      const int p = periods.Index(view.times[i]);
      if (p < 0) continue;
      std::optional<internal::PropertyCellValue> cell;
      if (property) cell = internal::FindProperty(walk.Properties(i), *property);
      count(overall, overall_marks, static_cast<size_t>(p), cell);
      auto group = [&](uint32_t g) {
        if (g >= groups.size()) groups.resize(g + 1, Tally(n));
        if (g >= marks.size()) marks.resize(g + 1);
        if (std::find(touched.begin(), touched.end(), g) == touched.end()) {
          touched.push_back(g);
          marks[g] = Marks{};
        }
        count(groups[g], marks[g], static_cast<size_t>(p), cell);
      };
      if (by_event) group(event_groups.Group(event_groups.Key(view, i, walk)));
      for (const uint32_t g : customer_of) group(g);
    }
  }));
  if (by_event) {
    for (uint32_t g = 0; g < event_groups.size(); ++g) names.push_back(event_groups.Name(g));
  }
  TrendResult result;
  for (size_t p = 0; p < n; ++p) result.periods.push_back(periods.Label(p));
  result.overall = Finish(query, overall, "");
  std::vector<int64_t> sizes;
  for (const Tally& tally : groups) sizes.push_back(tally.Size());
  std::vector<std::string> shown_names;
  const std::vector<uint32_t> fold = internal::FoldGroups(names, sizes, &shown_names);
  std::vector<Tally> shown(shown_names.size(), Tally(n));
  for (size_t g = 0; g < groups.size(); ++g) shown[fold[g]].Merge(groups[g]);
  for (size_t g = 0; g < shown.size(); ++g) {
    result.groups.push_back(Finish(query, shown[g], shown_names[g]));
  }
  internal::SortGroups(result.groups, [](const TrendSeries& series) { return series.total; });
  return result;
}

}  // namespace banyan::analytics
