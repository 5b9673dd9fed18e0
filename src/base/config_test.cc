#include "base/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace banyan {
namespace {

std::string WriteTemp(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("banyan_config_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path.string();
}

TEST(Config, DefaultsAreValid) {
  auto config = LoadConfig("", {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.listen, "127.0.0.1:8080");
  EXPECT_EQ(config->business.time_zone, "Asia/Shanghai");
}

TEST(Config, FileThenEnvironmentOverride) {
  const auto path =
      WriteTemp("[server]\nlisten = \"127.0.0.1:9000\"\n[http]\nbody_limit_bytes = 4096\n");
  auto config = LoadConfig(path, {{"BANYAN_HTTP_BODY_LIMIT_BYTES", "8192"}, {"PATH", "/bin"}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server.listen, "127.0.0.1:9000");
  EXPECT_EQ(config->http.body_limit_bytes, 8192);
}

TEST(Config, UnknownFileKeyIsNamed) {
  const auto path = WriteTemp("[http]\nbody_limit = 5\n");
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("unknown key 'http.body_limit'"), std::string::npos)
      << config.status().message();
}

TEST(Config, BadValueIsNamed) {
  const auto path = WriteTemp("[log]\nlevel = \"loud\"\n");
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("log.level"), std::string::npos);
  auto wrong_type = LoadConfig(WriteTemp("[server]\nthreads = \"two\"\n"), {});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("server.threads: expected an integer"),
            std::string::npos);
}

TEST(Config, OutOfRangeAndUnknownEnvironment) {
  auto range = LoadConfig("", {{"BANYAN_HTTP_BODY_LIMIT_BYTES", "12"}});
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("out of range"), std::string::npos);
  auto unknown = LoadConfig("", {{"BANYAN_HTTP_TYPO", "1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("BANYAN_HTTP_TYPO"), std::string::npos);
  EXPECT_TRUE(LoadConfig("", {{"BANYAN_BIN", "/usr/bin/banyan"}, {"BANYAN_CONFIG", "x"}}).ok());
  auto zone = LoadConfig("", {{"BANYAN_BUSINESS_TIME_ZONE", "Mars/Olympus"}});
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.status().message().find("business.time_zone"), std::string::npos);
}

TEST(Config, SyntaxErrorNamesTheFile) {
  const auto path = WriteTemp("[server\n");
  auto config = LoadConfig(path, {});
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace banyan
