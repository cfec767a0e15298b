#include "dbkeep/core/cancellation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

namespace dbkeep::core {
namespace {

class CancellationTest : public ::testing::Test {
 protected:
  void SetUp() override { reset_cancellation_for_testing(); }
  void TearDown() override { reset_cancellation_for_testing(); }
};

TEST_F(CancellationTest, NothingPendingByDefault) {
  EXPECT_FALSE(cancellation_requested());
  EXPECT_TRUE(check_cancellation());
}

TEST_F(CancellationTest, SigtermSetsTheFlagInsteadOfKillingTheProcess) {
  install_cancellation_handlers();
  install_cancellation_handlers();  // idempotent
  ASSERT_EQ(::raise(SIGTERM), 0);
  EXPECT_TRUE(cancellation_requested());
  auto checked = check_cancellation();
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::kCancelled);
  EXPECT_THAT(checked.error().message, ::testing::HasSubstr("SIGTERM"));
}

TEST_F(CancellationTest, SecondSignalEndsTheProcessAtOnce) {
  EXPECT_EXIT(
      {
        install_cancellation_handlers();
        ::raise(SIGINT);
        ::raise(SIGINT);
        std::_Exit(0);  // not reached
      },
      ::testing::KilledBySignal(SIGINT), "");
}

TEST_F(CancellationTest, ProgrammaticRequestIsReportedWithoutASignalName) {
  request_cancellation();
  EXPECT_THAT(check_cancellation().error().message, ::testing::HasSubstr("cancellation requested"));
}

}  // namespace
}  // namespace dbkeep::core
