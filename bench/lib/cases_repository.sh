# shellcheck shell=bash
# The repository cases: what encryption at rest costs, and how an S3 repository compares with
# a local directory and with rclone on the same data.

# --- encryption: the same backups with and without encryption ----------------------------
# Peers are dbkeep itself without encryption (same method, same zstd), so the ratio is the
# cost of encryption, including opening the key (Argon2id, once per command).
case_encryption() {
  log "case encryption"
  printf 'bench passphrase %s\n' "$RANDOM$RANDOM$RANDOM" >"$WORK/bench-pass"
  chmod 600 "$WORK/bench-pass"
  local method
  for method in logical snapshot; do
    write_dbkeep_config "$method" "$method-encrypted" "path = \"$(dbkeep_dir "$method-encrypted")/repo\"
encryption = \"repokey\"
passphrase_file = \"$WORK/bench-pass\""
    # The key is created once, untimed: the runs measure backups, not repository creation.
    [[ -z "$DBKEEP" ]] || "$DBKEEP" --config "$(dbkeep_dir "$method-encrypted")/config.toml" \
      --quiet key init >>"$WORK/logs/key-init.log" 2>&1
  done
  run_cases encryption "dbkeep logical encrypted" "logical, no encryption" \
    "dbkeep snapshot encrypted" "snapshot, no encryption"
}

run_contender_encryption() {
  local contender=$1 rep=$2
  case "$contender" in
    "dbkeep logical encrypted") dbkeep_backup logical encryption "$contender" "$rep" logical-encrypted ;;
    "dbkeep snapshot encrypted") dbkeep_backup snapshot encryption "$contender" "$rep" snapshot-encrypted ;;
    "logical, no encryption") dbkeep_backup logical encryption "$contender" "$rep" ;;
    "snapshot, no encryption") dbkeep_backup snapshot encryption "$contender" "$rep" ;;
  esac
}

# --- s3: upload and download through the loopback S3 server ------------------------------
# One physical backup (a single xbstream stream, so a multipart upload), uncompressed so the
# transfer is what is measured. Upload: dbkeep's backup into S3, the same backup into a local
# directory, and `rclone copy` of that backup's files into the same server. Download: dbkeep
# verify (reads and checks every object) from S3 and from the local directory, and `rclone
# copy` of the files back to disk.
case_s3() {
  log "case s3"
  if ! dbkeep_usable physical; then
    report_unusable s3_upload "dbkeep backup to S3" physical
    return 0
  fi
  if ! start_s3_server; then
    record s3_upload "dbkeep backup to S3" - unavailable "" "" "" "" "skipped: $S3_REASON"
    log "  s3: skipped: $S3_REASON"
    return 0
  fi
  write_dbkeep_config physical s3-remote "$(s3_repository_lines dbkeep)" none
  echo "$WORK/s3-data/$S3_BUCKET/dbkeep" >"$(dbkeep_dir s3-remote)/store"
  write_dbkeep_config physical s3-local "" none
  # The files rclone moves: one backup of the same set, taken once, untimed.
  write_dbkeep_config physical s3-files "" none
  "$DBKEEP" --config "$(dbkeep_dir s3-files)/config.toml" --quiet backup >"$WORK/logs/s3-files.log" 2>&1 ||
    log "  s3: the backup rclone copies failed: $(last_line "$WORK/logs/s3-files.log")"
  run_cases s3_upload "dbkeep backup to S3" "local directory (dbkeep backup)" "rclone copy to S3"
  run_cases s3_download "dbkeep verify from S3" "local directory (dbkeep verify)" \
    "rclone copy from S3"
  stop_s3_server
}

run_contender_s3_upload() {
  local contender=$1 rep=$2
  case "$contender" in
    "dbkeep backup to S3") dbkeep_backup physical s3_upload "$contender" "$rep" s3-remote ;;
    "local directory (dbkeep backup)") dbkeep_backup physical s3_upload "$contender" "$rep" s3-local ;;
    "rclone copy to S3")
      rm -rf "$WORK/s3-data/$S3_BUCKET/rclone"
      measure s3_upload "$contender" "$rep" "$WORK/s3-data/$S3_BUCKET/rclone" \
        "$(rclone_cmd copy "$(dbkeep_dir s3-files)/repo/physical" "loop:$S3_BUCKET/rclone")" ;;
  esac
}

run_contender_s3_download() {
  local contender=$1 rep=$2
  case "$contender" in
    "dbkeep verify from S3") dbkeep_verify s3_download "$contender" "$rep" s3-remote ;;
    "local directory (dbkeep verify)") dbkeep_verify s3_download "$contender" "$rep" s3-local ;;
    "rclone copy from S3")
      measure s3_download "$contender" "$rep" "$WORK/out/rclone" \
        "$(rclone_cmd copy "loop:$S3_BUCKET/rclone" "$WORK/out/rclone")" ;;
  esac
}

# dbkeep_verify CASE CONTENDER REP VARIANT: a timed `verify --latest` (every object read and
# checked); the size recorded is the repository's, i.e. what was read.
dbkeep_verify() {
  local case_name=$1 contender=$2 rep=$3 variant=$4 dir log_file
  dir=$(dbkeep_dir "$variant")
  log_file=$(log_path "$case_name" "$contender" "$rep")
  run_timed "$log_file" "$WORK/time.out" \
    "$(printf '%q ' "$DBKEEP" --config "$dir/config.toml" verify --latest)"
  if ((LAST_EXIT == 0)); then
    record "$case_name" "$contender" "$rep" ok "$LAST_SECONDS" "$LAST_RSS_KB" \
      "$(size_of "$(repository_store "$variant")/physical")" "" "" "$(last_cpu)"
    log "  $case_name/$contender rep $rep: ${LAST_SECONDS}s"
  else
    record "$case_name" "$contender" "$rep" failed "$LAST_SECONDS" "$LAST_RSS_KB" "" "" \
      "exit $LAST_EXIT: $(last_line "$log_file")" "$(last_cpu)"
  fi
}
