#include "dbkeep/cli/command.hpp"

namespace dbkeep::cli {

const std::vector<CommandSpec>& all_commands() {
  static const std::vector<CommandSpec> commands = {
      {"backup", "take a backup of one set (all sets if none named)",
       "usage: dbkeep backup [--set NAME] [--incremental] [--dry-run]\n"
       "\n"
       "Takes a backup of the named set, or of every configured set in turn. The backup is\n"
       "listed only once its manifest is written; leftovers of interrupted runs are removed\n"
       "first. On a terminal the copy shows its progress on stderr (not with --quiet or\n"
       "--json). Exit 4 if another dbkeep is working on the set.\n"
       "\n"
       "--dry-run prints what each set's backup would do (source and size, the lock, the\n"
       "snapshot or tool commands, hooks, space, what the prune after it would delete,\n"
       "retries) and changes nothing: it only connects read-only and reads sizes. Exit 1 when\n"
       "a real run would fail, with the reason.\n",
       backup_command},
      {"list", "backups in the repository, newest first",
       "usage: dbkeep list [--set NAME]\n"
       "\n"
       "Lists complete backups, newest first: id, set, method, start time (UTC), size read,\n"
       "size stored, duration, status. With --json: {\"backups\": [...]}.\n",
       list_command},
      {"show", "one backup's manifest, readable",
       "usage: dbkeep show ID [--set NAME] [--tables]\n"
       "\n"
       "Prints one backup's manifest: facts recorded by the source (positions, lock time,\n"
       "tables), and every file with sizes and SHA-256. With --json: the manifest itself.\n"
       "--tables lists the schemas and tables of a MySQL backup with engine, rows (the\n"
       "server's estimate; counted for logical backups) and size: the names --only takes.\n",
       show_command},
      {"verify", "re-read backups and check sizes and checksums",
       "usage: dbkeep verify [ID | --latest] [--set NAME] [--restore-test]\n"
       "       dbkeep verify --archive [--set NAME]\n"
       "       dbkeep verify --restore-test [ID | --set NAME] --to-time T | --to-gtid G |\n"
       "         --to-latest\n"
       "\n"
       "Reads every stored file back, decompresses it and compares size and SHA-256 with the\n"
       "manifest; SQLite databases are also restored to a temporary file and must pass\n"
       "PRAGMA integrity_check. Without ID or --latest, verifies every backup (of --set).\n"
       "Exit 3 naming each bad file if anything does not match.\n"
       "\n"
       "--restore-test  after the checksum pass, restore into scratch space and prove it works\n"
       "                (SQLite: integrity check and per-table row counts against the manifest;\n"
       "                MySQL snapshot/physical/logical: a scratch mariadbd on the restored or\n"
       "                loaded data, CHECK TABLE and row counts on every table). The server\n"
       "                binary is found in PATH or /usr/sbin, or set [verify] server_binary.\n"
       "                The result is recorded next to the backup; list/show print it.\n"
       "                See docs/restore-test.md.\n"
       "\n"
       "Without ID or --latest, the archived binary log of each set is checked too (every\n"
       "segment read back against its index entry's SHA-256 and size, its events walked);\n"
       "--archive checks only that. With a point-in-time target, the restore test restores\n"
       "the base on the scratch server and applies the archive up to the target\n"
       "(docs/pitr.md).\n",
       verify_command},
      {"restore", "restore a backup",
       "usage: dbkeep restore ID --sqlite-path FILE [--force] [--set NAME]\n"
       "       dbkeep restore ID --datadir DIR [--force] [--start] [--set NAME]\n"
       "       dbkeep restore ID --datadir DIR --binlog-info\n"
       "\n"
       "MySQL snapshot backups: writes the datadir into DIR, which must be empty (with\n"
       "--force its content is moved to DIR.before-restore-<timestamp>, never deleted);\n"
       "every file is checked against its SHA-256, then owned by [set.restore] owner\n"
       "(mysql). --start starts mariadbd on DIR (own socket, no networking) and waits until\n"
       "it answers. --binlog-info only prints the recorded binlog/GTID position.\n"
       "\n"
       "SQLite: writes the database to FILE (through a temporary file, checked with\n"
       "PRAGMA integrity_check, then renamed into place). An existing FILE is refused unless\n"
       "--force, and then kept as FILE.before-restore-<timestamp> (with its -wal/-shm).\n"
       "\n"
       "Physical (mariabackup): fetches the chain of incrementals, unpacks and prepares it, and\n"
       "moves the files into DIR (empty or missing; with --force a non-empty DIR is kept as\n"
       "DIR.before-restore-<timestamp>), owned by [set.restore] owner (mysql). --start\n"
       "starts mariadbd on DIR and waits until it answers, as for snapshot backups.\n"
       "\n"
       "       dbkeep restore ID --to-server [--socket S | --host H --port P] [--user U]\n"
       "         [--defaults-file F] [--password-file F] [--rename-schema OLD=NEW]...\n"
       "         [--drop-existing | --resume] [--skip-binlog] [--with-users] [--workers N]\n"
       "         [--only 'db.t1,db.t2,db2.*'] [--set NAME]\n"
       "Logical backups: loads into a running server in parallel. The password comes from\n"
       "--password-file, MYSQL_PWD or the option file (default ~/.my.cnf), never argv.\n"
       "Existing tables are refused unless --drop-existing. Finished steps are recorded in\n"
       "<state_dir>/loads/<set>-<id>-<target>.progress; after an interruption, --resume\n"
       "continues (no chunk loaded twice) and --drop-existing starts over. --with-users also\n"
       "creates the accounts, roles and grants of a backup taken with include_users = true\n"
       "(existing accounts and roles refused unless --drop-existing). --only loads just the\n"
       "named tables (with their triggers; db.* adds the schema's views, routines and\n"
       "events); a name the backup lacks is refused before anything is written. See\n"
       "docs/restore.md and docs/logical.md.\n"
       "\n"
       "       dbkeep restore ID --to-sql FILE|- [--force] [--rename-schema OLD=NEW]...\n"
       "         [--with-users] [--drop-existing] [--only LIST] [--set NAME]\n"
       "Logical backups: writes one SQL script that the stock mariadb/mysql client loads\n"
       "(schemas, tables and data, then routines, views, triggers and events; users and\n"
       "grants only with --with-users), every object checked against its SHA-256 on the way.\n"
       "FILE ending in .zst is zstd-compressed, .gz gzip, anything else plain; it appears only\n"
       "when complete (written under a temporary name, then renamed), mode 0600, and an\n"
       "existing FILE is refused unless --force. '-' writes to stdout (messages go to\n"
       "stderr). --drop-existing adds DROP TABLE IF EXISTS before each table. ID may be\n"
       "'latest' (of --set NAME). Example:\n"
       "  dbkeep restore latest --to-sql main.sql.zst && zstd -dc main.sql.zst | mariadb\n"
       "\n"
       "Point in time (MySQL sets with [set.archive], docs/pitr.md): add one of\n"
       "  --to-time \"YYYY-MM-DD HH:MM:SS\"   UTC unless it ends in Z or an offset (+02:00)\n"
       "  --to-gtid GTID                     up to and including that transaction\n"
       "  --to-latest                        everything archived\n"
       "to --datadir DIR or --to-server. Without ID, --set NAME picks the newest backup the\n"
       "target can be reached from. The base is restored, then the archived binary log is\n"
       "applied from its recorded position up to the last transaction committed at or before\n"
       "the target (never half a transaction). A target across a gap in the archive is\n"
       "refused, naming it, before anything is written. --dry-run prints the plan (base,\n"
       "segments, bytes) and writes nothing. Example, after a DROP TABLE at 14:03:\n"
       "  dbkeep restore --set main --datadir /srv/pitr --to-time \"2026-12-04 14:02:59\"\n"
       "\n"
       "Every restore (--datadir, --to-server, --sqlite-path) first works out its plan: the\n"
       "backups and objects it fetches, where it writes, the room it needs against the free\n"
       "space there, and what --force moves aside. One that does not fit is refused with both\n"
       "numbers before anything is written; --dry-run prints the plan and stops. See\n"
       "docs/restore.md.\n",
       restore_command},
      {"open", "a read-only scratch server (or SQLite copy) on a backup, until Ctrl-C",
       "usage: dbkeep open ID [--set NAME] [--socket PATH]\n"
       "       dbkeep open [ID | --set NAME] --to-time T | --to-gtid G | --to-latest\n"
       "\n"
       "Brings a backup up read-only in a private scratch directory in [repository] temp_dir,\n"
       "so you can look at it before restoring. MySQL (every method): the backup is restored\n"
       "or loaded as 'verify --restore-test' does, a scratch mariadbd (socket only, no\n"
       "networking, --skip-grant-tables) starts on it, and once it answers dbkeep prints the\n"
       "socket and a ready 'mariadb --socket=...' command. The server runs with\n"
       "--innodb-read-only: no change to InnoDB data is accepted, whoever asks. --socket PATH\n"
       "puts the socket there (the directory must exist and be writable by [set.restore]\n"
       "owner). SQLite: a 0400 copy and a 'sqlite3 -readonly' command. ID may be 'latest'.\n"
       "\n"
       "It stays until Ctrl-C or SIGTERM, then stops the server and removes the copy, the\n"
       "socket and the scratch directory (also when anything fails before). It refuses to\n"
       "start, naming both numbers, when temp_dir has less free space than the backup needs.\n"
       "With a point-in-time target (MySQL sets with [set.archive], docs/pitr.md) the\n"
       "archived binary log is applied up to it first. --json prints one line (socket,\n"
       "command, id, datadir, pid) once the server is ready. See docs/open.md.\n",
       open_command},
      {"prune", "apply retention; prints what it keeps and deletes, and why",
       "usage: dbkeep prune [--set NAME] [--dry-run]\n"
       "\n"
       "Applies each set's [set.retention] policy (default keep_last = 7): prints every\n"
       "backup with KEEP or DELETE and the rules that keep it, removes leftovers of\n"
       "interrupted runs, then deletes, manifest first. The newest backup, pinned backups and\n"
       "the bases of kept incrementals are never deleted. --dry-run deletes nothing.\n"
       "Runs after every successful backup unless prune_after_backup = false. Exit 4 if\n"
       "another dbkeep is working on the set. Rules: docs/retention.md.\n"
       "Archived binlog segments (docs/pitr.md) older than the recorded position of the\n"
       "oldest kept backup are deleted with them; the rest stay.\n",
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
       "errors naming file and line), then checks the environment: repository writable (for\n"
       "S3: put, get, list and delete of a probe object), encryption (is the repository\n"
       "encrypted, its key slots, does the configured passphrase or key file open the key),\n"
       "log file writable, temp directory present, each source readable. Changes nothing.\n",
       check_config_command},
      {"init", "write a first, commented configuration and check it",
       "usage: dbkeep init [--interactive] [--force]\n"
       "\n"
       "Writes a configuration to the --config path (default /etc/dbkeep/dbkeep.toml) with\n"
       "mode 0600, then runs check-config on it. Without --interactive it is the commented\n"
       "example shipped as dbkeep.example.toml (every section, every common key); with\n"
       "--interactive it asks for the essentials on the terminal — set name, source, method,\n"
       "connection, repository, log file, schedule, retention — and writes just those.\n"
       "An existing file is never overwritten: --force moves it aside to\n"
       "FILE.before-init-<time> first. Exit status: check-config's (0 when it passed, 2 when\n"
       "it found something to fix — the file is written either way).\n",
       init_command},
      {"key", "manage the encryption key slots of the repository",
       "usage: dbkeep key init\n"
       "       dbkeep key list\n"
       "       dbkeep key add [--key-file FILE | --new-passphrase-file FILE]\n"
       "       dbkeep key change [--new-passphrase-file FILE]\n"
       "       dbkeep key remove SLOT\n"
       "\n"
       "An encrypted repository ([repository] encryption = \"repokey\" or \"keyfile\") has one\n"
       "random master key, stored only wrapped by key slots (keys/slot-N.json): a passphrase\n"
       "(Argon2id) or a key file each open it. init creates the key (a first backup also\n"
       "does); add, change and remove need the current passphrase or key file (from\n"
       "passphrase_file, DBKEEP_PASSPHRASE, key_file or the terminal). A new passphrase comes\n"
       "from --new-passphrase-file, DBKEEP_NEW_PASSPHRASE or the terminal, never from the\n"
       "command line. The last slot cannot be removed. See docs/encryption.md.\n",
       key_command},
      {"schedule", "install, remove or show the cron.d file or systemd timers for the sets",
       "usage: dbkeep schedule install|remove|show [--systemd] [--name NAME] [--root DIR]\n"
       "                                            [--user NAME]\n"
       "\n"
       "install  writes /etc/cron.d/NAME (default dbkeep) with one line per set from its\n"
       "         [set.schedule] cron (default \"0 2 * * *\"), or with --systemd the units\n"
       "         NAME@.service and NAME@<set>.timer in /etc/systemd/system. Cron syntax is\n"
       "         checked first; running it again changes only what differs.\n"
       "remove   deletes only files dbkeep wrote (they carry a marker comment).\n"
       "show     prints the installed files and each set's next three run times.\n"
       "--root DIR puts /etc/... under DIR (packaging, tests).\n"
       "--user NAME runs the scheduled commands as that account (cron's user field, systemd's\n"
       "         User=); default root, which the snapshot methods need.\n",
       schedule_command},
      {"daemon", "run the configured schedule in the foreground (containers)",
       "usage: dbkeep daemon [--once] [--dry-run]\n"
       "\n"
       "Runs each set at its [set.schedule] cron times (read in its time_zone, default UTC),\n"
       "one backup at a time, with hooks, metrics and notifications as for 'dbkeep backup'.\n"
       "Runs missed while the daemon was down are made up by one run at start. SIGTERM\n"
       "cancels a running backup cleanly and exits. --once backs up every set now and exits.\n"
       "[daemon] run_at_start = true backs up every set when it starts.\n"
       "\n"
       "--dry-run prints, per set, when the daemon would run it next (now, if a run was\n"
       "missed or run_at_start is set) and what that backup would do, as 'backup --dry-run',\n"
       "then exits without running anything.\n",
       daemon_command},
      {"status", "last run of each set; with --max-age a monitoring check",
       "usage: dbkeep status [--set NAME] [--max-age AGE]\n"
       "\n"
       "Prints each set's last run (status, time, duration, size, error) and last success,\n"
       "from the run records the backups leave in the state directory. With --max-age\n"
       "(e.g. 26h, 90m, 2d) it exits 1 when a set has not succeeded within that age.\n",
       status_command},
      {"archive", "continuous archiving of the binary log, for point-in-time restores",
       "usage: dbkeep archive run [--set NAME]\n"
       "       dbkeep archive status [--set NAME]\n"
       "\n"
       "run follows the binary log of every set with [set.archive] enabled = true (or the\n"
       "named one) as a replication client (mariadb-binlog, server_id from [set.archive])\n"
       "and stores it in the repository as segments: compressed, checksummed, encrypted like\n"
       "backups, each followed by its index entry; the open segment is stored at least every\n"
       "segment_seconds. It runs until SIGTERM/SIGINT, then stores what it has and exits 0;\n"
       "it resumes exactly where the archive ends. Exit 4 if it already runs for the set.\n"
       "\n"
       "status prints, per set, the windows of unbroken archive, the ranges a restore can\n"
       "reach (from the oldest base backup inside a window to its last event), gaps and the\n"
       "lag behind the server. Exit 3 on a gap, an unreadable index entry, nothing archived,\n"
       "or a lag above max_lag. See docs/pitr.md.\n",
       archive_command},
  };
  return commands;
}

}  // namespace dbkeep::cli
