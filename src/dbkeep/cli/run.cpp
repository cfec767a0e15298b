#include "dbkeep/cli/run.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/core/cancellation.hpp"
#include "dbkeep/core/log.hpp"
#include "dbkeep/core/progress.hpp"
#include "dbkeep/core/version.hpp"

namespace dbkeep::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: dbkeep [--config FILE] [--json] [--quiet|--verbose] COMMAND [ARGS]\n"
    "\n"
    "Consistent backups of MySQL/MariaDB and SQLite into a verified repository.\n"
    "\n"
    "Global options:\n"
    "  --config FILE   configuration file (default /etc/dbkeep/dbkeep.toml, or $DBKEEP_CONFIG)\n"
    "  --json          print one JSON document on stdout\n"
    "  --quiet         log warnings and errors only on the terminal\n"
    "  --verbose       log debug detail on the terminal\n"
    "  --version       print the version\n"
    "\n"
    "Commands:\n";

constexpr std::string_view kExitCodes =
    "\nExit codes: 0 success, 1 the operation failed, 2 usage or configuration error,\n"
    "3 verification found a problem, 4 another dbkeep holds the lock.\n"
    "Run 'dbkeep COMMAND --help' for a command's options.\n";

std::string general_help() {
  std::string text(kUsage);
  for (const auto& command : all_commands()) {
    std::string name(command.name);
    text += "  " + name + std::string(name.size() < 14 ? 14 - name.size() : 1, ' ') +
            std::string(command.summary) + "\n";
  }
  return text + std::string(kExitCodes);
}

// Pulls the global options out of argv wherever they appear (before or after the command).
Result<GlobalOptions> take_global_options(Arguments& args) {
  GlobalOptions global;
  if (const char* from_env = std::getenv("DBKEEP_CONFIG"); from_env && *from_env) {
    global.config_path = from_env;
  }
  TRY_ASSIGN(auto config, args.option("--config"));
  if (config) global.config_path = *config;
  global.json = args.flag("--json");
  global.verbose = args.flag("--verbose") || args.flag("-v");
  global.quiet = args.flag("--quiet") || args.flag("-q");
  if (global.verbose && global.quiet)
    return usage_error("--verbose and --quiet exclude each other");
  return global;
}

int report_error(const Error& error, bool json) {
  int code = exit_code(error.kind);
  std::string message = log::redact(error.message);
  log::error(message);
  if (json) {
    nlohmann::json document = {{"ok", false}, {"error", message}, {"exit_code", code}};
    std::cout << document.dump(2) << std::endl;
  }
  return code;
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> raw(argv + 1, argv + argc);
  Arguments args(raw);
  auto global = take_global_options(args);
  bool json = std::find(raw.begin(), raw.end(), "--json") != raw.end();
  if (!global) return report_error(global.error(), json);
  log::configure({.terminal_level = global->verbose ? log::Level::kDebug
                                    : global->quiet ? log::Level::kWarn
                                                    : log::Level::kInfo});
  core::set_progress_style(
      core::choose_progress_style(::isatty(STDERR_FILENO) == 1, global->quiet, global->json));

  if (args.flag("--version")) {
    std::cout << "dbkeep " << core::kVersion << "\n";
    return 0;
  }
  auto words = Arguments(args).positionals();
  bool help = args.flag("--help") || args.flag("-h");
  if (words.empty()) {
    std::cout << general_help();
    return help ? 0 : 2;
  }
  const std::string command_name = words.front();
  const CommandSpec* command = nullptr;
  for (const auto& candidate : all_commands()) {
    if (candidate.name == command_name) command = &candidate;
  }
  if (!command) {
    if (command_name == "help") {
      std::cout << general_help();
      return 0;
    }
    return report_error(
        Error{ErrorKind::kUsage, "unknown command '" + command_name + "' (see dbkeep --help)"},
        json);
  }
  if (help) {
    std::cout << command->help;
    return 0;
  }
  // Remove the command word itself; the rest belongs to the command.
  std::vector<std::string> rest;
  bool removed = false;
  for (auto& arg : raw) {
    if (!removed && arg == command_name) {
      removed = true;
      continue;
    }
    rest.push_back(arg);
  }
  Arguments command_args(rest);
  (void)take_global_options(command_args);  // already validated above

  core::install_cancellation_handlers();
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is an EPIPE error to report, not a death
  CommandContext context(*global, std::move(command_args));
  auto result = command->run(context);
  if (!result) return report_error(result.error(), global->json);
  return *result;
}

}  // namespace dbkeep::cli
