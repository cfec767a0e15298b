# shellcheck shell=bash
# Everything outside dbkeep the benchmark needs: Debian packages, the btrfs loop device,
# MariaDB servers in temporary directories, and the sysbench data set.
# Every resource created here is remembered in a global so cleanup_all can undo it.

LOOP_DEV=""          # loop device we attached (empty if none)
LOOP_IMAGE=""        # its backing file
BTRFS_MNT=""         # where we mounted it (empty if not mounted)
STORAGE_MODE=plain   # btrfs | plain
STORAGE_REASON=""    # why plain, when it is
SERVER_NAMES=()      # servers started, for cleanup

SYSBENCH_USER=u
SYSBENCH_PASSWORD=bench-pw

install_packages() {
  local wanted=(sysbench mydumper mariadb-server mariadb-client mariadb-backup zstd pigz
    btrfs-progs time util-linux python3 rclone) missing=() package
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing packages ${missing[*]} and not root: apt-get install them first"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null; then
    die "apt-get install failed"
  fi
}

# setup_storage: put the source datadir on a btrfs subvolume of a loop device when we can,
# because the snapshot cases need a real btrfs snapshot. Any failure falls back to a plain
# directory and leaves the reason in STORAGE_REASON for the skipped cases to print.
setup_storage() {
  DATA_ROOT=$WORK/plain-data
  if ! storage_btrfs_possible; then
    STORAGE_MODE=plain
    mkdir -p "$DATA_ROOT"
    return 0
  fi
  if storage_btrfs_create; then
    STORAGE_MODE=btrfs
    DATA_ROOT=$BTRFS_MNT/data
  else
    STORAGE_REASON="btrfs loop device setup failed: $(last_line "$WORK/logs/storage.log")"
    storage_btrfs_remove
    STORAGE_MODE=plain
    mkdir -p "$DATA_ROOT"
  fi
}

storage_btrfs_possible() {
  if [[ "${BENCH_STORAGE:-}" == plain ]]; then STORAGE_REASON="BENCH_STORAGE=plain"; return 1; fi
  if ((EUID != 0)); then STORAGE_REASON="not root (loop devices need root)"; return 1; fi
  if ! command -v mkfs.btrfs >/dev/null; then STORAGE_REASON="mkfs.btrfs missing"; return 1; fi
  if ! command -v losetup >/dev/null; then STORAGE_REASON="losetup missing"; return 1; fi
  if ! grep -qw btrfs /proc/filesystems && ! modprobe btrfs 2>/dev/null; then
    STORAGE_REASON="kernel has no btrfs"; return 1
  fi
}

# The image is sparse: room for the data set several times over (InnoDB grows during the
# lock case, and the snapshots share blocks), costing disk only for what is written; the pitr
# case's PITR_BULK_MB lands there three times (table, binary log, the relay of the replay).
storage_btrfs_create() {
  local gib
  gib=$(awk -v s="$SCALE" -v b="${PITR_BULK_MB:-0}" 'BEGIN { g = int(6 * s) + 4 + int(3 * b / 1024 + 1); print g }')
  LOOP_IMAGE=$WORK/btrfs.img
  BTRFS_MNT=$WORK/btrfs
  mkdir -p "$BTRFS_MNT"
  {
    truncate -s "${gib}G" "$LOOP_IMAGE" &&
      LOOP_DEV=$(losetup -f --show "$LOOP_IMAGE") &&
      mkfs.btrfs -q "$LOOP_DEV" &&
      mount "$LOOP_DEV" "$BTRFS_MNT" &&
      btrfs subvolume create "$BTRFS_MNT/data" >/dev/null
  } >>"$WORK/logs/storage.log" 2>&1 || return 1
  chmod 755 "$BTRFS_MNT" "$BTRFS_MNT/data"
  log "btrfs on $LOOP_DEV (${gib} GiB sparse) mounted at $BTRFS_MNT"
}

storage_btrfs_remove() {
  local snapshot
  if [[ -n "$BTRFS_MNT" ]] && mountpoint -q "$BTRFS_MNT"; then
    # Read-only snapshots left by a failed run would not block umount, but delete them
    # anyway so a lazy unmount never strands data.
    for snapshot in "$BTRFS_MNT"/snap-*; do
      [[ -d "$snapshot" ]] && btrfs subvolume delete "$snapshot" >/dev/null 2>&1
    done
    umount "$BTRFS_MNT" 2>/dev/null || { sleep 1; umount -l "$BTRFS_MNT" 2>/dev/null; }
  fi
  if [[ -n "$LOOP_DEV" ]]; then losetup -d "$LOOP_DEV" 2>/dev/null; fi
  LOOP_DEV="" BTRFS_MNT=""
}

# The server's own settings: the same for source and load target, written out so the
# README can state them. 1 GiB buffer pool holds the default data set; everything else
# is MariaDB's default so the numbers resemble an untuned real server.
server_options() {
  local datadir=$2 rundir=$WORK/$1
  printf '%s\n' --no-defaults --user=mysql --datadir="$datadir" --socket="$rundir/mysqld.sock" \
    --pid-file="$rundir/mysqld.pid" --log-error="$rundir/error.log" --skip-networking \
    --innodb-buffer-pool-size=1G --max-allowed-packet=256M
}

socket_of() { echo "$WORK/$1/mysqld.sock"; }

# start_server NAME DATADIR: a fresh MariaDB with root authenticated by unix socket.
start_server() {
  local name=$1 datadir=$2 rundir=$WORK/$1
  mkdir -p "$rundir" "$datadir"
  chown mysql: "$rundir" "$datadir"
  chmod 755 "$rundir" "$WORK"
  mariadb-install-db --no-defaults --user=mysql --datadir="$datadir" \
    --auth-root-authentication-method=socket --skip-test-db >"$rundir/install.log" 2>&1 ||
    die "mariadb-install-db failed for $name, see $rundir/install.log"
  SERVER_NAMES+=("$name")
  launch_server "$name" "$datadir"
}

# restart_server NAME DATADIR [MARIADBD_OPTION...]: the same datadir again, with extra options
# (the pitr case turns the binary log on).
restart_server() {
  local name=$1 datadir=$2
  shift 2
  stop_server "$name"
  launch_server "$name" "$datadir" "$@"
}

# launch_server NAME DATADIR [MARIADBD_OPTION...]: starts mariadbd and waits until it answers.
launch_server() {
  local name=$1 datadir=$2 rundir=$WORK/$1 options i
  shift 2
  mapfile -t options < <(server_options "$name" "$datadir")
  mariadbd "${options[@]}" "$@" >>"$rundir/error.log" 2>&1 &
  echo $! >"$rundir/launcher.pid"
  for ((i = 0; i < 120; i++)); do
    if mariadb-admin --no-defaults -S "$(socket_of "$name")" -u root ping >/dev/null 2>&1; then
      log "server $name up ($(socket_of "$name"))"
      return 0
    fi
    kill -0 "$(cat "$rundir/launcher.pid")" 2>/dev/null || break
    sleep 0.5
  done
  die "server $name did not start, see $rundir/error.log"
}

stop_server() {
  local name=$1 rundir=$WORK/$1 pid i
  [[ -f "$rundir/launcher.pid" ]] || return 0
  pid=$(cat "$rundir/launcher.pid")
  mariadb-admin --no-defaults -S "$(socket_of "$name")" -u root shutdown >/dev/null 2>&1
  # A clean shutdown takes a second or two; after 30 s it is stuck and gets killed.
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -f "$rundir/launcher.pid"
}

# sql NAME STATEMENTS: run statements as root on server NAME, batch output.
sql() { mariadb --no-defaults -S "$(socket_of "$1")" -u root -N -B -e "$2"; }

# load_sysbench: 8 tables × round(500k × scale) rows in database sbtest, plus the password
# user sysbench needs ('u'@'localhost', because sysbench connects over the socket).
load_sysbench() {
  sql source "CREATE DATABASE sbtest;
    CREATE USER '$SYSBENCH_USER'@'localhost' IDENTIFIED BY '$SYSBENCH_PASSWORD';
    GRANT ALL ON sbtest.* TO '$SYSBENCH_USER'@'localhost';" || die "cannot create sbtest"
  log "loading sysbench: $TABLES tables x $ROWS rows"
  local start=$EPOCHREALTIME
  sysbench_cmd oltp_read_write --threads=2 prepare >"$WORK/logs/sysbench-prepare.log" 2>&1 ||
    die "sysbench prepare failed, see $WORK/logs/sysbench-prepare.log"
  meta load_seconds "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
  meta data_bytes "$(sql source "SELECT SUM(data_length + index_length) FROM information_schema.tables
    WHERE table_schema = 'sbtest'")"
}

# sysbench_cmd TEST ARGS...: sysbench against the source server's sbtest database.
sysbench_cmd() {
  local test=$1
  shift
  sysbench "$test" --db-driver=mysql --mysql-socket="$(socket_of source)" \
    --mysql-user="$SYSBENCH_USER" --mysql-password="$SYSBENCH_PASSWORD" --mysql-db=sbtest \
    --tables="$TABLES" --table-size="$ROWS" "$@"
}

# Exact row counts of sbtest on a server: "table rows" lines, used to check each load.
row_counts() {
  local name=$1 table query=""
  for ((table = 1; table <= TABLES; table++)); do
    query+="SELECT 'sbtest$table', COUNT(*) FROM sbtest.sbtest$table;"
  done
  sql "$name" "$query" 2>&1
}
