#include "dbkeep/cli/command.hpp"

namespace dbkeep::cli {

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = {
      {"backup", "take a backup of one set (all sets if none named)",
       "usage: dbkeep backup [--set NAME] [--incremental]\n"
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
       "usage: dbkeep verify [ID | --latest] [--set NAME] [--restore-test]\n"
       "\n"
       "Reads every stored file back, decompresses it and compares size and SHA-256 with the\n"
       "manifest; SQLite databases are also restored to a temporary file and must pass\n"
       "PRAGMA integrity_check. Without ID or --latest, verifies every backup (of --set).\n"
       "Exit 3 naming each bad file if anything does not match.\n"
       "\n"
       "--restore-test  after the checksum pass, restore into scratch space and prove it works\n"
       "                (SQLite: integrity check and per-table row counts against the manifest).\n"
       "                The result is recorded next to the backup; list/show print it.\n",
       verify_command},
      {"restore", "restore a backup",
       "usage: dbkeep restore ID --sqlite-path FILE [--force] [--set NAME]\n"
       "       dbkeep restore ID --datadir DIR [--force] [--start] [--set NAME]\n"
       "\n"
       "SQLite: writes the database to FILE (through a temporary file, checked with\n"
       "PRAGMA integrity_check, then renamed into place). An existing FILE is refused unless\n"
       "--force, and then kept as FILE.before-restore-<timestamp> (with its -wal/-shm).\n"
       "Physical (mariabackup): fetches the chain of incrementals, unpacks and prepares it, and\n"
       "moves the files into DIR (empty or missing; with --force a non-empty DIR is kept as\n"
       "DIR.before-restore-<timestamp>), owned by mysql.\n",
       restore_command},
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
