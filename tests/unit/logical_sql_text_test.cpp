// SQL text for logical dumps: literals, identifiers, file names, DEFINER stripping, chunk
// ranges, and the loader's script splitter.

#include <gtest/gtest.h>

#include "dbkeep/restore/logical/sql_script.hpp"
#include "dbkeep/source/mysql/logical/chunk_plan.hpp"
#include "dbkeep/source/mysql/logical/sql_text.hpp"

namespace dbkeep::source::mysql::logical {
namespace {

TEST(LogicalSqlTextTest, IdentifiersDoubleBackquotes) {
  EXPECT_EQ(quote_identifier("plain"), "`plain`");
  EXPECT_EQ(quote_identifier("we`ird"), "`we``ird`");
}

TEST(LogicalSqlTextTest, StringLiteralsNeverHoldARawNewline) {
  std::string out;
  append_string_literal(out, std::string("a'b\\c\nd\re\0f\x1a", 12));
  EXPECT_EQ(out, "'a\\'b\\\\c\\nd\\re\\0f\\Z'");
  EXPECT_EQ(out.find('\n'), std::string::npos);
}

// The escaper checks 16 bytes at a time: every special byte at every offset of values long and
// short must come out as the byte-at-a-time rule says, appended after text already there.
TEST(LogicalSqlTextTest, EverySpecialByteIsEscapedAtEveryOffset) {
  const std::string specials("\0\n\r\x1a\\'", 6);
  const std::string letters = "0nrZ\\'";
  for (std::size_t length : {1, 15, 16, 17, 31, 33, 100}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (std::size_t which = 0; which < specials.size(); ++which) {
        std::string value(length, '7');
        value[at] = specials[which];
        value[length - 1 - (at % 3 == 0 ? 0 : at / 2)] = '\xE9';  // a latin1 byte stays as is
        std::string expected = "prefix'";
        for (char c : value) {
          auto found = specials.find(c);
          if (found == std::string::npos) {
            expected += c;
          } else {
            expected += '\\';
            expected += letters[found];
          }
        }
        expected += '\'';
        std::string out = "prefix";
        append_string_literal(out, value);
        ASSERT_EQ(out, expected) << "length " << length << " at " << at << " byte " << which;
      }
    }
  }
}

TEST(LogicalSqlTextTest, HexLiteralsAndTheEmptyValue) {
  std::string out;
  append_hex_literal(out, std::string("\x00\xff", 2));
  EXPECT_EQ(out, "0x00FF");
  out.clear();
  append_hex_literal(out, "");
  EXPECT_EQ(out, "''");
}

TEST(LogicalSqlTextTest, FileComponentsAreDistinctAndPortable) {
  EXPECT_EQ(file_component("sbtest1"), "sbtest1");
  EXPECT_EQ(file_component("a/b.c"), "a@2Fb@2Ec");
  EXPECT_NE(file_component("a.b"), file_component("a@2Eb"));
  EXPECT_EQ(file_component(""), "@");
}

TEST(LogicalSqlTextTest, StripDefinerRemovesOnlyTheClause) {
  EXPECT_EQ(strip_definer("CREATE DEFINER=`root`@`localhost` PROCEDURE `p`() SELECT 'DEFINER=x'"),
            "CREATE PROCEDURE `p`() SELECT 'DEFINER=x'");
  EXPECT_EQ(strip_definer("CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`%` SQL SECURITY DEFINER "
                          "VIEW `v` AS select 1"),
            "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1");
}

TEST(LogicalChunkPlanTest, RangesAreOpenEndedAndCoverEverything) {
  auto ranges = range_conditions("id", 1, 100, 4);
  ASSERT_EQ(ranges.size(), 4U);
  EXPECT_EQ(ranges[0], "`id` < 26");
  EXPECT_EQ(ranges[1], "`id` >= 26 AND `id` < 51");
  EXPECT_EQ(ranges[3], "`id` >= 76");
  EXPECT_EQ(range_conditions("id", 5, 5, 10), std::vector<std::string>{""});
  auto wide = range_conditions("id", -9223372036854775807LL - 1, 9223372036854775807LL, 2);
  EXPECT_EQ(wide[0], "`id` < 0");
}

TEST(SqlScriptTest, SplitsOnDelimitersOutsideQuotesAndComments) {
  auto statements = restore::logical::split_sql_script(
      "SET a=1;\nINSERT INTO t VALUES ('x;y', \"q\\\";\", `c;`); -- c;\n/* ; */ SELECT 2;\n"
      "DELIMITER ;;\nCREATE PROCEDURE p() BEGIN SELECT 1; END ;;\nDELIMITER ;\nSELECT 3;");
  ASSERT_TRUE(statements);
  ASSERT_EQ(statements->size(), 5U);
  EXPECT_EQ((*statements)[1], "INSERT INTO t VALUES ('x;y', \"q\\\";\", `c;`)");
  EXPECT_EQ((*statements)[3], "CREATE PROCEDURE p() BEGIN SELECT 1; END");
  EXPECT_EQ((*statements)[4], "SELECT 3");
  EXPECT_FALSE(restore::logical::split_sql_script("SELECT 'unterminated"));
}

}  // namespace
}  // namespace dbkeep::source::mysql::logical
