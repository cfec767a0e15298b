// `dbkeep init [--interactive] [--force]`: writes a first configuration to the --config path
// (mode 0600), then runs check-config on it so the user sees at once what to fix.

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "dbkeep/cli/command.hpp"
#include "dbkeep/cli/prompt.hpp"
#include "dbkeep/core/config.hpp"
#include "dbkeep/core/time_format.hpp"
#include "dbkeep/ops/atomic_file.hpp"
#include "dbkeep/ops/config_template.hpp"
#include "dbkeep/ops/cron_expression.hpp"

namespace dbkeep::cli {
namespace {

namespace fs = std::filesystem;

std::string absolute_path_problem(const std::string& answer) {
  return fs::path(answer).is_absolute() ? "" : "an absolute path, please";
}

Result<void> ask_mysql(Prompter& prompter, ops::InitAnswers& answers) {
  TRY_ASSIGN(answers.method,
             prompter.choose("Backup method", {"snapshot", "logical", "physical"}, answers.method));
  TRY_ASSIGN(answers.mysql_socket,
             prompter.ask("Server socket", answers.mysql_socket, absolute_path_problem));
  TRY_ASSIGN(answers.mysql_user, prompter.ask("Server user", answers.mysql_user));
  TRY_ASSIGN(answers.mysql_password_file,
             prompter.ask("Password file (mode 0600), or - for none (socket authentication)", "-",
                          [](const std::string& answer) -> std::string {
                            if (answer == "-") return "";
                            if (auto problem = absolute_path_problem(answer); !problem.empty()) {
                              return problem;
                            }
                            // The configuration reads it on load: it must exist first.
                            return fs::is_regular_file(answer)
                                       ? ""
                                       : answer + " does not exist; create it (mode 0600) first";
                          }));
  if (answers.mysql_password_file == "-") answers.mysql_password_file.clear();
  if (answers.method != "snapshot") return {};
  TRY_ASSIGN(
      answers.snapshot_provider,
      prompter.choose("Snapshot provider", {"lvm", "btrfs", "zfs"}, answers.snapshot_provider));
  TRY_ASSIGN(
      answers.snapshot_volume,
      prompter.ask("Volume holding the datadir (LVM vg/lv, btrfs subvolume, ZFS dataset)", ""));
  TRY_ASSIGN(answers.snapshot_mount_point,
             prompter.ask("Where to mount the snapshot", answers.snapshot_mount_point,
                          absolute_path_problem));
  return {};
}

Result<ops::InitAnswers> ask_answers(Prompter& prompter) {
  ops::InitAnswers answers;
  TRY_ASSIGN(answers.set_name,
             prompter.ask("Name of this backup set", answers.set_name, [](const std::string& name) {
               return core::set_name_problem(name).value_or("");
             }));
  TRY_ASSIGN(answers.source, prompter.choose("What to back up", {"mysql", "sqlite"}, "mysql"));
  if (answers.source == "sqlite") {
    answers.method = "online";
    TRY_ASSIGN(answers.sqlite_path,
               prompter.ask("Path of the SQLite database", "", absolute_path_problem));
  } else {
    TRY(ask_mysql(prompter, answers));
  }
  TRY_ASSIGN(answers.repository,
             prompter.ask("Repository: a directory or s3://bucket/prefix", answers.repository,
                          [](const std::string& answer) {
                            return answer.starts_with("s3://") ? "" : absolute_path_problem(answer);
                          }));
  TRY_ASSIGN(answers.log_file, prompter.ask("Log file", answers.log_file, absolute_path_problem));
  TRY_ASSIGN(answers.cron, prompter.ask("When to back up (cron: minute hour day month weekday)",
                                        answers.cron, [](const std::string& answer) {
                                          auto parsed = ops::CronExpression::parse(answer);
                                          return parsed ? "" : parsed.error().message;
                                        }));
  TRY_ASSIGN(answers.keep_last, prompter.ask_number("Keep the last N backups", 7, 1));
  TRY_ASSIGN(answers.keep_daily, prompter.ask_number("… and one per day for N days", 7, 0));
  TRY_ASSIGN(answers.keep_weekly, prompter.ask_number("… one per week for N weeks", 4, 0));
  TRY_ASSIGN(answers.keep_monthly, prompter.ask_number("… one per month for N months", 6, 0));
  return answers;
}

// An existing configuration is never overwritten: --force moves it aside first.
Result<void> move_aside(const fs::path& file) {
  fs::path aside = file.string() + ".before-init-" + core::format_compact_utc(core::now_seconds());
  std::error_code error;
  fs::rename(file, aside, error);
  if (error) {
    return fail("cannot move " + file.string() + " aside to " + aside.string() + ": " +
                error.message());
  }
  std::cerr << "moved the old " << file.string() << " to " << aside.string() << "\n";
  return {};
}

}  // namespace

Result<int> init_command(CommandContext& context) {
  bool interactive = context.args().flag("--interactive");
  bool force = context.args().flag("--force");
  TRY(context.args().expect_empty("init"));
  const fs::path file = context.global().config_path;
  bool exists = fs::exists(fs::symlink_status(file));
  if (exists && !force) {
    return usage_error(file.string() +
                       " exists; init never overwrites a configuration (--force moves it aside)");
  }

  std::string content(ops::example_config());
  if (interactive) {
    Prompter prompter(std::cin, std::cerr);
    TRY_ASSIGN(auto answers, ask_answers(prompter));
    content = ops::render_config(answers);
  }
  // What we write must load; checked before anything on disk changes.
  auto parsed = core::parse_config(content, file.string(), core::Environment{});
  if (!parsed) {
    return usage_error("the configuration would not load (" + parsed.error().message +
                       "); nothing was written");
  }
  if (exists) {
    TRY(move_aside(file));
  }
  TRY(ops::write_file_atomically(file, content, 0600));
  context.print("wrote " + file.string() + " (mode 0600); checking it:\n");

  CommandContext check(context.global(), Arguments{});
  auto checked = check_config_command(check);
  if (!checked) {
    return fail(checked.error().message + " — edit " + file.string() +
                    " (every key is commented) and run dbkeep check-config",
                checked.error().kind);
  }
  return *checked;
}

}  // namespace dbkeep::cli
