# shellcheck shell=bash
# The benchmark cases. Each case_NAME runs its contenders REPS times, rotating their order
# in every repetition, and leaves one row per run in measurements.tsv.
# Contender names are table labels; "dbkeep …" names are dbkeep, the rest are peers.

ALL_CASES=(dump load snapshot physical lock encryption s3)   # the default set, in order
# gzip is asked for by name (--only gzip): at the default scale its five contenders would add
# about ten minutes to a default run that is meant to stay under 30.
# pitr too (--only pitr): it restarts the source with the binary log on, which the other cases
# do not have.
KNOWN_CASES=(smoke dump load snapshot physical gzip lock encryption s3 pitr)  # in running order

# Shell-quoted connection arguments for the source and the load target. The MariaDB tools
# get --no-defaults so /etc/mysql does not leak in; mydumper/myloader 0.10 lack the option.
src_conn() { printf -- '--no-defaults -S %q -u root' "$(socket_of source)"; }
tgt_conn() { printf -- '--no-defaults -S %q -u root' "$(socket_of target)"; }
mydumper_conn() { printf -- '-S %q -u root' "$(socket_of "$1")"; }

# run_cases CONTENDER... : the rotation loop shared by the cases; each contender is
# dispatched to run_contender_<case> with a fresh, empty $WORK/out.
# Reference peers that are far from any target and slow (the mariadb client load takes two
# minutes, mydumper -c forty seconds at the default scale) run in the first repetition only,
# so that the whole default run stays under 30 minutes; their "runs" column shows 1.
ONCE_ONLY_CONTENDERS=("mariadb client" "mydumper -t 2 -c")

runs_this_rep() {
  local contender=$1 rep=$2 once
  ((rep == 1)) && return 0
  for once in "${ONCE_ONLY_CONTENDERS[@]}"; do [[ "$contender" == "$once" ]] && return 1; done
  return 0
}

run_cases() {
  local case_name=$1 rep index
  shift
  local contenders=("$@")
  for ((rep = 1; rep <= REPS; rep++)); do
    for index in $(rotated ${#contenders[@]} "$rep"); do
      runs_this_rep "${contenders[$index]}" "$rep" || continue
      rm -rf "$WORK/out" && mkdir -p "$WORK/out"
      "run_contender_$case_name" "${contenders[$index]}" "$rep"
    done
  done
  rm -rf "$WORK/out"
}

# --- dump: logical backup of sbtest --------------------------------------------------
# Peers: mariadb-dump (what most people run), piped to zstd for a like-for-like compressed
# file, and mydumper (the parallel dumper dbkeep's logical method competes with).
case_dump() {
  log "case dump"
  run_cases dump "dbkeep logical" "mariadb-dump" "mariadb-dump + zstd" "mydumper -t 2" \
    "mydumper -t 2 -c"
}

# run_contender_dump CONTENDER REP [CASE]: CASE lets the smoke case reuse these commands.
run_contender_dump() {
  local contender=$1 rep=$2 case_name=${3:-dump} out=$WORK/out
  local dump_cmd mydumper_cmd
  dump_cmd="mariadb-dump $(src_conn) --single-transaction --databases sbtest"
  mydumper_cmd="mydumper $(mydumper_conn source) -t 2 -B sbtest -o $out/mydumper"
  case "$contender" in
    "dbkeep logical") dbkeep_backup logical "$case_name" "$contender" "$rep" ;;
    "mariadb-dump")
      measure "$case_name" "$contender" "$rep" "$out/dump.sql" "$dump_cmd >$out/dump.sql" ;;
    "mariadb-dump + zstd")
      measure "$case_name" "$contender" "$rep" "$out/dump.sql.zst" \
        "$dump_cmd | zstd -1 -T2 -q >$out/dump.sql.zst" ;;
    "mydumper -t 2") measure "$case_name" "$contender" "$rep" "$out/mydumper" "$mydumper_cmd" ;;
    "mydumper -t 2 -c")
      measure "$case_name" "$contender" "$rep" "$out/mydumper" "$mydumper_cmd -c" ;;
  esac
}

# --- load: restore a logical dump into an empty server -------------------------------
# A second server (the "target") receives every load, so the source keeps its data and
# every run starts from the same state: database sbtest dropped before each run.
# Inputs are made once, untimed: mariadb-dump's SQL file, mydumper's directory, and one
# dbkeep logical backup.
case_load() {
  log "case load: preparing inputs and the target server"
  start_server target "$WORK/target-data"
  mkdir -p "$WORK/load-input"
  mariadb-dump --no-defaults -S "$(socket_of source)" -u root --single-transaction --databases sbtest >"$WORK/load-input/dump.sql" ||
    die "mariadb-dump for the load input failed"
  mydumper -S "$(socket_of source)" -u root -t 2 -B sbtest -o "$WORK/load-input/mydumper" ||
    die "mydumper for the load input failed"
  prepare_dbkeep_load_source
  run_cases load "dbkeep restore" "myloader -t 2" "mariadb client"
  stop_server target
  rm -rf "$WORK/load-input" "$WORK/target-data"
}

run_contender_load() {
  local contender=$1 rep=$2 input=$WORK/load-input
  sql target "DROP DATABASE IF EXISTS sbtest" || die "cannot reset the target server"
  case "$contender" in
    "dbkeep restore") dbkeep_restore load "$contender" "$rep" ;;
    "myloader -t 2")
      measure_load "$contender" "$rep" "myloader $(mydumper_conn target) -t 2 -d $input/mydumper" ;;
    "mariadb client") measure_load "$contender" "$rep" "mariadb $(tgt_conn) <$input/dump.sql" ;;
  esac
}

measure_load() {
  local contender=$1 rep=$2 cmd=$3 log_file
  log_file=$(log_path load "$contender" "$rep")
  printf '$ %s\n' "$cmd" >"$log_file"
  run_timed "$log_file" "$WORK/time.out" "$cmd"
  if ((LAST_EXIT != 0)); then
    record load "$contender" "$rep" failed "$LAST_SECONDS" "$LAST_RSS_KB" "" "" \
      "exit $LAST_EXIT: $(last_line "$log_file")" "$(last_cpu)"
    log "  load/$contender rep $rep: FAILED, see $log_file"
    return 0
  fi
  check_load load "$contender" "$rep"
}

# check_load CASE CONTENDER REP: a load only counts when every table has its rows back.
check_load() {
  if [[ "$(row_counts target)" == "$(cat "$WORK/expected-counts")" ]]; then
    record "$1" "$2" "$3" ok "$LAST_SECONDS" "$LAST_RSS_KB" "" "" "" "$(last_cpu)"
    log "  $1/$2 rep $3: ${LAST_SECONDS}s"
  else
    record "$1" "$2" "$3" failed "$LAST_SECONDS" "$LAST_RSS_KB" "" "" \
      "row counts on the target differ from the source after the load" "$(last_cpu)"
    log "  $1/$2 rep $3: FAILED, row counts differ"
  fi
}

# --- snapshot: btrfs snapshot backup -------------------------------------------------
# Peer: the hand-written FTWRL + `btrfs subvolume snapshot -r` + tar | zstd sequence
# (bench/lib/peer-snapshot), i.e. what dbkeep's snapshot method replaces.
case_snapshot() {
  log "case snapshot"
  if [[ "$STORAGE_MODE" != btrfs ]]; then
    record snapshot "btrfs snapshot + tar + zstd" - unavailable "" "" "" "" \
      "skipped: no btrfs here ($STORAGE_REASON)"
  fi
  run_cases snapshot "dbkeep snapshot" "btrfs snapshot + tar + zstd"
}

run_contender_snapshot() {
  local contender=$1 rep=$2
  case "$contender" in
    "dbkeep snapshot") dbkeep_backup snapshot snapshot "$contender" "$rep" ;;
    "btrfs snapshot + tar + zstd")
      [[ "$STORAGE_MODE" == btrfs ]] || return 0
      measure snapshot "$contender" "$rep" "$WORK/out/datadir.tar.zst" \
        "$(peer_snapshot_cmd "$WORK/out/datadir.tar.zst")" ;;
  esac
}

peer_snapshot_cmd() {
  printf '%q ' "$BENCH/lib/peer-snapshot" "$(socket_of source)" "$DATA_ROOT" \
    "$BTRFS_MNT/snap-peer" "$1" "$WORK/peer-lock-ms"
}

# --- physical: hot physical backup ---------------------------------------------------
# Peers: mariabackup streaming xbstream through zstd, the documented one-liner; and the same
# with a SHA-256 of the compressed stream taken on the way (openssl), which is the work dbkeep
# does for its manifest (format 3 hashes the stored bytes; see docs/manifest.md).
case_physical() {
  log "case physical"
  run_cases physical "dbkeep physical" "mariabackup + zstd" "mariabackup + zstd + sha256"
}

mariabackup_stream_cmd() {
  printf '%s' "mariabackup --no-defaults --backup --stream=xbstream --socket=$(socket_of source) \
--user=root --datadir=$DATA_ROOT/mysql --target-dir=$1"
}

run_contender_physical() {
  local contender=$1 rep=$2 out=$WORK/out
  case "$contender" in
    "dbkeep physical") dbkeep_backup physical physical "$contender" "$rep" ;;
    "mariabackup + zstd")
      mkdir -p "$out/tmp"
      measure physical "$contender" "$rep" "$out/backup.xb.zst" \
        "$(mariabackup_stream_cmd "$out/tmp") | zstd -1 -T2 -q >$out/backup.xb.zst" ;;
    "mariabackup + zstd + sha256")
      mkdir -p "$out/tmp"
      rm -f "$out/stored.fifo"
      mkfifo "$out/stored.fifo"
      measure physical "$contender" "$rep" "$out/backup.xb.zst" \
        "openssl dgst -sha256 -r <$out/stored.fifo >$out/backup.sha256 & \
$(mariabackup_stream_cmd "$out/tmp") | zstd -1 -T2 -q | tee $out/stored.fifo >$out/backup.xb.zst && \
wait \$!" ;;
  esac
}

# --- gzip: dbkeep's gzip against pigz on the same stream ------------------------------
# The physical method stores mariabackup's stream as one object, so its compressor sees the
# same bytes as the one-liner's: dbkeep with compression = "gzip" (level GZIP_LEVEL, workers
# GZIP_THREADS) against `| pigz -GZIP_LEVEL -p GZIP_THREADS` (the same level and threads) and
# single-threaded `| gzip`. "dbkeep physical zstd" is the physical set of the physical case
# (zstd -1, default threads), for dbkeep gzip ÷ dbkeep zstd. GZIP_BASELINE_BIN=/path/to/dbkeep
# adds "baseline dbkeep gzip": another build's gzip backup with the same config, e.g. one from
# before gzip had threads.
GZIP_LEVEL=${GZIP_LEVEL:-6}
GZIP_THREADS=${GZIP_THREADS:-2}
GZIP_BASELINE_BIN=${GZIP_BASELINE_BIN:-}

case_gzip() {
  log "case gzip: level $GZIP_LEVEL, $GZIP_THREADS threads"
  write_dbkeep_config physical physical-gzip "" gzip
  sed -i "s/^compression = \"gzip\"$/&\ncompression_level = $GZIP_LEVEL\ncompression_threads = $GZIP_THREADS/" \
    "$(dbkeep_dir physical-gzip)/config.toml"
  meta gzip "level $GZIP_LEVEL, threads $GZIP_THREADS; $(pigz --version 2>&1 | head -n1)"
  local contenders=("dbkeep physical gzip" "dbkeep physical zstd" "mariabackup + pigz"
    "mariabackup + gzip")
  if [[ -n "$GZIP_BASELINE_BIN" ]]; then
    contenders+=("baseline dbkeep gzip")
    meta gzip_baseline "$GZIP_BASELINE_BIN: $("$GZIP_BASELINE_BIN" --version 2>&1 | head -n1)"
  fi
  run_cases gzip "${contenders[@]}"
}

run_contender_gzip() {
  local contender=$1 rep=$2 out=$WORK/out
  mkdir -p "$out/tmp"
  case "$contender" in
    "dbkeep physical gzip") dbkeep_backup physical gzip "$contender" "$rep" physical-gzip ;;
    "dbkeep physical zstd") dbkeep_backup physical gzip "$contender" "$rep" ;;
    "baseline dbkeep gzip")  # dbkeep_backup runs $DBKEEP, here the baseline build
      DBKEEP=$GZIP_BASELINE_BIN dbkeep_backup physical gzip "$contender" "$rep" physical-gzip ;;
    "mariabackup + pigz")
      measure gzip "$contender" "$rep" "$out/backup.xb.gz" \
        "$(mariabackup_stream_cmd "$out/tmp") | pigz -$GZIP_LEVEL -p $GZIP_THREADS >$out/backup.xb.gz" ;;
    "mariabackup + gzip")
      measure gzip "$contender" "$rep" "$out/backup.xb.gz" \
        "$(mariabackup_stream_cmd "$out/tmp") | gzip -$GZIP_LEVEL >$out/backup.xb.gz" ;;
  esac
}

# --- lock: how long writers are blocked ----------------------------------------------
# sysbench oltp_write_only keeps writing while LOCK_BACKUPS backups of each contender run;
# each one's lock hold time comes from its manifest (dbkeep) or from timestamps taken
# inside the locked session (the manual FTWRL + btrfs snapshot reference).
SYSBENCH_PID=""

case_lock() {
  log "case lock: $LOCK_BACKUPS backups per contender under sysbench oltp_write_only"
  local contenders=("dbkeep snapshot" "dbkeep logical") saved_reps=$REPS
  if [[ "$STORAGE_MODE" == btrfs ]]; then contenders+=("FTWRL + btrfs snapshot"); fi
  sysbench_cmd oltp_write_only --threads=2 --time=0 --report-interval=5 run \
    >"$WORK/logs/sysbench-lock.log" 2>&1 &
  SYSBENCH_PID=$!
  sleep 3
  REPS=$LOCK_BACKUPS
  run_cases lock "${contenders[@]}"
  REPS=$saved_reps
  kill "$SYSBENCH_PID" 2>/dev/null
  wait "$SYSBENCH_PID" 2>/dev/null
  SYSBENCH_PID=""
  meta lock_sysbench_tps "$(awk '/ tps: / { for (i = 1; i < NF; i++) if ($i == "tps:") { s += $(i + 1); n++ } }
    END { if (n) printf "%.0f", s / n }' "$WORK/logs/sysbench-lock.log")"
}

run_contender_lock() {
  local contender=$1 rep=$2 lock_ms
  case "$contender" in
    "dbkeep snapshot") dbkeep_backup snapshot lock "$contender" "$rep" ;;
    "dbkeep logical") dbkeep_backup logical lock "$contender" "$rep" ;;
    "FTWRL + btrfs snapshot")
      local log_file
      log_file=$(log_path lock "$contender" "$rep")
      run_timed "$log_file" "$WORK/time.out" "$(peer_snapshot_cmd -)"
      if ((LAST_EXIT == 0)); then
        lock_ms=$(cat "$WORK/peer-lock-ms")
        record lock "$contender" "$rep" ok "$LAST_SECONDS" "$LAST_RSS_KB" "" "$lock_ms" "" \
          "$(last_cpu)"
        log "  lock/$contender rep $rep: lock ${lock_ms} ms"
      else
        record lock "$contender" "$rep" failed "$LAST_SECONDS" "" "" "" \
          "exit $LAST_EXIT: $(last_line "$log_file")" "$(last_cpu)"
      fi ;;
  esac
  sleep 1 # let the writers run unlocked between backups
}

# --- smoke: a one-minute sanity run ---------------------------------------------------
# Every dbkeep method once (available or not, with the reason) and the dump peers,
# meant for `bench/run --only smoke` at scale 0.02 in CI-like checks.
case_smoke() {
  log "case smoke"
  run_cases smoke "dbkeep logical" "dbkeep snapshot" "dbkeep physical" "mariadb-dump" \
    "mariadb-dump + zstd" "mydumper -t 2"
}

run_contender_smoke() {
  local contender=$1 rep=$2
  case "$contender" in
    "dbkeep logical") run_contender_dump "$contender" "$rep" smoke ;;
    "dbkeep "*) dbkeep_backup "${contender#dbkeep }" smoke "$contender" "$rep" ;;
    *) run_contender_dump "$contender" "$rep" smoke ;;
  esac
}
