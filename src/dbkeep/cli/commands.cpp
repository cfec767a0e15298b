#include "dbkeep/cli/command.hpp"

namespace dbkeep::cli {

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = {
      {"backup", "take a backup of one set (all sets if none named)",
       "usage: dbkeep backup [--set NAME]\n"
       "\n"
       "Takes a backup of the named set, or of every configured set in turn. The backup is\n"
       "listed only once its manifest is written; leftovers of interrupted runs are removed\n"
       "first. Exit 4 if another dbkeep is working on the set.\n",
       backup_command},
      {"list", "backups in the repository, newest first",
       "usage: dbkeep list [--set NAME]\n"
       "\n"
       "Lists complete backups, newest first: id, set, method, start time (UTC), size read,\n"
       "size stored, duration, status. With --json: {\"backups\": [...]}.\n",
       list_command},
      {"show", "one backup's manifest, readable",
       "usage: dbkeep show ID [--set NAME]\n"
       "\n"
       "Prints one backup's manifest: facts recorded by the source (positions, lock time,\n"
       "tables), and every file with sizes and SHA-256. With --json: the manifest itself.\n",
       show_command},
      {"verify", "re-read backups and check sizes and checksums",
       "usage: dbkeep verify [ID | --latest] [--set NAME]\n"
       "\n"
       "Reads every stored file back, decompresses it and compares size and SHA-256 with the\n"
       "manifest; SQLite databases are also restored to a temporary file and must pass\n"
       "PRAGMA integrity_check. Without ID or --latest, verifies every backup (of --set).\n"
       "Exit 3 naming each bad file if anything does not match.\n",
       verify_command},
      {"restore", "restore a backup",
       "usage: dbkeep restore ID --sqlite-path FILE [--force] [--set NAME]\n"
       "\n"
       "SQLite: writes the database to FILE (through a temporary file, checked with\n"
       "PRAGMA integrity_check, then renamed into place). An existing FILE is refused unless\n"
       "--force, and then kept as FILE.before-restore-<timestamp> (with its -wal/-shm).\n",
       restore_command},
      {"prune", "apply retention; prints what it keeps and deletes, and why",
       "usage: dbkeep prune [--set NAME] [--dry-run]\n"
       "\n"
       "Applies each set's [set.retention] policy (default keep_last = 7): prints every\n"
       "backup with KEEP or DELETE and the rules that keep it, removes leftovers of\n"
       "interrupted runs, then deletes, manifest first. The newest backup, pinned backups and\n"
       "the bases of kept incrementals are never deleted. --dry-run deletes nothing.\n"
       "Runs after every successful backup unless prune_after_backup = false. Exit 4 if\n"
       "another dbkeep is working on the set. Rules: docs/retention.md.\n",
       prune_command},
      {"pin", "keep a backup whatever the retention policy says",
       "usage: dbkeep pin ID [--set NAME]\n"
       "\n"
       "Pins a backup: prune never deletes it until dbkeep unpin. The pin is stored next to\n"
       "the backup; list and show display it. Exit 4 if another dbkeep is working on the set.\n",
       pin_command},
      {"unpin", "let the retention policy decide about a pinned backup again",
       "usage: dbkeep unpin ID [--set NAME]\n"
       "\n"
       "Removes a pin. The next prune (or backup) applies the retention policy to it.\n",
       unpin_command},
      {"stats", "per set: backups, sizes, compression, what prune would free",
       "usage: dbkeep stats [--set NAME]\n"
       "\n"
       "Per set: number of backups (and pinned ones), bytes read and stored, the compression\n"
       "ratio (read / stored), oldest and newest backup, and how many backups and bytes the\n"
       "retention policy would delete now. Reads only. With --json: {\"sets\": [...]}.\n",
       stats_command},
      {"check-config", "validate the configuration and the environment, change nothing",
       "usage: dbkeep check-config\n"
       "\n"
       "Parses the configuration strictly (unknown keys, wrong types and empty values are\n"
       "errors naming file and line), then checks the environment: repository writable,\n"
       "log file writable, temp directory present, each source readable. Changes nothing.\n",
       check_config_command},
  };
  return commands;
}

}  // namespace dbkeep::cli
