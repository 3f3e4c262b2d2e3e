#!/usr/bin/env node
// Locates llhttp's generated C parser for binding.gyp.
//
// nevio-http compiles llhttp from its C sources (rather than linking a prebuilt libllhttp) because
// llhttp 8 chooses strict parsing at compile time (LLHTTP_STRICT_MODE), and strict parsing is what
// rejects bare-LF line endings and other request-smuggling vectors.
//
//   node scripts/llhttp-dir.js --check     exit 1 with instructions when llhttp cannot be found
//   node scripts/llhttp-dir.js --warn      the same instructions, exit 0 (for the install hook,
//                                          scripts/build-addon.js --install, which then skips
//                                          the build instead of failing the whole install)
//   node scripts/llhttp-dir.js --include   the directory holding llhttp.h (used by binding.gyp)
//   node scripts/llhttp-dir.js --source-dir  the directory of llhttp.c, api.c, http.c (included by the
//                                          wrappers in src/llhttp/, used by binding.gyp)
const fs = require('node:fs');
const path = require('node:path');

const SOURCES = ['llhttp.c', 'api.c', 'http.c'];

// Each candidate is [directory of the C files, directory of llhttp.h].
function candidates() {
  const override = process.env.LLHTTP_DIR;
  if (override) {
    const dir = path.resolve(override);
    // Accepts llhttp's release layout (src/ + include/), a flat directory, and Debian's split.
    return [
      [path.join(dir, 'src'), path.join(dir, 'include')],
      [dir, dir],
      [dir, path.join(dir, 'include')],
      [path.join(dir, 'share', 'llhttp'), path.join(dir, 'share', 'include', 'llhttp')],
    ];
  }
  return [
    // Debian/Ubuntu's node-llhttp package.
    ['/usr/share/llhttp', '/usr/share/include/llhttp'],
    ['/usr/share/llhttp', '/usr/include/llhttp'],
    ['/usr/local/share/llhttp', '/usr/local/share/include/llhttp'],
  ];
}

function find() {
  for (const [src, include] of candidates()) {
    if (SOURCES.every((f) => fs.existsSync(path.join(src, f))) && fs.existsSync(path.join(include, 'llhttp.h'))) {
      return { src, include };
    }
  }
  return undefined;
}

const found = find();
const mode = process.argv[2] ?? '--check';
if (!found) {
  const where = process.env.LLHTTP_DIR
    ? `LLHTTP_DIR=${process.env.LLHTTP_DIR} holds no llhttp.c, api.c, http.c and llhttp.h (looked in ., src/, include/)`
    : 'llhttp\'s C sources were not found in /usr/share/llhttp';
  process.stderr.write(
    `@nevio/http: ${where}.\n` +
      '  Fix: `sudo apt-get install node-llhttp` (Debian/Ubuntu), or point LLHTTP_DIR at a directory\n' +
      '  holding llhttp 8.x\'s generated sources (a release tarball of nodejs/llhttp: src/*.c and include/llhttp.h).\n',
  );
  process.exit(mode === '--warn' ? 0 : 1);
}
if (mode === '--include') process.stdout.write(found.include);
else if (mode === '--source-dir') process.stdout.write(found.src);
else if (mode !== '--check' && mode !== '--warn') {
  process.stderr.write(`usage: llhttp-dir.js --check | --warn | --include | --source-dir\n`);
  process.exit(2);
}
