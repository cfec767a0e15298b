// The shared CLI helper must turn anything but one JSON document on dbkeep's stdout into a test
// failure that says which command printed what (two of its predecessors returned {} instead).

#include "support/run_dbkeep.hpp"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

namespace dbkeep::test {
namespace {

TEST(JsonOfTest, AcceptsExactlyOneDocument) {
  const DbkeepRun run{{"--json", "list"}, 0, "{\"backups\": []}\n", ""};
  const auto document = json_of(run);
  EXPECT_TRUE(document.contains("backups")) << document.dump();
}

TEST(JsonOfTest, AnythingElseFailsTheTestNamingCommandStatusAndOutput) {
  for (const std::string stdout_text : {"", "Backups:\n  none\n", "{}{}", "{}\n{}\n"}) {
    SCOPED_TRACE("stdout '" + stdout_text + "'");
    const DbkeepRun run{{"--json", "list"}, 3, stdout_text, "the error it printed"};
    EXPECT_NONFATAL_FAILURE(json_of(run), "dbkeep --json list\nexit status 3\nstdout:\n");
    EXPECT_NONFATAL_FAILURE(json_of(run), "stderr:\nthe error it printed");
  }
}

}  // namespace
}  // namespace dbkeep::test
