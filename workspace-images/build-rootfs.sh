#!/usr/bin/env bash
# Builds the room file system once from Debian's archive (debootstrap, Debian "sid": the only suite
# with pyarrow and R's arrow, see README.md).
# The same tree is used read-only as `/` by the local (bubblewrap) driver and imported as the
# Docker driver's image, so a room is the same everywhere.
#
# Idempotent: the base (debootstrap + packages) is rebuilt only when its recipe hash changes
# (suite, mirror-independent package list) or with --force; the Jupyter configuration is re-synced
# on every run (cheap). A build goes to a temporary directory; ROOTFS_DIR is a symlink to the
# finished build, swapped only when it is complete.
#
# Usage: workspace-images/build-rootfs.sh [--force] [ROOTFS_DIR]
#   --force                rebuild even when the recipe is unchanged (to take in security updates)
#   ROOTFS_DIR             default $ANALYSEROM_ROOTFS_DIR or workspace-images/build/rootfs
#   DEBIAN_MIRROR          default http://deb.debian.org/debian
#   DEBIAN_SECURITY_MIRROR default http://deb.debian.org/debian-security
#   DEBIAN_SUITE           default sid (unstable; a stable suite also gets its -updates and -security)
#   A repeatable build pins the archive by date: DEBIAN_MIRROR=https://snapshot.debian.org/archive/debian/<YYYYMMDDTHHMMSSZ>
#   (a snapshot's Release is past its Valid-Until, so apt is told not to check it; sid's Release is valid for a
#   week only, so for sid the check is off unless DEBIAN_ALLOW_EXPIRED=0; =1 turns it off for other suites). Every build writes
#   the versions it installed to /usr/share/analyserom/packages.lock inside the tree.
# Needs root, about 2.4 GB of disk and 5-10 minutes (download and unpack of ~900 packages).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
force=0
if [ "${1:-}" = "--force" ]; then force=1; shift; fi
rootfs="${1:-${ANALYSEROM_ROOTFS_DIR:-$here/build/rootfs}}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
suite="${DEBIAN_SUITE:-sid}"
packages="$(grep -v '^\s*#' "$here/packages.txt" | grep -v '^\s*$' | tr '\n' ' ')"
recipe_hash="$(printf '%s\n%s\n%s\n' "v2" "$suite" "$packages" | sha256sum | cut -d' ' -f1)"
stamp="$rootfs.recipe-hash"

log() { printf '%s build-rootfs %s\n' "$(date -u +%FT%TZ)" "$*"; }

if [ "$(id -u)" != 0 ]; then echo "build-rootfs.sh must run as root (debootstrap, chroot)" >&2; exit 1; fi

# One build at a time per target: a second caller waits, then finds the build up to date. The lock
# is a folder of its own beside the target (never removed, so no cleanup can swap it for a new inode
# as it could a lock file), not the parent folder: a build of `rootfs-next` must not hold up every
# test run's sync of `rootfs` beside it for ten minutes.
# Edit this script only while no build runs: bash reads a running script as it goes.
mkdir -p "$rootfs.lock"
exec 9<"$rootfs.lock"
flock 9

if ! command -v debootstrap >/dev/null; then
  log "installing debootstrap"
  flock /tmp/apt.lock apt-get install -y debootstrap
fi

if [ "$force" = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$recipe_hash" ] && [ -x "$rootfs/usr/bin/python3" ]; then
  log "base up to date" "hash=$recipe_hash" "dir=$rootfs"
else
  tmp="$rootfs.tmp"
  cleanup() { for m in proc sys dev/pts; do umount "$tmp/$m" 2>/dev/null || true; done; }
  trap cleanup EXIT
  cleanup; rm -rf "$tmp"; mkdir -p "$(dirname "$rootfs")"
  started=$(date +%s)
  log "debootstrap" "suite=$suite" "dir=$tmp"
  debootstrap --variant=minbase "$suite" "$tmp" "$mirror"
  mount -t proc proc "$tmp/proc"
  # A stable release gets its point and security updates; sid/unstable has neither (fixes land in
  # the suite itself). A snapshot mirror's Release is old by design.
  rm -f "$tmp/etc/apt/sources.list"
  valid_until=""
  case "$mirror" in *snapshot.debian.org*) valid_until="Check-Valid-Until: no" ;; esac
  # sid's Release is valid for a week only, so on a mirror that is not refreshed (as the archive
  # reachable from the build machines here) apt refuses it a week later. The signature is still
  # checked; what is given up is only the refusal of stale metadata. Stable suites keep the check.
  allow_expired="${DEBIAN_ALLOW_EXPIRED:-}"
  case "$suite" in sid|unstable) allow_expired="${allow_expired:-1}" ;; esac
  if [ "${allow_expired:-0}" = 1 ]; then valid_until="Check-Valid-Until: no"; log "apt will accept a Release past its Valid-Until" "suite=$suite"; fi
  case "$suite" in
    sid|unstable) suites="$suite"; security_stanza="" ;;
    *) suites="$suite $suite-updates"
       security_stanza="$(printf 'Types: deb\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security_mirror" "$suite")" ;;
  esac
  cat > "$tmp/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
$valid_until

$security_stanza
SOURCES
  log "installing packages" "packages=$packages"
  chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update
  chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y
  # shellcheck disable=SC2086
  chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages
  # The researcher account: uid/gid 1000, home /home/researcher (the driver mounts the room's home there).
  chroot "$tmp" /usr/sbin/groupadd -g 1000 researcher
  chroot "$tmp" /usr/sbin/useradd -u 1000 -g 1000 -d /home/researcher -s /bin/bash researcher
  sed -i 's/^# *en_US.UTF-8/en_US.UTF-8/' "$tmp/etc/locale.gen" && chroot "$tmp" locale-gen >/dev/null
  chroot "$tmp" apt-get clean
  # What this build holds, version by version: sid moves daily, so a rebuild can be compared with
  # (or pinned to, through a snapshot mirror) the one a result was made in.
  install -d "$tmp/usr/share/analyserom"
  chroot "$tmp" dpkg-query -W -f '${Package}=${Version}\n' | sort > "$tmp/usr/share/analyserom/packages.lock"
  printf 'suite=%s\nmirror=%s\nbuilt=%s\n' "$suite" "$mirror" "$(date -u +%FT%TZ)" > "$tmp/usr/share/analyserom/build-info"
  rm -rf "$tmp/var/lib/apt/lists/"* "$tmp/var/cache/apt/"*.bin
  # Mount points the drivers bind over; they must exist because `/` is read-only in a room.
  mkdir -p "$tmp/data" "$tmp/outputs" "$tmp/imports" "$tmp/run/jupyter" "$tmp/home/researcher"
  cleanup; trap - EXIT
  # Each build is its own folder and `ROOTFS_DIR` a symlink swapped atomically: rooms already
  # running keep the tree they were started on. The previous build is kept, older ones removed.
  version_dir="$rootfs-$(date -u +%Y%m%dT%H%M%S)-${recipe_hash:0:12}"
  mv "$tmp" "$version_dir"
  if [ -d "$rootfs" ] && [ ! -L "$rootfs" ]; then mv "$rootfs" "$rootfs-legacy"; fi
  ln -sfn "$(basename "$version_dir")" "$rootfs.new" && mv -T "$rootfs.new" "$rootfs"
  # shellcheck disable=SC2012
  # Only this target's builds (`rootfs-<time>-<hash>`): `rootfs-*` would also match a sibling
  # target such as `rootfs-next` and its builds.
  ls -1dt "$rootfs"-[0-9]*T[0-9]*-*/ | tail -n +3 | xargs -r rm -rf
  echo "$recipe_hash" > "$stamp"
  log "base built" "hash=$recipe_hash" "seconds=$(( $(date +%s) - started ))" "size=$(du -sh "$version_dir" | cut -f1)" "dir=$version_dir"
fi

# Jupyter configuration (download/export disabled, terminals off); copied every run, cheap.
install -D -m 0644 "$here/jupyter/jupyter_server_config.json" "$rootfs/etc/jupyter/jupyter_server_config.json"
install -D -m 0644 "$here/jupyter/page_config.json" "$rootfs/etc/jupyter/labconfig/page_config.json"
# No network in a room: never ask whether to fetch Jupyter news or check for updates.
install -D -m 0644 "$here/jupyter/overrides.json" "$rootfs/usr/share/jupyter/lab/settings/overrides.json"
# jupyter_core writes this marker into JUPYTER_CONFIG_DIR on first start; rooms point that at the
# read-only /etc/jupyter, so it must already exist.
touch "$rootfs/etc/jupyter/migrated"
install -D -m 0755 "$here/jupyter/stub-server.py" "$rootfs/usr/local/lib/analyserom/stub-server.py"
# Every driver's JupyterLab command: links /data, /outputs, /imports into the home, then jupyter-lab.
install -D -m 0755 "$here/jupyter/room-jupyter.sh" "$rootfs/usr/local/lib/analyserom/room-jupyter"
# Kubernetes rooms' channel relay (its own container in the room pod); unused by the other drivers.
install -D -m 0755 "$here/jupyter/channel-relay.py" "$rootfs/usr/local/lib/analyserom/channel-relay.py"
# The airlock helper: `import analyserom_airlock` and ACRO's API (`from acro import ACRO`, R's
# `library(acro)`) in a notebook, `analyserom-airlock check-table ...` in a terminal (see its
# install.sh). It reaches the control plane only through the room's read-only API socket
# (/run/analyserom/api.sock).
bash "$here/airlock-helper/install.sh" "$rootfs"
# Node.js comes with Debian's jupyterlab only to build extensions, which rooms never do (no network,
# read-only extension manager). With node on PATH, JupyterLab runs `node yarn config` on every start
# (1-2 s here); diverted away, it skips that.
if ! chroot "$rootfs" dpkg-divert --list /usr/bin/node | grep -q .; then
  chroot "$rootfs" dpkg-divert --local --rename --divert /usr/bin/node.room-disabled --add /usr/bin/node
fi
log "config synced" "dir=$rootfs"
