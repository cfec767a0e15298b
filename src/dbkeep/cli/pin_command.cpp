#include "dbkeep/cli/command.hpp"
#include "dbkeep/retention/pin_job.hpp"

namespace dbkeep::cli {
namespace {

// `dbkeep pin ID` and `dbkeep unpin ID` differ only in the direction.
Result<int> change_pin_command(CommandContext& context, bool pinned) {
  const char* name = pinned ? "pin" : "unpin";
  TRY_ASSIGN(auto set, context.args().option("--set"));
  auto ids = context.args().positionals();
  TRY(context.args().expect_empty(name));
  if (ids.size() != 1) return usage_error(std::string("dbkeep ") + name + " needs one backup ID");
  TRY_ASSIGN(auto* config, context.config());
  TRY_ASSIGN(auto* repository, context.repository());
  TRY_ASSIGN(auto change, retention::change_pin(*config, *repository, ids.front(), set, pinned));

  const std::string backup = change.backup.set + "/" + change.backup.id;
  if (context.global().json) {
    context.print_json({{"set", change.backup.set},
                        {"id", change.backup.id},
                        {"pinned", pinned},
                        {"changed", change.was_pinned != pinned}});
  } else if (change.was_pinned == pinned) {
    context.print(backup + (pinned ? " was already pinned\n" : " was not pinned\n"));
  } else {
    context.print(backup + (pinned ? " pinned: prune will keep it until dbkeep unpin\n"
                                   : " unpinned: the retention policy decides again\n"));
  }
  return 0;
}

}  // namespace

Result<int> pin_command(CommandContext& context) {
  return change_pin_command(context, true);
}

Result<int> unpin_command(CommandContext& context) {
  return change_pin_command(context, false);
}

}  // namespace dbkeep::cli
