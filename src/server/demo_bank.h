// DemoBank: the demo bank's organisation tables and its synthetic customers — profiles,
// identities, daily balances and D days of behaviour — generated deterministically from a seed
// for `banyan demo init` (docs/demo.md).
//
// Output is text in Banyan's own input formats, so the demo exercises the real paths:
//   customers — NDJSON in the core-banking import format (one object per customer);
//   balances  — NDJSON, one object per customer per business date;
//   events    — Segment /v1/batch request bodies (at most kDemoBatchEventsMax events and
//               kDemoBatchBytesMax bytes each), sentAt = options.now, identities in userId,
//               anonymousId, context.externalIds and identify traits.
// The same options give byte-identical output: every customer draws from its own SeededRandom
// streams (seed, customer index, purpose), nothing reads the wall clock, and output order is
// fixed. The card-application funnel `view_product → apply_card → submit_form → card_approved`
// is allocated by quota, so each channel's step conversions equal kDemoCardFunnels' rates up to
// rounding (≤ 0.5 point from N = 2,000 customers).
//
// Memory: a few bytes of plan per customer; profiles are rebuilt from their seed in each pass.
// Thread safety: a DemoBank is immutable after Create; its Write* methods are const and may run
// concurrently.

#ifndef BANYAN_SERVER_DEMO_BANK_H_
#define BANYAN_SERVER_DEMO_BANK_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace banyan::server {

// Sized so `make demo` is serving within a minute on a 2-core machine (docs/demo.md: importing
// the daily balances, customers × days rows, takes most of the time).
inline constexpr int64_t kDemoCustomersDefault = 5'000;
inline constexpr int64_t kDemoCustomersMax = 1'000'000;
inline constexpr int64_t kDemoDaysDefault = 90;
inline constexpr int64_t kDemoDaysMin = 7;  // room for a whole funnel before `now`
inline constexpr int64_t kDemoDaysMax = 730;
inline constexpr uint64_t kDemoSeedDefault = 1;
inline constexpr size_t kDemoBatchEventsMax = 500;
inline constexpr size_t kDemoBatchBytesMax = 256 * 1024;  // under the decoder's 500 KiB

// One branch of the demo organisation. Sub-branches carry customers.
struct DemoBranch {
  std::string_view code, name, kind, parent_code, address;
  double latitude, longitude;
  std::string_view district;  // Hangzhou district, for customers' cities and id numbers
  double customer_weight;     // sub-branches: relative share of customers; others 0
};

// A relationship manager: a staff login at a sub-branch, assigned customers of that branch.
struct DemoRelationshipManager {
  std::string_view username, display_name, branch_code;
};

// Head office, three district branches, twelve sub-branches (parents first).
std::span<const DemoBranch> DemoBranches();
// Two to four per sub-branch, "rm.<code>" first (rm.xixi is also one of the demo logins).
std::span<const DemoRelationshipManager> DemoRelationshipManagers();

// A channel's card-application funnel: the share of the channel's eligible customers who view
// the card, then the conversion of each following step.
struct DemoFunnel {
  std::string_view channel;  // properties.channel of its events
  double entry_share;
  std::array<double, 3> step_rates;  // view→apply, apply→submit, submit→approved
};
// Alipay and WeChat are the source article's example (overall 10.1% and 9.57%).
inline constexpr std::array<DemoFunnel, 4> kDemoCardFunnels = {{
    {"alipay", 0.40, {0.22, 0.494, 0.93}},
    {"wechat", 0.35, {0.429, 0.415, 0.537}},
    {"app", 0.20, {0.35, 0.62, 0.86}},
    {"branch", 0.06, {0.58, 0.83, 0.71}},
}};
inline constexpr std::array<std::string_view, 4> kDemoFunnelSteps = {
    "view_product", "apply_card", "submit_form", "card_approved"};

struct DemoBankOptions {
  int64_t customers = kDemoCustomersDefault;
  int64_t days = kDemoDaysDefault;  // of behaviour and balances, ending at `now`
  uint64_t seed = kDemoSeedDefault;
  Timestamp now{};                          // the end of the simulated period
  std::string time_zone = "Asia/Shanghai";  // business days, salary days, session hours
};

// AUM tiers of a Chinese retail bank (yuan): 大众 < 50k ≤ 金卡 < 500k ≤ 金葵花 < 10M ≤ 私人银行.
enum class DemoTier : uint8_t { kMass = 0, kGold = 1, kWealth = 2, kPrivate = 3 };
DemoTier TierOfAum(double aum_yuan);

struct DemoBankSummary {
  int64_t customers = 0;
  std::array<int64_t, 4> tier_customers{};  // by DemoTier
  int64_t app_users = 0, wechat_users = 0, alipay_users = 0, douyin_users = 0;
  int64_t shared_devices = 0;  // app users on another customer's device
  // Customers reaching each step, per kDemoCardFunnels entry.
  std::array<std::array<int64_t, 4>, kDemoCardFunnels.size()> funnel_customers{};
};

struct DemoEventTotals {
  int64_t events = 0;
  int64_t batches = 0;
};

class DemoBank {
 public:
  // Receives one NDJSON line, ending in '\n'.
  using LineSink = std::function<Status(std::string_view line)>;
  // Receives one Segment batch body and the number of events in it.
  using BatchSink = std::function<Status(std::string body, int64_t events)>;

  // Draws every customer's plan (identities, funnel steps, shared devices). Fails with
  // InvalidArgument naming the option ("customers", "days", "time_zone").
  static Result<std::unique_ptr<DemoBank>> Create(const DemoBankOptions& options);
  ~DemoBank();

  const DemoBankOptions& options() const { return options_; }
  const DemoBankSummary& summary() const { return summary_; }

  // Customers in index order. A sink error stops the pass and is returned.
  Status WriteCustomers(const LineSink& sink) const;
  // Per customer, the business dates from max(first day, customer_since) to the day of `now`.
  Status WriteBalances(const LineSink& sink) const;
  // Customer by customer, each customer's events in time order.
  Result<DemoEventTotals> WriteEvents(const BatchSink& sink) const;

  struct Plan;      // per customer; defined in demo_bank.cc
  struct Calendar;  // the business days simulated; defined in demo_bank.cc

 private:
  explicit DemoBank(DemoBankOptions options);
  // Per customer: the unique id number, the family device; per funnel, the eligible customers.
  Result<std::vector<std::vector<int32_t>>> PlanCustomers();
  void PlanFunnels(const std::vector<std::vector<int32_t>>& eligible);

  DemoBankOptions options_;
  DemoBankSummary summary_;
  std::vector<Plan> plans_;
  std::unique_ptr<Calendar> calendar_;
};

}  // namespace banyan::server

#endif  // BANYAN_SERVER_DEMO_BANK_H_
