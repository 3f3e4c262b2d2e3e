#!/usr/bin/env bash
# Sets everything up, then starts the nevio echo server (Ctrl-C stops it).
# Extra arguments go to nevio-echo, e.g. `bash scripts/start.sh --addr tcp://127.0.0.1:7000`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ $# -eq 0 ]; then set -- --addr tcp://127.0.0.1:5000; fi
exec node packages/echo/dist/cli.js "$@"
