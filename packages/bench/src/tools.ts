// The client side: the project's load generator, wrk and redis-benchmark, each turned into
// a LoadResult. Clients run on the load CPU; the window markers decide what is measured.
import * as fs from 'node:fs';
import { idleconnsPath, loadgenPath } from './paths';
import { onPath, pinned, runTool, shellLine } from './proc';
import type { Load, LoadContext, LoadResult, MemoryResult } from './types';

export interface LoadgenParams {
  /**
   * resp: SET/GET; xadd, xgroup (XREADGROUP + XACK), pfadd, geoadd: native/resp_types.c;
   * handshake (with tls): a new TLS connection per message, one echo of `size` bytes;
   * ws: binary WebSocket messages of `size` bytes, each echoed as one frame.
   */
  mode: 'echo' | 'http' | 'resp' | 'handshake' | 'ws' | 'xadd' | 'xgroup' | 'pfadd' | 'geoadd';
  conns: number;
  depth: number;
  size?: number;
  path?: string;
  /** TLS 1.3 with TLS_AES_128_GCM_SHA256 on every connection. */
  tls?: boolean;
}

/** The JSON line the load generator prints. */
export interface LoadgenOutput {
  mode: string;
  conns: number;
  depth: number;
  size: number;
  messages: number;
  seconds: number;
  rate: number;
  p50_us: number;
  p99_us: number;
  errors: number;
  /** The load generator's own CPU use over the window, in % of one core. */
  client_cpu_pct: number;
  /** The cipher suite negotiated (the first connection's), or "" without TLS. */
  tls: string;
}

export function loadgenArgs(p: LoadgenParams, port: number, duration: number, warmup: number): string[] {
  const args = [loadgenPath, '--host', '127.0.0.1', '--port', String(port), '--mode', p.mode];
  args.push('--conns', String(p.conns), '--depth', String(p.depth), '--duration', String(duration), '--warmup', String(warmup));
  if (p.size !== undefined) args.push('--size', String(p.size));
  if (p.path !== undefined) args.push('--path', p.path);
  if (p.tls) args.push('--tls');
  return args;
}

/** Runs the load generator; calls onStart/onEnd when its measured window opens and closes. */
export async function runLoadgen(
  argv: string[],
  timeoutMs: number,
  onStart: () => void = () => {},
  onEnd: () => void = () => {},
): Promise<LoadgenOutput> {
  let started = false;
  const run = await runTool(argv, timeoutMs, (line) => {
    if (line === 'loadgen: measuring') {
      started = true;
      onStart();
    } else if (line === 'loadgen: done' && started) {
      // A run whose connections all died during warm-up never opens the window; the caller
      // sees that as a window never closed, and the result as all errors.
      onEnd();
    }
  });
  if (run.code !== 0) {
    const why = run.timedOut ? `timed out after ${timeoutMs} ms` : `exited with ${run.code}`;
    throw new Error(`${shellLine(argv)} ${why}: ${run.stderr.trim()}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as LoadgenOutput;
}

export function loadgenLoad(id: string, label: string, params: LoadgenParams): Load {
  return {
    id,
    label,
    unavailable: () => (fs.existsSync(loadgenPath) ? null : `${loadgenPath} is not built (run pnpm build)`),
    async run(ctx: LoadContext): Promise<LoadResult> {
      const { duration, warmup, pin } = ctx.options;
      const argv = pinned(pin?.load ?? null, loadgenArgs(params, ctx.port, duration, warmup));
      // xgroup first fills its streams for (warmup + duration) / 2, and its window may run up to twice the duration.
      const runSeconds = params.mode === 'xgroup' ? 3 * duration + 2 * warmup : duration + warmup;
      const out = await runLoadgen(argv, (runSeconds + 30) * 1000, ctx.window.open, ctx.window.close);
      return {
        messages: out.messages,
        seconds: out.seconds,
        p50Us: out.p50_us,
        p99Us: out.p99_us,
        errors: out.errors,
        clientCpuPct: out.client_cpu_pct,
        command: argv,
        ...(out.tls ? { detail: { cipher: out.tls } } : {}),
      };
    },
  };
}

// ---- wrk ----

export interface WrkOutput {
  requests: number;
  seconds: number;
  p50Us: number;
  p99Us: number;
  errors: number;
}

function durationUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`unrecognised wrk duration ${text}`);
  const scale = { us: 1, ms: 1e3, s: 1e6, m: 60e6 }[m[2] as 'us' | 'ms' | 's' | 'm'];
  return Number(m[1]) * scale;
}

/** Reads `wrk --latency` output. Socket errors and non-2xx/3xx responses count as errors. */
export function parseWrk(text: string): WrkOutput {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(text);
  if (!total) throw new Error(`no request count in wrk output:\n${text}`);
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(text);
    return m ? durationUs(m[1]) : NaN;
  };
  let errors = 0;
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (sock) errors += sock.slice(1).reduce((a, b) => a + Number(b), 0);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  if (non2xx) errors += Number(non2xx[1]);
  return {
    requests: Number(total[1]),
    seconds: durationUs(`${total[2]}${total[3]}`) / 1e6,
    p50Us: pct('50'),
    p99Us: pct('99'),
    errors,
  };
}

export function wrkLoad(id: string, label: string, conns: number): Load {
  return {
    id,
    label,
    unavailable: () => (onPath('wrk') ? null : 'wrk is not installed (apt-get install wrk)'),
    async run(ctx: LoadContext): Promise<LoadResult> {
      const { duration, pin } = ctx.options;
      // wrk takes whole seconds; it has no warm-up, so the window is its whole run.
      const secs = Math.max(1, Math.round(duration));
      const argv = pinned(pin?.load ?? null, ['wrk', '-t1', `-c${conns}`, `-d${secs}s`, '--latency', `http://127.0.0.1:${ctx.port}/`]);
      ctx.window.open();
      const run = await runTool(argv, (secs + 30) * 1000);
      ctx.window.close();
      if (run.code !== 0) throw new Error(`${shellLine(argv)} exited with ${run.code}: ${run.stderr.trim()}`);
      const out = parseWrk(run.stdout);
      return { messages: out.requests, seconds: out.seconds, p50Us: out.p50Us, p99Us: out.p99Us, errors: out.errors, command: argv };
    },
  };
}

// ---- redis-benchmark ----

export const REDIS_TESTS = 'ping_inline,ping_mbulk,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,mset';

export interface RedisBenchRow {
  test: string;
  rps: number;
  p50Us: number;
  p99Us: number;
}

/** Reads `redis-benchmark --csv` output (redis 7 columns). */
export function parseRedisBenchmarkCsv(text: string): RedisBenchRow[] {
  const rows: RedisBenchRow[] = [];
  const lines = text.split('\n').filter((l) => l.startsWith('"'));
  const header = lines.shift()?.split(',').map((h) => h.replace(/"/g, ''));
  if (!header || header[0] !== 'test') throw new Error(`no CSV header in redis-benchmark output:\n${text}`);
  const col = (name: string): number => header.indexOf(name);
  for (const line of lines) {
    const cells = line.split('","').map((c) => c.replace(/"/g, ''));
    rows.push({
      test: cells[0],
      rps: Number(cells[col('rps')]),
      p50Us: Number(cells[col('p50_latency_ms')]) * 1000,
      p99Us: Number(cells[col('p99_latency_ms')]) * 1000,
    });
  }
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function redisBenchmarkLoad(id: string, label: string, pipeline: number, conns: number): Load {
  return {
    id,
    label,
    unavailable: () => (onPath('redis-benchmark') ? null : 'redis-benchmark is not installed (apt-get install redis-tools)'),
    async run(ctx: LoadContext): Promise<LoadResult> {
      const { duration, pin } = ctx.options;
      // redis-benchmark runs a fixed number of requests per test, not a time: scale the count
      // with --duration (10 s gives its default 100000 unpipelined) so a quick run stays quick.
      const n = Math.round(duration * (pipeline > 1 ? 50000 : 10000));
      const argv = pinned(pin?.load ?? null, [
        'redis-benchmark', '-h', '127.0.0.1', '-p', String(ctx.port), '-c', String(conns), '-n', String(n),
        '-P', String(pipeline), '-t', REDIS_TESTS, '--csv',
      ]);
      const started = process.hrtime.bigint();
      ctx.window.open();
      const run = await runTool(argv, Math.max(120, duration * 40) * 1000);
      ctx.window.close();
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      if (run.timedOut) throw new Error(`${shellLine(argv)} timed out: ${run.stderr.trim()}`);
      // A test that gets an error reply is dropped from the CSV, reported on stderr as
      // "Error from server: ...", and makes the exit status 1; the other tests still count.
      const failures = run.stderr.split('\n').filter((l) => /error/i.test(l));
      const rows = parseRedisBenchmarkCsv(run.stdout);
      if (rows.length === 0) {
        throw new Error(`${shellLine(argv)} exited with ${run.code} and no results: ${run.stderr.trim()}`);
      }
      const testsRun = rows.length;
      const errors = failures.length || (run.code === 0 ? 0 : 1);
      // Time the server spent answering, excluding redis-benchmark's own setup between tests.
      const busy = rows.reduce((s, r) => s + (r.rps > 0 ? n / r.rps : 0), 0);
      return {
        messages: n * testsRun,
        seconds: busy > 0 ? busy : wall,
        p50Us: median(rows.map((r) => r.p50Us)),
        p99Us: median(rows.map((r) => r.p99Us)),
        errors,
        command: argv,
        detail: { requestsPerTest: n, wallSeconds: wall, tests: rows, ...(failures.length ? { failures } : {}) },
      };
    },
  };
}

// ---- idle connections (memory) ----

/** The two JSON lines idleconns prints: when every connection is set up, and when released. */
export interface IdleconnsOutput {
  conns: number;
  open: number;
  errors: number;
  seconds: number;
  closedByServer: number;
}

export function parseIdleconns(stdout: string): IdleconnsOutput {
  const [setup, release] = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
  if (!setup || !release) throw new Error(`idleconns printed less than two lines:\n${stdout}`);
  return { conns: setup.conns, open: setup.open, errors: setup.errors, seconds: setup.seconds, closedByServer: release.closed_by_server };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Opens options.idleConns connections (each makes one request, so the server has really set it
 * up), reads the server's RSS, and closes them. Connections count from 127.0.0.x to 127.0.0.1
 * on both ends; idleconns raises its own limit on open files.
 */
export function idleConnsLoad(id: string, label: string): Load {
  return {
    id,
    label,
    kind: 'memory',
    unavailable: () => (fs.existsSync(idleconnsPath) ? null : `${idleconnsPath} is not built (run pnpm build)`),
    async run(ctx: LoadContext): Promise<LoadResult> {
      const conns = ctx.options.idleConns;
      // The server's start-up allocations (a JIT warming, a first GC) settle before the baseline.
      await sleep(500);
      const rssBeforeKiB = ctx.serverRssKiB();
      const argv = pinned(ctx.options.pin?.load ?? null, [
        idleconnsPath, '--host', '127.0.0.1', '--port', String(ctx.port), '--conns', String(conns),
        '--probe', ctx.peer.probe ?? 'none', '--timeout', '60',
      ]);
      let release = (): void => {};
      let onReady = (): void => {};
      const ready = new Promise<void>((r) => (onReady = r));
      const running = runTool(argv, 120_000, (line) => line === 'idleconns: ready' && onReady(), (close) => (release = close));
      const early = await Promise.race([ready.then(() => null), running]);
      if (early) throw new Error(`${shellLine(argv)} exited with ${early.code} before setting up: ${early.stderr.trim()}`);
      // Short: HTTP servers close idle keep-alive connections after about 5 s, counted from the
      // first ones' answers.
      await sleep(200);
      ctx.window.open();
      const rssAfterKiB = ctx.serverRssKiB();
      ctx.window.close();
      release();
      const run = await running;
      if (run.code !== 0) throw new Error(`${shellLine(argv)} exited with ${run.code}: ${run.stderr.trim()}`);
      const out = parseIdleconns(run.stdout);
      // Dropped after the RSS was read or before: either way it was not held when measured, or
      // not for long, so the figure leaves it out and the error count shows it.
      const open = out.open - out.closedByServer;
      const memory: MemoryResult = {
        conns,
        open,
        rssBeforeKiB,
        rssAfterKiB,
        bytesPerConn: open > 0 ? ((rssAfterKiB - rssBeforeKiB) * 1024) / open : NaN,
      };
      return {
        messages: 0,
        seconds: out.seconds,
        p50Us: NaN,
        p99Us: NaN,
        errors: out.errors + out.closedByServer,
        command: argv,
        memory,
        detail: { setupSeconds: out.seconds, closedByServer: out.closedByServer },
      };
    },
  };
}
