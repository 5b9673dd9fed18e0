// `banyan admin create-user`, `banyan demo`, `banyan audit verify`, `banyan config`.

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/logging.h"
#include "server/app.h"
#include "server/cli.h"
#include "server/demo.h"

namespace banyan::server {
namespace {

// Reads a password from stdin: one line; without echo when stdin is a terminal.
Result<std::string> ReadPassword(bool from_pipe) {
  const bool tty = ::isatty(STDIN_FILENO) && !from_pipe;
  termios saved{};
  if (tty) {
    std::fprintf(stderr, "Password: ");
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (tty) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) return InvalidArgumentError("no password given on standard input");
  return password;
}

// The branch for a new account: --branch CODE, or the head office (created, code HQ, when the
// organisation is still empty so the very first admin can be made on a fresh install).
Result<int64_t> BranchFor(App& app, const Args& args, const auth::AuditContext& ctx) {
  const auth::Principal system = auth::Principal::System();
  const std::string code = args.Flag("branch").value_or("");
  std::string cursor;
  for (;;) {
    ASSIGN_OR_RETURN(auto page, app.auth().branches().List(system, std::nullopt, cursor, 200));
    for (const auto& b : page.items) {
      if (code.empty() ? b.kind == "head_office" : b.code == code) return b.id;
    }
    if (page.next_cursor.empty()) break;
    cursor = page.next_cursor;
  }
  if (!code.empty()) return NotFoundError(fmt::format("no branch with code '{}'", code));
  auth::BranchInput hq;
  hq.code = "HQ";
  hq.name = args.Flag("org-name").value_or("Head Office");
  hq.kind = "head_office";
  hq.address = "";
  hq.latitude = 0;
  hq.longitude = 0;
  ASSIGN_OR_RETURN(auth::Branch branch, app.auth().branches().Create(system, hq, ctx));
  return branch.id;
}

}  // namespace

int RunAdminCreateUser(const Args& args) {
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto username = args.Flag("username");
  auto role = auth::ParseRole(args.Flag("role").value_or(""));
  if (!username || !role) {
    return Fail(InvalidArgumentError(
        "admin create-user needs --username NAME and --role (admin, analyst, marketer, "
        "branch_manager, relationship_manager, auditor)"));
  }
  auto app = App::Open(*config, /*exclusive=*/false);
  if (!app.ok()) return Fail(app.status());
  const auth::AuditContext ctx{"cli", "local"};
  auto branch = BranchFor(**app, args, ctx);
  if (!branch.ok()) return Fail(branch.status());
  auto password = ReadPassword(args.Flag("password-stdin").has_value());
  if (!password.ok()) return Fail(password.status());
  auth::StaffInput input;
  input.username = *username;
  input.display_name = args.Flag("display-name").value_or(*username);
  input.password = *password;
  input.role = *role;
  input.branch_id = *branch;
  input.locale = "zh-CN";
  auto staff = (*app)->auth().staff().Create(auth::Principal::System(), input, ctx);
  if (!staff.ok()) return Fail(staff.status());
  std::printf("created %s (%s), id %lld\n", staff->username.c_str(),
              auth::RoleName(staff->role).data(), static_cast<long long>(staff->id));
  return 0;
}

int RunDemo(const Args& args) {
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  const std::string sub = args.words.size() > 1 ? args.words[1] : "";
  const std::string url = "http://" + config->server.listen;
  if (sub == "show") {
    auto credentials = ReadDemoCredentials(config->server.data_dir);
    if (!credentials.ok()) return Fail(credentials.status());
    std::fputs(DescribeDemo(*credentials, url).c_str(), stdout);
    return 0;
  }
  if (sub != "init") return Fail(InvalidArgumentError("usage: banyan demo init | demo show"));
  auto options = DemoOptionsFromArgs(args);
  if (!options.ok()) return Fail(options.status());
  auto app = App::Open(*config, /*exclusive=*/true);
  if (!app.ok()) return Fail(app.status());
  auto credentials = InitDemo(**app, *options);
  if (!credentials.ok()) return Fail(credentials.status());
  std::printf("Created the demo organisation in %s\n\n%s", config->server.data_dir.c_str(),
              DescribeDemo(*credentials, url).c_str());
  return 0;
}

int RunAuditVerify(const Args& args) {
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  auto app = App::Open(*config, /*exclusive=*/false);
  if (!app.ok()) return Fail(app.status());
  auto report = (*app)->auth().audit().Verify();
  if (!report.ok()) return Fail(report.status());
  if (report->ok) {
    std::printf("audit log intact: %lld entries verified\n",
                static_cast<long long>(report->entries));
    return 0;
  }
  std::printf("audit log TAMPERED at entry %lld: %s\n",
              static_cast<long long>(report->first_bad_seq), report->reason.c_str());
  return 3;
}

int RunConfig(const Args& args) {
  const std::string sub = args.words.size() > 1 ? args.words[1] : "";
  if (sub == "keys") {
    std::printf("| key | environment | type | default | meaning |\n|---|---|---|---|---|\n");
    for (const auto& k : DescribeConfig()) {
      std::printf("| `%s` | `%s` | %s | `%s` | %s |\n", k.key.c_str(), k.env.c_str(),
                  k.type.c_str(), k.default_value.c_str(), k.description.c_str());
    }
    return 0;
  }
  if (sub != "show") return Fail(InvalidArgumentError("usage: banyan config show | config keys"));
  auto config = LoadConfigFor(args);
  if (!config.ok()) return Fail(config.status());
  std::fputs(ConfigToToml(*config).c_str(), stdout);
  return 0;
}

}  // namespace banyan::server
