#!/usr/bin/env bash
# redis-suite-internal.sh UNIT...  -- Redis's own test suite in INTERNAL mode: the suite starts
# every server itself (from `src/redis-server CONFIG [ARGS]` in its tree, with the config file it
# writes from tests/assets/default.conf plus each test's overrides), so the units and tests that
# external mode skips (`external:skip`, tests/integration/*, unit/auth, unit/info, unit/acl...) run.
#
# Example, from the project root after a build:
#   scripts/redis-suite-internal.sh unit/auth integration/rdb          # nevio-redis
#   SERVER=redis scripts/redis-suite-internal.sh unit/auth             # Debian's redis-server, for reference
#
# It runs from a private copy of the tests tree (../shared/redis-tests or REDIS_TESTS_DIR) with a
# src/ directory holding:
#   src/redis-server    SERVER=nevio (default): `exec node packages/redis/dist/cli.js "$@"`
#                       (exec: the suite waits for " PID: <pid>" of the process it spawned);
#                       SERVER=redis: `exec /usr/bin/redis-server "$@"`
#   src/redis-cli, src/redis-benchmark, src/redis-check-aof, src/redis-check-rdb, src/redis-sentinel
#                       Debian's binaries (/usr/bin), for both servers.
#
# Environment:
#   SERVER        nevio (default) | redis
#   NEVIO_CLI     the nevio-redis entry point (default packages/redis/dist/cli.js of this checkout)
#   PROFILE       full (default: every test but the slow ones, no --ignore-encoding/--ignore-digest)
#                 | compat (also skips the needs:* tags, as redis-suite.sh's compat profile)
#   SLOW=1        also run tests tagged slow
#   EXTRA_TAGS    extra --tags words, e.g. "-needs:repl"
#   EXTRA_ARGS    extra raw runtest arguments (split on blanks), e.g. "--only /SAVE"
#   BASEPORT      first port of the servers the suite starts (default 21632; the test server takes
#                 the first free one of the 32 below it); PORTCOUNT ports are used (default 64).
#                 Give each concurrent run its own range.
#   STALL_TIMEOUT seconds without progress before runtest gives up a unit (default 120)
#   UNIT_TIMEOUT  hard wall-clock limit per unit in seconds (default 900)
#   LOG_DIR       where the raw per-unit logs are kept (default: a new /tmp/redis-internal-logs.XXXX)
#   KEEP_TREE=1   keep the private tree (servers' stdout/stderr are in its tests/tmp/server.*)
# Strict: no LENIENT patching; a test that fails on the server counts.
#
# Output per unit, as redis-suite.sh:  integration/rdb: 12 passed, 3 failed, 1 errors, 2 skipped [exit=1 40s]
# then "N passed, M failed" (M = failed + errors). Exit status 0 when M == 0, 1 otherwise, 2 on usage error.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER=${SERVER:-nevio}
NEVIO_CLI=${NEVIO_CLI:-$ROOT/packages/redis/dist/cli.js}
PROFILE=${PROFILE:-full}
SLOW=${SLOW:-0}
EXTRA_TAGS=${EXTRA_TAGS:-}
EXTRA_ARGS=${EXTRA_ARGS:-}
BASEPORT=${BASEPORT:-21632}
PORTCOUNT=${PORTCOUNT:-64}
STALL_TIMEOUT=${STALL_TIMEOUT:-120}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-900}
SRC_TREE=${REDIS_TESTS_DIR:-$ROOT/../shared/redis-tests}
[ -d "$SRC_TREE/tests" ] || SRC_TREE=/work/shared/redis-tests

[ $# -gt 0 ] || { sed -n '2,/^set -u/p' "$0" | sed -e 's/^# \{0,1\}//' -e '/^set -u/d' >&2; exit 2; }
TCLSH=$(command -v tclsh8.6 || command -v tclsh || true)
[ -n "$TCLSH" ] || { echo "redis-suite-internal.sh: tclsh not found (apt-get install tcl)" >&2; exit 2; }
for tool in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
  command -v "$tool" >/dev/null || { echo "redis-suite-internal.sh: $tool not found (apt-get install redis-tools)" >&2; exit 2; }
done
case "$SERVER" in
  nevio) [ -f "$NEVIO_CLI" ] || { echo "redis-suite-internal.sh: $NEVIO_CLI not built (run the build first)" >&2; exit 2; } ;;
  redis) command -v redis-server >/dev/null || { echo "redis-suite-internal.sh: redis-server not found" >&2; exit 2; } ;;
  *) echo "redis-suite-internal.sh: SERVER must be nevio or redis" >&2; exit 2 ;;
esac
case "$PROFILE" in
  full) TAGS="" ;;
  compat) TAGS="-needs:debug -needs:repl -needs:config-maxmemory -needs:config-resetstat -needs:reset -needs:save -needs:pfdebug -needs:latency -needs:local-process" ;;
  *) echo "redis-suite-internal.sh: PROFILE must be full or compat" >&2; exit 2 ;;
esac
[ "$SLOW" = 1 ] || TAGS="-slow $TAGS"
TAGS=$(echo $TAGS $EXTRA_TAGS)

# The private tree: the suite writes into tests/tmp, and src/ is ours.
TREE=$(mktemp -d /tmp/redis-internal.XXXXXX)
cp -r "$SRC_TREE/runtest" "$SRC_TREE/tests" "$TREE/"
rm -rf "$TREE/tests/tmp" && mkdir -p "$TREE/tests/tmp" "$TREE/src"
PIDS="$TREE/server-pids"
: >"$PIDS"
if [ "$SERVER" = nevio ]; then target="$(command -v node) $NEVIO_CLI"; else target=$(command -v redis-server); fi
# The wrapper records its pid (kept by exec) so that servers a timed-out unit leaves behind are
# stopped by pid afterwards.
cat >"$TREE/src/redis-server" <<EOF
#!/bin/sh
echo \$\$ >>"$PIDS"
exec $target "\$@"
EOF
chmod +x "$TREE/src/redis-server"
for tool in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do ln -s "$(command -v $tool)" "$TREE/src/$tool"; done
# Debian's redis-server is Sentinel when called redis-sentinel (it looks at argv[0]).
ln -s "$(command -v redis-sentinel || command -v redis-server)" "$TREE/src/redis-sentinel"

stop_leftovers() {
  local pid
  while read -r pid; do
    # Only a process of this tree: its working directory is the tree.
    [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$TREE" ] && kill -9 "$pid" 2>/dev/null
  done <"$PIDS"
  : >"$PIDS"
}
cleanup() {
  stop_leftovers
  [ "${KEEP_TREE:-0}" = 1 ] && echo "# tree kept: $TREE" || rm -rf "$TREE"
}
trap cleanup EXIT

LOG_DIR=${LOG_DIR:-$(mktemp -d /tmp/redis-internal-logs.XXXXXX)}
mkdir -p "$LOG_DIR"
ARGS=(--clients 1 --baseport "$BASEPORT" --portcount "$PORTCOUNT" --timeout "$STALL_TIMEOUT" --durable)
[ -n "$TAGS" ] && ARGS+=(--tags "$TAGS")
# shellcheck disable=SC2206
[ -n "$EXTRA_ARGS" ] && ARGS+=($EXTRA_ARGS)
echo "# redis-suite-internal: server=$SERVER ($target) profile=$PROFILE ports $((BASEPORT - 32))..$((BASEPORT + PORTCOUNT - 1))"
echo "# runtest args: ${ARGS[*]}"
echo "# raw logs: $LOG_DIR"

TP=0; TF=0; TE=0; TS=0
for unit in "$@"; do
  if [ ! -f "$TREE/tests/$unit.tcl" ]; then
    echo "$unit: 0 passed, 0 failed, 1 errors, 0 skipped [missing unit file]"; TE=$((TE + 1)); continue
  fi
  log="$LOG_DIR/$(echo "$unit" | tr '/' '_').log"
  start=$(date +%s)
  for try in 1 2 3 4 5; do
    ( cd "$TREE" && TERM=dumb timeout -k 10 "$UNIT_TIMEOUT" "$TCLSH" tests/test_helper.tcl --single "$unit" "${ARGS[@]}" ) </dev/null >"$log" 2>&1
    rc=$?
    # The test server's own port was taken (runtest's free-port probe races other runs): again.
    grep -q "couldn't open socket: address already in use" "$log" && ! grep -q '^Testing ' "$log" || break
    sleep $((try * 2))
  done
  stop_leftovers
  dur=$(( $(date +%s) - start ))
  # The same classification as redis-suite.sh: [err] with a Tcl runtime error is an error.
  read -r p f e x s t <<<"$(sed -e 's/\x1b\[[0-9;]*m//g' "$log" | awk '
    function flush_err() { if (inerr) { if (rt) e++; else f++; } inerr=0; rt=0 }
    /^\[(ok|err|skip|ignore|exception|TIMEOUT)\]/ || /^\[[0-9]+\/[0-9]+ done\]/ || /^Testing / || /^ +The End/ { flush_err() }
    /^\[ok\]:/        { p++ }
    /^\[err\]:/       { inerr=1; rt=0 }
    inerr && /(while executing|invoked from within|I\/O error|connection reset|broken pipe)/ { rt=1 }
    /^\[skip\]:/      { s++ }
    /^\[ignore\]:/    { s++ }
    /^\[exception\]:/ { x++ }
    /^\[TIMEOUT\]:/   { t++ }
    END { flush_err(); printf "%d %d %d %d %d %d\n", p+0, f+0, e+0, x+0, s+0, t+0 }')"
  note="exit=$rc ${dur}s"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then t=$((t + 1)); note="$note HARD-TIMEOUT(${UNIT_TIMEOUT}s)"; fi
  [ "$x" -gt 0 ] && note="$note EXCEPTION"
  extra=0
  if [ "$rc" != 0 ] && [ "$f" = 0 ] && [ "$e" = 0 ] && [ "$x" = 0 ] && [ "$t" = 0 ]; then extra=1; note="$note UNEXPLAINED-EXIT"; fi
  errs=$((e + x + t + extra))
  echo "$unit: $p passed, $f failed, $errs errors, $s skipped [$note]"
  if [ "$x" -gt 0 ] || [ "$t" -gt 0 ] || [ "$extra" -gt 0 ]; then
    sed -e 's/\x1b\[[0-9;]*m//g' "$log" | grep -m1 -A3 -E '^\[(exception|TIMEOUT)\]|^\*\*\* |error' | sed 's/^/    /'
  fi
  TP=$((TP + p)); TF=$((TF + f)); TE=$((TE + errs)); TS=$((TS + s))
done
echo "# totals: $TP passed, $TF failed (assertion), $TE errors/exceptions/timeouts, $TS skipped"
echo "$TP passed, $((TF + TE)) failed"
[ $((TF + TE)) -eq 0 ]
