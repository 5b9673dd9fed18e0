#include "server/demo.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace banyan::server {
namespace {

struct DemoBranch {
  std::string_view code, name, kind, parent_code, address;
  double latitude, longitude;
};

// clang-format off
constexpr DemoBranch kBranches[] = {
  {"HQ", "榕树城市银行 总行", "head_office", "", "浙江省杭州市上城区钱江路1366号", 30.2458, 120.2134},
  {"XH", "西湖管辖支行", "branch", "HQ", "浙江省杭州市西湖区文三路90号", 30.2789, 120.1435},
  {"SC", "上城管辖支行", "branch", "HQ", "浙江省杭州市上城区延安路258号", 30.2571, 120.1642},
  {"BJ", "滨江管辖支行", "branch", "HQ", "浙江省杭州市滨江区江南大道588号", 30.2089, 120.2119},
  {"XIXI", "西溪支行", "sub_branch", "XH", "浙江省杭州市西湖区天目山路398号", 30.2741, 120.1205},
  {"HUANGLONG", "黄龙支行", "sub_branch", "XH", "浙江省杭州市西湖区黄龙路1号", 30.2692, 120.1461},
  {"WENSAN", "文三路支行", "sub_branch", "XH", "浙江省杭州市西湖区文三路259号", 30.2801, 120.1309},
  {"GUDANG", "古荡支行", "sub_branch", "XH", "浙江省杭州市西湖区古墩路702号", 30.2862, 120.1078},
  {"HUBIN", "湖滨支行", "sub_branch", "SC", "浙江省杭州市上城区东坡路7号", 30.2575, 120.1617},
  {"QJXC", "钱江新城支行", "sub_branch", "SC", "浙江省杭州市上城区富春路290号", 30.2468, 120.2108},
  {"NANXING", "南星支行", "sub_branch", "SC", "浙江省杭州市上城区复兴路333号", 30.2231, 120.1709},
  {"QINGBO", "清波支行", "sub_branch", "SC", "浙江省杭州市上城区河坊街188号", 30.2440, 120.1651},
  {"BINJIANG", "滨江支行", "sub_branch", "BJ", "浙江省杭州市滨江区滨盛路1870号", 30.2079, 120.2098},
  {"GAOXIN", "高新支行", "sub_branch", "BJ", "浙江省杭州市滨江区网商路699号", 30.1882, 120.1903},
  {"XIAOSHAN", "萧山支行", "sub_branch", "BJ", "浙江省杭州市萧山区市心中路819号", 30.1676, 120.2703},
  {"LINPING", "临平支行", "sub_branch", "BJ", "浙江省杭州市临平区迎宾路361号", 30.4195, 120.3003},
};

struct DemoLogin {
  std::string_view username, display_name, role, branch_code, password;
};

constexpr DemoLogin kLogins[] = {
  {"admin", "系统管理员", "admin", "HQ", "banyan-admin-demo"},
  {"analyst", "数据分析师 王敏", "analyst", "HQ", "banyan-analyst-demo"},
  {"marketer", "营销经理 李娜", "marketer", "HQ", "banyan-marketer-demo"},
  {"manager.xixi", "西溪支行行长 陈刚", "branch_manager", "XIXI", "banyan-manager-demo"},
  {"rm.xixi", "西溪支行客户经理 张伟", "relationship_manager", "XIXI", "banyan-rm-demo"},
  {"auditor", "审计员 赵静", "auditor", "HQ", "banyan-auditor-demo"},
};
// clang-format on

Result<std::map<std::string, int64_t, std::less<>>> CreateBranches(App& app,
                                                                   const auth::AuditContext& ctx) {
  std::map<std::string, int64_t, std::less<>> ids;
  const auth::Principal system = auth::Principal::System();
  for (const DemoBranch& b : kBranches) {
    auth::BranchInput input;
    if (!b.parent_code.empty()) input.parent_id = ids.at(std::string(b.parent_code));
    input.code = std::string(b.code);
    input.name = std::string(b.name);
    input.kind = std::string(b.kind);
    input.address = std::string(b.address);
    input.latitude = b.latitude;
    input.longitude = b.longitude;
    ASSIGN_OR_RETURN(auth::Branch branch, app.auth().branches().Create(system, input, ctx));
    ids[std::string(b.code)] = branch.id;
  }
  return ids;
}

Status WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return UnavailableError(fmt::format("cannot write {}", path));
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : UnavailableError(fmt::format("cannot write {}", path));
}

}  // namespace

Result<Json> InitDemo(App& app) {
  const auth::Principal system = auth::Principal::System();
  const auth::AuditContext ctx{"demo-init", "local"};
  ASSIGN_OR_RETURN(auto existing, app.auth().branches().List(system, std::nullopt, "", 1));
  if (!existing.items.empty()) {
    return FailedPreconditionError(
        fmt::format("{} already holds an organisation; demo data goes only into an empty directory",
                    app.data_dir()));
  }
  ASSIGN_OR_RETURN(auto branch_ids, CreateBranches(app, ctx));
  Json logins = Json::array();
  for (const DemoLogin& l : kLogins) {
    auth::StaffInput input;
    input.username = std::string(l.username);
    input.display_name = std::string(l.display_name);
    input.password = std::string(l.password);
    input.role = *auth::ParseRole(l.role);
    input.branch_id = branch_ids.at(std::string(l.branch_code));
    input.locale = "zh-CN";
    RETURN_IF_ERROR(app.auth().staff().Create(system, input, ctx).status());
    logins.push_back({{"username", l.username},
                      {"password", l.password},
                      {"role", l.role},
                      {"branch", l.branch_code}});
  }
  auth::ApiKeyInput key_input;
  key_input.name = "Demo app, mini-program and website SDKs";
  key_input.kind = "write";
  ASSIGN_OR_RETURN(auto write_key, app.auth().api_keys().Create(system, key_input, ctx));
  Json credentials = {{"organisation", kBranches[0].name},
                      {"logins", logins},
                      {"write_key", write_key.secret},
                      {"note", "Demo credentials only. Never use these in production."}};
  RETURN_IF_ERROR(
      WritePrivateFile(app.data_dir() + "/demo-credentials.json", credentials.dump(2) + "\n"));
  return credentials;
}

Result<Json> ReadDemoCredentials(const std::string& data_dir) {
  std::ifstream in(data_dir + "/demo-credentials.json");
  if (!in) return NotFoundError(fmt::format("{} has no demo-credentials.json", data_dir));
  std::stringstream text;
  text << in.rdbuf();
  return ParseJson(text.str());
}

std::string DescribeDemo(const Json& credentials, const std::string& url) {
  std::string out = fmt::format("Demo organisation: {}\n", credentials.value("organisation", ""));
  out += fmt::format("Console: {}\n\nLogins (username / password — role @ branch):\n", url);
  for (const auto& l : credentials["logins"]) {
    out += fmt::format("  {:<14} {:<22} {} @ {}\n", l["username"].get<std::string>(),
                       l["password"].get<std::string>(), l["role"].get<std::string>(),
                       l["branch"].get<std::string>());
  }
  out += fmt::format("\nIngest write key (SDKs: HTTP Basic user, empty password): {}\n",
                     credentials.value("write_key", ""));
  return out;
}

}  // namespace banyan::server
