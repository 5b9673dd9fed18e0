#include "server/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace banyan::server {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("banyan_static_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "assets");
    std::ofstream(dir_ / "index.html") << "<!doctype html><div id=app></div>";
    std::ofstream(dir_ / "assets" / "index-3f2a9c.js") << "console.log(1)";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  http::Request Get(std::string path) {
    http::Request r;
    r.method = http::Method::kGet;
    r.path = std::move(path);
    return r;
  }
  std::filesystem::path dir_;
};

TEST_F(StaticFilesTest, HashedAssetsAreImmutableAndIndexRevalidates) {
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok());
  auto asset = files->Serve(Get("/assets/index-3f2a9c.js"));
  ASSERT_TRUE(asset.has_value());
  EXPECT_EQ(asset->headers.Get("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(asset->headers.Get("Content-Type"), "text/javascript; charset=utf-8");
  auto index = files->Serve(Get("/"));
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->headers.Get("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, ClientRoutesGetTheShellButApiAndMissingAssetsDoNot) {
  auto files = StaticFiles::Load(dir_.string());
  ASSERT_TRUE(files.ok());
  auto route = files->Serve(Get("/customers/42"));
  ASSERT_TRUE(route.has_value());
  EXPECT_NE(route->body.find("id=app"), std::string::npos);
  EXPECT_FALSE(files->Serve(Get("/api/v1/me")).has_value());
  EXPECT_FALSE(files->Serve(Get("/assets/missing.js")).has_value());
  EXPECT_FALSE(files->Serve(Get("/../etc/passwd")).has_value() &&
               files->Serve(Get("/../etc/passwd"))->body.find("root:") != std::string::npos);
}

TEST_F(StaticFilesTest, MissingDirectoryServesNothing) {
  auto files = StaticFiles::Load((dir_ / "nope").string());
  ASSERT_TRUE(files.ok());
  EXPECT_TRUE(files->empty());
  EXPECT_FALSE(files->Serve(Get("/")).has_value());
}

}  // namespace
}  // namespace banyan::server
