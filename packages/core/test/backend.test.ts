import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { uringUnavailable } from '@nevio/native';
import { BackendError, ioUringUnavailable, NevioError, serve } from '../src';
import type { Server } from '../src';
import { Client, eventually } from './helpers';

// The backend choice: `backend` / NEVIO_BACKEND, io_uring where it works, and the fallback where
// it does not. The fallback is made real with without_uring (packages/native/test/native), which
// runs the server with a seccomp filter refusing io_uring_setup, as Docker's default profile
// does: the probe fails in the kernel, through the same call as on such a machine.
const withoutUring = join(__dirname, '..', '..', 'native', 'build', 'Release', 'without_uring');
const uring = process.platform === 'linux' && uringUnavailable() === '';
const onLinux = process.platform === 'linux' ? test : test.skip;
const withUring = uring ? test : test.skip;

// A server in a process of its own: prints {"port","backend"} once listening, or {"error"} when
// serve throws; the warnings it logs go to stderr.
const script = `
const { serve, ioUringUnavailable } = require(${JSON.stringify(join(__dirname, '..', 'dist'))});
const logger = { error: (m) => process.stderr.write(m + '\\n'), warn: (m) => process.stderr.write(m + '\\n') };
const backend = process.argv[1] === '-' ? undefined : process.argv[1];
serve({ react: (_conn, data) => data }, 'tcp://127.0.0.1:0', { logger, backend }).then(
  (server) => {
    process.stdout.write(JSON.stringify({ port: server.addrs[0].port, backend: server.backend }) + '\\n');
    process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
  },
  (error) => {
    process.stdout.write(JSON.stringify({ error: { name: error.name, code: error.code, reason: error.reason, message: error.message, probe: ioUringUnavailable() } }) + '\\n');
    process.exit(0);
  },
);`;

interface Outcome {
  port?: number;
  backend?: string;
  /** `probe`: what ioUringUnavailable() said in that process. */
  error?: { name: string; code: string; reason?: string; message: string; probe?: string };
}

async function runServer(wrapper: string[], env: Record<string, string>, backend = '-'): Promise<{ outcome: Outcome; stderr: () => string; stop: () => Promise<void> }> {
  const command = [...wrapper, process.execPath, '-e', script, backend];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await eventually(() => out.includes('\n') || child.exitCode !== null, 20_000);
  if (!out.includes('\n')) throw new Error(`the server exited with ${child.exitCode}: ${err}`);
  return {
    outcome: JSON.parse(out.split('\n')[0]) as Outcome,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function echoes(port: number): Promise<void> {
  const client = new Client(port);
  try {
    client.write('ping over the chosen backend');
    expect((await client.waitFor(28)).toString()).toBe('ping over the chosen backend');
  } finally {
    client.socket.destroy();
  }
}

describe('backend option', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test('a backend that does not exist is an options error naming the choices', async () => {
    await expect(serve({}, 'tcp://127.0.0.1:0', { backend: 'select' as never })).rejects.toThrow(
      /backend must be one of auto, (epoll|kqueue), io_uring, not select/,
    );
    await expect(serve({}, 'tcp://127.0.0.1:0', { backend: 'select' as never })).rejects.toBeInstanceOf(NevioError);
  });

  test('the readiness poller, asked by name, is what runs and echoes', async () => {
    const poller = process.platform === 'linux' ? 'epoll' : 'kqueue';
    server = await serve({ react: (_conn, data) => data }, 'tcp://127.0.0.1:0', { backend: poller });
    expect(server.backend).toBe(poller);
    await echoes(server.addrs[0].port);
  });

  withUring('io_uring, asked by name where it works, is what runs and echoes', async () => {
    server = await serve({ react: (_conn, data) => data }, 'tcp://127.0.0.1:0', { backend: 'io_uring' });
    expect(server.backend).toBe('io_uring');
    expect(ioUringUnavailable()).toBe('');
    await echoes(server.addrs[0].port);
  });

  withUring('auto takes io_uring where it works, without a warning', async () => {
    const warnings: string[] = [];
    const logger = { error: (m: string) => warnings.push(m), warn: (m: string) => warnings.push(m) };
    server = await serve({ react: (_conn, data) => data }, 'tcp://127.0.0.1:0', { backend: 'auto', logger });
    expect(server.backend).toBe('io_uring');
    expect(warnings).toEqual([]);
  });
});

describe('io_uring refused by seccomp (without_uring)', () => {
  beforeAll(() => {
    if (process.platform === 'linux' && !existsSync(withoutUring)) throw new Error(`${withoutUring} is not built: run node scripts/gyp.js in packages/native`);
  });

  onLinux('NEVIO_BACKEND=io_uring fails serve with a BackendError naming EPERM and seccomp', async () => {
    const run = await runServer([withoutUring], { NEVIO_BACKEND: 'io_uring' });
    await run.stop();
    expect(run.outcome.error).toMatchObject({ name: 'BackendError', code: 'ERR_NEVIO_BACKEND' });
    // Without liburing at build time the reason is that instead; with it, the kernel's refusal.
    if (uring) expect(run.outcome.error!.reason).toMatch(/^io_uring_setup: EPERM \(refused by a seccomp filter/);
    expect(run.outcome.error!.message).toBe(`io_uring is unavailable: ${run.outcome.error!.reason}`);
    // The public probe gives the same reason before anything is served.
    expect(run.outcome.error!.probe).toBe(run.outcome.error!.reason);
  });

  onLinux('ENOSYS (a kernel without io_uring) is named as such', async () => {
    const run = await runServer([withoutUring, '--errno=ENOSYS'], {}, 'io_uring');
    await run.stop();
    expect(run.outcome.error?.code).toBe('ERR_NEVIO_BACKEND');
    if (uring) expect(run.outcome.error!.reason).toMatch(/^io_uring_setup: ENOSYS \(kernel .* has no io_uring/);
  });

  onLinux('auto falls back to epoll with one warning saying why, and serves', async () => {
    const run = await runServer([withoutUring], { NEVIO_BACKEND: 'auto' });
    try {
      expect(run.outcome.backend).toBe('epoll');
      await echoes(run.outcome.port!);
      const lines = run.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^nevio: io_uring is unavailable \(.+\); using epoll$/);
      if (uring) expect(lines[0]).toContain('EPERM');
    } finally {
      await run.stop();
    }
  });

  onLinux('an explicit option wins over NEVIO_BACKEND', async () => {
    const run = await runServer([withoutUring], { NEVIO_BACKEND: 'io_uring' }, 'epoll');
    try {
      expect(run.outcome.backend).toBe('epoll');
      await echoes(run.outcome.port!);
    } finally {
      await run.stop();
    }
  });
});

test('BackendError is a NevioError with the reason', () => {
  const error = new BackendError('io_uring_setup: EPERM (test)');
  expect(error).toBeInstanceOf(NevioError);
  expect(error.code).toBe('ERR_NEVIO_BACKEND');
  expect(error.reason).toBe('io_uring_setup: EPERM (test)');
});
