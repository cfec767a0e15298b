// repo/table_inventory: what `show --tables` lists, from the recorded facts or, for backups
// taken before they were recorded, from the files.

#include "dbkeep/repo/table_inventory.hpp"

#include <gtest/gtest.h>

namespace dbkeep::repo {
namespace {

ManifestFile file(const std::string& path, std::uint64_t size, nlohmann::json attributes = {}) {
  ManifestFile one;
  one.stored.path = path;
  one.stored.size = size;
  if (!attributes.is_null()) one.attributes = std::move(attributes);
  return one;
}

TEST(TableInventoryTest, RecordedTablesRoundTripSorted) {
  Manifest manifest;
  manifest.method = core::Method::kPhysical;
  record_tables(manifest.facts, {{"shop", "orders", "InnoDB", 3000, false, 196608},
                                 {"crm", "contacts", "InnoDB", 100, false, 16384},
                                 {"shop", "legacy", "MyISAM", std::nullopt, false, 9000}});
  auto tables = backup_tables(manifest);
  ASSERT_EQ(tables.size(), 3U);
  EXPECT_EQ(tables[0], (TableEntry{"crm", "contacts", "InnoDB", 100, false, 16384}));
  EXPECT_EQ(tables[1].table, "legacy");
  EXPECT_FALSE(tables[1].rows);
  EXPECT_EQ(tables[2].table, "orders");
}

TEST(TableInventoryTest, ALogicalBackupCountsRowsFromItsChunks) {
  Manifest manifest;
  manifest.method = core::Method::kLogical;
  // An older logical backup: tables known by their schema files, no sizes recorded.
  manifest.files.push_back(
      file("shop/orders.schema.sql", 300,
           {{"kind", "table-schema"}, {"schema", "shop"}, {"table", "orders"}}));
  manifest.files.push_back(
      file("shop/orders.0.sql", 1000,
           {{"kind", "table-data"}, {"schema", "shop"}, {"table", "orders"}, {"rows", 1200}}));
  manifest.files.push_back(
      file("shop/orders.1.sql", 1000,
           {{"kind", "table-data"}, {"schema", "shop"}, {"table", "orders"}, {"rows", 1800}}));
  manifest.files.push_back(
      file("shop/empty.schema.sql", 200,
           {{"kind", "table-schema"}, {"schema", "shop"}, {"table", "empty"}}));
  auto tables = backup_tables(manifest);
  ASSERT_EQ(tables.size(), 2U);
  EXPECT_EQ(tables[0].table, "empty");
  EXPECT_EQ(tables[0].rows, 0U);
  EXPECT_EQ(tables[1].rows, 3000U);
  EXPECT_TRUE(tables[1].rows_exact);
  // A newer one records the server's estimate; the count still wins.
  record_tables(manifest.facts, {{"shop", "orders", "InnoDB", 2950, false, 200000}});
  tables = backup_tables(manifest);
  ASSERT_EQ(tables.size(), 1U);
  EXPECT_EQ(tables[0].rows, 3000U);
  EXPECT_EQ(tables[0].bytes, 200000U);
}

TEST(TableInventoryTest, AnOlderSnapshotIsReadFromItsDatadirFiles) {
  Manifest manifest;
  manifest.method = core::Method::kSnapshot;
  for (const auto& [path, size] :
       std::vector<std::pair<std::string, std::uint64_t>>{{"ibdata1", 12000000},
                                                          {"shop/orders.ibd", 98304},
                                                          {"shop/orders.frm", 1000},
                                                          {"shop/events_log#P#p2024.ibd", 65536},
                                                          {"shop/events_log#P#pmax.ibd", 65536},
                                                          {"shop/events_log.frm", 900},
                                                          {"shop/legacy.MYD", 5000},
                                                          {"shop/legacy.MYI", 2048},
                                                          {"shop/db.opt", 60},
                                                          {"mysql/user.MAD", 100},
                                                          {"shop/sub/odd.ibd", 1}}) {
    manifest.files.push_back(file(path, size));
  }
  auto tables = backup_tables(manifest);
  ASSERT_EQ(tables.size(), 3U);
  EXPECT_EQ(tables[0], (TableEntry{"shop", "events_log", "", std::nullopt, false, 131972}));
  EXPECT_EQ(tables[1], (TableEntry{"shop", "legacy", "", std::nullopt, false, 7048}));
  EXPECT_EQ(tables[2], (TableEntry{"shop", "orders", "", std::nullopt, false, 99304}));
}

}  // namespace
}  // namespace dbkeep::repo
