# shellcheck shell=bash
# Shared helpers for bench/run: logging, the measurement wrapper, and the result files.
#
# Results are plain tab-separated files in $WORK so that bash never has to build JSON;
# bench/lib/report.py turns them into the Markdown table and the JSON result file.
#   $WORK/measurements.tsv  case contender rep status seconds rss_kb bytes lock_ms note
#                           user_s sys_s server_cpu_s
#   $WORK/meta.tsv          key value   (machine, parameters, storage mode)

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }

# A note must stay on one TSV field: no tabs, no newlines, bounded length.
one_line() { tr '\t\n' '  ' <<<"$1" | cut -c1-300 | sed 's/ *$//'; }

meta() { printf '%s\t%s\n' "$1" "$(one_line "$2")" >>"$WORK/meta.tsv"; }

# record CASE CONTENDER REP STATUS SECONDS RSS_KB BYTES LOCK_MS NOTE [CPU]
# STATUS is ok | failed | unavailable; empty metrics are written as empty fields.
# CPU is "USER_S SYS_S SERVER_CPU_S" of a timed run, i.e. "$(last_cpu)" right after run_timed.
record() {
  local note user_s="" sys_s="" server_s=""
  note=$(one_line "${9:-}")
  read -r user_s sys_s server_s <<<"${10:-}"
  [[ "$user_s" == - ]] && user_s=""
  [[ "$sys_s" == - ]] && sys_s=""
  [[ "$server_s" == - ]] && server_s=""
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" "${6:-}" \
    "${7:-}" "${8:-}" "$note" "$user_s" "$sys_s" "$server_s" >>"$WORK/measurements.tsv"
}

# Size in bytes of a file or a directory tree (0 when absent).
size_of() {
  if [[ -e "$1" ]]; then du -sb "$1" | cut -f1; else echo 0; fi
}

# Last non-empty line of a log, the usual place for a tool's error message.
last_line() { grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -v '^Command exited with' | tail -n1; }

# run_timed LOG TIMEFILE COMMAND_STRING
# Runs COMMAND_STRING in `bash -o pipefail` under GNU time. Sets the globals
# LAST_EXIT, LAST_SECONDS, LAST_RSS_KB, LAST_USER_S, LAST_SYS_S and LAST_SERVER_CPU_S.
# Peak RSS comes from wait4(), so for a pipeline it is the largest single process, not the
# sum of the pipeline. User and system CPU come from the same wait4() rusage, which adds up
# every descendant that was waited for: for `mariadb-dump | zstd` both processes, for dbkeep
# or mydumper all their threads. The MariaDB servers are not descendants of the command
# (bench/lib/server.sh starts them), so their CPU is not in it; it is read separately from
# /proc/PID/stat before and after (LAST_SERVER_CPU_S, all running servers together).
# No timeout on purpose: coreutils timeout moves the command out of the terminal's process
# group, and then Ctrl-C would no longer stop the running contender.
run_timed() {
  local log_file=$1 time_file=$2 cmd=$3 start end server_before server_after
  server_before=$(server_cpu_ticks)
  start=$EPOCHREALTIME
  /usr/bin/time -v -o "$time_file" bash -o pipefail -c "$cmd" >>"$log_file" 2>&1
  LAST_EXIT=$?
  end=$EPOCHREALTIME
  server_after=$(server_cpu_ticks)
  LAST_SECONDS=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  LAST_RSS_KB=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$time_file")
  LAST_USER_S=$(awk -F': ' '/User time \(seconds\)/ { print $2 }' "$time_file")
  LAST_SYS_S=$(awk -F': ' '/System time \(seconds\)/ { print $2 }' "$time_file")
  LAST_SERVER_CPU_S=$(awk -v a="$server_before" -v b="$server_after" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (a != "" && b != "") printf "%.2f", (b - a) / hz }')
}

# last_cpu: the CPU fields of the last run_timed, for record's tenth argument.
last_cpu() { printf '%s %s %s' "${LAST_USER_S:--}" "${LAST_SYS_S:--}" "${LAST_SERVER_CPU_S:--}"; }

# server_cpu_ticks: utime + stime (clock ticks) of every running MariaDB server of this run;
# empty when none is running. A server is one process (its threads are counted in it).
server_cpu_ticks() {
  local name pid total="" ticks
  for name in "${SERVER_NAMES[@]}"; do
    [[ -f "$WORK/$name/launcher.pid" ]] || continue
    pid=$(cat "$WORK/$name/launcher.pid")
    # Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends the command name.
    ticks=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $12 + $13 }') || continue
    [[ -n "$ticks" ]] && total=$((${total:-0} + ticks))
  done
  echo "$total"
}

# measure CASE CONTENDER REP OUTPUT_PATH COMMAND_STRING
# Times a peer tool and records time, peak RSS and the size of OUTPUT_PATH afterwards.
measure() {
  local case_name=$1 contender=$2 rep=$3 output=$4 cmd=$5
  local log_file
  log_file=$(log_path "$case_name" "$contender" "$rep")
  printf '$ %s\n' "$cmd" >"$log_file"
  run_timed "$log_file" "$WORK/time.out" "$cmd"
  if ((LAST_EXIT == 0)); then
    record "$case_name" "$contender" "$rep" ok "$LAST_SECONDS" "$LAST_RSS_KB" "$(size_of "$output")" \
      "" "" "$(last_cpu)"
    log "  $case_name/$contender rep $rep: ${LAST_SECONDS}s, client CPU ${LAST_USER_S}+${LAST_SYS_S}s"
  else
    record "$case_name" "$contender" "$rep" failed "$LAST_SECONDS" "$LAST_RSS_KB" "" "" \
      "exit $LAST_EXIT: $(last_line "$log_file")" "$(last_cpu)"
    log "  $case_name/$contender rep $rep: FAILED (exit $LAST_EXIT), see $log_file"
  fi
}

log_path() {
  local name="$1.$2.$3.log"
  echo "$WORK/logs/${name// /_}"
}

# rotated N REP: prints the indexes 0..N-1 starting at (REP-1) mod N, so each contender
# takes every position in turn and no tool always runs first on a cold cache.
rotated() {
  local n=$1 rep=$2 i
  for ((i = 0; i < n; i++)); do echo $(((rep - 1 + i) % n)); done
}
