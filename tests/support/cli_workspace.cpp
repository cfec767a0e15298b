#include "support/cli_workspace.hpp"

#include <gtest/gtest.h>

#include "support/temp_dir.hpp"

namespace dbkeep::test {

CliWorkspace::CliWorkspace(const std::string& prefix, const std::filesystem::path& parent)
    : dir_(make_temp_dir(prefix, parent)) {}

DbkeepRun CliWorkspace::dbkeep(std::vector<std::string> args,
                               const std::map<std::string, std::string>& env) const {
  args.insert(args.begin(), {"--config", config().string()});
  auto merged = env_;
  for (const auto& [name, value] : env) merged[name] = value;
  return run_dbkeep(args, merged);
}

nlohmann::json CliWorkspace::dbkeep_json(std::vector<std::string> args, int expected_exit) const {
  args.insert(args.begin(), "--json");
  auto run = dbkeep(std::move(args));
  EXPECT_EQ(run.exit_code, expected_exit) << describe(run);
  return json_of(run);
}

std::vector<std::string> CliWorkspace::listed_ids() const {
  std::vector<std::string> ids;
  const auto listing = dbkeep_json({"list"});
  for (const auto& backup : listing.value("backups", nlohmann::json::array())) {
    ids.push_back(backup.at("id").get<std::string>());
  }
  return ids;
}

}  // namespace dbkeep::test
