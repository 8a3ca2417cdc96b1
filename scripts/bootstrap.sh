#!/bin/sh
# The README's two commands land here: `npm start` and `npm test`.
# Installs whatever is missing (npm dependencies with Node 24, Debian packages), then
# runs the platform on its embedded default with demo data, or the whole test suite.
set -eu
cd "$(dirname "$0")/.."
mode=${1:?usage: bootstrap.sh start|test [args]}
shift

# Debian packages the platform needs at run time, and those the tests start for real.
case "$mode" in
  start) packages="bubblewrap debootstrap" ;;
  test) packages="bubblewrap debootstrap postgresql docker.io chromium nginx" ;;
  *) echo "bootstrap.sh: unknown mode $mode" >&2; exit 2 ;;
esac

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing Debian packages:$missing" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
fi

# npm dependencies, including Node 24 itself (the npm package node@24).
if [ ! -x node_modules/node/bin/node ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm dependencies" >&2
  npm install --no-audit --no-fund >&2
fi
PATH="$PWD/node_modules/.bin:$PATH"
export PATH
node_version=$(node --version)
case "$node_version" in
  v24.*) ;;
  *) echo "bootstrap.sh: expected Node 24 from node_modules, found $node_version" >&2; exit 1 ;;
esac

# The room file system (workspace-images/build-rootfs.sh, debootstrap of Debian trixie with
# JupyterLab) is built once per machine into a shared cache, so fresh checkouts reuse it. The
# default lives in one place, which a plain `tre start` reads too.
ANALYSEROM_ROOTFS_DIR=$(node control-plane/src/rooms/rootfs-default.ts)
export ANALYSEROM_ROOTFS_DIR

case "$mode" in
  start)
    # The browser UI, built by Vite when missing or older than its sources.
    if [ ! -f control-plane/web/dist/index.html ] || [ -n "$(find control-plane/web/src control-plane/web/index.html control-plane/web/vite.config.ts -newer control-plane/web/dist/index.html -print -quit)" ]; then
      echo "building the web UI" >&2
      NODE_ENV=production vite build --config control-plane/web/vite.config.ts --mode production >&2
    fi
    # Serve at once; the room file system builds in the background the first time (5-10 minutes)
    # and rooms started before it is ready are refused with a reason that says so.
    if [ "$(id -u)" = 0 ]; then
      mkdir -p "$(dirname "$ANALYSEROM_ROOTFS_DIR")"
      echo "room file system: ensuring $ANALYSEROM_ROOTFS_DIR (log: $ANALYSEROM_ROOTFS_DIR.log)" >&2
      nohup bash workspace-images/build-rootfs.sh "$ANALYSEROM_ROOTFS_DIR" > "$ANALYSEROM_ROOTFS_DIR.log" 2>&1 &
    else
      echo "room file system: not root, cannot build it (run: sudo workspace-images/build-rootfs.sh)" >&2
    fi
    exec node control-plane/src/cli/main.ts start --demo --host "${TRE_HOST:-127.0.0.1}" --port "${TRE_PORT:-8080}" --data-dir "${TRE_DATA_DIR:-./var}" "$@"
    ;;
  test)
    # Types (server and UI), lint, format, the folder rules, unused code and dependencies: each
    # failure names the file and the rule (package.json `check`).
    echo "checking: types, lint, format, folder rules, unused code" >&2
    npm run --silent check >&2
    exec vitest run "$@"
    ;;
esac
