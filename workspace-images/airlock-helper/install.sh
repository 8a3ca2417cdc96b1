#!/usr/bin/env bash
# Installs the airlock helper into a room file system: build-rootfs.sh runs it on every sync, the
# Dockerfile with ROOT=/ (one list of what goes where).
#
#   /usr/local/lib/analyserom/analyserom_airlock.py   the channel client (standard library only)
#   /usr/local/lib/analyserom/analyserom_airlock_cli.py  its command: check-table, check-regression, ...
#   /usr/local/lib/analyserom/analyserom_acro/        ACRO 1.0.1's Python API (pandas)
#   /usr/local/lib/analyserom/acro/                   `from acro import ACRO` for unmodified ACRO scripts
#   /usr/lib/python3/dist-packages/analyserom.pth     puts that folder on every Python 3's path
#   /usr/local/bin/analyserom-airlock                 the command
#   /usr/local/lib/R/site-library/acro                ACRO-R's names (`library(acro)`), R CMD INSTALLed
#                                                     only when its source changed
#
# Usage: install.sh ROOT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${1:?usage: install.sh ROOT}"
lib="$root/usr/local/lib/analyserom"

install -D -m 0644 "$here/analyserom_airlock.py" "$lib/analyserom_airlock.py"
install -D -m 0644 "$here/analyserom_airlock_cli.py" "$lib/analyserom_airlock_cli.py"
for pkg in analyserom_acro acro; do
  rm -rf "${lib:?}/$pkg"
  install -d -m 0755 "$lib/$pkg"
  install -m 0644 "$here/$pkg/"*.py "$lib/$pkg/"
done
echo /usr/local/lib/analyserom > "$root/usr/lib/python3/dist-packages/analyserom.pth"
install -d "$root/usr/local/bin"
printf '#!/bin/sh\nexec /usr/bin/python3 -m analyserom_airlock "$@"\n' > "$root/usr/local/bin/analyserom-airlock"
chmod 0755 "$root/usr/local/bin/analyserom-airlock"

site="$root/usr/local/lib/R/site-library"
stamp="$site/acro/analyserom-source.sha256"
source_hash="$(cat "$here/acro-r/DESCRIPTION" "$here/acro-r/NAMESPACE" "$here/acro-r/R/"*.R | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$source_hash" ]; then
  install -d "$site"
  if [ "$root" = / ]; then
    R CMD INSTALL --no-docs --library=/usr/local/lib/R/site-library "$here/acro-r" >/tmp/acro-r-install.log 2>&1 || { cat /tmp/acro-r-install.log; exit 1; }
  else
    tmp="$(mktemp -d "$root/tmp/acro-r.XXXXXX")"
    cp -r "$here/acro-r/." "$tmp/"
    chroot "$root" /usr/bin/env LANG=C.UTF-8 R CMD INSTALL --no-docs --library=/usr/local/lib/R/site-library "/tmp/$(basename "$tmp")" >"$tmp.log" 2>&1 \
      || { cat "$tmp.log"; rm -rf "$tmp" "$tmp.log"; exit 1; }
    rm -rf "$tmp" "$tmp.log"
  fi
  echo "$source_hash" > "$stamp"
fi
