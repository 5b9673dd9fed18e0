#include "server/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

namespace banyan::server {

std::optional<std::string> Args::Flag(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end()) return std::nullopt;
  return it->second;
}

Result<Args> ParseArgs(int argc, char** argv, const std::vector<std::string>& switches) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      if (!args.flags.empty()) {
        return InvalidArgumentError(fmt::format("unexpected argument '{}' after flags", arg));
      }
      args.words.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (std::find(switches.begin(), switches.end(), name) == switches.end()) {
      if (i + 1 >= argc) return InvalidArgumentError(fmt::format("--{} needs a value", name));
      value = argv[++i];
    }
    args.flags[name] = value;
  }
  return args;
}

Result<Config> LoadConfigFor(const Args& args) {
  auto env = ProcessEnvironment();
  std::string path = args.Flag("config").value_or("");
  if (path.empty() && env.count("BANYAN_CONFIG")) path = env["BANYAN_CONFIG"];
  ASSIGN_OR_RETURN(Config config, LoadConfig(path, env));
  if (auto dir = args.Flag("data-dir")) config.server.data_dir = *dir;
  if (auto listen = args.Flag("listen")) config.server.listen = *listen;
  return config;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "banyan: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

}  // namespace banyan::server
