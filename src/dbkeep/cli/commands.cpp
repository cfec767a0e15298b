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
      {"check-config", "validate the configuration and the environment, change nothing",
       "usage: dbkeep check-config\n"
       "\n"
       "Parses the configuration strictly (unknown keys, wrong types and empty values are\n"
       "errors naming file and line), then checks the environment: repository writable,\n"
       "log file writable, temp directory present, each source readable. Changes nothing.\n",
       check_config_command},
      {"schedule", "install, remove or show the cron.d file or systemd timers for the sets",
       "usage: dbkeep schedule install|remove|show [--systemd] [--name NAME] [--root DIR]\n"
       "\n"
       "install  writes /etc/cron.d/NAME (default dbkeep) with one line per set from its\n"
       "         [set.schedule] cron (default \"0 2 * * *\"), or with --systemd the units\n"
       "         NAME@.service and NAME@<set>.timer in /etc/systemd/system. Cron syntax is\n"
       "         checked first; running it again changes only what differs.\n"
       "remove   deletes only files dbkeep wrote (they carry a marker comment).\n"
       "show     prints the installed files and each set's next three run times.\n"
       "--root DIR puts /etc/... under DIR (packaging, tests).\n",
       schedule_command},
      {"daemon", "run the configured schedule in the foreground (containers)",
       "usage: dbkeep daemon [--once]\n"
       "\n"
       "Runs each set at its [set.schedule] cron times (read in its time_zone, default UTC),\n"
       "one backup at a time, with hooks, metrics and notifications as for 'dbkeep backup'.\n"
       "Runs missed while the daemon was down are made up by one run at start. SIGTERM\n"
       "cancels a running backup cleanly and exits. --once backs up every set now and exits.\n",
       daemon_command},
      {"status", "last run of each set; with --max-age a monitoring check",
       "usage: dbkeep status [--set NAME] [--max-age AGE]\n"
       "\n"
       "Prints each set's last run (status, time, duration, size, error) and last success,\n"
       "from the run records the backups leave in the state directory. With --max-age\n"
       "(e.g. 26h, 90m, 2d) it exits 1 when a set has not succeeded within that age.\n",
       status_command},
  };
  return commands;
}

}  // namespace dbkeep::cli
