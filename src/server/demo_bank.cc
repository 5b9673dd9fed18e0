#include "server/demo_bank.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iterator>
#include <numbers>
#include <unordered_set>

#include "base/check.h"
#include "base/json.h"
#include "base/random.h"
#include "base/time.h"

namespace banyan::server {
namespace {

// ---------------------------------------------------------------------------------------------
// The organisation.

// clang-format off
constexpr DemoBranch kBranches[] = {
  {"HQ", "榕树城市银行 总行", "head_office", "", "浙江省杭州市上城区钱江路1366号", 30.2458, 120.2134, "上城区", 0},
  {"XH", "西湖管辖支行", "branch", "HQ", "浙江省杭州市西湖区文三路90号", 30.2789, 120.1435, "西湖区", 0},
  {"SC", "上城管辖支行", "branch", "HQ", "浙江省杭州市上城区延安路258号", 30.2571, 120.1642, "上城区", 0},
  {"BJ", "滨江管辖支行", "branch", "HQ", "浙江省杭州市滨江区江南大道588号", 30.2089, 120.2119, "滨江区", 0},
  {"XIXI", "西溪支行", "sub_branch", "XH", "浙江省杭州市西湖区天目山路398号", 30.2741, 120.1205, "西湖区", 1.2},
  {"HUANGLONG", "黄龙支行", "sub_branch", "XH", "浙江省杭州市西湖区黄龙路1号", 30.2692, 120.1461, "西湖区", 0.9},
  {"WENSAN", "文三路支行", "sub_branch", "XH", "浙江省杭州市西湖区文三路259号", 30.2801, 120.1309, "西湖区", 1.0},
  {"GUDANG", "古荡支行", "sub_branch", "XH", "浙江省杭州市西湖区古墩路702号", 30.2862, 120.1078, "西湖区", 0.8},
  {"HUBIN", "湖滨支行", "sub_branch", "SC", "浙江省杭州市上城区东坡路7号", 30.2575, 120.1617, "上城区", 1.0},
  {"QJXC", "钱江新城支行", "sub_branch", "SC", "浙江省杭州市上城区富春路290号", 30.2468, 120.2108, "上城区", 1.4},
  {"NANXING", "南星支行", "sub_branch", "SC", "浙江省杭州市上城区复兴路333号", 30.2231, 120.1709, "上城区", 0.7},
  {"QINGBO", "清波支行", "sub_branch", "SC", "浙江省杭州市上城区河坊街188号", 30.2440, 120.1651, "上城区", 0.6},
  {"BINJIANG", "滨江支行", "sub_branch", "BJ", "浙江省杭州市滨江区滨盛路1870号", 30.2079, 120.2098, "滨江区", 1.1},
  {"GAOXIN", "高新支行", "sub_branch", "BJ", "浙江省杭州市滨江区网商路699号", 30.1882, 120.1903, "滨江区", 1.0},
  {"XIAOSHAN", "萧山支行", "sub_branch", "BJ", "浙江省杭州市萧山区市心中路819号", 30.1676, 120.2703, "萧山区", 1.2},
  {"LINPING", "临平支行", "sub_branch", "BJ", "浙江省杭州市临平区迎宾路361号", 30.4195, 120.3003, "临平区", 0.8},
};

constexpr DemoRelationshipManager kRelationshipManagers[] = {
  {"rm.xixi", "西溪支行客户经理 张伟", "XIXI"},
  {"rm.xixi.2", "西溪支行客户经理 沈佳怡", "XIXI"},
  {"rm.xixi.3", "西溪支行客户经理 钱浩", "XIXI"},
  {"rm.huanglong", "黄龙支行客户经理 周婷", "HUANGLONG"},
  {"rm.huanglong.2", "黄龙支行客户经理 吴俊", "HUANGLONG"},
  {"rm.wensan", "文三路支行客户经理 徐静", "WENSAN"},
  {"rm.wensan.2", "文三路支行客户经理 胡斌", "WENSAN"},
  {"rm.wensan.3", "文三路支行客户经理 金晓雅", "WENSAN"},
  {"rm.gudang", "古荡支行客户经理 朱磊", "GUDANG"},
  {"rm.gudang.2", "古荡支行客户经理 杨琳", "GUDANG"},
  {"rm.hubin", "湖滨支行客户经理 陈思远", "HUBIN"},
  {"rm.hubin.2", "湖滨支行客户经理 俞敏", "HUBIN"},
  {"rm.hubin.3", "湖滨支行客户经理 孙涛", "HUBIN"},
  {"rm.qjxc", "钱江新城支行客户经理 王悦", "QJXC"},
  {"rm.qjxc.2", "钱江新城支行客户经理 郑凯", "QJXC"},
  {"rm.qjxc.3", "钱江新城支行客户经理 方雨萱", "QJXC"},
  {"rm.qjxc.4", "钱江新城支行客户经理 何志强", "QJXC"},
  {"rm.nanxing", "南星支行客户经理 叶倩", "NANXING"},
  {"rm.nanxing.2", "南星支行客户经理 汪鹏", "NANXING"},
  {"rm.qingbo", "清波支行客户经理 姚芳", "QINGBO"},
  {"rm.qingbo.2", "清波支行客户经理 章宇", "QINGBO"},
  {"rm.binjiang", "滨江支行客户经理 楼佳", "BINJIANG"},
  {"rm.binjiang.2", "滨江支行客户经理 赵明", "BINJIANG"},
  {"rm.binjiang.3", "滨江支行客户经理 蒋颖", "BINJIANG"},
  {"rm.gaoxin", "高新支行客户经理 潘浩然", "GAOXIN"},
  {"rm.gaoxin.2", "高新支行客户经理 邵雪", "GAOXIN"},
  {"rm.gaoxin.3", "高新支行客户经理 许博", "GAOXIN"},
  {"rm.xiaoshan", "萧山支行客户经理 高丽", "XIAOSHAN"},
  {"rm.xiaoshan.2", "萧山支行客户经理 林峰", "XIAOSHAN"},
  {"rm.xiaoshan.3", "萧山支行客户经理 傅晶", "XIAOSHAN"},
  {"rm.linping", "临平支行客户经理 沈建国", "LINPING"},
  {"rm.linping.2", "临平支行客户经理 马欣", "LINPING"},
};
// clang-format on

// ---------------------------------------------------------------------------------------------
// Demographic tables. Weights are relative.

struct Weighted {
  std::string_view value;
  double weight;
};

// Surnames as common in Hangzhou (陈, 王, 张 lead; 沈, 钱, 俞, 楼 are local), a few compound.
constexpr Weighted kSurnames[] = {
    {"王", 60}, {"陈", 58},  {"张", 45},    {"李", 38},    {"徐", 30}, {"吴", 28}, {"周", 26},
    {"朱", 24}, {"沈", 22},  {"杨", 22},    {"胡", 20},    {"刘", 20}, {"金", 18}, {"黄", 16},
    {"钱", 14}, {"孙", 14},  {"何", 12},    {"郑", 12},    {"俞", 10}, {"方", 10}, {"叶", 10},
    {"汪", 10}, {"赵", 10},  {"姚", 9},     {"章", 9},     {"蒋", 9},  {"许", 9},  {"潘", 8},
    {"高", 8},  {"林", 8},   {"马", 8},     {"楼", 7},     {"邵", 7},  {"傅", 7},  {"陆", 7},
    {"罗", 6},  {"宋", 6},   {"唐", 6},     {"冯", 6},     {"戴", 6},  {"施", 6},  {"毛", 6},
    {"蔡", 6},  {"韩", 5},   {"应", 5},     {"丁", 5},     {"袁", 5},  {"程", 5},  {"范", 5},
    {"孔", 4},  {"欧阳", 1}, {"上官", 0.5}, {"诸葛", 0.3},
};

constexpr std::string_view kMaleFirst[] = {"志", "建", "国", "文", "俊", "子", "浩", "宇", "家",
                                           "明", "天", "嘉", "永", "振", "海", "立", "晨", "一"};
constexpr std::string_view kMaleLast[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳", "峰", "博", "昊",
    "轩", "然", "睿", "泽", "逸", "航", "毅", "海", "东", "豪", "晖", "诚", "翔", "杭"};
constexpr std::string_view kFemaleFirst[] = {"晓", "雅", "思", "欣", "佳", "美", "丽", "雨", "诗",
                                             "婉", "梦", "静", "淑", "秀", "玉", "雪", "紫", "一"};
constexpr std::string_view kFemaleLast[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "英", "慧", "美",
    "雪", "倩", "颖", "琳", "晶", "欣", "怡", "佳", "梦", "雨", "萱", "涵", "琪", "悦",
    "瑶", "露", "洁", "红", "梅", "兰", "莉", "蕾", "薇", "妍", "彤", "菲"};
// Names of those born before 1965 lean on a different set of characters.
constexpr std::string_view kMaleOlder[] = {"国", "华", "明", "福", "根", "荣", "建", "德", "祥"};
constexpr std::string_view kFemaleOlder[] = {"英", "珍", "兰", "芬", "华", "凤", "娣", "萍", "琴"};

struct AgeBand {
  int from, to;
  double weight;
};
// A retail bank's book: working-age customers dominate, the retired are a large minority.
constexpr AgeBand kAgeBands[] = {{18, 24, 9},  {25, 34, 22}, {35, 44, 21},
                                 {45, 54, 20}, {55, 64, 16}, {65, 80, 12}};

struct District {
  std::string_view name;
  int code;  // administrative division code, the first six digits of an id number
};
constexpr District kHangzhouDistricts[] = {
    {"上城区", 330102}, {"拱墅区", 330105}, {"西湖区", 330106}, {"滨江区", 330108},
    {"萧山区", 330109}, {"余杭区", 330110}, {"富阳区", 330111}, {"临安区", 330112},
    {"临平区", 330113}, {"钱塘区", 330114}, {"桐庐县", 330122}, {"淳安县", 330127},
    {"建德市", 330182}};

struct City {
  std::string_view name;
  double latitude, longitude, weight;
};
constexpr City kOtherCities[] = {
    {"绍兴市", 30.0303, 120.5802, 4}, {"嘉兴市", 30.7469, 120.7555, 3},
    {"湖州市", 30.8943, 120.0868, 2}, {"宁波市", 29.8683, 121.5440, 2},
    {"金华市", 29.0790, 119.6474, 2}, {"温州市", 27.9938, 120.6994, 1},
    {"台州市", 28.6564, 121.4208, 1}, {"衢州市", 28.9701, 118.8593, 0.5}};

constexpr Weighted kOccupations[] = {{"企业职员", 30},  {"专业技术人员", 12}, {"个体工商户", 12},
                                     {"公务员", 6},     {"事业单位职员", 5},  {"教师", 6},
                                     {"医护人员", 5},   {"自由职业", 8},      {"服务业人员", 9},
                                     {"私营企业主", 5}, {"金融从业人员", 3}};

constexpr Weighted kPhonePrefixes[] = {
    {"130", 3}, {"131", 3}, {"132", 2}, {"133", 2}, {"135", 5}, {"136", 5}, {"137", 5}, {"138", 6},
    {"139", 6}, {"150", 3}, {"151", 3}, {"152", 2}, {"153", 2}, {"155", 2}, {"156", 2}, {"157", 3},
    {"158", 4}, {"159", 4}, {"177", 2}, {"180", 2}, {"181", 2}, {"182", 3}, {"183", 2}, {"185", 2},
    {"186", 3}, {"187", 3}, {"188", 3}, {"189", 3}, {"199", 1}};

// Products, in the order they are listed.
enum Product : uint32_t {
  kDebitCard = 1u << 0,
  kCreditCard = 1u << 1,
  kTimeDeposit = 1u << 2,
  kWealthManagement = 1u << 3,
  kFund = 1u << 4,
  kInsurance = 1u << 5,
  kMortgage = 1u << 6,
  kConsumerLoan = 1u << 7,
  kPayroll = 1u << 8,
};
constexpr std::string_view kProductNames[] = {"debit_card",        "credit_card",   "time_deposit",
                                              "wealth_management", "fund",          "insurance",
                                              "mortgage",          "consumer_loan", "payroll"};

// Wealth products viewed (and bought) in the app.
struct WealthProduct {
  std::string_view code, name;
  int risk;
};
constexpr WealthProduct kWealthProducts[] = {
    {"wm_wenjian_30d", "稳健理财30天", 2}, {"wm_rongxiang_90d", "榕享理财90天", 2},
    {"wm_jijiying", "季季盈", 3},          {"fund_mixed_select", "混合型基金精选", 4},
    {"gold_accumulation", "黄金积存", 3},  {"cd_3y", "大额存单3年", 1}};

constexpr std::string_view kCardName = "榕树白金信用卡";

// ---------------------------------------------------------------------------------------------
// Randomness: one SeededRandom per (seed, customer, purpose), so passes are independent.

enum Stream : uint64_t {
  kProfileStream = 1,
  kIdentityStream,
  kDeviceStream,
  kBalanceStream,
  kActivityStream,
  kFunnelTimeStream,
  kFunnelPickStream,
  kPhoneStream,
};

uint64_t Mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t StreamSeed(uint64_t seed, uint64_t index, Stream stream) {
  return Mix64(seed ^ Mix64(index * 16 + static_cast<uint64_t>(stream)));
}

class Draw {
 public:
  Draw(uint64_t seed, uint64_t index, Stream stream) : rng_(StreamSeed(seed, index, stream)) {}
  double Unit() { return rng_.UniformDouble(); }
  double Between(double lo, double hi) { return lo + (hi - lo) * Unit(); }
  // Uniform integer in [lo, hi].
  int64_t Int(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(rng_.Uniform(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Chance(double p) { return Unit() < p; }
  double Normal() {
    const double u = 1.0 - Unit();  // (0, 1]
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * Unit());
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[rng_.Uniform(N)];
  }
  template <typename T, size_t N>
  const T& PickWeighted(const T (&items)[N]) {
    double total = 0;
    for (const T& item : items) total += item.weight;
    double x = Unit() * total;
    for (const T& item : items) {
      if (x < item.weight) return item;
      x -= item.weight;
    }
    return items[N - 1];
  }
  uint64_t Bits() { return rng_.Next64(); }
  SeededRandom& rng() { return rng_; }

 private:
  SeededRandom rng_;
};

// A keyed permutation of [0, domain) (a 4-round Feistel network on 2·half_bits bits with
// cycle walking), so numbers derived from customer indexes are unique without bookkeeping.
uint64_t Permute(uint64_t x, uint64_t key, int half_bits, uint64_t domain) {
  const uint64_t mask = (uint64_t{1} << half_bits) - 1;
  do {
    uint64_t left = x >> half_bits, right = x & mask;
    for (uint64_t round = 0; round < 4; ++round) {
      const uint64_t f = Mix64(key ^ (round << 56) ^ right) & mask;
      const uint64_t next = left ^ f;
      left = right;
      right = next;
    }
    x = (left << half_bits) | right;
  } while (x >= domain);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

// Appends `parts` in one allocation. The generator writes millions of lines: no format strings
// on the hot paths.
template <typename... Parts>
void Append(std::string& out, const Parts&... parts) {
  out.reserve(out.size() + (std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
}

void AppendInt(std::string& out, int64_t value, int width = 0) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  for (auto n = end - digits; n < width; ++n) out += '0';
  out.append(digits, end);
}

// Yuan with two decimals from cents: "523410.25".
void AppendYuan(std::string& out, int64_t cents) {
  if (cents < 0) out += '-';
  AppendInt(out, std::abs(cents) / 100);
  out += '.';
  AppendInt(out, std::abs(cents) % 100, 2);
}

std::string Yuan(int64_t cents) {
  std::string out;
  AppendYuan(out, cents);
  return out;
}

int64_t Cents(double yuan) { return std::llround(yuan * 100.0); }

// "2026-11-22T02:30:00.123Z".
void AppendMillis(std::string& out, int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(unix_ms)};
  const auto day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> hms(t - day);
  AppendInt(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  AppendInt(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  AppendInt(out, static_cast<unsigned>(ymd.day()), 2);
  out += 'T';
  AppendInt(out, hms.hours().count(), 2);
  out += ':';
  AppendInt(out, hms.minutes().count(), 2);
  out += ':';
  AppendInt(out, hms.seconds().count(), 2);
  out += '.';
  AppendInt(out, hms.subseconds().count(), 3);
  out += 'Z';
}

std::string FormatMillis(int64_t unix_ms) {
  std::string out;
  AppendMillis(out, unix_ms);
  return out;
}

std::string Uuid(Draw& draw) {
  const uint64_t a = draw.Bits(), b = draw.Bits();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffULL);
}

std::string RandomText(Draw& draw, std::string_view alphabet, int length) {
  std::string out;
  for (int i = 0; i < length; ++i) out += alphabet[draw.rng().Uniform(alphabet.size())];
  return out;
}

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

// ---------------------------------------------------------------------------------------------

std::span<const DemoBranch> DemoBranches() { return kBranches; }
std::span<const DemoRelationshipManager> DemoRelationshipManagers() {
  return kRelationshipManagers;
}

DemoTier TierOfAum(double aum_yuan) {
  if (aum_yuan >= 10'000'000) return DemoTier::kPrivate;
  if (aum_yuan >= 500'000) return DemoTier::kWealth;
  if (aum_yuan >= 50'000) return DemoTier::kGold;
  return DemoTier::kMass;
}

// What Create decides about a customer that a pure function of (seed, index) cannot: the id
// number's sequence (kept unique), the funnel quota and the shared family device.
struct DemoBank::Plan {
  uint16_t id_sequence = 0;
  int8_t funnel_channel = -1;  // index into kDemoCardFunnels
  uint8_t funnel_steps = 0;    // steps reached, 0..4
  int32_t device_owner = -1;   // index of the customer whose device this one shares
};

// Business days and their first instants.
struct DemoBank::Calendar {
  BusinessCalendar zone;
  CivilDay today;
  CivilDay first_day;
  std::vector<int64_t> day_start_ms;  // [0] = first_day .. [days-1] = today
  int64_t now_ms = 0;

  int64_t StartMs(CivilDay day) const { return day_start_ms[static_cast<size_t>(day - first_day)]; }
};

namespace {

// ---------------------------------------------------------------------------------------------
// One customer, rebuilt from (seed, index) and its plan in every pass.

struct SubBranch {
  const DemoBranch* branch;
  std::vector<std::string_view> relationship_managers;  // usernames
};

const std::vector<SubBranch>& SubBranches() {
  static const std::vector<SubBranch>* const kSubs = [] {
    auto* subs = new std::vector<SubBranch>();
    for (const DemoBranch& b : kBranches) {
      if (b.kind != "sub_branch") continue;
      SubBranch sub{&b, {}};
      for (const auto& rm : kRelationshipManagers) {
        if (rm.branch_code == b.code) sub.relationship_managers.push_back(rm.username);
      }
      CHECK(!sub.relationship_managers.empty());
      subs->push_back(std::move(sub));
    }
    return subs;
  }();
  return *kSubs;
}

struct Customer {
  int64_t index = 0;
  // Profile.
  std::string cust_no, name, city, phone, id_card;
  bool male = true;
  CivilDay birth;
  int age = 0;
  int district_code = 0;
  size_t sub = 0;  // index into SubBranches()
  std::string_view occupation, relationship_manager, channel_preference;
  int64_t deposit_cents = 0, wealth_cents = 0, loan_cents = 0, card_cents = 0;
  int64_t mortgage_cents = 0;
  int risk_level = 3;
  uint32_t products = kDebitCard;
  CivilDay since;
  double latitude = 0, longitude = 0;
  int salary_day = 10;
  uint16_t wanted_id_sequence = 1;
  // Identities.
  bool app = false, ios = false, wechat = false, wechat_bound = false, alipay = false,
       douyin = false, family_device = false;
  std::string app_user_id, app_anonymous_id, device_id;
  std::string wechat_unionid, wechat_openid, wechat_anonymous_id;
  std::string alipay_user_id, alipay_anonymous_id, douyin_id, douyin_anonymous_id;
  std::string branch_anonymous_id;

  int64_t aum_cents() const { return deposit_cents + wealth_cents; }
  DemoTier tier() const { return TierOfAum(static_cast<double>(aum_cents()) / 100.0); }
};

int AgeOn(CivilDay birth, CivilDay day) {
  int age = static_cast<int>(day.year() - birth.year());
  if (day.month() < birth.month() || (day.month() == birth.month() && day.day() < birth.day()))
    --age;
  return age;
}

std::string GivenName(Draw& draw, bool male, int birth_year) {
  const bool older = birth_year < 1965;
  std::string_view last =
      male ? (older && draw.Chance(0.5) ? draw.Pick(kMaleOlder) : draw.Pick(kMaleLast))
           : (older && draw.Chance(0.5) ? draw.Pick(kFemaleOlder) : draw.Pick(kFemaleLast));
  if (draw.Chance(0.25)) return std::string(last);  // one-character given name
  std::string_view first = male ? draw.Pick(kMaleFirst) : draw.Pick(kFemaleFirst);
  return std::string(first) + std::string(last);
}

std::string IdCard(int region, CivilDay birth, int sequence) {
  std::string id = fmt::format("{:06}{:04}{:02}{:02}{:03}", region, birth.year(), birth.month(),
                               birth.day(), sequence);
  // ISO 7064 MOD 11-2, as GB 11643 specifies.
  constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[static_cast<size_t>(i)] - '0') * kWeights[i];
  id += "10X98765432"[sum % 11];
  return id;
}

void DrawDemographics(Draw& draw, const DemoBank::Calendar& cal, Customer& c) {
  c.male = draw.Chance(0.49);
  const AgeBand& band = draw.PickWeighted(kAgeBands);
  const int age = static_cast<int>(draw.Int(band.from, band.to));
  const CivilDay latest(cal.today.year() - age, cal.today.month(), cal.today.day());
  c.birth = latest - draw.Int(0, 364);
  c.age = AgeOn(c.birth, cal.today);
  c.name = std::string(draw.PickWeighted(kSurnames).value);
  c.name += GivenName(draw, c.male, static_cast<int>(c.birth.year()));
  c.sub = 0;
  double total = 0;
  for (const SubBranch& s : SubBranches()) total += s.branch->customer_weight;
  double x = draw.Unit() * total;
  for (size_t i = 0; i < SubBranches().size(); ++i) {
    c.sub = i;
    x -= SubBranches()[i].branch->customer_weight;
    if (x < 0) break;
  }
  const DemoBranch& branch = *SubBranches()[c.sub].branch;
  // Where they live: mostly near their branch, some elsewhere in Hangzhou or in Zhejiang.
  const double km_lat = 1.0 / 111.0, km_lng = 1.0 / 96.0;
  if (draw.Chance(0.9)) {
    std::string_view district = branch.district;
    if (draw.Chance(0.22)) district = draw.Pick(kHangzhouDistricts).name;
    c.city = "杭州市" + std::string(district);
    c.latitude = branch.latitude + std::clamp(draw.Normal() * 1.5, -6.0, 6.0) * km_lat;
    c.longitude = branch.longitude + std::clamp(draw.Normal() * 1.5, -6.0, 6.0) * km_lng;
  } else {
    const City& city = draw.PickWeighted(kOtherCities);
    c.city = std::string(city.name);
    c.latitude = city.latitude + std::clamp(draw.Normal() * 3, -10.0, 10.0) * km_lat;
    c.longitude = city.longitude + std::clamp(draw.Normal() * 3, -10.0, 10.0) * km_lng;
  }
  // Id numbers carry the district of first registration, usually the branch's.
  c.district_code = draw.Pick(kHangzhouDistricts).code;
  if (draw.Chance(0.7)) {
    for (const District& d : kHangzhouDistricts) {
      if (d.name == branch.district) c.district_code = d.code;
    }
  }
  c.wanted_id_sequence = static_cast<uint16_t>(draw.Int(0, 499) * 2 + (c.male ? 1 : 0));
  if (c.wanted_id_sequence == 0) c.wanted_id_sequence = 2;
}

void DrawMoney(Draw& draw, Customer& c) {
  // Log-normal AUM: median ≈ 6,600 yuan, σ = 2.3 puts ≈ 81% under 50k (大众), ≈ 16% in 金卡,
  // ≈ 3% in 金葵花 and ≈ 0.1% at 10M and above (私人银行). Age shifts the median.
  const double age_shift = c.age < 25   ? -1.2
                           : c.age < 35 ? -0.3
                           : c.age < 45 ? 0.1
                           : c.age < 55 ? 0.3
                           : c.age < 65 ? 0.4
                                        : 0.3;
  const double aum = std::min(std::exp(8.8 + age_shift + 2.3 * draw.Normal()), 300e6);
  const DemoTier tier = TierOfAum(aum);
  double wealth_share = 0;
  switch (tier) {
    case DemoTier::kMass:
      wealth_share = draw.Chance(0.2) ? draw.Between(0.1, 0.5) : 0;
      break;
    case DemoTier::kGold:
      wealth_share = draw.Chance(0.6) ? draw.Between(0.2, 0.6) : 0;
      break;
    case DemoTier::kWealth:
      wealth_share = draw.Between(0.4, 0.75);
      break;
    case DemoTier::kPrivate:
      wealth_share = draw.Between(0.5, 0.85);
      break;
  }
  const int64_t aum_cents = std::max<int64_t>(Cents(aum), 1);
  c.wealth_cents = Cents(aum * wealth_share);
  c.deposit_cents = aum_cents - c.wealth_cents;
  if (c.wealth_cents > 0) c.products |= kWealthManagement;
  if (c.deposit_cents > 5'000'000 && draw.Chance(0.5)) c.products |= kTimeDeposit;
  // Risk tolerance: the old are cautious, the young and the rich take more.
  constexpr double kYoung[] = {0.05, 0.22, 0.38, 0.25, 0.10};
  constexpr double kMiddle[] = {0.12, 0.30, 0.33, 0.18, 0.07};
  constexpr double kOld[] = {0.30, 0.40, 0.22, 0.06, 0.02};
  const double* risk = c.age < 35 ? kYoung : c.age < 60 ? kMiddle : kOld;
  double x = draw.Unit() - (tier >= DemoTier::kWealth ? 0.1 : 0);
  c.risk_level = 5;
  for (int i = 0; i < 5; ++i) {
    if (x < risk[i]) {
      c.risk_level = i + 1;
      break;
    }
    x -= risk[i];
  }
  if (c.wealth_cents > 0 && c.risk_level >= 3 && draw.Chance(0.5)) c.products |= kFund;
  if (draw.Chance(c.age >= 40 ? 0.12 : 0.05) || (tier >= DemoTier::kWealth && draw.Chance(0.4)))
    c.products |= kInsurance;
  // Loans: mortgages for the working-age, consumer loans for some.
  if (c.age >= 25 && c.age <= 55 && draw.Chance(0.18)) {
    c.mortgage_cents = Cents(std::min(draw.LogNormal(800'000, 0.6), 5'000'000.0));
    c.products |= kMortgage;
  }
  int64_t consumer = 0;
  if (c.age >= 22 && c.age <= 60 && draw.Chance(0.08)) {
    consumer = Cents(std::min(draw.LogNormal(50'000, 0.7), 300'000.0));
    c.products |= kConsumerLoan;
  }
  c.loan_cents = c.mortgage_cents + consumer;
  const double card = c.age < 25 ? 0.25 : c.age < 45 ? 0.45 : c.age < 60 ? 0.35 : 0.12;
  if (draw.Chance(card)) {
    c.products |= kCreditCard;
    if (draw.Chance(0.7)) c.card_cents = Cents(std::min(draw.LogNormal(4'000, 1.0), 200'000.0));
  }
  if (c.age >= 22 && c.age < 60 && draw.Chance(0.45)) c.products |= kPayroll;
  c.salary_day = draw.Chance(0.6) ? 10 : draw.Chance(0.6) ? 15 : 25;
}

void DrawOccupation(Draw& draw, Customer& c) {
  const bool retired = c.age >= (c.male ? 60 : 55);
  if (c.age <= 22 && draw.Chance(0.6)) {
    c.occupation = "学生";
  } else if (retired && draw.Chance(0.8)) {
    c.occupation = "退休人员";
  } else if (c.tier() >= DemoTier::kWealth && draw.Chance(0.5)) {
    c.occupation = "私营企业主";
  } else {
    c.occupation = draw.PickWeighted(kOccupations).value;
  }
}

// The app's device id of customer `index` (another customer may share it: a family device).
std::string DeviceIdOf(uint64_t seed, int64_t index) {
  Draw device(seed, static_cast<uint64_t>(index), kDeviceStream);
  return Uuid(device);
}

void DrawIdentities(Draw& draw, uint64_t seed, Customer& c) {
  const int a = c.age;
  c.app = draw.Chance(a < 35 ? 0.85 : a < 45 ? 0.75 : a < 55 ? 0.6 : a < 65 ? 0.4 : 0.18);
  c.wechat = draw.Chance(a < 45 ? 0.55 : a < 65 ? 0.5 : 0.3);
  c.wechat_bound = draw.Chance(0.85);
  c.alipay = draw.Chance(a < 35 ? 0.45 : a < 55 ? 0.35 : 0.15);
  c.douyin = draw.Chance(a < 35 ? 0.18 : a < 55 ? 0.10 : 0.05);
  c.family_device = draw.Chance(0.02);
  c.ios = draw.Chance(0.3);
  const uint64_t index = static_cast<uint64_t>(c.index);
  c.app_user_id = fmt::format("u{:09}", Permute(index, Mix64(seed ^ 0xa99), 15, 1'000'000'000));
  c.app_anonymous_id = Uuid(draw);
  c.device_id = DeviceIdOf(seed, c.index);
  const std::string openid = "o" + RandomText(draw, kBase64Url, 27);
  c.wechat_openid = "wxdemoapp01:" + openid;
  c.wechat_unionid = "o" + RandomText(draw, kBase64Url, 27);
  c.wechat_anonymous_id = Uuid(draw);
  c.alipay_user_id =
      fmt::format("2088{:012}", Permute(index, Mix64(seed ^ 0xa11), 20, 1'000'000'000'000));
  c.alipay_anonymous_id = Uuid(draw);
  c.douyin_id = "_000" + RandomText(draw, kLowerAlnum, 24);
  c.douyin_anonymous_id = Uuid(draw);
  c.branch_anonymous_id = Uuid(draw);
}

void DrawRelationship(Draw& draw, const DemoBank::Calendar& cal, int64_t days, Customer& c) {
  const auto& rms = SubBranches()[c.sub].relationship_managers;
  // RMs own every gold-and-above customer and half the mass ones; the rest are the branch's.
  if (c.tier() >= DemoTier::kGold || draw.Chance(0.5))
    c.relationship_manager = rms[draw.rng().Uniform(rms.size())];
  if (draw.Chance(0.03)) {
    c.since = cal.today - draw.Int(0, days - 1);  // joined during the simulated period
  } else {
    const int64_t years_max = std::clamp(c.age - 17, 1, 25);
    c.since = cal.today - draw.Int(365, years_max * 365);
    if (c.since - c.birth < 18 * 365) c.since = c.birth + 18 * 365 + 30;
    if (c.since > cal.today - days) c.since = cal.today - days;
  }
  const bool rich = c.tier() >= DemoTier::kGold;
  if (c.app && draw.Chance(0.45)) {
    c.channel_preference = "app_push";
  } else if (c.wechat && draw.Chance(0.5)) {
    c.channel_preference = "wechat";
  } else if (rich && !c.relationship_manager.empty() && draw.Chance(0.4)) {
    c.channel_preference = "wecom";
  } else if (c.age >= 60) {
    c.channel_preference = draw.Chance(0.3) ? "phone" : "sms";
  } else {
    const double x = draw.Unit();
    c.channel_preference = x < 0.6 ? "sms" : x < 0.7 ? "rcs" : x < 0.8 ? "email" : "phone";
  }
}

Customer MakeCustomer(uint64_t seed, const DemoBank::Calendar& cal, int64_t days, int64_t index,
                      const DemoBank::Plan* plan) {
  Customer c;
  c.index = index;
  const auto i = static_cast<uint64_t>(index);
  Draw draw(seed, i, kProfileStream);
  DrawDemographics(draw, cal, c);
  DrawMoney(draw, c);
  DrawOccupation(draw, c);
  Draw ids(seed, i, kIdentityStream);
  DrawIdentities(ids, seed, c);
  DrawRelationship(draw, cal, days, c);
  c.cust_no = fmt::format("3301{:08}", Permute(i, Mix64(seed ^ 0xc05), 14, 100'000'000));
  Draw phone(seed, i, kPhoneStream);
  c.phone = std::string(phone.PickWeighted(kPhonePrefixes).value) +
            fmt::format("{:08}", Permute(i, Mix64(seed ^ 0x9e0), 14, 100'000'000));
  if (plan != nullptr) {
    c.id_card = IdCard(c.district_code, c.birth, plan->id_sequence);
    if (plan->funnel_steps == 4) c.products |= kCreditCard;  // the card was approved
  }
  return c;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Create: plans for every customer.

namespace {

// Step counts of a funnel entered by `entrants`: each step is round(previous step · rate).
std::array<int64_t, 4> StepCounts(int64_t entrants, const std::array<double, 3>& rates) {
  std::array<int64_t, 4> n{entrants, 0, 0, 0};
  for (size_t k = 0; k < rates.size(); ++k) {
    n[k + 1] = std::llround(static_cast<double>(n[k]) * rates[k]);
  }
  return n;
}

// The largest distance between a step's realised and wanted conversion.
double StepError(const std::array<int64_t, 4>& n, const std::array<double, 3>& rates) {
  double worst = 0;
  for (size_t k = 0; k < rates.size(); ++k) {
    if (n[k] == 0) return 1.0;
    const double rate = static_cast<double>(n[k + 1]) / static_cast<double>(n[k]);
    worst = std::max(worst, std::abs(rate - rates[k]));
  }
  return worst;
}

// The number of entrants within ±15% of `target` (and at most `available`) whose rounded step
// counts come closest to the wanted rates; ties go to the one nearest the target. Rounding
// alone could miss a rate by 0.5/n, several points on the small last steps of a small bank.
int64_t ChooseEntrants(int64_t target, int64_t available, const std::array<double, 3>& rates) {
  if (available <= 0 || target <= 0) return 0;
  int64_t best = std::min(target, available);
  double best_error = StepError(StepCounts(best, rates), rates);
  const int64_t lo = std::max<int64_t>(1, target * 85 / 100);
  const int64_t hi = std::min(available, target * 115 / 100 + 1);
  for (int64_t n = lo; n <= hi; ++n) {
    const double error = StepError(StepCounts(n, rates), rates);
    const bool nearer = std::abs(n - target) < std::abs(best - target);
    if (error < best_error - 1e-12 || (error <= best_error + 1e-12 && nearer)) {
      best = n;
      best_error = error;
    }
  }
  return best;
}

bool FunnelEligible(const Customer& c, std::string_view channel) {
  if (channel == "alipay") return c.alipay;
  if (channel == "wechat") return c.wechat;
  if (channel == "app") return c.app;
  return channel == "branch";
}

}  // namespace

DemoBank::DemoBank(DemoBankOptions options) : options_(std::move(options)) {}
DemoBank::~DemoBank() = default;

Result<std::unique_ptr<DemoBank>> DemoBank::Create(const DemoBankOptions& options) {
  if (options.customers < 1 || options.customers > kDemoCustomersMax) {
    return InvalidArgumentError(
        fmt::format("customers must be between 1 and {}", kDemoCustomersMax), "customers");
  }
  if (options.days < kDemoDaysMin || options.days > kDemoDaysMax) {
    return InvalidArgumentError(
        fmt::format("days must be between {} and {}", kDemoDaysMin, kDemoDaysMax), "days");
  }
  if (options.now < FromUnixMicros(946'684'800'000'000)) {  // 2000-01-01
    return InvalidArgumentError("now must be after 2000-01-01", "now");
  }
  auto zone = BusinessCalendar::Create(options.time_zone);
  if (!zone.ok()) return InvalidArgumentError(zone.status().message(), "time_zone");
  auto bank = std::unique_ptr<DemoBank>(new DemoBank(options));
  const CivilDay today = zone->DayOf(options.now);
  bank->calendar_ = std::unique_ptr<Calendar>(
      new Calendar{*zone, today, today - (options.days - 1), {}, ToUnixMicros(options.now) / 1000});
  for (int64_t j = 0; j < options.days; ++j) {
    bank->calendar_->day_start_ms.push_back(
        ToUnixMicros(zone->StartOf(bank->calendar_->first_day + j)) / 1000);
  }
  ASSIGN_OR_RETURN(auto eligible, bank->PlanCustomers());
  bank->PlanFunnels(eligible);
  return bank;
}

Result<std::vector<std::vector<int32_t>>> DemoBank::PlanCustomers() {
  const Calendar& cal = *calendar_;
  const int64_t n = options_.customers;
  plans_.resize(static_cast<size_t>(n));
  summary_.customers = n;
  std::unordered_set<uint64_t> id_keys;
  id_keys.reserve(static_cast<size_t>(n) * 2);
  std::vector<int64_t> last_app_user(SubBranches().size(), -1);
  std::vector<bool> lends_device(static_cast<size_t>(n), false);
  std::vector<std::vector<int32_t>> eligible(kDemoCardFunnels.size());
  for (int64_t i = 0; i < n; ++i) {
    const Customer c = MakeCustomer(options_.seed, cal, options_.days, i, nullptr);
    Plan& plan = plans_[static_cast<size_t>(i)];
    // Id numbers are unique: the next free sequence number of the same parity (gender).
    int sequence = c.wanted_id_sequence;
    for (int tries = 0;; ++tries) {
      if (tries >= 500) return InternalError("no free id number sequence; too many customers");
      const uint64_t key = (static_cast<uint64_t>(c.district_code) << 40) |
                           (static_cast<uint64_t>(c.birth - CivilDay(1900, 1, 1)) << 12) |
                           static_cast<uint64_t>(sequence);
      if (id_keys.insert(key).second) break;
      sequence += 2;
      if (sequence > 999) sequence -= 998;
    }
    plan.id_sequence = static_cast<uint16_t>(sequence);
    ++summary_.tier_customers[static_cast<size_t>(c.tier())];
    summary_.app_users += c.app;
    summary_.wechat_users += c.wechat;
    summary_.alipay_users += c.alipay;
    summary_.douyin_users += c.douyin;
    // A family device: this app user logs in on the phone of an earlier app user at the same
    // branch (a spouse, a parent) — two identified customers, one device_id.
    if (c.app) {
      int64_t& last = last_app_user[c.sub];
      if (c.family_device && last >= 0 && !lends_device[static_cast<size_t>(last)] &&
          plans_[static_cast<size_t>(last)].device_owner < 0) {
        plan.device_owner = static_cast<int32_t>(last);
        lends_device[static_cast<size_t>(last)] = true;
        ++summary_.shared_devices;
      } else {
        last = i;
      }
    }
    if (c.since <= cal.today - 7) {
      for (size_t f = 0; f < kDemoCardFunnels.size(); ++f) {
        if (FunnelEligible(c, kDemoCardFunnels[f].channel)) {
          eligible[f].push_back(static_cast<int32_t>(i));
        }
      }
    }
  }
  return eligible;
}

// Channel by channel, a seeded sample of the eligible customers not yet in a funnel enters it,
// and each step keeps exactly round(previous · rate) of them.
void DemoBank::PlanFunnels(const std::vector<std::vector<int32_t>>& eligible) {
  for (size_t f = 0; f < kDemoCardFunnels.size(); ++f) {
    const DemoFunnel& funnel = kDemoCardFunnels[f];
    std::vector<int32_t> pool;
    for (const int32_t i : eligible[f]) {
      if (plans_[static_cast<size_t>(i)].funnel_channel < 0) pool.push_back(i);
    }
    const auto available = static_cast<int64_t>(pool.size());
    const int64_t target = std::llround(funnel.entry_share * static_cast<double>(available));
    const int64_t entrants = ChooseEntrants(target, available, funnel.step_rates);
    const auto counts = StepCounts(entrants, funnel.step_rates);
    Draw pick(options_.seed, f, kFunnelPickStream);
    for (int64_t k = 0; k < entrants; ++k) {
      const auto j =
          k + static_cast<int64_t>(pick.rng().Uniform(static_cast<uint64_t>(available - k)));
      std::swap(pool[static_cast<size_t>(k)], pool[static_cast<size_t>(j)]);
      Plan& plan = plans_[static_cast<size_t>(pool[static_cast<size_t>(k)])];
      plan.funnel_channel = static_cast<int8_t>(f);
      for (const int64_t count : counts) plan.funnel_steps += k < count ? 1 : 0;
    }
    summary_.funnel_customers[f] = counts;
  }
}

// ---------------------------------------------------------------------------------------------
// Customers.

Status DemoBank::WriteCustomers(const LineSink& sink) const {
  const Calendar& cal = *calendar_;
  const std::string as_of = FormatMillis(cal.now_ms);
  std::string line;
  for (int64_t i = 0; i < options_.customers; ++i) {
    const Customer c =
        MakeCustomer(options_.seed, cal, options_.days, i, &plans_[static_cast<size_t>(i)]);
    line.clear();
    auto out = std::back_inserter(line);
    fmt::format_to(out, R"({{"cust_no":"{}","id_card":"{}","phone":"{}")", c.cust_no, c.id_card,
                   c.phone);
    if (c.wechat && c.wechat_bound) {
      fmt::format_to(out, R"(,"wechat_unionid":"{}")", c.wechat_unionid);
    }
    if (c.alipay) fmt::format_to(out, R"(,"alipay_user_id":"{}")", c.alipay_user_id);
    line += R"(,"name":)";
    AppendJsonString(c.name, &line);
    fmt::format_to(out, R"(,"gender":"{}","birth_date":"{}","occupation":)",
                   c.male ? "male" : "female", FormatDate(c.birth));
    AppendJsonString(c.occupation, &line);
    line += R"(,"city":)";
    AppendJsonString(c.city, &line);
    fmt::format_to(out, R"(,"home_branch":"{}")", SubBranches()[c.sub].branch->code);
    if (!c.relationship_manager.empty()) {
      fmt::format_to(out, R"(,"relationship_manager":"{}")", c.relationship_manager);
    }
    fmt::format_to(out,
                   R"(,"risk_level":"R{}","aum":"{}","deposit_balance":"{}","wealth_balance":"{}")"
                   R"(,"loan_balance":"{}","credit_card_balance":"{}","products":[)",
                   c.risk_level, Yuan(c.aum_cents()), Yuan(c.deposit_cents), Yuan(c.wealth_cents),
                   Yuan(c.loan_cents), Yuan(c.card_cents));
    bool first = true;
    for (size_t p = 0; p < std::size(kProductNames); ++p) {
      if ((c.products & (1u << p)) == 0) continue;
      fmt::format_to(out, R"({}"{}")", first ? "" : ",", kProductNames[p]);
      first = false;
    }
    fmt::format_to(out,
                   R"(],"customer_since":"{}","channel_preference":"{}","home_latitude":"{:.6f}")"
                   R"(,"home_longitude":"{:.6f}","as_of":"{}"}})"
                   "\n",
                   FormatDate(c.since), c.channel_preference, c.latitude, c.longitude, as_of);
    RETURN_IF_ERROR(sink(line));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Balances: each series walks randomly and is scaled so its last day is the profile's value.

namespace {

struct BalanceSeries {
  std::vector<int64_t> deposit, wealth, loan, card;
};

BalanceSeries MakeBalances(const Customer& c, Draw& draw, CivilDay start, int64_t n) {
  const auto size = static_cast<size_t>(n);
  std::vector<double> deposit(size), wealth(size), card(size);
  const bool salaried = (c.products & kPayroll) != 0 || c.occupation == "退休人员";
  const double salary_share = c.tier() >= DemoTier::kGold ? draw.Between(0.01, 0.05)
                              : salaried                  ? draw.Between(0.2, 0.8)
                                                          : draw.Between(0.0, 0.2);
  double walk = 0, growth = 0;
  for (size_t j = 0; j < size; ++j) {
    const CivilDay day = start + static_cast<int64_t>(j);
    walk += 0.01 * draw.Normal();
    const double since_salary = static_cast<double>((day.day() - c.salary_day + 30) % 30);
    deposit[j] = std::exp(walk) * (1 + salary_share * (1 - since_salary / 30));
    growth += 0.00012 + 0.0015 * draw.Normal();
    if (draw.Chance(1.0 / 40)) growth += std::log(draw.Between(0.85, 1.25));  // buy or redeem
    wealth[j] = std::exp(growth);
    card[j] = 0.2 + static_cast<double>((day.day() - 5 + 30) % 30) / 30;  // statement on the 5th
  }
  BalanceSeries s;
  auto scale = [size](const std::vector<double>& raw, int64_t last) {
    std::vector<int64_t> out(size);
    for (size_t j = 0; j < size; ++j) {
      out[j] = std::llround(raw[j] / raw[size - 1] * static_cast<double>(last));
    }
    return out;
  };
  s.deposit = scale(deposit, c.deposit_cents);
  s.wealth = scale(wealth, c.wealth_cents);
  s.card = scale(card, c.card_cents);
  // Loans amortise on the 20th: earlier balances were higher.
  s.loan.resize(size);
  const int64_t payment = c.loan_cents / 240;
  int64_t payments_after = 0;
  for (size_t j = size; j-- > 0;) {
    s.loan[j] = c.loan_cents + payment * payments_after;
    if ((start + static_cast<int64_t>(j)).day() == 20) ++payments_after;
  }
  return s;
}

}  // namespace

Status DemoBank::WriteBalances(const LineSink& sink) const {
  const Calendar& cal = *calendar_;
  std::vector<std::string> dates;
  for (CivilDay day = cal.first_day; day <= cal.today; ++day) dates.push_back(FormatDate(day));
  std::string line;
  for (int64_t i = 0; i < options_.customers; ++i) {
    const Customer c =
        MakeCustomer(options_.seed, cal, options_.days, i, &plans_[static_cast<size_t>(i)]);
    const CivilDay start = std::max(cal.first_day, c.since);
    const int64_t n = cal.today - start + 1;
    Draw draw(options_.seed, static_cast<uint64_t>(i), kBalanceStream);
    const BalanceSeries s = MakeBalances(c, draw, start, n);
    const bool card = (c.products & kCreditCard) != 0;
    const auto offset = static_cast<size_t>(start - cal.first_day);
    for (size_t j = 0; j < static_cast<size_t>(n); ++j) {
      line.clear();
      Append(line, R"({"cust_no":")", c.cust_no, R"(","date":")", dates[offset + j],
             R"(","aum":")");
      AppendYuan(line, s.deposit[j] + s.wealth[j]);
      line += R"(","deposit_balance":")";
      AppendYuan(line, s.deposit[j]);
      line += R"(","wealth_balance":")";
      AppendYuan(line, s.wealth[j]);
      if (c.loan_cents > 0) {
        line += R"(","loan_balance":")";
        AppendYuan(line, s.loan[j]);
      }
      if (card) {
        line += R"(","credit_card_balance":")";
        AppendYuan(line, s.card[j]);
      }
      line += "\"}\n";
      RETURN_IF_ERROR(sink(line));
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Events.

namespace {

// Where a customer acts; each carries its own identities and SDK context.
enum Via : uint8_t { kViaApp, kViaWechat, kViaAlipay, kViaDouyin, kViaBranch, kViaCount };
constexpr std::string_view kViaChannel[kViaCount] = {"app", "wechat", "alipay", "douyin", "branch"};

Via ViaOfChannel(std::string_view channel) {
  for (uint8_t v = 0; v < kViaCount; ++v) {
    if (kViaChannel[v] == channel) return static_cast<Via>(v);
  }
  CHECK(false, "unknown demo channel");
  return kViaBranch;
}

struct PendingEvent {
  int64_t time_ms = 0;
  Via via = kViaApp;
  bool login = false;
  std::string body;  // the members after messageId and timestamp, and the closing brace
};

std::string ExternalId(std::string_view type, std::string_view id) {
  return fmt::format(R"({{"id":"{}","type":"{}","collection":"users","encoding":"none"}})", id,
                     type);
}

// Builds one customer's events; identities and context per channel are rendered once.
class EventBuilder {
 public:
  EventBuilder(const Customer& c, const std::string& device_id) {
    ids_[kViaApp] =
        fmt::format(R"("userId":"{}","anonymousId":"{}")", c.app_user_id, c.app_anonymous_id);
    context_[kViaApp] = fmt::format(
        R"({{"library":{{"name":"{}","version":"{}"}},"device":{{"id":"{}","type":"{}"}},)"
        R"("externalIds":[{}]}})",
        c.ios ? "analytics-ios" : "analytics-android", c.ios ? "4.5.8" : "4.11.3", device_id,
        c.ios ? "ios" : "android", ExternalId("device_id", device_id));
    ids_[kViaWechat] = fmt::format(R"("anonymousId":"{}")", c.wechat_anonymous_id);
    context_[kViaWechat] = fmt::format(
        R"({{"library":{{"name":"analytics.js","version":"5.2.0"}},"userAgent":"Mozilla/5.0 )"
        R"((Linux; Android 13; wv) MicroMessenger/8.0.47","externalIds":[{},{}]}})",
        ExternalId("wechat_unionid", c.wechat_unionid),
        ExternalId("wechat_openid", c.wechat_openid));
    ids_[kViaAlipay] = fmt::format(R"("anonymousId":"{}")", c.alipay_anonymous_id);
    context_[kViaAlipay] = fmt::format(
        R"({{"library":{{"name":"analytics-alipay","version":"1.3.0"}},"externalIds":[{}]}})",
        ExternalId("alipay_user_id", c.alipay_user_id));
    ids_[kViaDouyin] = fmt::format(R"("anonymousId":"{}")", c.douyin_anonymous_id);
    context_[kViaDouyin] = fmt::format(
        R"({{"library":{{"name":"analytics-douyin","version":"1.0.2"}},"userAgent":"Mozilla/5.0 )"
        R"((Linux; Android 13) aweme/27.1.0","externalIds":[{}]}})",
        ExternalId("douyin_id", c.douyin_id));
    ids_[kViaBranch] = fmt::format(R"("anonymousId":"{}")", c.branch_anonymous_id);
    context_[kViaBranch] = fmt::format(
        R"({{"library":{{"name":"analytics-java","version":"3.5.1"}},"externalIds":[{}]}})",
        ExternalId("cust_no", c.cust_no));
  }

  // `properties` are extra members after "channel", each starting with ','.
  void Track(int64_t t, Via via, std::string_view event, std::string_view properties = "",
             bool login = false) {
    std::string body;
    Append(body, R"("type":"track","event":")", event, "\",", ids_[via],
           R"(,"properties":{"channel":")", kViaChannel[via], "\"", properties, R"(},"context":)",
           context_[via], "}");
    Add(t, via, login, std::move(body));
  }
  // A track event whose properties are exactly `properties_json`.
  void TrackRaw(int64_t t, Via via, std::string_view event, std::string_view properties_json) {
    std::string body;
    Append(body, R"("type":"track","event":")", event, "\",", ids_[via], R"(,"properties":)",
           properties_json, R"(,"context":)", context_[via], "}");
    Add(t, via, false, std::move(body));
  }
  // REQUIRES: `name` needs no JSON escaping (the names are ours).
  void Page(int64_t t, Via via, std::string_view name) {
    std::string body;
    Append(body, R"("type":")", via == kViaApp ? "screen" : "page", R"(","name":")", name, "\",",
           ids_[via], R"(,"properties":{"channel":")", kViaChannel[via], R"("},"context":)",
           context_[via], "}");
    Add(t, via, false, std::move(body));
  }
  void Identify(int64_t t, Via via, std::string_view traits_json) {
    std::string body;
    Append(body, R"("type":"identify",)", ids_[via], R"(,"traits":)", traits_json, R"(,"context":)",
           context_[via], "}");
    Add(t, via, false, std::move(body));
  }
  std::vector<PendingEvent>& events() { return events_; }

 private:
  void Add(int64_t t, Via via, bool login, std::string body) {
    events_.push_back(PendingEvent{t, via, login, std::move(body)});
  }
  std::array<std::string, kViaCount> ids_;
  std::array<std::string, kViaCount> context_;
  std::vector<PendingEvent> events_;
};

// When sessions start: a morning peak, lunch, and the evening on the sofa.
constexpr double kHourWeights[24] = {0.3, 0.15, 0.1, 0.1, 0.1, 0.2, 0.8, 2.5, 4.0, 3.0, 2.5, 3.0,
                                     4.5, 3.5,  2.5, 2.5, 2.8, 3.2, 3.5, 4.5, 5.5, 5.5, 4.0, 1.5};

int64_t SessionOffsetMs(Draw& draw) {
  double total = 0;
  for (const double w : kHourWeights) total += w;
  double x = draw.Unit() * total;
  int hour = 23;
  for (int h = 0; h < 24; ++h) {
    if (x < kHourWeights[h]) {
      hour = h;
      break;
    }
    x -= kHourWeights[h];
  }
  return hour * 3'600'000 + draw.Int(0, 3'599'999);
}

int64_t BranchHoursOffsetMs(Draw& draw) { return 9 * 3'600'000 + draw.Int(0, 27'000'000); }

int64_t GapMs(Draw& draw, int64_t lo_s, int64_t hi_s) { return draw.Int(lo_s * 1000, hi_s * 1000); }

constexpr Weighted kAppScreens[] = {{"首页", 10}, {"账户总览", 6}, {"收支明细", 4}, {"转账", 3},
                                    {"理财", 3},  {"信用卡", 2},   {"消息中心", 1}, {"我的", 2}};
constexpr std::string_view kWechatPages[] = {"账户查询", "优惠活动", "信用卡还款", "网点预约"};
constexpr std::string_view kArticles[] = {"养老金融知识讲堂", "防范电信诈骗提示", "理财周报",
                                          "信用卡境外消费攻略"};
constexpr std::string_view kBillers[] = {"电费", "水费", "燃气费", "话费", "物业费"};
constexpr std::string_view kBranchServices[] = {"deposit",      "withdrawal",   "wealth_consult",
                                                "card_service", "loan_consult", "other"};
constexpr std::string_view kLoginMethods[] = {R"(,"method":"password")", R"(,"method":"face_id")",
                                              R"(,"method":"fingerprint")",
                                              R"(,"method":"sms_code")"};

void AppSession(const Customer& c, Draw& draw, int64_t t, EventBuilder& out) {
  out.Track(t, kViaApp, "app_open");
  if (draw.Chance(0.8)) {
    t += GapMs(draw, 3, 20);
    out.Track(t, kViaApp, "login", draw.Pick(kLoginMethods), /*login=*/true);
  }
  const int64_t screens = draw.Int(1, 4);
  for (int64_t k = 0; k < screens; ++k) {
    t += GapMs(draw, 5, 90);
    out.Page(t, kViaApp, draw.PickWeighted(kAppScreens).value);
  }
  if (draw.Chance(0.18)) {
    t += GapMs(draw, 20, 120);
    const int64_t amount = std::llround(std::min(draw.LogNormal(2'000, 1.2), 200'000.0));
    const std::string_view payee = draw.Chance(0.6) ? "本行" : "他行";
    out.Track(t, kViaApp, "transfer",
              fmt::format(R"(,"amount":{},"payee_bank":"{}")", amount, payee));
  }
  if (draw.Chance(0.06)) {
    t += GapMs(draw, 20, 120);
    out.Track(t, kViaApp, "pay_bill", fmt::format(R"(,"biller":"{}")", draw.Pick(kBillers)));
  }
  const bool wealthy = c.wealth_cents > 0 || c.tier() >= DemoTier::kGold;
  if (draw.Chance(wealthy ? 0.15 : 0.05)) {
    const WealthProduct& p = draw.Pick(kWealthProducts);
    t += GapMs(draw, 10, 90);
    out.Track(t, kViaApp, "view_product",
              fmt::format(R"(,"product":"{}","product_name":"{}","risk_level":"R{}")", p.code,
                          p.name, p.risk));
    if (draw.Chance(0.12) && p.risk <= c.risk_level) {
      t += GapMs(draw, 30, 600);
      out.Track(
          t, kViaApp, "purchase_product",
          fmt::format(R"(,"product":"{}","amount":{})", p.code,
                      std::llround(std::min(draw.LogNormal(50'000, 0.8), 1e6) / 1000) * 1000));
    }
  }
}

// RNG draws are never two arguments of one call: their order would be unspecified.
void OtherSession(Via via, Draw& draw, int64_t t, EventBuilder& out) {
  switch (via) {
    case kViaWechat:
      out.Page(t, via, "微信银行首页");
      if (draw.Chance(0.5)) {
        t += GapMs(draw, 5, 60);
        out.Page(t, via, draw.Pick(kWechatPages));
      }
      if (draw.Chance(0.3)) {
        t += GapMs(draw, 10, 90);
        out.Track(t, via, "article_read", fmt::format(R"(,"article":"{}")", draw.Pick(kArticles)));
      }
      if (draw.Chance(0.15)) {
        t += GapMs(draw, 5, 30);
        out.Track(t, via, "check_in");
      }
      break;
    case kViaAlipay:
      out.Page(t, via, "支付宝小程序首页");
      if (draw.Chance(0.4)) {
        t += GapMs(draw, 5, 60);
        out.Page(t, via, "优惠券");
      }
      if (draw.Chance(0.2)) {
        t += GapMs(draw, 5, 60);
        out.Track(t, via, "coupon_claim", R"(,"coupon":"满100减10")");
      }
      break;
    case kViaDouyin: {
      const int64_t content = draw.Int(1000, 9999);
      const std::string_view topic = draw.Chance(0.5) ? "理财知识" : "信用卡权益";
      out.Track(t, via, "content_view",
                fmt::format(R"(,"content_id":"v{}","topic":"{}")", content, topic));
      if (draw.Chance(0.1)) {
        t += GapMs(draw, 30, 300);
        out.Track(t, via, "live_view", R"(,"room":"榕树银行财富直播间")");
      }
      break;
    }
    default:
      break;
  }
}

// The card funnel: steps minutes to days apart, all within three days, ending before `now`.
void FunnelEvents(const Customer& c, const DemoBank::Plan& plan, const DemoBank::Calendar& cal,
                  Draw& draw, EventBuilder& out) {
  const DemoFunnel& funnel = kDemoCardFunnels[static_cast<size_t>(plan.funnel_channel)];
  const Via via = ViaOfChannel(funnel.channel);
  const CivilDay first = std::max(cal.first_day, c.since);
  const CivilDay last = std::max(first, cal.today - 4);
  const CivilDay day = first + draw.Int(0, last - first);
  int64_t t =
      cal.StartMs(day) + (via == kViaBranch ? BranchHoursOffsetMs(draw) : SessionOffsetMs(draw));
  const int64_t gaps[3] = {
      draw.Int(60'000, 1'800'000),
      std::clamp<int64_t>(std::llround(draw.LogNormal(1'200'000, 1.2)), 120'000, 14'400'000),
      std::clamp<int64_t>(std::llround(draw.LogNormal(21'600'000, 1.0)), 3'600'000, 172'800'000)};
  const std::string product = R"(,"product":"credit_card")";
  for (uint8_t step = 0; step < plan.funnel_steps; ++step) {
    if (step > 0) t += gaps[step - 1];
    std::string properties = product;
    if (step == 0) properties += fmt::format(R"(,"product_name":"{}")", kCardName);
    if (step == 2) properties += R"(,"form":"credit_card_application")";
    if (step == 3) properties += fmt::format(R"(,"credit_limit":{})", draw.Int(2, 10) * 5000);
    out.Track(t, via, kDemoFunnelSteps[step], properties);
  }
}

}  // namespace

namespace {

constexpr int64_t kSessionRoomMs = 30 * 60'000;  // a session ends well before `now`

Via PickVia(Draw& draw, const std::array<double, kViaCount>& weights) {
  double total = 0;
  for (const double w : weights) total += w;
  double x = draw.Unit() * total;
  for (uint8_t v = 0; v < kViaCount; ++v) {
    if (x < weights[v]) return static_cast<Via>(v);
    x -= weights[v];
  }
  return kViaApp;
}

// Recurring behaviour: an engaged customer is active on a day with probability rate/7 and may
// churn (dormant) or come back (resurrected); branch visits follow their own rhythm.
void RecurringEvents(const Customer& c, const DemoBank::Calendar& cal, Draw& draw,
                     EventBuilder& out) {
  const double rate = std::min(6.5, draw.LogNormal(1.2, 0.9)) * (c.age >= 60 ? 0.6 : 1.0);
  bool engaged = draw.Chance(0.75);
  const double churn = 1.0 / draw.Between(90, 720);
  constexpr double kResurrect = 0.006;
  std::array<double, kViaCount> weights{};
  weights[kViaApp] = c.app ? 6 : 0;
  weights[kViaWechat] = c.wechat ? 2.5 : 0;
  weights[kViaAlipay] = c.alipay ? 1.5 : 0;
  weights[kViaDouyin] = c.douyin ? 0.7 : 0;
  const bool digital = c.app || c.wechat || c.alipay || c.douyin;
  const double branch_visits_per_month =
      (c.age >= 55 ? 1.0 : 0.3) + (c.tier() >= DemoTier::kWealth ? 1.0 : 0);
  const std::string_view branch_code = SubBranches()[c.sub].branch->code;
  for (CivilDay day = std::max(cal.first_day, c.since); day <= cal.today; ++day) {
    const int64_t day_ms = cal.StartMs(day);
    if (engaged ? draw.Chance(churn) : draw.Chance(kResurrect)) engaged = !engaged;
    const cctz::weekday weekday = cctz::get_weekday(day);
    const bool weekend = weekday == cctz::weekday::saturday || weekday == cctz::weekday::sunday;
    if (engaged && digital && draw.Chance(rate / 7 * (weekend ? 0.85 : 1.0))) {
      const int sessions = draw.Chance(0.25) ? 2 : 1;
      for (int s = 0; s < sessions; ++s) {
        const Via via = PickVia(draw, weights);
        const int64_t t = day_ms + SessionOffsetMs(draw);
        if (t > cal.now_ms - kSessionRoomMs) continue;
        if (via == kViaApp) {
          AppSession(c, draw, t, out);
        } else {
          OtherSession(via, draw, t, out);
        }
      }
    }
    if (!weekend && draw.Chance(branch_visits_per_month / 22)) {
      const int64_t t = day_ms + BranchHoursOffsetMs(draw);
      const std::string_view service = draw.Pick(kBranchServices);
      if (t < cal.now_ms - kSessionRoomMs) {
        out.Track(t, kViaBranch, "branch_visit",
                  fmt::format(R"(,"branch":"{}","service":"{}")", branch_code, service));
      }
    }
  }
}

// A marketing consent given or withdrawn in the app's privacy centre or a WeChat form.
void ConsentEvent(const Customer& c, const DemoBank::Calendar& cal, Draw& draw, EventBuilder& out) {
  constexpr std::string_view kChannels[] = {"sms", "wechat", "app_push", "email", "phone"};
  const Via via = c.app ? kViaApp : kViaWechat;
  const CivilDay first = std::max(cal.first_day, c.since);
  const CivilDay day = first + draw.Int(0, std::max<int64_t>(0, cal.today - 1 - first));
  const int64_t t = cal.StartMs(day) + SessionOffsetMs(draw);
  const std::string_view channel = draw.Pick(kChannels);
  const bool granted = draw.Chance(0.7);
  if (t > cal.now_ms - kSessionRoomMs) return;
  out.TrackRaw(t, via, "$consent",
               fmt::format(R"({{"purpose":"marketing","channel":"{}","granted":{},)"
                           R"("evidence":{{"form":"{}"}}}})",
                           channel, granted,
                           via == kViaApp ? "app_privacy_center_v3" : "wechat_marketing_auth_v2"));
}

// Index of the first event through `via` (a login, when `login`), or -1.
int64_t FirstEvent(const std::vector<PendingEvent>& events, Via via, bool login) {
  for (size_t k = 0; k < events.size(); ++k) {
    if (events[k].via == via && (!login || events[k].login)) return static_cast<int64_t>(k);
  }
  return -1;
}

int64_t LastEvent(const std::vector<PendingEvent>& events, Via via) {
  for (size_t k = events.size(); k-- > 0;) {
    if (events[k].via == via) return static_cast<int64_t>(k);
  }
  return -1;
}

void SortByTime(std::vector<PendingEvent>& events) {
  std::stable_sort(events.begin(), events.end(), [](const PendingEvent& a, const PendingEvent& b) {
    return a.time_ms < b.time_ms;
  });
}

// Identify calls link channel identities to the customer's phone: the app's on its first login
// (or first event), WeChat followers who have not bound their account and Douyin users when
// they authorise their phone number. Also WeChat follows and unfollows.
void LinkingEvents(const Customer& c, const DemoBank::Calendar& cal, Draw& draw,
                   EventBuilder& out) {
  SortByTime(out.events());
  const auto& events = out.events();
  const std::string phone_traits = fmt::format(R"({{"phone":"{}"}})", c.phone);
  const bool subscribe = c.wechat && draw.Chance(0.08);
  const bool unsubscribe = c.wechat && draw.Chance(0.03);
  const int64_t app_login = FirstEvent(events, kViaApp, true);
  const int64_t app_first = FirstEvent(events, kViaApp, false);
  const int64_t wechat_first = FirstEvent(events, kViaWechat, false);
  const int64_t wechat_last = LastEvent(events, kViaWechat);
  const int64_t douyin_first = FirstEvent(events, kViaDouyin, false);
  std::vector<std::pair<int64_t, int>> added;  // (time, kind), added after the scan
  if (app_first >= 0) {
    const int64_t t = app_login >= 0 ? events[static_cast<size_t>(app_login)].time_ms + 1
                                     : events[static_cast<size_t>(app_first)].time_ms - 1000;
    added.emplace_back(t, 0);
  }
  if (wechat_first >= 0) {
    const int64_t t = events[static_cast<size_t>(wechat_first)].time_ms;
    if (!c.wechat_bound) added.emplace_back(t - 1000, 1);
    if (subscribe) added.emplace_back(t - 120'000, 2);
    const int64_t end = events[static_cast<size_t>(wechat_last)].time_ms + 3'600'000;
    if (unsubscribe && end < cal.now_ms - 60'000) added.emplace_back(end, 3);
  }
  if (douyin_first >= 0) {
    added.emplace_back(events[static_cast<size_t>(douyin_first)].time_ms - 1000, 4);
  }
  for (const auto& [t, kind] : added) {
    switch (kind) {
      case 0:
        out.Identify(t, kViaApp,
                     fmt::format(R"({{"name":{},"phone":"{}"}})", JsonString(c.name), c.phone));
        break;
      case 1:
        out.Identify(t, kViaWechat, phone_traits);
        break;
      case 2:
        out.Track(t, kViaWechat, "wechat_subscribe");
        break;
      case 3:
        out.Track(t, kViaWechat, "wechat_unsubscribe");
        break;
      default:
        out.Identify(t, kViaDouyin, phone_traits);
        break;
    }
  }
  SortByTime(out.events());
}

class BatchWriter {
 public:
  BatchWriter(const DemoBank::BatchSink& sink, std::string sent_at)
      : sink_(sink), tail_(fmt::format(R"(],"sentAt":"{}"}})", sent_at)) {}

  Status Add(std::string_view event) {
    if (count_ == static_cast<int64_t>(kDemoBatchEventsMax) ||
        (count_ > 0 && body_.size() + 1 + event.size() + tail_.size() > kDemoBatchBytesMax)) {
      RETURN_IF_ERROR(Flush());
    }
    body_ += count_ == 0 ? R"({"batch":[)" : ",";
    body_ += event;
    ++count_;
    ++totals_.events;
    return Status::Ok();
  }

  Status Flush() {
    if (count_ == 0) return Status::Ok();
    body_ += tail_;
    CHECK(body_.size() <= kDemoBatchBytesMax);
    const int64_t count = count_;
    count_ = 0;
    ++totals_.batches;
    std::string body = std::move(body_);
    body_.clear();
    return sink_(std::move(body), count);
  }

  const DemoEventTotals& totals() const { return totals_; }

 private:
  const DemoBank::BatchSink& sink_;
  const std::string tail_;
  std::string body_;
  int64_t count_ = 0;
  DemoEventTotals totals_;
};

}  // namespace

Result<DemoEventTotals> DemoBank::WriteEvents(const BatchSink& sink) const {
  const Calendar& cal = *calendar_;
  const uint64_t seed = options_.seed;
  BatchWriter writer(sink, FormatMillis(cal.now_ms));
  std::string json, message_prefix;
  for (int64_t i = 0; i < options_.customers; ++i) {
    const Plan& plan = plans_[static_cast<size_t>(i)];
    const Customer c = MakeCustomer(seed, cal, options_.days, i, &plan);
    EventBuilder out(c, plan.device_owner >= 0 ? DeviceIdOf(seed, plan.device_owner) : c.device_id);
    Draw draw(seed, static_cast<uint64_t>(i), kActivityStream);
    RecurringEvents(c, cal, draw, out);
    if (plan.funnel_channel >= 0) {
      Draw funnel(seed, static_cast<uint64_t>(i), kFunnelTimeStream);
      FunnelEvents(c, plan, cal, funnel, out);
    }
    if ((c.app || c.wechat) && draw.Chance(0.05)) ConsentEvent(c, cal, draw, out);
    LinkingEvents(c, cal, draw, out);
    message_prefix = fmt::format(R"({{"messageId":"dm-{:x}-{}-)", seed, i);
    for (size_t k = 0; k < out.events().size(); ++k) {
      const PendingEvent& e = out.events()[k];
      json = message_prefix;
      AppendInt(json, static_cast<int64_t>(k));
      json += R"(","timestamp":")";
      AppendMillis(json, e.time_ms);
      json += "\",";
      json += e.body;
      RETURN_IF_ERROR(writer.Add(json));
    }
  }
  RETURN_IF_ERROR(writer.Flush());
  return writer.totals();
}

}  // namespace banyan::server
