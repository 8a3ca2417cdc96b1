#!/bin/sh
# `npm run check`: every static check, all of them run even when one fails, then a summary.
# Each tool names the file and the rule it found broken.
cd "$(dirname "$0")/../.."
failed=""
for script in typecheck typecheck:web lint format:check check:deps check:unused; do
  echo "== npm run $script" >&2
  npm run --silent "$script" >&2 || failed="$failed $script"
done
if [ -n "$failed" ]; then
  echo "check failed:$failed" >&2
  exit 1
fi
echo "check passed: types (server, UI), lint, format, folder rules, unused code and dependencies" >&2
