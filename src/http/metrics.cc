#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/check.h"

namespace banyan::http {
namespace {

constexpr std::string_view kRequestsName = "banyan_http_requests_total";
constexpr std::string_view kDurationName = "banyan_http_request_duration_seconds";

// Upper bounds of the latency buckets in nanoseconds, and their `le` labels; the last label is
// the +Inf bucket.
constexpr std::array<int64_t, 14> kBucketBoundsNs = {
    500'000,       1'000'000,     2'500'000,     5'000'000,     10'000'000,
    25'000'000,    50'000'000,    100'000'000,   250'000'000,   500'000'000,
    1'000'000'000, 2'500'000'000, 5'000'000'000, 10'000'000'000};
constexpr std::array<std::string_view, kBucketBoundsNs.size() + 1> kBucketLabels = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
    "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "+Inf"};

// Past this many request series, new (method, route, status) combinations are counted under
// the route "overflow" so a misbehaving caller cannot grow the exposition without bound.
constexpr size_t kSeriesMax = 10000;

struct Histogram {
  std::array<std::atomic<uint64_t>, kBucketLabels.size()> buckets{};  // not cumulative
  std::atomic<uint64_t> sum_ns{0};
};

struct RequestSeries {
  std::atomic<uint64_t> count{0};
  Histogram* histogram = nullptr;  // shared by every status of one (method, route)
};

struct SeriesKey {
  Method method;
  int status;
  std::string route;
};

struct SeriesKeyView {
  Method method;
  int status;
  std::string_view route;
};

struct SeriesKeyHash {
  using is_transparent = void;
  size_t operator()(const SeriesKeyView& key) const {
    const size_t h = std::hash<std::string_view>()(key.route);
    return h ^ (static_cast<size_t>(key.status) * 31 + static_cast<size_t>(key.method)) *
                   0x9e3779b97f4a7c15ULL;
  }
  size_t operator()(const SeriesKey& key) const {
    return (*this)(SeriesKeyView{key.method, key.status, key.route});
  }
};

struct SeriesKeyEqual {
  using is_transparent = void;
  static SeriesKeyView View(const SeriesKey& key) { return {key.method, key.status, key.route}; }
  static SeriesKeyView View(const SeriesKeyView& key) { return key; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    const SeriesKeyView x = View(a);
    const SeriesKeyView y = View(b);
    return x.method == y.method && x.status == y.status && x.route == y.route;
  }
};

size_t BucketIndex(int64_t ns) {
  const auto it = std::lower_bound(kBucketBoundsNs.begin(), kBucketBoundsNs.end(), ns);
  return static_cast<size_t>(it - kBucketBoundsNs.begin());
}

void Record(RequestSeries& series, int64_t ns) {
  series.count.fetch_add(1, std::memory_order_relaxed);
  series.histogram->buckets[BucketIndex(ns)].fetch_add(1, std::memory_order_relaxed);
  series.histogram->sum_ns.fetch_add(static_cast<uint64_t>(ns), std::memory_order_relaxed);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

void AppendFamilyHeader(std::string& out, std::string_view name, std::string_view help,
                        std::string_view type) {
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, EscapeHelp(help),
                 name, type);
}

}  // namespace

class Metrics::Impl {
 public:
  void RecordRequest(Method method, std::string_view route, int status, int64_t ns);
  std::atomic<int64_t>& Cell(std::string_view name, std::string_view help, bool counter);
  enum class Type { kCounter, kIntGauge, kGauge, kCounterFunc };
  void Gauge(std::string_view name, std::string_view help, std::function<double()> read,
             Type type = Type::kGauge);
  std::string Export() const;

 private:
  struct Family {
    Type type;
    std::string help;
    std::unique_ptr<std::atomic<int64_t>> value;  // kCounter and kIntGauge
    std::function<double()> read;                 // kGauge and kCounterFunc
  };
  using HistogramKey = std::pair<Method, std::string>;

  RequestSeries& CreateSeries(Method method, std::string_view route, int status);
  void ExportRequests(std::string& out) const;
  void ExportFamilies(std::string& out) const;

  mutable std::shared_mutex series_mutex_;
  std::unordered_map<SeriesKey, std::unique_ptr<RequestSeries>, SeriesKeyHash, SeriesKeyEqual>
      series_;
  std::map<HistogramKey, std::unique_ptr<Histogram>> histograms_;

  mutable std::mutex families_mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

void Metrics::Impl::RecordRequest(Method method, std::string_view route, int status, int64_t ns) {
  {
    std::shared_lock lock(series_mutex_);
    const auto it = series_.find(SeriesKeyView{method, status, route});
    if (it != series_.end()) {
      Record(*it->second, ns);
      return;
    }
  }
  std::unique_lock lock(series_mutex_);
  Record(CreateSeries(method, route, status), ns);
}

// REQUIRES: series_mutex_ held exclusively.
RequestSeries& Metrics::Impl::CreateSeries(Method method, std::string_view route, int status) {
  if (const auto it = series_.find(SeriesKeyView{method, status, route}); it != series_.end()) {
    return *it->second;  // another thread created it between the two locks
  }
  if (series_.size() >= kSeriesMax) route = "overflow";
  if (const auto it = series_.find(SeriesKeyView{method, status, route}); it != series_.end()) {
    return *it->second;
  }
  std::unique_ptr<Histogram>& histogram = histograms_[HistogramKey(method, std::string(route))];
  if (histogram == nullptr) histogram = std::make_unique<Histogram>();
  auto series = std::make_unique<RequestSeries>();
  series->histogram = histogram.get();
  RequestSeries& created = *series;
  series_.emplace(SeriesKey{method, status, std::string(route)}, std::move(series));
  return created;
}

std::atomic<int64_t>& Metrics::Impl::Cell(std::string_view name, std::string_view help,
                                          bool counter) {
  CHECK(IsMetricName(name) && name != kRequestsName && name != kDurationName,
        "bad or reserved metric name '{}'", name);
  const Type type = counter ? Type::kCounter : Type::kIntGauge;
  std::lock_guard lock(families_mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    Family family{type, std::string(help), std::make_unique<std::atomic<int64_t>>(0), nullptr};
    it = families_.emplace(std::string(name), std::move(family)).first;
  }
  CHECK(it->second.type == type, "metric '{}' is already registered with another type", name);
  return *it->second.value;
}

void Metrics::Impl::Gauge(std::string_view name, std::string_view help,
                          std::function<double()> read, Type type) {
  CHECK(IsMetricName(name) && name != kRequestsName && name != kDurationName,
        "bad or reserved metric name '{}'", name);
  CHECK(read != nullptr, "gauge '{}' has no reader", name);
  std::lock_guard lock(families_mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    families_.emplace(std::string(name), Family{type, std::string(help), nullptr, std::move(read)});
    return;
  }
  CHECK(it->second.type == type, "metric '{}' is already registered with another type", name);
  it->second.help = std::string(help);
  it->second.read = std::move(read);  // re-registration replaces the reader
}

std::string Metrics::Impl::Export() const {
  std::string out;
  ExportRequests(out);
  ExportFamilies(out);
  return out;
}

void Metrics::Impl::ExportRequests(std::string& out) const {
  std::shared_lock lock(series_mutex_);
  using Row = std::tuple<std::string_view, std::string_view, int, const RequestSeries*>;
  std::vector<Row> rows;  // sorted by route, method, status so the output is stable
  rows.reserve(series_.size());
  for (const auto& [key, series] : series_) {
    rows.emplace_back(key.route, MethodName(key.method), key.status, series.get());
  }
  std::sort(rows.begin(), rows.end());
  auto it = std::back_inserter(out);
  AppendFamilyHeader(out, kRequestsName, "HTTP requests served, by method, route and status.",
                     "counter");
  for (const auto& [route, method, status, series] : rows) {
    fmt::format_to(it, "{}{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", kRequestsName, method,
                   EscapeLabelValue(route), status, series->count.load(std::memory_order_relaxed));
  }
  AppendFamilyHeader(out, kDurationName, "HTTP request latency, by method and route.", "histogram");
  for (const auto& [key, histogram] : histograms_) {
    const std::string labels = fmt::format("method=\"{}\",route=\"{}\"", MethodName(key.first),
                                           EscapeLabelValue(key.second));
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kBucketLabels.size(); ++i) {
      cumulative += histogram->buckets[i].load(std::memory_order_relaxed);
      fmt::format_to(it, "{}_bucket{{{},le=\"{}\"}} {}\n", kDurationName, labels, kBucketLabels[i],
                     cumulative);
    }
    const double sum_seconds =
        static_cast<double>(histogram->sum_ns.load(std::memory_order_relaxed)) / 1e9;
    fmt::format_to(it, "{}_sum{{{}}} {}\n", kDurationName, labels, FormatDouble(sum_seconds));
    fmt::format_to(it, "{}_count{{{}}} {}\n", kDurationName, labels, cumulative);
  }
}

void Metrics::Impl::ExportFamilies(std::string& out) const {
  struct Snapshot {
    std::string name;
    std::string help;
    Type type;
    const std::atomic<int64_t>* value;
    std::function<double()> read;
  };
  std::vector<Snapshot> snapshots;
  {
    std::lock_guard lock(families_mutex_);
    for (const auto& [name, family] : families_) {
      snapshots.push_back({name, family.help, family.type, family.value.get(), family.read});
    }
  }
  // Gauge readers run without the lock: they may take locks of their own or register metrics.
  for (const Snapshot& family : snapshots) {
    const bool counter = family.type == Type::kCounter || family.type == Type::kCounterFunc;
    AppendFamilyHeader(out, family.name, family.help, counter ? "counter" : "gauge");
    if (family.type == Type::kGauge || family.type == Type::kCounterFunc) {
      double value = std::nan("");
      try {
        value = family.read();
      } catch (...) {
        // Exported as NaN: one broken reader must not take the whole exposition down.
      }
      fmt::format_to(std::back_inserter(out), "{} {}\n", family.name, FormatDouble(value));
    } else {
      fmt::format_to(std::back_inserter(out), "{} {}\n", family.name,
                     family.value->load(std::memory_order_relaxed));
    }
  }
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::RecordRequest(Method method, std::string_view route, int status,
                            std::chrono::nanoseconds duration) {
  impl_->RecordRequest(method, route, status, std::max<int64_t>(0, duration.count()));
}

std::atomic<int64_t>& Metrics::Counter(std::string_view name, std::string_view help) {
  return impl_->Cell(name, help, /*counter=*/true);
}

std::atomic<int64_t>& Metrics::IntGauge(std::string_view name, std::string_view help) {
  return impl_->Cell(name, help, /*counter=*/false);
}

void Metrics::Gauge(std::string_view name, std::string_view help, std::function<double()> read) {
  impl_->Gauge(name, help, std::move(read));
}

void Metrics::CounterFunc(std::string_view name, std::string_view help,
                          std::function<double()> read) {
  impl_->Gauge(name, help, std::move(read), Impl::Type::kCounterFunc);
}

std::string Metrics::Export() const { return impl_->Export(); }

}  // namespace banyan::http
