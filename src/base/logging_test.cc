#include "base/logging.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace banyan::log {
namespace {

std::string Capture(std::function<void()> body) {
  ::testing::internal::CaptureStderr();
  body();
  return ::testing::internal::GetCapturedStderr();
}

TEST(Logging, TextFieldsCannotForgeLines) {
  // Before InitLogging, lines go straight to stderr, which the test can capture.
  const std::string out = Capture([] {
    Write(Level::kWarn, "http.access", {{"path", "/x\n2026-01-01 ERROR forged"}});
  });
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_NE(out.find(R"(path="/x\n2026-01-01 ERROR forged")"), std::string::npos) << out;
}

TEST(Logging, RejectsUnknownLevelsAndFormats) {
  EXPECT_FALSE(InitLogging("loud", "text").ok());
  EXPECT_FALSE(InitLogging("info", "xml").ok());
}

}  // namespace
}  // namespace banyan::log
