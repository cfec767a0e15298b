# shellcheck shell=bash
# --- pitr: continuous binlog archiving and replay (docs/pitr.md) -----------------------
# The source restarts with its binary log on (ROW). Then, once:
#   archive   `dbkeep archive run` (segment_seconds = 5) and, beside it on the same server,
#             the plain `mariadb-binlog --read-from-remote-server --raw --stop-never` into a
#             directory (what XtraBackup users run), both while sysbench oltp_write_only
#             (2 threads) writes for PITR_SECONDS. Both are stopped with SIGTERM once the
#             archive holds everything; their CPU and peak RSS come from GNU time. The lag —
#             seconds from an event's commit to its stored segment — is read from the index
#             entries (stored_at minus the first and the last event's time, 1 s resolution).
# and REPS times, rotating:
#   replay    into the target server: `dbkeep restore BASE --to-server --to-latest` minus the
#             same restore without --to-latest (the base alone) for its CPU, its own
#             fetch + apply milliseconds (restore --json) for its time, against the base restored
#             the same way and then `mariadb-binlog --start-position=P FILES | mariadb` over the
#             peer's raw copies of the same binlog files. Each replay is checked with CHECKSUM
#             TABLE against the source.
#   PITR_BULK_MB  after sysbench, that many MiB of row events more (transactions of 8 MiB:
#             8192 rows of 1000 random bytes into sbtest.pitr_bulk), for the replay throughput
#             and the archiver's memory on a large binlog (the issue asks 1 GB and 2 GB).
PITR_SECONDS=${PITR_SECONDS:-60}
PITR_BULK_MB=${PITR_BULK_MB:-0}
PITR_BASE="" PITR_FILE="" PITR_POSITION=""

case_pitr() {
  log "case pitr: archiving under sysbench oltp_write_only for ${PITR_SECONDS}s, then replay"
  if ! dbkeep_usable logical; then
    report_unusable pitr "dbkeep archive run" logical
    return 0
  fi
  restart_server source "$DATA_ROOT/mysql" --log-bin=mysql-bin --server-id=1 \
    --binlog-format=ROW --max-binlog-size=64M
  pitr_archive && pitr_replay
  restart_server source "$DATA_ROOT/mysql"
}

# pitr_config: the logical set "logical" with [set.archive], in dbkeep_dir pitr.
pitr_config() {
  local dir
  dir=$(dbkeep_dir pitr)
  rm -rf "$dir"
  write_dbkeep_config logical pitr
  cat >>"$dir/config.toml" <<EOF
[set.archive]
enabled = true
segment_seconds = 5
server_id = 4242
EOF
}

# pitr_stop PID: SIGTERM to the command GNU time (PID) runs, then wait for both.
pitr_stop() {
  local child
  child=$(pgrep -P "$1" | head -n1)
  [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
  wait "$1" 2>/dev/null
}

# pitr_time_fields TIMEFILE: "RSS_KB USER_S SYS_S" from GNU time -v output.
pitr_time_fields() {
  awk -F': ' '/Maximum resident set size/ { r = $2 } /User time \(seconds\)/ { u = $2 }
    /System time \(seconds\)/ { s = $2 } END { print r, u, s }' "$1"
}

pitr_archive() {
  local dir raw=$WORK/pitr-raw first started ended seconds i status lag rss user sys
  local archiver_pid peer_pid
  pitr_config
  dir=$(dbkeep_dir pitr)
  rm -rf "$raw" && mkdir -p "$raw"
  first=$(sql source "SHOW BINARY LOGS" | head -n1 | cut -f1)
  started=$EPOCHREALTIME
  /usr/bin/time -v -o "$WORK/pitr-archiver.time" "$DBKEEP" --config "$dir/config.toml" \
    archive run --set logical >"$WORK/logs/pitr.archiver.log" 2>&1 &
  archiver_pid=$!
  /usr/bin/time -v -o "$WORK/pitr-peer.time" mariadb-binlog --no-defaults \
    --socket="$(socket_of source)" --user=root --read-from-remote-server --raw --stop-never \
    --stop-never-slave-server-id=4343 --result-file="$raw/" "$first" \
    >"$WORK/logs/pitr.peer.log" 2>&1 &
  peer_pid=$!
  sleep 2
  # The base every replay starts from, taken while both archive.
  "$DBKEEP" --config "$dir/config.toml" --json backup --set logical >"$dir/base.json" \
    2>"$WORK/logs/pitr.base.log"
  classify $? "$dir/base.json" "$WORK/logs/pitr.base.log"
  if [[ "$RUN_STATUS" != ok ]]; then
    pitr_stop "$archiver_pid"
    pitr_stop "$peer_pid"
    record pitr "dbkeep archive run" - failed "" "" "" "" "base backup: $RUN_MESSAGE"
    return 1
  fi
  PITR_BASE=$RUN_ID
  "$DBKEEP" --config "$dir/config.toml" --json show "$PITR_BASE" >"$dir/show.json"
  read -r PITR_FILE PITR_POSITION < <(python3 -c '
import json, sys
binlog = json.load(open(sys.argv[1]))["facts"]["binlog"]
print(binlog["file"], binlog["position"])' "$dir/show.json")
  sysbench_cmd oltp_write_only --threads=2 --time="$PITR_SECONDS" --report-interval=10 run \
    >"$WORK/logs/sysbench-pitr.log" 2>&1
  pitr_bulk_rows
  # Until the archive holds what the server wrote (at most five minutes).
  for ((i = 0; i < 600; i++)); do
    "$DBKEEP" --config "$dir/config.toml" --json archive status --set logical >"$dir/status.json" \
      2>/dev/null
    status=$(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["sets"][0]
print("caught-up" if s.get("last_position") and s.get("last_position") == s.get("server_position") else "behind")' \
      "$dir/status.json" 2>/dev/null)
    [[ "$status" == caught-up ]] && break
    sleep 0.5
  done
  pitr_stop "$archiver_pid"
  pitr_stop "$peer_pid"
  ended=$EPOCHREALTIME
  seconds=$(awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.3f", b - a }')
  [[ "$status" == caught-up ]] || log "  pitr: the archive did not catch up within five minutes"

  lag=$(python3 - "$dir/repo/logical/archive" <<'EOF'
import json, statistics, sys
from pathlib import Path
entries = [json.loads(p.read_text()) for p in Path(sys.argv[1]).glob("*.json")]
oldest = [e["stored_at"] - e["first_event_time"] for e in entries]
newest = [e["stored_at"] - e["last_event_time"] for e in entries]
if entries:
    print(f"{len(entries)} segments; lag of a segment's oldest event median "
          f"{statistics.median(oldest):g} s, max {max(oldest)} s; of its newest event median "
          f"{statistics.median(newest):g} s, max {max(newest)} s")
EOF
)
  meta pitr_lag "$lag"
  meta pitr_sysbench_tps "$(awk '/ tps: / { for (i = 1; i < NF; i++) if ($i == "tps:") { s += $(i + 1); n++ } }
    END { if (n) printf "%.0f", s / n }' "$WORK/logs/sysbench-pitr.log")"
  meta pitr_binlog_bytes "$(size_of "$raw")"
  log "  pitr: $lag; binlog $(size_of "$raw") bytes"

  read -r rss user sys < <(pitr_time_fields "$WORK/pitr-archiver.time")
  record pitr "dbkeep archive run" 1 ok "$seconds" "$rss" "$(size_of "$dir/repo/logical/archive")" "" \
    "segment_seconds 5; $lag" "$user $sys -"
  read -r rss user sys < <(pitr_time_fields "$WORK/pitr-peer.time")
  record pitr "mariadb-binlog --raw --stop-never" 1 ok "$seconds" "$rss" "$(size_of "$raw")" "" \
    "raw binlog files, uncompressed, local only" "$user $sys -"
}

# pitr_bulk_rows: PITR_BULK_MB MiB of row events, 8 MiB per transaction.
pitr_bulk_rows() {
  local chunk chunks=$((PITR_BULK_MB / 8)) started
  ((chunks > 0)) || return 0
  started=$EPOCHREALTIME
  sql source "CREATE TABLE sbtest.pitr_bulk (id BIGINT PRIMARY KEY, payload VARBINARY(1000))" ||
    return 1
  for ((chunk = 0; chunk < chunks; chunk++)); do
    sql source "INSERT INTO sbtest.pitr_bulk SELECT seq + $((chunk * 8192)), RANDOM_BYTES(1000)
      FROM sbtest.seq_1_to_8192" || return 1
  done
  meta pitr_bulk "$PITR_BULK_MB MiB of row events in $chunks transactions, written in $(awk \
    -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"
}

# pitr_checksums NAME: CHECKSUM TABLE of every sbtest table on server NAME.
pitr_checksums() {
  local table query=""
  for ((table = 1; table <= TABLES; table++)); do query+="CHECKSUM TABLE sbtest.sbtest$table;"; done
  ((PITR_BULK_MB >= 8)) && query+="CHECKSUM TABLE sbtest.pitr_bulk;"
  sql "$1" "$query" 2>&1
}

pitr_restore_base() {  # the base alone into the emptied target, untimed
  sql target "DROP DATABASE IF EXISTS sbtest" || return 1
  bash -c "$(pitr_restore_cmd /dev/null)"
}

pitr_replay() {
  [[ -f "$WORK/target/launcher.pid" ]] || start_server target "$WORK/target-data"
  pitr_checksums source >"$WORK/pitr-expected"
  run_cases pitr "dbkeep replay" "mariadb-binlog to mariadb"
  stop_server target
  rm -rf "$WORK/target-data" "$WORK/pitr-raw"
}

run_contender_pitr() {
  local contender=$1 rep=$2 log_file base_s base_user base_sys files=() file prepare_ms apply_ms
  log_file=$(log_path pitr "$contender" "$rep")
  case "$contender" in
    "dbkeep replay")
      sql target "DROP DATABASE IF EXISTS sbtest"
      run_timed "$log_file" "$WORK/time.out" "$(pitr_restore_cmd /dev/null)"
      ((LAST_EXIT == 0)) || { pitr_failed "$contender" "$rep" "$log_file"; return; }
      base_s=$LAST_SECONDS base_user=$LAST_USER_S base_sys=$LAST_SYS_S
      sql target "DROP DATABASE IF EXISTS sbtest"
      run_timed "$log_file" "$WORK/time.out" "$(pitr_restore_cmd "$WORK/pitr-restore.json" --to-latest)"
      ((LAST_EXIT == 0)) || { pitr_failed "$contender" "$rep" "$log_file"; return; }
      # The time is the restore's own account of the roll-forward (fetch and cut the replay
      # file, then apply it), so the base load's variance stays out; the CPU can only be the
      # difference with the base alone.
      read -r prepare_ms apply_ms < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["rolled_forward"]
print(r["prepare_ms"], r["apply_ms"])' "$WORK/pitr-restore.json")
      pitr_check "$contender" "$rep" "$log_file" \
        "$(awk -v p="$prepare_ms" -v a="$apply_ms" 'BEGIN { printf "%.3f", (p + a) / 1000 }')" \
        "$(awk -v a="$LAST_USER_S" -v b="$base_user" 'BEGIN { printf "%.2f", a - b }')" \
        "$(awk -v a="$LAST_SYS_S" -v b="$base_sys" 'BEGIN { printf "%.2f", a - b }')" \
        "fetch + cut ${prepare_ms} ms, apply ${apply_ms} ms (restore --to-latest ${LAST_SECONDS}s, the base alone ${base_s}s)" ;;
    "mariadb-binlog to mariadb")
      pitr_restore_base >>"$log_file" 2>&1 || { pitr_failed "$contender" "$rep" "$log_file"; return; }
      for file in "$WORK"/pitr-raw/*; do
        [[ "$(basename "$file")" < "$PITR_FILE" ]] || files+=("$file")
      done
      run_timed "$log_file" "$WORK/time.out" "mariadb-binlog --no-defaults \
--start-position=$PITR_POSITION $(printf '%q ' "${files[@]}") | mariadb $(tgt_conn)"
      ((LAST_EXIT == 0)) || { pitr_failed "$contender" "$rep" "$log_file"; return; }
      pitr_check "$contender" "$rep" "$log_file" "$LAST_SECONDS" "$LAST_USER_S" "$LAST_SYS_S" \
        "${#files[@]} binlog files from $PITR_FILE:$PITR_POSITION" ;;
  esac
}

# pitr_restore_cmd OUT [RESTORE_ARG...]: the restore of the base into the target, its --json
# document into OUT.
pitr_restore_cmd() {
  local out=$1
  shift
  printf '%q ' "$DBKEEP" --config "$(dbkeep_dir pitr)/config.toml" --json restore "$PITR_BASE" \
    --to-server --socket "$(socket_of target)" --user root "$@"
  printf '>%q' "$out"
}

pitr_failed() {
  record pitr "$1" "$2" failed "$LAST_SECONDS" "" "" "" "exit $LAST_EXIT: $(last_line "$3")"
  log "  pitr/$1 rep $2: FAILED, see $3"
}

# pitr_check CONTENDER REP LOG SECONDS USER_S SYS_S NOTE: records the replay if the target
# now equals the source, table by table.
pitr_check() {
  if ! diff -q <(pitr_checksums target) "$WORK/pitr-expected" >/dev/null; then
    record pitr "$1" "$2" failed "$4" "" "" "" "the target's CHECKSUM TABLE differs from the source"
    log "  pitr/$1 rep $2: replayed, but the tables differ from the source"
    return
  fi
  record pitr "$1" "$2" ok "$4" "$LAST_RSS_KB" "" "" "$7" "$5 $6 -"
  log "  pitr/$1 rep $2: replay ${4}s, client CPU ${5}+${6}s"
}
