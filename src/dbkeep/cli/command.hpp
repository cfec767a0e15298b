#pragma once
// What every command gets: the global options, its own arguments, and lazily loaded
// configuration and repository. Commands return an exit code (0, or 3 for a verification
// report) or an Error, which run() prints once and maps to its exit code.

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbkeep/cli/arguments.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/repo/repository.hpp"

namespace dbkeep::cli {

struct GlobalOptions {
  std::filesystem::path config_path = core::kDefaultConfigPath;
  bool json = false;
  bool verbose = false;
  bool quiet = false;
};

class CommandContext {
 public:
  CommandContext(GlobalOptions global, Arguments args)
      : global_(std::move(global)), args_(std::move(args)) {}

  const GlobalOptions& global() const { return global_; }
  Arguments& args() { return args_; }

  // Loads the configuration once and opens the log file it names.
  Result<const core::Config*> config();
  // Opens the configured repository once (unlocking its key when it is encrypted).
  Result<repo::Repository*> repository();
  // Lets repository() create the encryption key of a new, empty repository (first backup).
  void allow_key_creation() { allow_key_creation_ = true; }
  // The sets a command applies to: the one named by --set (if given) or all of them.
  Result<std::vector<const core::SetConfig*>> selected_sets(const std::optional<std::string>& set);

  // Human output (stdout); suppressed with --json.
  void print(std::string_view text) const;
  // Machine output: the one JSON document of this run (stdout).
  void print_json(const nlohmann::json& document) const;

 private:
  GlobalOptions global_;
  Arguments args_;
  std::optional<core::Config> config_;
  std::unique_ptr<repo::Repository> repository_;
  bool allow_key_creation_ = false;
};

using CommandFunction = Result<int> (*)(CommandContext&);

struct CommandSpec {
  std::string_view name;
  std::string_view summary;  // one line for `dbkeep --help`
  std::string_view help;     // full text for `dbkeep COMMAND --help`
  CommandFunction run;
};

// Every command, in the order `dbkeep --help` lists them.
const std::vector<CommandSpec>& all_commands();

// The command implementations, one file each.
Result<int> backup_command(CommandContext& context);
Result<int> list_command(CommandContext& context);
Result<int> show_command(CommandContext& context);
Result<int> verify_command(CommandContext& context);
Result<int> restore_command(CommandContext& context);
Result<int> restore_to_server_command(CommandContext& context);  // restore --to-server
// restore --to-sql FILE|- (`destination` "-" is stdout)
Result<int> restore_to_sql_command(CommandContext& context, const std::string& destination);
Result<int> open_command(CommandContext& context);  // open ID: a read-only look at a backup
Result<int> check_config_command(CommandContext& context);
Result<int> init_command(CommandContext& context);
Result<int> key_command(CommandContext& context);
Result<int> prune_command(CommandContext& context);
Result<int> pin_command(CommandContext& context);
Result<int> unpin_command(CommandContext& context);
Result<int> stats_command(CommandContext& context);
Result<int> schedule_command(CommandContext& context);
Result<int> daemon_command(CommandContext& context);
Result<int> status_command(CommandContext& context);
Result<int> archive_command(CommandContext& context);

}  // namespace dbkeep::cli
