// restore/table_selection: the --only list is parsed once, every entry must name something the
// backup holds, and the error says what it does hold.

#include "dbkeep/restore/table_selection.hpp"

#include <gtest/gtest.h>

namespace dbkeep::restore {
namespace {

const std::vector<TableName> kBackup = {
    {"shop", "customers"}, {"shop", "orders"}, {"crm", "contacts"}, {"my.db", "t,1"}};

TEST(TableSelectionTest, TablesAndWholeSchemas) {
  auto selection = TableSelection::parse("shop.orders, crm.*");
  ASSERT_TRUE(selection) << selection.error().message;
  EXPECT_TRUE(selection->wants_table("shop", "orders"));
  EXPECT_FALSE(selection->wants_table("shop", "customers"));
  EXPECT_TRUE(selection->wants_table("crm", "anything"));
  EXPECT_TRUE(selection->wants_schema("shop"));
  EXPECT_FALSE(selection->wants_whole_schema("shop"));
  EXPECT_TRUE(selection->wants_whole_schema("crm"));
  EXPECT_FALSE(selection->wants_schema("other"));
  EXPECT_TRUE(selection->check_against(kBackup, "db/1"));
  EXPECT_EQ(selection->select(kBackup),
            (std::vector<TableName>{{"shop", "orders"}, {"crm", "contacts"}}));
  EXPECT_EQ(selection->text(), "`crm`.*,`shop`.`orders`");
}

TEST(TableSelectionTest, BackquotedNamesMayHoldDotsCommasAndBackquotes) {
  auto selection = TableSelection::parse("`my.db`.`t,1`,`we``ird`.*");
  ASSERT_TRUE(selection) << selection.error().message;
  EXPECT_TRUE(selection->wants_table("my.db", "t,1"));
  EXPECT_TRUE(selection->wants_whole_schema("we`ird"));
  EXPECT_EQ(selection->text(), "`we``ird`.*,`my.db`.`t,1`");
}

TEST(TableSelectionTest, MalformedListsAreUsageErrors) {
  for (const std::string bad : {"", " ", "shop", "shop.", ".t", "*.t", "shop.a,,shop.b", "shop.a,",
                                "`shop.a", "shop.a.b"}) {
    auto selection = TableSelection::parse(bad);
    ASSERT_FALSE(selection) << "'" << bad << "' was accepted";
    EXPECT_EQ(selection.error().kind, ErrorKind::kUsage) << bad;
    EXPECT_NE(selection.error().message.find("--only"), std::string::npos)
        << selection.error().message;
  }
}

TEST(TableSelectionTest, NamesTheBackupLacksAreListedWithWhatItHolds) {
  auto selection = TableSelection::parse("shop.orders,shop.nope,warehouse.*");
  ASSERT_TRUE(selection);
  auto checked = selection->check_against(kBackup, "db/1");
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().kind, ErrorKind::kUsage);
  const auto& message = checked.error().message;
  EXPECT_NE(message.find("`warehouse`.*, `shop`.`nope`"), std::string::npos) << message;
  EXPECT_EQ(message.find("`shop`.`orders`;"), std::string::npos) << message;
  EXPECT_NE(message.find("holds 4 table(s): `shop`.`customers`"), std::string::npos) << message;
  EXPECT_NE(message.find("nothing was written"), std::string::npos) << message;
}

TEST(TableSelectionTest, ALongListOfWhatTheBackupHoldsIsCut) {
  std::vector<TableName> many;
  for (int i = 0; i < 100; ++i) many.push_back({"s", "t" + std::to_string(i)});
  auto selection = TableSelection::parse("s.missing");
  ASSERT_TRUE(selection);
  auto checked = selection->check_against(many, "db/1");
  ASSERT_FALSE(checked);
  EXPECT_NE(checked.error().message.find("and 60 more (all in: dbkeep show db/1 --tables)"),
            std::string::npos)
      << checked.error().message;
}

}  // namespace
}  // namespace dbkeep::restore
