#!/usr/bin/env node
// Prints `true` when the io_uring backend can be compiled here (Linux with liburing's header and
// library, the Debian package liburing-dev), else `false`; binding.gyp reads it to decide whether
// uring_poller.cc is built. NEVIO_URING=0 builds without it even where liburing exists (to test
// the epoll-only build). Without it the addon runs on epoll alone and `backend: 'io_uring'`
// fails with a message saying so; the reason goes to stderr here so the build log shows it too.
const fs = require('node:fs');

function available() {
  if (process.platform !== 'linux') return false;
  if (process.env.NEVIO_URING === '0') return false;
  const header = ['/usr/include/liburing.h', '/usr/local/include/liburing.h'].some((file) => fs.existsSync(file));
  if (!header) {
    console.error('@nevio/native: liburing not found (install liburing-dev): building the epoll backend only, without io_uring');
  }
  return header;
}

console.log(available() ? 'true' : 'false');
