// The runner end to end on real servers, and the parsers of the standard tools' output.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from '../src/cli';
import { benchRoot, repoRoot } from '../src/paths';
import { cEpollEcho, nodeNet } from '../src/peers';
import { groupCpu } from '../src/cpustat';
import { freePort, onPath, Server } from '../src/proc';
import { median, ratios, summarize, type Rep } from '../src/report';
import { runKind } from '../src/markdown';
import { planWorkload, runWorkload } from '../src/runner';
import { redis } from '../src/workloads/redis';
import { loadgenLoad, parseRedisBenchmarkCsv, parseWrk, redisBenchmarkLoad, wrkLoad } from '../src/tools';
import type { LoadContext, RunOptions, Workload } from '../src/types';

const canPin = os.cpus().length >= 2 && onPath('taskset');
// These tests are about what is measured, not about the machine being quiet (test/noise.test.ts
// is): no window counts as contaminated, so none is rerun or left out.
const anyNoise = { maxOthersPct: Infinity, maxStealPct: Infinity, retries: 0 };

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(benchRoot, 'scripts/build-native.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-native failed:\n${r.stdout}${r.stderr}`);
});

test('a workload run measures the server process, not its taskset wrapper', async () => {
  const w: Workload = {
    name: 'echo-test',
    title: 'test',
    kind: 'throughput',
    subject: nodeNet.name,
    peers: [nodeNet, cEpollEcho],
    loads: () => [loadgenLoad('t', '64 B', { mode: 'echo', conns: 4, depth: 4, size: 64 })],
  };
  const lines: string[] = [];
  const pin = canPin ? { server: '1', load: '0' } : null;
  const r = await runWorkload(w, { reps: 2, duration: 0.5, warmup: 0.1, quick: true, pin, quietWaitMs: 0, idleConns: 100, noise: anyNoise }, (l) => lines.push(l));

  const c = r.cases[0];
  for (const [peer, comm] of [
    ['node-net', 'node'],
    ['c-epoll', 'echo_server'],
  ]) {
    const runs = c.peers[peer].runs;
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run).toMatchObject({ ok: true, errors: 0 });
      expect(run.measured).toEqual([expect.stringMatching(new RegExp(` ${comm}$`))]);
      expect(run.cpuUs).toBeGreaterThan(0);
      expect(run.cpuUsPerMsg).toBeGreaterThan(0);
      if (pin) expect(run.serverCommand).toMatch(/^taskset -c 1 /);
      if (pin) expect(run.loadCommand).toMatch(/^taskset -c 0 .*\/loadgen /);
    }
    expect(c.peers[peer].median?.reps).toBe(2);
  }
  expect(c.ratios).toEqual([expect.objectContaining({ subject: 'node-net', other: 'c-epoll' })]);
  expect(r.commands).toHaveLength(8);
  expect(r.machine.cpus).toBe(os.cpus().length);
  expect(lines.some((l) => /^\[echo-test 4\/4 · \d+:\d\d elapsed, ~\d+:\d\d left\] 64 B · c-epoll · rep 2\/2$/.test(l))).toBe(true);
  expect(lines.join('\n')).toMatch(/node-net\/c-epoll: [\d.]+x throughput, [\d.]+x CPU per message/);
});

test('a server that dies before listening is reported, not waited for', async () => {
  const port = await freePort();
  const s = new Server([process.execPath, '-e', 'process.exit(3)'], repoRoot);
  await expect(s.waitForPort(port, 5000)).rejects.toThrow(/exited \(3\) before listening/);
  await s.stop();
});

test('groupCpu counts the whole process group, threads and children', async () => {
  // A parent that spins in a child process: the child's time must be counted too.
  const script = "require('child_process').spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'inherit' }); setInterval(() => {}, 1000)";
  const s = new Server([process.execPath, '-e', script], repoRoot);
  try {
    // The parent idles after its ~0.1 s start, so 0.4 s of CPU must include the child's.
    // Polled: on a busy machine the child may get far less than a whole CPU.
    const deadline = Date.now() + 10000;
    let cpu = groupCpu(s.pid);
    while (cpu.micros < 400000 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      cpu = groupCpu(s.pid);
    }
    expect(cpu.processes).toHaveLength(2);
    expect(cpu.micros).toBeGreaterThanOrEqual(400000);
  } finally {
    await s.stop();
  }
  expect(groupCpu(s.pid).processes).toHaveLength(0);
});

test('medians, summed errors and ratios', () => {
  const rep = (rate: number, cpu: number, errors = 0): Rep => ({
    rep: 1, ok: true, serverCommand: '', rate, cpuUsPerMsg: cpu, serverCpuPct: 90, p50Us: 1, p99Us: 2, errors,
  });
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 2, 3])).toBe(2.5);
  const a = summarize([rep(100, 2), rep(300, 1, 1), rep(200, 4, 2), { rep: 4, ok: false, serverCommand: '' }])!;
  expect(a).toMatchObject({ rate: 200, cpuUsPerMsg: 2, errors: 3, reps: 3 });
  const b = summarize([rep(400, 1)])!;
  const [r] = ratios('a', { a, b, gone: null });
  expect(r).toEqual({ subject: 'a', other: 'b', throughput: 0.5, cpuPerMsg: 2 });
  expect(summarize([{ rep: 1, ok: false, serverCommand: '' }])).toBeNull();
});

test('--quick means one 1 s repetition and 1000 idle connections unless told otherwise', () => {
  expect(parseArgs(['echo', '--quick']).options).toMatchObject({ reps: 1, duration: 1, quick: true, idleConns: 1000 });
  expect(parseArgs(['http', '--quick', '--reps', '2']).options).toMatchObject({ reps: 2, duration: 1 });
  expect(parseArgs([]).names).toEqual(['echo', 'http', 'redis', 'memory']);
  expect(parseArgs([]).options.idleConns).toBe(10000);
  expect(parseArgs(['--', 'redis']).names).toEqual(['redis']);
  expect(parseArgs(['redis']).options).toMatchObject({ reps: 3, duration: 10, warmup: 1 });
});

test('wrk --latency output', () => {
  const out = parseWrk(`Running 2s test @ http://127.0.0.1:4000/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   540.12us  300.00us   9.10ms   90.00%
    Req/Sec    92.10k     3.00k   95.00k    70.00%
  Latency Distribution
     50%  480.00us
     75%  600.00us
     90%  800.00us
     99%    1.52ms
  183456 requests in 2.00s, 22.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  91728.00
Transfer/sec:     11.00MB
`);
  expect(out).toEqual({ requests: 183456, seconds: 2, p50Us: 480, p99Us: 1520, errors: 7 });
  expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(/no request count/);
});

test('redis-benchmark --csv output', () => {
  const rows = parseRedisBenchmarkCsv(`"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"PING_INLINE","689655.19","0.852","0.280","0.671","1.655","3.751","3.975"
"LRANGE_100 (first 100 elements)","138888.89","4.899","0.432","4.839","6.351","7.063","7.943"
`);
  expect(rows).toEqual([
    { test: 'PING_INLINE', rps: 689655.19, p50Us: 671, p99Us: 3751 },
    { test: 'LRANGE_100 (first 100 elements)', rps: 138888.89, p50Us: 4839, p99Us: 7063 },
  ]);
  expect(() => parseRedisBenchmarkCsv('Could not connect to Redis')).toThrow(/no CSV header/);
});

async function withServer<T>(argv: (port: number) => string[], f: (ctx: LoadContext) => Promise<T>): Promise<T> {
  const port = await freePort();
  const s = new Server(argv(port), repoRoot);
  try {
    await s.waitForPort(port);
    const options: RunOptions = { reps: 1, duration: 1, warmup: 0, quick: true, pin: null, quietWaitMs: 0, idleConns: 100, noise: anyNoise };
    return await f({ port, options, window: { open: () => {}, close: () => {} }, peer: nodeNet, serverRssKiB: () => s.rssKiB() });
  } finally {
    await s.stop();
  }
}

(onPath('wrk') ? test : test.skip)('wrk against the C http server', async () => {
  const out = await withServer((p) => [path.join(benchRoot, 'build/http_server'), '--port', String(p)], (ctx) =>
    wrkLoad('w', 'wrk', 10).run(ctx),
  );
  expect(out.errors).toBe(0);
  expect(out.messages).toBeGreaterThan(1000);
  expect(out.p99Us).toBeGreaterThanOrEqual(out.p50Us);
});

const redisArgv = (extra: string[]) => (p: number) => [
  'redis-server', '--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra,
];
const withRedisBenchmark = onPath('redis-benchmark') && onPath('redis-server') ? test : test.skip;

withRedisBenchmark('redis-benchmark: every test parsed', async () => {
  const out = await withServer(redisArgv([]), (ctx) =>
    redisBenchmarkLoad('rb', 'rb', 16, 10).run({ ...ctx, options: { ...ctx.options, duration: 0.02 } }),
  );
  // 16 tests, plus the LPUSH that redis-benchmark runs to fill the list for LRANGE.
  expect((out.detail as { tests: unknown[] }).tests).toHaveLength(17);
  expect(out.messages).toBe(17 * 1000);
  expect(out.errors).toBe(0);
});

withRedisBenchmark('redis-benchmark: a command the server refuses is an error, the rest still count', async () => {
  const out = await withServer(redisArgv(['--rename-command', 'ZADD', 'NOT_ZADD']), (ctx) =>
    redisBenchmarkLoad('rb', 'rb', 16, 10).run({ ...ctx, options: { ...ctx.options, duration: 0.02 } }),
  );
  expect(out.errors).toBeGreaterThan(0);
  expect((out.detail as { tests: { test: string }[] }).tests.map((t) => t.test)).not.toContain('ZADD');
  expect(out.messages).toBeGreaterThan(0);
});

test('--baseline runs each nevio peer from the other checkout too, and its report stays off the published page', () => {
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-baseline-'));
  try {
    fs.mkdirSync(path.join(other, 'packages/redis/dist'), { recursive: true });
    const args = parseArgs(['redis', '--baseline', other]);
    expect(args.docs).toBe(path.join(args.out, 'baseline-report'));
    const plan = planWorkload(redis, { ...args.options, quick: true });
    expect(plan.peers.map((p) => p.name)).toEqual(['nevio-redis', 'nevio-redis@base', 'redis-server']);
    // Not built there yet: the twin is skipped, saying where it looked.
    expect(plan.peers[1].skipped).toContain(path.join(other, 'packages/redis/dist/cli.js'));
    fs.writeFileSync(path.join(other, 'packages/redis/dist/cli.js'), '');
    const built = planWorkload(redis, { ...args.options, quick: true, peers: ['nevio-redis'] });
    expect(built.runnable.map((p) => p.name)).toEqual(['nevio-redis', 'nevio-redis@base']);
    expect(built.runnable[1].command(7000)).toEqual([process.execPath, path.join(other, 'packages/redis/dist/cli.js'), '--port', '7000', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
    // A baseline run is its own kind of result: neither the page's nor a smoke run's.
    expect(runKind(args.options)).toBe('baseline');
    expect(runKind(parseArgs(['redis']).options)).toBe('published');
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

test('a peer from the baseline checkout is compared with the same peer from this one, also where the workload lists its pairs', () => {
  const s = (cpu: number) => summarize([{ rep: 1, ok: true, serverCommand: '', rate: 1000, cpuUsPerMsg: cpu, serverCpuPct: 90, p50Us: 1, p99Us: 2, errors: 0 }]);
  const r = ratios('nevio-echo', { 'nevio-echo': s(2), 'nevio-echo@base': s(4), 'node-net': s(8) }, [['nevio-echo', 'node-net']]);
  expect(r.map((x) => [x.subject, x.other, x.cpuPerMsg])).toEqual([
    ['nevio-echo', 'node-net', 0.25],
    ['nevio-echo', 'nevio-echo@base', 0.5],
  ]);
});
