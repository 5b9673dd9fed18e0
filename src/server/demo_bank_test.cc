#include "server/demo_bank.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "base/json.h"
#include "base/time.h"
#include "events/segment_protocol.h"

namespace banyan::server {
namespace {

// 2025-06-30 16:00 in Hangzhou.
Timestamp TestNow() { return *ParseRfc3339("2025-06-30T08:00:00Z"); }

DemoBankOptions Options(int64_t customers, int64_t days, uint64_t seed = 7) {
  DemoBankOptions options;
  options.customers = customers;
  options.days = days;
  options.seed = seed;
  options.now = TestNow();
  return options;
}

struct Output {
  std::string customers, balances;
  std::vector<std::string> batches;
  std::vector<int64_t> batch_events;
  DemoEventTotals totals;
};

Output Generate(const DemoBank& bank, bool with_balances = true, bool with_events = true) {
  Output out;
  EXPECT_TRUE(bank.WriteCustomers([&](std::string_view line) {
                    out.customers += line;
                    return Status::Ok();
                  })
                  .ok());
  if (with_balances) {
    EXPECT_TRUE(bank.WriteBalances([&](std::string_view line) {
                      out.balances += line;
                      return Status::Ok();
                    })
                    .ok());
  }
  if (with_events) {
    auto totals = bank.WriteEvents([&](std::string body, int64_t events) {
      out.batches.push_back(std::move(body));
      out.batch_events.push_back(events);
      return Status::Ok();
    });
    EXPECT_TRUE(totals.ok()) << totals.status().ToString();
    if (totals.ok()) out.totals = *totals;
  }
  return out;
}

std::vector<Json> Lines(const std::string& text) {
  std::vector<Json> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) rows.push_back(Json::parse(line));
  return rows;
}

std::unique_ptr<DemoBank> MakeBank(const DemoBankOptions& options) {
  auto bank = DemoBank::Create(options);
  EXPECT_TRUE(bank.ok()) << bank.status().ToString();
  return bank.ok() ? std::move(*bank) : nullptr;
}

TEST(DemoBank, SameSeedGivesIdenticalBytes) {
  const Output a = Generate(*MakeBank(Options(600, 30)));
  const Output b = Generate(*MakeBank(Options(600, 30)));
  ASSERT_GT(a.totals.events, 1000);
  EXPECT_EQ(a.customers, b.customers);
  EXPECT_EQ(a.balances, b.balances);
  EXPECT_EQ(a.batches, b.batches);
}

TEST(DemoBank, DifferentSeedGivesDifferentCustomersAndEvents) {
  const Output a = Generate(*MakeBank(Options(300, 14, 1)));
  const Output b = Generate(*MakeBank(Options(300, 14, 2)));
  EXPECT_NE(a.customers, b.customers);
  EXPECT_NE(a.balances, b.balances);
  EXPECT_NE(a.batches, b.batches);
}

TEST(DemoBank, RejectsBadOptionsNamingTheOption) {
  DemoBankOptions options = Options(0, 90);
  EXPECT_EQ(DemoBank::Create(options).status().field(), "customers");
  options = Options(kDemoCustomersMax + 1, 90);
  EXPECT_EQ(DemoBank::Create(options).status().field(), "customers");
  options = Options(100, kDemoDaysMin - 1);
  EXPECT_EQ(DemoBank::Create(options).status().field(), "days");
  options = Options(100, kDemoDaysMax + 1);
  EXPECT_EQ(DemoBank::Create(options).status().field(), "days");
  options = Options(100, 30);
  options.time_zone = "Mars/Olympus_Mons";
  EXPECT_EQ(DemoBank::Create(options).status().field(), "time_zone");
  options = Options(100, 30);
  options.now = Timestamp{};
  EXPECT_EQ(DemoBank::Create(options).status().field(), "now");
  EXPECT_EQ(DemoBank::Create(options).status().code(), StatusCode::kInvalidArgument);
}

// AUM tiers of a Chinese retail bank: 大众 > 80%, 金卡 ≈ 15%, 金葵花 ≈ 3%, 私人银行 ≈ 0.1%.
TEST(DemoBank, AumTiersHaveTheShapeOfARetailBank) {
  constexpr int64_t kCustomers = 20'000;
  auto bank = MakeBank(Options(kCustomers, 30));
  const Output out = Generate(*bank, false, false);
  std::array<int64_t, 4> tiers{};
  constexpr std::string_view kAum = R"("aum":")";
  for (size_t at = out.customers.find(kAum); at != std::string::npos;
       at = out.customers.find(kAum, at + 1)) {
    const double aum = std::stod(out.customers.substr(at + kAum.size(), 20));
    ++tiers[static_cast<size_t>(TierOfAum(aum))];
  }
  EXPECT_EQ(tiers, bank->summary().tier_customers);
  const auto share = [&](DemoTier t) {
    return static_cast<double>(tiers[static_cast<size_t>(t)]) / kCustomers;
  };
  EXPECT_GT(share(DemoTier::kMass), 0.78);
  EXPECT_LT(share(DemoTier::kMass), 0.86);
  EXPECT_GT(share(DemoTier::kGold), 0.11);
  EXPECT_LT(share(DemoTier::kGold), 0.19);
  EXPECT_GT(share(DemoTier::kWealth), 0.02);
  EXPECT_LT(share(DemoTier::kWealth), 0.045);
  EXPECT_GT(share(DemoTier::kPrivate), 0.0003);
  EXPECT_LT(share(DemoTier::kPrivate), 0.003);
}

char IdCardCheckDigit(std::string_view first17) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const int weight = (1 << (17 - i)) % 11;  // 2^(17-i) mod 11, as GB 11643 defines them
    sum += (first17[static_cast<size_t>(i)] - '0') * weight;
  }
  return "10X98765432"[sum % 11];
}

TEST(DemoBank, CustomersHaveValidUniqueIdentifiersAndConsistentProfiles) {
  auto bank = MakeBank(Options(3000, 30));
  const Output out = Generate(*bank, false, false);
  std::map<std::string, const DemoBranch*> subs;
  for (const DemoBranch& b : DemoBranches()) {
    if (b.kind == "sub_branch") subs[std::string(b.code)] = &b;
  }
  std::map<std::string, std::string> rm_branch;
  for (const auto& rm : DemoRelationshipManagers()) {
    rm_branch[std::string(rm.username)] = std::string(rm.branch_code);
  }
  std::set<std::string> id_cards, phones, cust_nos;
  const auto rows = Lines(out.customers);
  ASSERT_EQ(rows.size(), 3000u);
  for (const Json& row : rows) {
    const std::string id = row["id_card"], phone = row["phone"], birth = row["birth_date"];
    SCOPED_TRACE(row.dump());
    ASSERT_EQ(id.size(), 18u);
    EXPECT_EQ(id.substr(0, 4), "3301");
    EXPECT_EQ(id[17], IdCardCheckDigit(id));
    EXPECT_EQ(id.substr(6, 8), birth.substr(0, 4) + birth.substr(5, 2) + birth.substr(8, 2));
    EXPECT_EQ((id[16] - '0') % 2 == 1, row["gender"] == "male");
    const int age = 2025 - std::stoi(birth.substr(0, 4)) - (birth.substr(5) > "06-30" ? 1 : 0);
    EXPECT_GE(age, 18);
    EXPECT_LE(age, 80);
    ASSERT_EQ(phone.size(), 11u);
    EXPECT_EQ(phone[0], '1');
    EXPECT_NE(std::string("35789").find(phone[1]), std::string::npos);
    EXPECT_TRUE(std::all_of(phone.begin(), phone.end(), ::isdigit));
    id_cards.insert(id);
    phones.insert(phone);
    cust_nos.insert(row["cust_no"].get<std::string>());
    const std::string branch = row["home_branch"];
    ASSERT_TRUE(subs.count(branch));
    if (row.contains("relationship_manager")) {
      EXPECT_EQ(rm_branch[row["relationship_manager"]], branch);
    }
    const std::string risk = row["risk_level"];
    EXPECT_TRUE(risk >= "R1" && risk <= "R5");
    const double aum = std::stod(row["aum"].get<std::string>());
    const double parts = std::stod(row["deposit_balance"].get<std::string>()) +
                         std::stod(row["wealth_balance"].get<std::string>());
    EXPECT_NEAR(aum, parts, 0.005);
    const std::string city = row["city"];
    if (city.rfind("杭州市", 0) == 0) {
      EXPECT_NEAR(std::stod(row["home_latitude"].get<std::string>()), subs[branch]->latitude, 0.06);
      EXPECT_NEAR(std::stod(row["home_longitude"].get<std::string>()), subs[branch]->longitude,
                  0.07);
    }
    EXPECT_LE(row["customer_since"].get<std::string>(), "2025-06-30");
    EXPECT_GE(row["customer_since"].get<std::string>(), birth);
  }
  EXPECT_EQ(id_cards.size(), rows.size());
  EXPECT_EQ(phones.size(), rows.size());
  EXPECT_EQ(cust_nos.size(), rows.size());
}

TEST(DemoBank, BalancesCoverEveryDayAndEndAtTheProfileValues) {
  constexpr int64_t kDays = 30;
  const Output out = Generate(*MakeBank(Options(500, kDays)), true, false);
  std::map<std::string, Json> customers;
  for (Json& row : Lines(out.customers)) {
    const std::string cust_no = row["cust_no"];
    customers[cust_no] = std::move(row);
  }
  std::map<std::string, std::vector<Json>> series;
  for (Json& row : Lines(out.balances)) {
    const std::string cust_no = row["cust_no"];
    series[cust_no].push_back(std::move(row));
  }
  ASSERT_EQ(series.size(), customers.size());
  for (const auto& [cust_no, rows] : series) {
    const Json& customer = customers[cust_no];
    const std::string first = std::max<std::string>(customer["customer_since"], "2025-06-01");
    EXPECT_EQ(rows.front()["date"], first) << cust_no;
    EXPECT_EQ(rows.back()["date"], "2025-06-30") << cust_no;
    if (first == "2025-06-01") {
      EXPECT_EQ(rows.size(), static_cast<size_t>(kDays));
    }
    EXPECT_EQ(rows.back()["aum"], customer["aum"]);
    EXPECT_EQ(rows.back()["deposit_balance"], customer["deposit_balance"]);
    EXPECT_EQ(rows.back()["wealth_balance"], customer["wealth_balance"]);
    for (const Json& row : rows) {
      const double aum = std::stod(row["aum"].get<std::string>());
      EXPECT_NEAR(aum,
                  std::stod(row["deposit_balance"].get<std::string>()) +
                      std::stod(row["wealth_balance"].get<std::string>()),
                  0.005);
      EXPECT_GE(aum, 0);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Events, decoded with the real Segment decoder.

struct Decoded {
  std::vector<events::Event> events;
  Output output;
  DemoBankSummary summary;
};

std::unique_ptr<Decoded> DecodeBank(int64_t customers, int64_t days) {
  auto d = std::make_unique<Decoded>();
  auto bank = MakeBank(Options(customers, days));
  d->summary = bank->summary();
  d->output = Generate(*bank, false, true);
  events::SegmentDecoder decoder;
  events::WireContext context;
  context.received_at = TestNow();
  for (size_t b = 0; b < d->output.batches.size(); ++b) {
    auto decoded = decoder.Decode(d->output.batches[b], events::SegmentCall::kBatch, context);
    EXPECT_TRUE(decoded.ok()) << "batch " << b << ": " << decoded.status().ToString();
    if (!decoded.ok()) continue;
    EXPECT_EQ(static_cast<int64_t>(decoded->events.size()), d->output.batch_events[b]);
    for (auto& e : decoded->events) d->events.push_back(std::move(e));
  }
  return d;
}

// 5,000 customers over five weeks, shared by the tests below (decoding takes a while).
constexpr int64_t kDecodedDays = 35;
const Decoded& DecodedBank() {
  static const Decoded* const kDecoded = DecodeBank(5000, kDecodedDays).release();
  return *kDecoded;
}

TEST(DemoBankEvents, EveryBatchDecodesAndStaysWithinTheLimits) {
  const Decoded& d = DecodedBank();
  ASSERT_FALSE(d.output.batches.empty());
  EXPECT_EQ(static_cast<int64_t>(d.events.size()), d.output.totals.events);
  EXPECT_EQ(static_cast<int64_t>(d.output.batches.size()), d.output.totals.batches);
  for (size_t b = 0; b < d.output.batches.size(); ++b) {
    EXPECT_LE(d.output.batch_events[b], static_cast<int64_t>(kDemoBatchEventsMax));
    EXPECT_LE(d.output.batches[b].size(), kDemoBatchBytesMax);
    EXPECT_NE(d.output.batches[b].find(R"("sentAt":"2025-06-30T08:00:00.000Z")"),
              std::string::npos);
  }
  std::set<std::string> message_ids;
  const Timestamp earliest = TestNow() - std::chrono::hours(24 * (kDecodedDays + 1));
  for (const events::Event& e : d.events) {
    message_ids.insert(e.message_id);
    EXPECT_LT(e.event_time, TestNow());
    EXPECT_GT(e.event_time, earliest);
  }
  EXPECT_EQ(message_ids.size(), d.events.size());
}

// Customers reaching each step, per channel, counted the way a strict funnel does: each step
// must follow the previous one in time.
std::map<std::string, std::array<int64_t, 4>> CountFunnel(const std::vector<events::Event>& all) {
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<Timestamp, int>>> journeys;
  for (const events::Event& e : all) {
    const auto step = std::find(kDemoFunnelSteps.begin(), kDemoFunnelSteps.end(), e.name);
    if (step == kDemoFunnelSteps.end()) continue;
    const Json properties = Json::parse(e.properties);
    if (properties.value("product", "") != "credit_card") continue;
    // Every channel identity comes with an anonymous id of its own.
    const std::string person(e.IdentifierValue(events::kAnonymousId));
    journeys[{std::string(events::ChannelName(e.channel)), person}].emplace_back(
        e.event_time, static_cast<int>(step - kDemoFunnelSteps.begin()));
  }
  std::map<std::string, std::array<int64_t, 4>> reached;
  for (auto& [key, steps] : journeys) {
    std::sort(steps.begin(), steps.end());
    int next = 0;
    for (const auto& [time, step] : steps) {
      if (step == next) ++next;
    }
    EXPECT_EQ(next, static_cast<int>(steps.size())) << key.second << " repeats or skips a step";
    EXPECT_LE(steps.back().first - steps.front().first, std::chrono::hours(72));
    for (int k = 0; k < next; ++k) ++reached[key.first][static_cast<size_t>(k)];
  }
  return reached;
}

TEST(DemoBankEvents, CardFunnelReproducesTheArticlesStepRatesPerChannel) {
  const Decoded& d = DecodedBank();
  const auto reached = CountFunnel(d.events);
  for (size_t f = 0; f < kDemoCardFunnels.size(); ++f) {
    const DemoFunnel& funnel = kDemoCardFunnels[f];
    SCOPED_TRACE(std::string(funnel.channel));
    ASSERT_TRUE(reached.count(std::string(funnel.channel)));
    const auto& n = reached.at(std::string(funnel.channel));
    EXPECT_EQ(n, d.summary.funnel_customers[f]);
    ASSERT_GE(n[0], 100);
    for (size_t k = 0; k < 3; ++k) {
      const double rate = static_cast<double>(n[k + 1]) / static_cast<double>(n[k]);
      EXPECT_NEAR(rate, funnel.step_rates[k], 0.005) << "step " << k + 1;
    }
  }
  const auto overall = [&](const char* channel) {
    const auto& n = reached.at(channel);
    return static_cast<double>(n[3]) / static_cast<double>(n[0]);
  };
  EXPECT_NEAR(overall("alipay"), 0.101, 0.005);
  EXPECT_NEAR(overall("wechat"), 0.0957, 0.005);
}

TEST(DemoBank, FunnelQuotasHitTheRatesAtAnySizeFromTwoThousand) {
  for (const int64_t customers : {2000, 2345, 3001, 4200, 8000}) {
    auto bank = MakeBank(Options(customers, 30));
    for (size_t f = 0; f < kDemoCardFunnels.size(); ++f) {
      const auto& n = bank->summary().funnel_customers[f];
      SCOPED_TRACE(fmt::format("{} customers, {}", customers, kDemoCardFunnels[f].channel));
      ASSERT_GT(n[0], 0);
      for (size_t k = 0; k < 3; ++k) {
        EXPECT_NEAR(static_cast<double>(n[k + 1]) / static_cast<double>(n[k]),
                    kDemoCardFunnels[f].step_rates[k], 0.005);
      }
    }
  }
}

TEST(DemoBankEvents, FunnelEventsCarryTheirChannelsIdentity) {
  const Decoded& d = DecodedBank();
  int64_t checked = 0;
  for (const events::Event& e : d.events) {
    if (std::find(kDemoFunnelSteps.begin(), kDemoFunnelSteps.end(), e.name) ==
        kDemoFunnelSteps.end()) {
      continue;
    }
    const Json context = Json::parse(e.context);
    std::set<std::string> external;
    for (const Json& id : context.value("externalIds", Json::array())) {
      EXPECT_EQ(id["collection"], "users");
      EXPECT_EQ(id["encoding"], "none");
      external.insert(id["type"].get<std::string>());
    }
    switch (e.channel) {
      case events::Channel::kApp:
        EXPECT_FALSE(e.IdentifierValue(events::kAppUserId).empty());
        EXPECT_TRUE(external.count("device_id"));
        break;
      case events::Channel::kWechat:
        EXPECT_TRUE(external.count("wechat_unionid") && external.count("wechat_openid"));
        for (const Json& id : context["externalIds"]) {
          if (id["type"] == "wechat_openid") {
            EXPECT_EQ(id["id"].get<std::string>().rfind("wxdemoapp01:o", 0), 0u);
          }
        }
        break;
      case events::Channel::kAlipay:
        EXPECT_TRUE(external.count("alipay_user_id"));
        break;
      case events::Channel::kBranch:
        EXPECT_TRUE(external.count("cust_no"));
        break;
      default:
        ADD_FAILURE() << "funnel event on channel " << events::ChannelName(e.channel);
    }
    ++checked;
  }
  EXPECT_GT(checked, 1000);
}

TEST(DemoBankEvents, AppUsersIdentifyWithTheirPhoneAndSomeShareAFamilyDevice) {
  const Decoded& d = DecodedBank();
  std::map<std::string, std::set<std::string>> users_by_device;
  std::set<std::string> identified_app_users;
  for (const events::Event& e : d.events) {
    if (e.channel != events::Channel::kApp) continue;
    const std::string user(e.IdentifierValue(events::kAppUserId));
    if (e.type == events::EventType::kIdentify) {
      EXPECT_EQ(e.IdentifierValue(events::kPhone).size(), 11u);
      EXPECT_TRUE(Json::parse(e.traits).contains("name"));
      identified_app_users.insert(user);
    }
    // context.device.id, found without parsing 800k contexts.
    constexpr std::string_view kDevice = R"("device":{"id":")";
    const size_t at = e.context.find(kDevice);
    ASSERT_NE(at, std::string::npos) << e.context;
    const size_t from = at + kDevice.size();
    users_by_device[e.context.substr(from, e.context.find('"', from) - from)].insert(user);
  }
  std::set<std::string> app_users;
  for (const auto& [device, users] : users_by_device) app_users.insert(users.begin(), users.end());
  EXPECT_EQ(identified_app_users, app_users);  // every app user with events is linked
  int64_t shared = 0;
  for (const auto& [device, users] : users_by_device) {
    EXPECT_LE(users.size(), 2u);
    shared += users.size() == 2;
  }
  EXPECT_GT(shared, 10);
  EXPECT_LE(shared, d.summary.shared_devices);
}

TEST(DemoBankEvents, ConsentEventsNameAPurposeAChannelAndEvidence) {
  const Decoded& d = DecodedBank();
  int64_t consents = 0;
  for (const events::Event& e : d.events) {
    if (e.name != "$consent") continue;
    const Json p = Json::parse(e.properties);
    EXPECT_EQ(p["purpose"], "marketing");
    EXPECT_TRUE(p["granted"].is_boolean());
    EXPECT_TRUE(p["channel"].is_string());
    EXPECT_TRUE(p["evidence"]["form"].is_string());
    ++consents;
  }
  EXPECT_GT(consents, 50);
  EXPECT_LT(consents, 500);
}

// Recurring activity over 13 weeks: most customers come back, some go quiet, some return.
TEST(DemoBankEvents, ActivityHasRetentionChurnAndResurrection) {
  const auto d = DecodeBank(1500, 91);
  std::map<std::string, std::set<int64_t>> weeks_by_person;  // person = app user id
  for (const events::Event& e : d->events) {
    if (e.channel != events::Channel::kApp) continue;
    const auto week = (TestNow() - e.event_time) / std::chrono::hours(24 * 7);
    weeks_by_person[std::string(e.IdentifierValue(events::kAppUserId))].insert(week);
  }
  int64_t active_first_month = 0, both = 0, gap_then_back = 0;
  for (const auto& [person, weeks] : weeks_by_person) {
    const bool last = *weeks.begin() <= 3;    // weeks 0-3 before now
    const bool first = *weeks.rbegin() >= 9;  // weeks 9-12 before now
    active_first_month += first;
    both += first && last;
    for (auto it = std::next(weeks.begin()); it != weeks.end(); ++it) {
      if (*it - *std::prev(it) >= 5) {  // five quiet weeks, then back
        ++gap_then_back;
        break;
      }
    }
  }
  ASSERT_GT(active_first_month, 200);
  const double retained = static_cast<double>(both) / static_cast<double>(active_first_month);
  EXPECT_GT(retained, 0.5);
  EXPECT_LT(retained, 0.95);
  EXPECT_GT(gap_then_back, 10);
}

}  // namespace
}  // namespace banyan::server
