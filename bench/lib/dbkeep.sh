# shellcheck shell=bash
# dbkeep as a contender: find or build the binary, write one config per method, run it,
# and decide from its exit code and --json output whether the method exists yet.
#
# dbkeep is built in parallel with this harness, so "not built yet" is a normal outcome:
#   exit 2 (usage/config error, e.g. unknown method or key)  -> unavailable, message shown
#   exit 0 without a backup id in the --json document         -> unavailable (stub command)
#   any other failure                                          -> failed, message shown
# The first verdict per method is cached, so a missing method costs one quick run.

DBKEEP=""                    # the binary, empty when there is none
DBKEEP_MISSING_REASON=""     # why there is none
declare -A METHOD_STATE=()   # method -> unavailable | failed, once known
declare -A METHOD_MESSAGE=() # method -> the message that came with that state
declare -A REPORTED=()       # "case/contender" already recorded as unavailable

# Results of the last dbkeep_backup / dbkeep_restore call.
RUN_STATUS="" RUN_MESSAGE="" RUN_ID=""

locate_dbkeep() {
  if [[ -n "${DBKEEP_BIN:-}" ]]; then
    DBKEEP=$DBKEEP_BIN
  else
    DBKEEP=$ROOT/build/dbkeep
    [[ -x "$DBKEEP" ]] || build_dbkeep
  fi
  if [[ ! -x "$DBKEEP" ]]; then
    DBKEEP_MISSING_REASON=${DBKEEP_MISSING_REASON:-"no executable at $DBKEEP"}
    DBKEEP=""
    log "dbkeep: not available ($DBKEEP_MISSING_REASON)"
    meta dbkeep_bin "none: $DBKEEP_MISSING_REASON"
    return 0
  fi
  meta dbkeep_bin "$DBKEEP"
  meta dbkeep_version "$("$DBKEEP" --version 2>&1 | head -n1)"
  meta repo_commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
}

# Build the way every engineer does (see the brief); a failure only disables dbkeep cases.
build_dbkeep() {
  local build_log=$WORK/logs/dbkeep-build.log
  log "building dbkeep in $ROOT/build (log: $build_log)"
  if [[ -x "$ROOT/scripts/install-deps" ]]; then "$ROOT/scripts/install-deps" >>"$build_log" 2>&1; fi
  if ! { cmake -S "$ROOT" -B "$ROOT/build" && make -C "$ROOT/build" -j2 dbkeep; } >>"$build_log" 2>&1; then
    DBKEEP_MISSING_REASON="build failed: $(last_line "$build_log")"
  fi
}

# dbkeep_dir METHOD: the directory holding that method's config, repository and log.
dbkeep_dir() { echo "$WORK/dbkeep/$1"; }

# write_dbkeep_config METHOD [VARIANT REPOSITORY_LINES COMPRESSION]: a config with one set,
# named after its method, in dbkeep_dir VARIANT (default: the method). REPOSITORY_LINES replace
# the local `path` (an S3 url, encryption keys); COMPRESSION defaults to zstd.
write_dbkeep_config() {
  local method=$1 variant=${2:-$1} dir repository
  dir=$(dbkeep_dir "$variant")
  repository=${3:-"path = \"$dir/repo\""}
  mkdir -p "$dir"
  cat >"$dir/config.toml" <<EOF
[repository]
$repository
state_dir = "$dir/state"
[log]
file = "$dir/dbkeep.log"
[[set]]
name = "$method"
source = "mysql"
method = "$method"
compression = "${4:-zstd}"
[set.mysql]
socket = "$(socket_of source)"
user = "root"
EOF
  # Like for like with the peers' `zstd -1` (every method): the default level 3 costs twice the
  # CPU. The 2026-11-22 run still had level 3 for snapshot and physical.
  sed -i 's/^compression = "zstd"$/&\ncompression_level = 1/' "$dir/config.toml"
  if [[ "$method" == snapshot ]]; then
    mkdir -p "$BTRFS_MNT/snap-dbkeep"  # where the provider creates its snapshots
    cat >>"$dir/config.toml" <<EOF
[set.snapshot]
provider = "btrfs"
volume = "$DATA_ROOT"
mount_point = "$BTRFS_MNT/snap-dbkeep"
${SNAPSHOT_KEYS:-}
EOF
  fi
}

# dbkeep_usable METHOD: false when we already know the method cannot run here.
dbkeep_usable() {
  local method=$1
  if [[ -z "$DBKEEP" ]]; then
    METHOD_STATE[$method]=unavailable
    METHOD_MESSAGE[$method]="dbkeep binary: $DBKEEP_MISSING_REASON"
  elif [[ "$method" == snapshot && "$STORAGE_MODE" != btrfs ]]; then
    METHOD_STATE[$method]=unavailable
    METHOD_MESSAGE[$method]="skipped: no btrfs here ($STORAGE_REASON)"
  fi
  [[ -z "${METHOD_STATE[$method]:-}" ]]
}

# report_unusable CASE CONTENDER METHOD: one "unavailable"/"failed" row per case and contender.
report_unusable() {
  local key="$1/$2" method=$3
  [[ -n "${REPORTED[$key]:-}" ]] && return 0
  REPORTED[$key]=1
  record "$1" "$2" - "${METHOD_STATE[$method]}" "" "" "" "" "${METHOD_MESSAGE[$method]}"
  log "  $1/$2: ${METHOD_STATE[$method]/unavailable/not available}: ${METHOD_MESSAGE[$method]}"
}

# classify EXIT OUT_JSON LOG: sets RUN_STATUS, RUN_MESSAGE and RUN_ID (see the file header).
classify() {
  local exit_code=$1 out=$2 log_file=$3 message picked
  # One python start for both keys: it costs most of a second on a busy 2-core machine.
  mapfile -t picked < <(python3 "$BENCH/lib/report.py" pick "$out" id error 2>/dev/null)
  RUN_ID=${picked[0]:-} message=${picked[1]:-}
  [[ -n "$message" ]] || message=$(last_line "$log_file")
  if ((exit_code == 0)) && [[ -n "$RUN_ID" ]]; then
    RUN_STATUS=ok RUN_MESSAGE=""
  elif ((exit_code == 0)); then
    RUN_STATUS=unavailable
    RUN_MESSAGE="exit 0 but no backup id in the --json output (command not implemented yet)"
  elif ((exit_code == 2)); then
    RUN_STATUS=unavailable RUN_MESSAGE="exit 2: ${message:-no message}"
  else
    RUN_STATUS=failed RUN_MESSAGE="exit $exit_code: ${message:-no message}"
  fi
}

# dbkeep_backup METHOD CASE CONTENDER REP [VARIANT]: one timed backup into an emptied set (so
# the size is this backup's alone; an encrypted repository keeps its key). VARIANT names a
# config written with write_dbkeep_config METHOD VARIANT …; default: the method's own.
# Records the measurement; returns 0 when it worked.
dbkeep_backup() {
  local method=$1 case_name=$2 contender=$3 rep=$4 variant=${5:-$1} dir store log_file lock_ms="" lock_detail="" note
  dbkeep_usable "$method" || { report_unusable "$case_name" "$contender" "$method"; return 1; }
  dir=$(dbkeep_dir "$variant")
  [[ -f "$dir/config.toml" ]] || write_dbkeep_config "$method"
  store=$(repository_store "$variant")
  rm -rf "${store:?}/$method"
  log_file=$(log_path "$case_name" "$contender" "$rep")
  run_timed "$log_file" "$WORK/time.out" \
    "$(printf '%q ' "$DBKEEP" --config "$dir/config.toml" --json backup --set "$method") >$dir/out.json"
  classify "$LAST_EXIT" "$dir/out.json" "$log_file"
  note=$(remove_leftover_snapshot "$method")
  if [[ "$RUN_STATUS" != ok ]]; then
    METHOD_STATE[$method]=$RUN_STATUS METHOD_MESSAGE[$method]="$RUN_MESSAGE${note:+; $note}"
    report_unusable "$case_name" "$contender" "$method"
    return 1
  fi
  if [[ "$case_name" == lock ]]; then
    dbkeep_lock_facts "$dir" "$RUN_ID"
    lock_ms=$LOCK_MS lock_detail=$LOCK_DETAIL
  fi
  record "$case_name" "$contender" "$rep" ok "$LAST_SECONDS" "$LAST_RSS_KB" \
    "$(size_of "$store/$method")" "$lock_ms" \
    "id $RUN_ID${lock_ms:+, lock ${lock_ms} ms}${lock_detail:+, $lock_detail}${note:+; $note}" \
    "$(last_cpu)"
  log "  $case_name/$contender rep $rep: ${LAST_SECONDS}s, client CPU ${LAST_USER_S}+${LAST_SYS_S}s${lock_ms:+, lock_held_ms $lock_ms}${note:+, $note}"
}

# repository_store VARIANT: the directory holding the repository's bytes (the local repository,
# or the S3 test server's folder for the variant's prefix, written to the variant's `store`).
repository_store() {
  local dir
  dir=$(dbkeep_dir "$1")
  if [[ -f "$dir/store" ]]; then cat "$dir/store"; else echo "$dir/repo"; fi
}

# remove_leftover_snapshot METHOD: dbkeep must remove its snapshot itself (DESIGN.md); if
# one is left, say so in the row's note and delete it so the next run can start.
remove_leftover_snapshot() {
  local snapshot
  [[ "$1" == snapshot && -n "$BTRFS_MNT" && -d "$BTRFS_MNT/snap-dbkeep" ]] || return 0
  for snapshot in "$BTRFS_MNT"/snap-dbkeep/*; do
    [[ -e "$snapshot" ]] || continue
    echo "warning: dbkeep left its snapshot $snapshot behind"
    if mountpoint -q "$snapshot"; then umount "$snapshot" 2>/dev/null; fi
    btrfs subvolume delete "$snapshot" >/dev/null 2>&1
  done
}

# dbkeep_lock_facts DIR ID: from the manifest (`show --json`), LOCK_MS: the lock hold in ms
# (held_us where the manifest has it, else lock_held_ms; "n/a" when absent), and LOCK_DETAIL:
# the snapshot method's steps inside the window and the sync and wait outside it, as
# KEY=VALUE words for the row's note (report.py summarises them under the lock table).
LOCK_MS="" LOCK_DETAIL=""
dbkeep_lock_facts() {
  local dir=$1 id=$2 picked
  "$DBKEEP" --config "$dir/config.toml" --json show "$id" >"$dir/show.json" 2>>"$WORK/logs/dbkeep-show.log"
  mapfile -t picked < <(python3 "$BENCH/lib/report.py" lock-facts "$dir/show.json" 2>/dev/null)
  LOCK_MS=${picked[0]:-n/a} LOCK_DETAIL=${picked[1]:-}
}

# prepare_dbkeep_load_source: one logical backup kept aside (repository "load") for the
# load case; sets LOAD_BACKUP_ID or leaves the logical method marked unavailable.
prepare_dbkeep_load_source() {
  LOAD_BACKUP_ID=""
  dbkeep_usable logical || return 1
  local dir log_file=$WORK/logs/load-source.dbkeep.log
  dir=$(dbkeep_dir load)
  mkdir -p "$dir"
  [[ -f "$(dbkeep_dir logical)/config.toml" ]] || write_dbkeep_config logical
  sed "s#$(dbkeep_dir logical)#$dir#" "$(dbkeep_dir logical)/config.toml" >"$dir/config.toml"
  "$DBKEEP" --config "$dir/config.toml" --json backup --set logical >"$dir/out.json" 2>"$log_file"
  classify $? "$dir/out.json" "$log_file"
  if [[ "$RUN_STATUS" != ok ]]; then
    METHOD_STATE[logical]=$RUN_STATUS METHOD_MESSAGE[logical]=$RUN_MESSAGE
    return 1
  fi
  LOAD_BACKUP_ID=$RUN_ID
}

# dbkeep_restore CASE CONTENDER REP: timed `restore ID --to-server` into the target server.
dbkeep_restore() {
  local case_name=$1 contender=$2 rep=$3 dir log_file
  if [[ -z "${LOAD_BACKUP_ID:-}" ]]; then
    METHOD_STATE[restore]=${METHOD_STATE[logical]:-failed}
    METHOD_MESSAGE[restore]="no logical backup to restore: ${METHOD_MESSAGE[logical]:-}"
  fi
  [[ -z "${METHOD_STATE[restore]:-}" ]] || { report_unusable "$case_name" "$contender" restore; return 1; }
  dir=$(dbkeep_dir load)
  log_file=$(log_path "$case_name" "$contender" "$rep")
  run_timed "$log_file" "$WORK/time.out" "$(printf '%q ' "$DBKEEP" --config "$dir/config.toml" --json \
    restore "$LOAD_BACKUP_ID" --to-server --socket "$(socket_of target)" --user root) >$dir/restore.json"
  # A restore prints no id; success is checked by counting the rows it loaded.
  classify "$LAST_EXIT" /dev/null "$log_file"
  if ((LAST_EXIT != 0)); then
    METHOD_STATE[restore]=$RUN_STATUS METHOD_MESSAGE[restore]=$RUN_MESSAGE
    report_unusable "$case_name" "$contender" restore
    return 1
  fi
  check_load "$case_name" "$contender" "$rep"
}
