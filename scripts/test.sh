#!/usr/bin/env bash
# Sets everything up, then runs every test: the jest suites of all packages (real sockets on
# 127.0.0.1), then the native reactor's tests again under AddressSanitizer/LeakSanitizer.
# Ends with one line "N passed, M failed" over everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/run-tests.js
