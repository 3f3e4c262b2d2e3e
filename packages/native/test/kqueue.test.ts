import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// This Linux machine cannot run the kqueue backend, but it can compile it with the same flags
// as the real build against the kqueue(2) declarations, so a typo or a type error in the macOS/BSD
// file fails here rather than on a user's Mac.
test('poller_kqueue.cc compiles with -Wall -Wextra -Werror against the kqueue(2) interface', () => {
  const result = spawnSync(
    'g++',
    [
      '-std=c++17', '-fsyntax-only', '-Wall', '-Wextra', '-Werror',
      '-isystem', join(__dirname, 'kqueue-stub'),
      join(__dirname, '..', 'src', 'poller_kqueue.cc'),
    ],
    { encoding: 'utf8' },
  );
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('the stub is what the check compiles against: a broken use of it fails', () => {
  const result = spawnSync(
    'g++',
    ['-std=c++17', '-fsyntax-only', '-isystem', join(__dirname, 'kqueue-stub'), '-x', 'c++', '-'],
    { encoding: 'utf8', input: '#include <sys/event.h>\nint f() { struct kevent e; EV_SET(&e, 1, EVFILT_READ); return 0; }\n' },
  );
  expect(result.status).not.toBe(0);
});
