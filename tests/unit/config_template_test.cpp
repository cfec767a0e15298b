// What `dbkeep init` writes must load: the shipped example, and every shape of answers.

#include "dbkeep/ops/config_template.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dbkeep/core/config.hpp"
#include "support/temp_dir.hpp"

namespace dbkeep::ops {
namespace {

core::Config load(const std::string& text) {
  auto config = core::parse_config(text, "init.toml", core::Environment{});
  EXPECT_TRUE(config) << (config ? "" : config.error().message) << "\n" << text;
  return config ? *config : core::Config{};
}

TEST(ConfigTemplateTest, EmbeddedExampleIsThePackagingFileAndLoads) {
  std::ifstream file(std::string(DBKEEP_SOURCE_DIR) + "/packaging/dbkeep.example.toml");
  std::stringstream shipped;
  shipped << file.rdbuf();
  EXPECT_EQ(example_config(), shipped.str());

  auto config = load(std::string(example_config()));
  ASSERT_EQ(config.sets.size(), 1u);
  EXPECT_EQ(config.sets[0].name, "main");
  EXPECT_EQ(core::to_string(config.sets[0].method), "logical");
  EXPECT_EQ(config.repository.path, "/var/backups/dbkeep");
  EXPECT_EQ(config.sets[0].retention.keep_monthly, 6);
}

TEST(ConfigTemplateTest, ExampleStillLoadsWithTheSnapshotAndPhysicalSectionsSwitchedOn) {
  // The example keeps commented sections valid for every method: switching the method must
  // be the only edit a user needs.
  for (std::string method : {"snapshot", "physical"}) {
    std::string text(example_config());
    auto at = text.find("method = \"logical\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 18, "method = \"" + method + "\"");
    auto config = load(text);
    ASSERT_EQ(config.sets.size(), 1u);
    EXPECT_EQ(core::to_string(config.sets[0].method), method);
  }
}

TEST(ConfigTemplateTest, RenderedAnswersLoadForEverySourceAndMethod) {
  InitAnswers sqlite;
  sqlite.source = "sqlite";
  sqlite.method = "online";
  sqlite.sqlite_path = "/srv/app/app.db";
  sqlite.repository = "s3://bucket/backups/";
  sqlite.keep_daily = sqlite.keep_weekly = sqlite.keep_monthly = 0;
  auto config = load(render_config(sqlite));
  ASSERT_EQ(config.sets.size(), 1u);
  EXPECT_EQ(config.sets[0].sqlite->path, "/srv/app/app.db");
  EXPECT_TRUE(config.repository.s3.has_value());
  EXPECT_EQ(config.sets[0].retention.keep_last, 7);
  EXPECT_FALSE(config.sets[0].retention.keep_daily.has_value());

  InitAnswers snapshot;
  snapshot.method = "snapshot";
  snapshot.snapshot_provider = "btrfs";
  snapshot.snapshot_volume = "/srv/mysql";
  const auto scratch = test::make_temp_dir();
  const auto password_file = scratch.path() / "mysql.pw";
  { std::ofstream(password_file) << "secret\n"; }
  std::filesystem::permissions(
      password_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  snapshot.mysql_password_file = password_file.string();
  snapshot.cron = "30 1 * * mon-fri";
  config = load(render_config(snapshot));
  ASSERT_EQ(config.sets.size(), 1u);
  EXPECT_EQ(config.sets[0].snapshot->provider, core::SnapshotProvider::kBtrfs);
  EXPECT_EQ(config.sets[0].snapshot->volumes, std::vector<std::string>{"/srv/mysql"});
  EXPECT_EQ(config.sets[0].schedule.cron, "30 1 * * mon-fri");
  EXPECT_EQ(config.sets[0].retention.keep_weekly, 4);
  EXPECT_EQ(config.sets[0].mysql->password, "secret");

  InitAnswers physical;
  physical.method = "physical";
  config = load(render_config(physical));
  EXPECT_EQ(core::to_string(config.sets[0].method), "physical");
}

TEST(ConfigTemplateTest, StringsSurviveQuotingWhateverTheyHold) {
  InitAnswers answers;
  answers.source = "sqlite";
  answers.method = "online";
  answers.sqlite_path = "/srv/a \"quoted\" \\ dir/\xC3\xA9t\xC3\xA9\t.db";
  answers.set_name = "odd.name-1_x";  // set names have a rule (config.hpp)
  auto config = load(render_config(answers));
  ASSERT_EQ(config.sets.size(), 1u);
  EXPECT_EQ(config.sets[0].sqlite->path, answers.sqlite_path);
  EXPECT_EQ(config.sets[0].name, answers.set_name);
  EXPECT_EQ(toml_string("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
}

}  // namespace
}  // namespace dbkeep::ops
