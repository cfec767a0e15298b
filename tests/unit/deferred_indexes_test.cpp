#include "dbkeep/restore/logical/deferred_indexes.hpp"

#include <gtest/gtest.h>

namespace dbkeep::restore::logical {
namespace {

TEST(DeferredIndexes, MovesPlainAndUniqueKeysOut) {
  const std::string create =
      "CREATE TABLE `t` (\n"
      "  `id` int(11) NOT NULL,\n"
      "  `k` int(11) NOT NULL DEFAULT 0,\n"
      "  `c` char(10) NOT NULL,\n"
      "  PRIMARY KEY (`id`),\n"
      "  UNIQUE KEY `u_c` (`c`),\n"
      "  KEY `k_1` (`k`,`c`)\n"
      ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
  auto split = split_secondary_indexes(create);
  EXPECT_EQ(split.create,
            "CREATE TABLE `t` (\n"
            "  `id` int(11) NOT NULL,\n"
            "  `k` int(11) NOT NULL DEFAULT 0,\n"
            "  `c` char(10) NOT NULL,\n"
            "  PRIMARY KEY (`id`)\n"
            ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
  ASSERT_EQ(split.deferred.size(), 2U);
  EXPECT_EQ(add_indexes_statement("`s`.`t`", split.deferred),
            "ALTER TABLE `s`.`t` ADD UNIQUE KEY `u_c` (`c`), ADD KEY `k_1` (`k`,`c`)");
}

// No primary key: InnoDB clusters on the first UNIQUE NOT NULL key, the dump may chunk by it and
// a resumed load needs it to meet a chunk loaded twice, so unique keys stay; plain keys go.
TEST(DeferredIndexes, KeepsUniqueKeysOfATableWithoutPrimaryKey) {
  const std::string create =
      "CREATE TABLE `t` (\n"
      "  `id` int(11) NOT NULL,\n"
      "  `k` int(11) NOT NULL DEFAULT 0,\n"
      "  UNIQUE KEY `u_id` (`id`),\n"
      "  KEY `k_1` (`k`)\n"
      ") ENGINE=InnoDB";
  auto split = split_secondary_indexes(create);
  EXPECT_EQ(split.create,
            "CREATE TABLE `t` (\n"
            "  `id` int(11) NOT NULL,\n"
            "  `k` int(11) NOT NULL DEFAULT 0,\n"
            "  UNIQUE KEY `u_id` (`id`)\n"
            ") ENGINE=InnoDB");
  ASSERT_EQ(split.deferred.size(), 1U);
  EXPECT_EQ(split.deferred[0], "KEY `k_1` (`k`)");
}

TEST(DeferredIndexes, KeepsKeysOfTablesWithForeignKeys) {
  const std::string create =
      "CREATE TABLE `c` (\n"
      "  `id` int(11) NOT NULL,\n"
      "  `p` int(11) DEFAULT NULL,\n"
      "  PRIMARY KEY (`id`),\n"
      "  KEY `p` (`p`),\n"
      "  CONSTRAINT `fk` FOREIGN KEY (`p`) REFERENCES `parent` (`id`)\n"
      ") ENGINE=InnoDB";
  auto split = split_secondary_indexes(create);
  EXPECT_EQ(split.create, create);
  EXPECT_TRUE(split.deferred.empty());
}

TEST(DeferredIndexes, KeepsTheKeyOfAnAutoIncrementColumnAndFulltext) {
  const std::string create =
      "CREATE TABLE `a` (\n"
      "  `x` int(11) NOT NULL,\n"
      "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
      "  `body` text,\n"
      "  PRIMARY KEY (`x`),\n"
      "  KEY `id` (`id`),\n"
      "  KEY `x2` (`x`,`id`),\n"
      "  FULLTEXT KEY `f` (`body`)\n"
      ") ENGINE=InnoDB AUTO_INCREMENT=5";
  auto split = split_secondary_indexes(create);
  ASSERT_EQ(split.deferred.size(), 1U);
  EXPECT_EQ(split.deferred[0], "KEY `x2` (`x`,`id`)");
  EXPECT_NE(split.create.find("  KEY `id` (`id`),\n  FULLTEXT KEY `f` (`body`)\n) ENGINE"),
            std::string::npos);
}

TEST(DeferredIndexes, LeavesOtherStatementsAlone) {
  EXPECT_EQ(split_secondary_indexes("CREATE VIEW v AS SELECT 1").create,
            "CREATE VIEW v AS SELECT 1");
}

}  // namespace
}  // namespace dbkeep::restore::logical
