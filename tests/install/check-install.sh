#!/usr/bin/env bash
# ctest install.layout: `cmake --install BUILD --prefix TMP` puts the binary, the manual page,
# the example configuration and the packaging files where docs/operations.md says, the
# installed binary runs, and the manual page names every command of `dbkeep --help`.
# usage: check-install.sh BUILD_DIR
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null

status=0
expect_file() {
  if [[ -s "$prefix/$1" ]]; then echo "ok    $1"; else echo "MISSING $1"; status=1; fi
}
expect_file bin/dbkeep
expect_file share/man/man1/dbkeep.1
expect_file share/doc/dbkeep/dbkeep.example.toml
expect_file share/doc/dbkeep/README.md
expect_file share/doc/dbkeep/operations.md
expect_file share/doc/dbkeep/systemd/dbkeep@.service
expect_file share/doc/dbkeep/systemd/dbkeep@.timer
expect_file share/doc/dbkeep/systemd/dbkeep-archive.service
expect_file share/doc/dbkeep/pitr.md
expect_file share/doc/dbkeep/logrotate/dbkeep
expect_file etc/logrotate.d/dbkeep  # /etc/logrotate.d for prefix /usr or /usr/local

"$prefix/bin/dbkeep" --version | grep -q '^dbkeep ' || { echo "installed binary does not run"; status=1; }
page="$prefix/share/man/man1/dbkeep.1"
for command in $("$prefix/bin/dbkeep" --help | sed -n '/^Commands:/,/^$/p' | awk 'NF>1 && /^  [a-z]/ {print $1}'); do
  grep -q "^\.SS $command\$" "$page" || { echo "manual page lacks command $command"; status=1; }
done
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$page" >/dev/null 2>"$prefix/man.err" || { cat "$prefix/man.err"; status=1; }
  if [[ -s "$prefix/man.err" ]]; then echo "man -l warned:"; cat "$prefix/man.err"; status=1; fi
else
  echo "man is not installed: the page's formatting is not checked"
fi
exit $status
