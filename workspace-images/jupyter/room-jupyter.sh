#!/bin/sh
# Starts JupyterLab in a room with /data, /outputs and /imports in its file browser: links
# `~/data`, `~/outputs`, `~/imports` to them, then runs `jupyter-lab "$@"` (every driver's command).
#
# Links rather than `--ServerApp.root_dir=/`: the file browser shows the room's work and nothing of
# the system (/etc, /proc, /run), and a link grants nothing; it runs as the researcher inside the
# room, sees only what the room already sees, and /data and /imports stay read-only mounts whatever
# the link is called. A name the researcher took for something else (a folder of their own) is left
# alone; a link they moved or removed comes back at the next start. JupyterHub deployments give
# shared data folders the same way (a link in the home made as the server starts).
set -eu
home="${HOME:-/home/researcher}"
for name in data outputs imports; do
  link="$home/$name"
  if [ -L "$link" ] || [ ! -e "$link" ]; then
    ln -sfn "/$name" "$link" || echo "room-jupyter: cannot link $link" >&2
  fi
done
exec /usr/bin/jupyter-lab "$@"
