#include "server/cli.h"

#include <gtest/gtest.h>

namespace banyan::server {
namespace {

Result<Args> Parse(std::vector<std::string> words) {
  std::vector<char*> argv = {const_cast<char*>("banyan")};
  for (auto& w : words) argv.push_back(w.data());
  return ParseArgs(static_cast<int>(argv.size()), argv.data(), {"password-stdin"});
}

TEST(Cli, ParsesWordsFlagsAndSwitches) {
  auto args =
      Parse({"admin", "create-user", "--username", "li", "--role=admin", "--password-stdin"});
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->words, (std::vector<std::string>{"admin", "create-user"}));
  EXPECT_EQ(args->Flag("username"), "li");
  EXPECT_EQ(args->Flag("role"), "admin");
  EXPECT_EQ(args->Flag("password-stdin"), "");
  EXPECT_FALSE(args->Flag("missing").has_value());
}

TEST(Cli, FlagWithoutValueIsAnError) {
  EXPECT_FALSE(Parse({"serve", "--data-dir"}).ok());
  EXPECT_FALSE(Parse({"serve", "--data-dir", "x", "stray"}).ok());
}

TEST(Cli, DataDirFlagOverridesConfig) {
  auto args = Parse({"serve", "--data-dir", "/tmp/x", "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(args.ok());
  auto config = LoadConfigFor(*args);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.data_dir, "/tmp/x");
  EXPECT_EQ(config->server.listen, "127.0.0.1:0");
}

}  // namespace
}  // namespace banyan::server
