#include "http/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <vector>

namespace banyan::http {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(Metrics, CountsRequestsByMethodRouteAndStatus) {
  Metrics metrics;
  metrics.RecordRequest(Method::kGet, "/healthz", 200, microseconds(100));
  metrics.RecordRequest(Method::kGet, "/healthz", 200, microseconds(100));
  metrics.RecordRequest(Method::kGet, "/healthz", 503, microseconds(100));
  metrics.RecordRequest(Method::kPost, "/healthz", 200, microseconds(100));
  const std::string text = metrics.Export();
  EXPECT_TRUE(Contains(text, "# TYPE banyan_http_requests_total counter\n"));
  EXPECT_TRUE(Contains(
      text, "banyan_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(
      text, "banyan_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"503\"} 1\n"));
  EXPECT_TRUE(Contains(
      text, "banyan_http_requests_total{method=\"POST\",route=\"/healthz\",status=\"200\"} 1\n"));
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  Metrics metrics;
  metrics.RecordRequest(Method::kGet, "/a", 200, microseconds(400));         // <= 0.0005
  metrics.RecordRequest(Method::kGet, "/a", 200, milliseconds(3));           // <= 0.005
  metrics.RecordRequest(Method::kGet, "/a", 404, milliseconds(20));          // <= 0.025
  metrics.RecordRequest(Method::kGet, "/a", 200, std::chrono::seconds(30));  // only +Inf
  const std::string text = metrics.Export();
  const std::string prefix = "banyan_http_request_duration_seconds";
  const std::string labels = "{method=\"GET\",route=\"/a\",";
  EXPECT_TRUE(Contains(text, "# TYPE " + prefix + " histogram\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"0.0005\"} 1\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"0.005\"} 2\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"0.025\"} 3\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"10\"} 3\n"));
  EXPECT_TRUE(Contains(text, prefix + "_bucket" + labels + "le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(Contains(text, prefix + "_count{method=\"GET\",route=\"/a\"} 4\n"));
  const std::string sum_key = prefix + "_sum{method=\"GET\",route=\"/a\"} ";
  const size_t sum_at = text.find(sum_key);
  ASSERT_NE(sum_at, std::string::npos);
  EXPECT_NEAR(std::stod(text.substr(sum_at + sum_key.size())), 30.0234, 1e-9);
}

TEST(Metrics, BucketBoundIsInclusive) {
  Metrics metrics;
  metrics.RecordRequest(Method::kGet, "/a", 200, milliseconds(1));
  const std::string text = metrics.Export();
  EXPECT_TRUE(Contains(text, "_bucket{method=\"GET\",route=\"/a\",le=\"0.0005\"} 0\n"));
  EXPECT_TRUE(Contains(text, "_bucket{method=\"GET\",route=\"/a\",le=\"0.001\"} 1\n"));
}

TEST(Metrics, EscapesLabelValues) {
  Metrics metrics;
  metrics.RecordRequest(Method::kGet, "/a\"b\\c\nd", 200, microseconds(1));
  EXPECT_TRUE(Contains(metrics.Export(), "route=\"/a\\\"b\\\\c\\nd\""));
}

TEST(Metrics, NamedCounterIsSharedByName) {
  Metrics metrics;
  std::atomic<int64_t>& first = metrics.Counter("banyan_events_appended_total", "Events.");
  std::atomic<int64_t>& again = metrics.Counter("banyan_events_appended_total", "Events.");
  EXPECT_EQ(&first, &again);
  first += 5;
  const std::string text = metrics.Export();
  EXPECT_TRUE(Contains(text,
                       "# HELP banyan_events_appended_total Events.\n"
                       "# TYPE banyan_events_appended_total counter\n"
                       "banyan_events_appended_total 5\n"));
}

TEST(Metrics, GaugesReadAtExport) {
  Metrics metrics;
  double value = 1.5;
  metrics.Gauge("banyan_queue_depth", "Items\nwaiting \\ now.", [&] { return value; });
  metrics.Gauge("banyan_broken", "Throws.", []() -> double { throw std::runtime_error("x"); });
  std::atomic<int64_t>& cell = metrics.IntGauge("banyan_sessions", "Open sessions.");
  cell += 3;
  value = 2.25;
  const std::string text = metrics.Export();
  EXPECT_TRUE(Contains(text, "# HELP banyan_queue_depth Items\\nwaiting \\\\ now.\n"));
  EXPECT_TRUE(Contains(text, "# TYPE banyan_queue_depth gauge\nbanyan_queue_depth 2.25\n"));
  EXPECT_TRUE(Contains(text, "banyan_broken NaN\n"));
  EXPECT_TRUE(Contains(text, "# TYPE banyan_sessions gauge\nbanyan_sessions 3\n"));
}

TEST(Metrics, ReRegisteringGaugeReplacesReader) {
  Metrics metrics;
  metrics.Gauge("banyan_g", "G.", [] { return 1.0; });
  metrics.Gauge("banyan_g", "G.", [] { return 2.0; });
  EXPECT_TRUE(Contains(metrics.Export(), "banyan_g 2\n"));
}

TEST(MetricsDeathTest, NameClashAcrossTypesIsABug) {
  Metrics metrics;
  metrics.Counter("banyan_x_total", "X.");
  EXPECT_DEATH(metrics.IntGauge("banyan_x_total", "X."), "another type");
  EXPECT_DEATH(metrics.Counter("bad name", "X."), "bad or reserved");
  EXPECT_DEATH(metrics.Counter("banyan_http_requests_total", "X."), "bad or reserved");
}

TEST(Metrics, ConcurrentRecordingLosesNothing) {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Half on a shared route, half on a route per thread, so series are created while
        // others record.
        const std::string route = i % 2 == 0 ? "/shared" : "/t" + std::to_string(t);
        metrics.RecordRequest(Method::kGet, route, 200, microseconds(10));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.Export();
  EXPECT_TRUE(Contains(text, "route=\"/shared\",status=\"200\"} " +
                                 std::to_string(kThreads * kPerThread / 2) + "\n"));
  EXPECT_TRUE(
      Contains(text, "route=\"/t3\",status=\"200\"} " + std::to_string(kPerThread / 2) + "\n"));
}

}  // namespace
}  // namespace banyan::http
