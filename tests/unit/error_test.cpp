#include "dbkeep/core/error.hpp"

#include <gtest/gtest.h>

namespace dbkeep {
namespace {

Result<int> half(int value) {
  if (value % 2 != 0) return usage_error("odd value " + std::to_string(value));
  return value / 2;
}

Result<int> quarter(int value) {
  TRY_ASSIGN(int halved, half(value));
  TRY_ASSIGN(int quartered, half(halved));
  return quartered;
}

TEST(ErrorTest, TryAssignPassesValuesAndErrorsThrough) {
  EXPECT_EQ(quarter(8).value(), 2);
  auto odd = quarter(6);
  ASSERT_FALSE(odd);
  EXPECT_EQ(odd.error().kind, ErrorKind::kUsage);
  EXPECT_EQ(odd.error().message, "odd value 3");
}

TEST(ErrorTest, ExitCodesFollowTheDesign) {
  EXPECT_EQ(exit_code(ErrorKind::kFailed), 1);
  EXPECT_EQ(exit_code(ErrorKind::kUsage), 2);
  EXPECT_EQ(exit_code(ErrorKind::kVerification), 3);
  EXPECT_EQ(exit_code(ErrorKind::kLocked), 4);
}

TEST(ErrorTest, WithContextPrefixesTheMessage) {
  Error error{ErrorKind::kFailed, "disk full"};
  EXPECT_EQ(error.with_context("writing manifest").message, "writing manifest: disk full");
}

}  // namespace
}  // namespace dbkeep
