#include "base/status.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace banyan {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd", "/x");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int half, Half(x));
  ASSIGN_OR_RETURN(half, Half(half));
  return half;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(Status, CarriesCodeMessageAndField) {
  Status s = InvalidArgumentError("expected a number", "/amount").WithFieldPrefix("/events/3");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "/events/3/amount");
  EXPECT_EQ(s.ToString(), "invalid_argument: /events/3/amount: expected a number");
}

TEST(Result, PropagatesErrorsThroughMacros) {
  EXPECT_EQ(Quarter(8).value(), 2);
  auto failed = Quarter(6);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "odd");
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).code(), StatusCode::kInvalidArgument);
}

TEST(ResultDeathTest, ValueOfFailedResultAborts) {
  Result<int> r = NotFoundError("gone");
  EXPECT_DEATH((void)r.value(), "value\\(\\) on a failed Result");
}

}  // namespace
}  // namespace banyan
