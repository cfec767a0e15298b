#!/usr/bin/env bash
# ctest image.build (label image; not in the default run: it takes minutes and downloads a
# Debian base): builds packaging/Dockerfile for real with podman and smoke-tests the image.
# No registry is reachable, so the base image is a debootstrap'ed Debian 12 imported as
# localhost/debian:12-slim (kept between runs) and handed to the Dockerfile's BASE_IMAGE.
# Containers cannot run here (crun cannot set rlimits), so the image is mounted and its files
# are run under chroot (--format docker: OCI images drop HEALTHCHECK): dbkeep --version, check-config on a mounted config of a SQLite set, the
# MariaDB client tools and the logrotate snippet present.
# usage: build-and-smoke.sh SOURCE_DIR
set -euo pipefail
source_dir=$(cd "$1" && pwd)
base=localhost/debian:12-slim
image=localhost/dbkeep:test
for tool in podman debootstrap; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps installs it)"; exit 0; }
done

if ! podman image exists "$base"; then
  rootfs=$(mktemp -d)
  trap 'rm -rf --one-file-system "$rootfs"' EXIT
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  tar -C "$rootfs" -c . | podman import - "$base" >/dev/null 2>&1
  rm -rf --one-file-system "$rootfs"
  trap - EXIT
fi

started=$SECONDS
podman build --format docker --isolation chroot --network host --build-arg BASE_IMAGE="$base" \
  -f "$source_dir/packaging/Dockerfile" -t "$image" "$source_dir" >"${TMPDIR:-/tmp}/dbkeep-image-build.log" 2>&1 ||
  { tail -n 40 "${TMPDIR:-/tmp}/dbkeep-image-build.log"; echo "FAIL: podman build"; exit 1; }
echo "image built in $((SECONDS - started)) s"

root=$(podman image mount "$image")
work=$(mktemp -d)
cleanup() {
  umount "$root/tmp" 2>/dev/null || true
  podman image unmount "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
status=0
check() {  # check WHAT COMMAND…: runs COMMAND, prints ok or FAIL
  local what=$1
  shift
  if "$@" >"$work/out" 2>&1; then echo "ok    $what"; else echo "FAIL  $what"; cat "$work/out"; status=1; fi
}
# The config and the database under the image's /tmp (a bind mount: the image stays read-only).
sqlite3 "$work/app.db" "CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1);"
cat >"$work/dbkeep.toml" <<'TOML'
[repository]
path = "/tmp/repo"
[[set]]
name = "app"
source = "sqlite"
method = "online"
[set.sqlite]
path = "/tmp/app.db"
TOML
# mariabackup by its full path, as dbkeep runs it: started by bare name under a chroot without
# /proc, mariabackup 10.11 segfaults (exit 139, even for --version) looking for its own binary;
# a container has /proc, and dbkeep never starts it by bare name.
check "mariadb-dump present" chroot "$root" mariadb-dump --version
check "mariabackup present" chroot "$root" /usr/bin/mariabackup --version
mount --bind "$work" "$root/tmp"
check "dbkeep --version" chroot "$root" /usr/local/bin/dbkeep --version
check "dbkeep check-config on a mounted config" chroot "$root" /usr/local/bin/dbkeep --config /tmp/dbkeep.toml check-config
check "logrotate snippet" test -s "$root/etc/logrotate.d/dbkeep"
check "HEALTHCHECK set" sh -c "podman image inspect --format '{{.Config.Healthcheck}}' $image | grep -q 'status --max-age'"
check "runs as user dbkeep" sh -c "podman image inspect --format '{{.Config.User}}' $image | grep -qx dbkeep"
exit $status
