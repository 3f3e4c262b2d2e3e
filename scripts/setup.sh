#!/usr/bin/env bash
# Installs everything nevio needs beyond Node.js, then builds the workspace.
#
# - System packages, through apt when it is there (as root, or with sudo): a C++ toolchain for the
#   addons, llhttp's C sources (node-llhttp) for @nevio/http, Lua 5.1 with lua-cjson and LuaBitOp
#   for @nevio/redis's scripting addon, redis-server/redis-tools as the
#   differential-test oracle and benchmark peer, redis-sentinel for the replication tests' failover, curl for the HTTP tests, wrk for the benchmarks,
#   HAProxy as the PROXY-protocol peer of the core's tests and the proxy benchmark's, tcl for Redis's
#   own test suite, libssl-dev for the benchmark load generator's TLS (the addons use Node's OpenSSL),
#   liburing-dev for the reactor's io_uring backend (without it the addon builds epoll only).
# - pnpm 10 through npx: the corepack bundled with Node 20 cannot verify pnpm's signature against
#   every registry ("No compatible signature found in package metadata"), and pnpm 11 needs a
#   newer Node than 20.
# - The workspace's dependencies from the lockfile, then `turbo run build` (addons included:
#   pnpm 10 does not run dependency install scripts, so the addons are explicit turbo tasks).
set -euo pipefail
cd "$(dirname "$0")/.."

export PNPM_VERSION=10.34.9
export TURBO_TELEMETRY_DISABLED=1

missing=()
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[ -f /usr/share/llhttp/llhttp.c ] || [ -n "${LLHTTP_DIR:-}" ] || missing+=(node-llhttp)
if [ -z "${NEVIO_LUA_LIBS:-}" ]; then
  [ -f /usr/include/lua5.1/lua.hpp ] || missing+=(liblua5.1-0-dev)
  [ -f /usr/include/lua5.1/lua-cjson.h ] || missing+=(lua-cjson-dev)
  [ -f /usr/include/lua5.1/lua-bitop.h ] || missing+=(lua-bitop-dev)
fi
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v redis-sentinel >/dev/null 2>&1 || missing+=(redis-sentinel)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
command -v tclsh8.6 >/dev/null 2>&1 || missing+=(tcl)
[ "$(uname -s)" != Linux ] || [ -f /usr/include/liburing.h ] || missing+=(liburing-dev)

if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: no apt-get here; install these yourself (tests that need them will fail): ${missing[*]}" >&2
  fi
fi

pnpm() { npx -y "pnpm@${PNPM_VERSION}" "$@"; }
if [ "${CI:-}" = "true" ]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile
fi
pnpm run build
