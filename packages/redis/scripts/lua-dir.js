#!/usr/bin/env node
// Finds the Lua 5.1 engine the scripting addon links (binding.gyp calls it).
//
// Debian/Ubuntu: liblua5.1-0-dev (Lua 5.1.5, also built as C++: liblua5.1-c++.so), lua-cjson-dev
// and lua-bitop-dev. The C++ build of Lua is the one used: a Lua error is then a C++ exception, so
// it unwinds the addon's C++ frames (destructors run) instead of longjmp-ing over them. All three
// are linked as shared libraries: Debian's static archives are not position-independent.
//
// Elsewhere: NEVIO_LUA_CFLAGS (e.g. "-I/opt/lua51/include") and NEVIO_LUA_LIBS (the libraries to
// link, e.g. "/opt/lua51/lib/liblua-c++.a /opt/lua51/lib/cjson.a /opt/lua51/lib/bit.a"): Lua 5.1
// compiled as C++, plus lua-cjson 2.1 (luaopen_cjson) and LuaBitOp (luaopen_bit).
//
//   node scripts/lua-dir.js --check   exit 1 with instructions when something is missing
//   node scripts/lua-dir.js --cflags  the compiler flags
//   node scripts/lua-dir.js --libs    the libraries
const fs = require('node:fs');
const path = require('node:path');

const DEBIAN = [
  { file: '/usr/include/lua5.1/lua.hpp', pkg: 'liblua5.1-0-dev' },
  { file: '/usr/include/lua5.1/lua-cjson.h', pkg: 'lua-cjson-dev' },
  { file: '/usr/include/lua5.1/lua-bitop.h', pkg: 'lua-bitop-dev' },
];

function libDir() {
  for (const dir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib']) {
    if (fs.existsSync(path.join(dir, 'liblua5.1-c++.so'))) return dir;
  }
  return undefined;
}

function locate() {
  const { NEVIO_LUA_CFLAGS: cflags, NEVIO_LUA_LIBS: libs } = process.env;
  if (cflags !== undefined || libs !== undefined) {
    if (!cflags || !libs) return { error: 'set both NEVIO_LUA_CFLAGS and NEVIO_LUA_LIBS (or neither, on Debian/Ubuntu)' };
    return { cflags, libs };
  }
  const missing = DEBIAN.filter((d) => !fs.existsSync(d.file)).map((d) => d.pkg);
  const dir = libDir();
  if (dir === undefined && !missing.includes('liblua5.1-0-dev')) missing.push('liblua5.1-0-dev');
  if (missing.length > 0) return { error: `missing ${[...new Set(missing)].join(', ')}`, missing };
  return {
    cflags: '-I/usr/include/lua5.1',
    libs: `-L${dir} -llua5.1-c++ -llua5.1-cjson -llua5.1-bitop`,
  };
}

const found = locate();
const mode = process.argv[2] ?? '--check';
if (found.error !== undefined) {
  const fix = found.missing
    ? `  Fix: \`sudo apt-get install ${found.missing.join(' ')}\` (Debian/Ubuntu), or on other systems set\n`
    : '  Fix: on other systems set\n';
  process.stderr.write(
    `@nevio/redis: cannot build the Lua scripting addon: ${found.error}.\n${fix}` +
      '  NEVIO_LUA_CFLAGS (the include flags of Lua 5.1 compiled as C++) and NEVIO_LUA_LIBS (its library,\n' +
      '  lua-cjson 2.1 and LuaBitOp, as files or -l flags).\n',
  );
  process.exit(1);
}
if (mode === '--cflags') process.stdout.write(found.cflags);
else if (mode === '--libs') process.stdout.write(found.libs);
else if (mode !== '--check') {
  process.stderr.write('usage: lua-dir.js --check | --cflags | --libs\n');
  process.exit(2);
}
