#include <gtest/gtest.h>

#include "support/run_dbkeep.hpp"

namespace dbkeep::test {
namespace {

TEST(CliHelpTest, BinaryStartsAndExitsCleanly) {
  auto result = run_dbkeep({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
}

}  // namespace
}  // namespace dbkeep::test
