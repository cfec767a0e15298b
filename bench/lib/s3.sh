# shellcheck shell=bash
# The loopback S3 server of the tests (tests/s3/server.js: s3rver behind a SigV4-checking
# front) for the s3 case, and an rclone remote pointing at it. rclone is configured through
# the environment only (remote "loop"); AWS_CA_BUNDLE, set on these machines, breaks rclone
# even for http, so it is always run without it.

S3_PID="" S3_ENDPOINT="" S3_REASON=""
S3_BUCKET=dbkeep-bench
S3_KEY_ID=S3RVER
S3_SECRET=dbkeep-test-secret-Qx4   # the test server's fixed secret (tests/s3/server.js)

# start_s3_server: sets S3_ENDPOINT, or S3_REASON when it cannot run here.
start_s3_server() {
  local dir=$ROOT/tests/s3 out=$WORK/s3-server.out i
  if ! command -v node >/dev/null; then S3_REASON="node is not installed"; return 1; fi
  if [[ ! -d "$dir/node_modules/s3rver" ]]; then
    log "installing the S3 test server's npm packages (npm ci in tests/s3)"
    npm ci --prefix "$dir" >"$WORK/logs/npm-ci.log" 2>&1 ||
      { S3_REASON="npm ci in tests/s3 failed: $(last_line "$WORK/logs/npm-ci.log")"; return 1; }
  fi
  mkdir -p "$WORK/s3-data"
  node "$dir/server.js" "$WORK/s3-data" "$S3_BUCKET" >"$out" 2>"$WORK/logs/s3-server.log" &
  S3_PID=$!
  for ((i = 0; i < 600; i++)); do
    if grep -q '^listening ' "$out" 2>/dev/null; then
      S3_ENDPOINT="http://127.0.0.1:$(awk '/^listening / { print $2 }' "$out")"
      printf '%s\n' "$S3_KEY_ID" >"$WORK/s3-key-id"
      printf '%s\n' "$S3_SECRET" >"$WORK/s3-secret"
      chmod 600 "$WORK/s3-key-id" "$WORK/s3-secret"
      log "S3 test server at $S3_ENDPOINT (pid $S3_PID)"
      return 0
    fi
    kill -0 "$S3_PID" 2>/dev/null || break
    sleep 0.1
  done
  S3_REASON="the S3 test server did not start: $(last_line "$WORK/logs/s3-server.log")"
  stop_s3_server
  return 1
}

stop_s3_server() {
  [[ -n "$S3_PID" ]] || return 0
  kill "$S3_PID" 2>/dev/null
  wait "$S3_PID" 2>/dev/null
  S3_PID=""
}

# The [repository] lines for an S3 repository under PREFIX in the bench bucket.
s3_repository_lines() {
  cat <<EOF2
url = "s3://$S3_BUCKET/$1"
endpoint = "$S3_ENDPOINT"
access_key_id_file = "$WORK/s3-key-id"
secret_access_key_file = "$WORK/s3-secret"
EOF2
}

# rclone_cmd ARGS...: an rclone command line (a string for run_timed) against remote "loop".
rclone_cmd() {
  printf 'env -u AWS_CA_BUNDLE RCLONE_CONFIG_LOOP_TYPE=s3 RCLONE_CONFIG_LOOP_PROVIDER=Other '
  printf 'RCLONE_CONFIG_LOOP_ACCESS_KEY_ID=%q RCLONE_CONFIG_LOOP_SECRET_ACCESS_KEY=%q ' \
    "$S3_KEY_ID" "$S3_SECRET"
  printf 'RCLONE_CONFIG_LOOP_ENDPOINT=%q RCLONE_CONFIG_LOOP_FORCE_PATH_STYLE=true ' "$S3_ENDPOINT"
  printf 'rclone --transfers 4 --s3-upload-concurrency 4 --s3-chunk-size 16M '
  printf '%q ' "$@"
}
