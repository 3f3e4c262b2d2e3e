// The report generator on a made-up result, the tool check, and the idle-connection client
// against real servers.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, preflight } from '../src/cli';
import { compact, latestResults, writeReport } from '../src/markdown';
import { DEFAULT_LIMITS } from '../src/noise';
import { benchRoot, buildDir, repoRoot } from '../src/paths';
import { cEpollEcho } from '../src/peers';
import { freePort, Server } from '../src/proc';
import { ratios, summarize, type Rep } from '../src/report';
import type { WorkloadResult } from '../src/runner';
import { idleConnsLoad } from '../src/tools';
import type { RunOptions } from '../src/types';

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(benchRoot, 'scripts/build-native.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-native failed:\n${r.stdout}${r.stderr}`);
});

const options: RunOptions = { reps: 1, duration: 1, warmup: 0, quick: false, pin: null, quietWaitMs: 0, idleConns: 300, noise: DEFAULT_LIMITS };

function rep(rate: number, cpu: number): Rep {
  return { rep: 1, ok: true, serverCommand: 'x --port 4242', loadCommand: 'loadgen --port 4242', rate, cpuUsPerMsg: cpu, serverCpuPct: 90, clientCpuPct: 80, p50Us: 100, p99Us: 900, errors: 0 };
}

function fakeResult(workload: string, date: string, peers: Record<string, Rep>): WorkloadResult {
  const medians = Object.fromEntries(Object.entries(peers).map(([n, r]) => [n, summarize([r])]));
  return {
    workload,
    title: `${workload} title`,
    kind: 'throughput',
    date,
    machine: { cpuModel: 'Test CPU', cpus: 2, kernel: 'Linux 6.1', os: '#1', memoryGiB: 1, node: 'v20.0.0', tools: {} },
    options,
    method: '',
    peers: Object.keys(peers).map((name) => ({ name, description: `${name} peer` })),
    cases: [{ id: '64B-d1', label: '50 conns, 64 B, 1 in flight', peers: Object.fromEntries(Object.entries(peers).map(([n, r]) => [n, { runs: [r], median: medians[n] }])), ratios: ratios('nevio', medians) }],
    commands: ['x --port 4242', 'loadgen --port 4243'],
  };
}

test('the report: tables with ratios, one SVG per workload with a bar per peer, the headline, the data copied', () => {
  const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-report-'));
  const r = fakeResult('echo', '2026-01-01T00:00:00.000Z', { nevio: rep(150000, 6), 'node-net': rep(100000, 9) });
  const written = writeReport([r], docs);

  const md = fs.readFileSync(written.markdown, 'utf8');
  expect(md).toContain('| 50 conns, 64 B, 1 in flight | 150k/s · 6.00 µs | 100k/s · 9.00 µs |');
  expect(md).toContain('| 50 conns, 64 B, 1 in flight | nevio / node-net | 1.50x | 0.67x |');
  expect(md).toContain('![echo: requests/s and server CPU per request by peer](img/bench-echo.svg)');
  expect(md).toContain('img/bench-headline.svg');
  expect(md).toContain('| CPU | Test CPU, 2 cores |');
  // Ports vary per run; the command list names each command once.
  expect(md).toMatch(/```\nx --port PORT\nloadgen --port PORT\n```/);

  const svg = fs.readFileSync(path.join(docs, 'img/bench-echo.svg'), 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  // Two panels (rate, CPU) of two bars each, and two legend swatches.
  expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(4);
  expect(svg).toContain('<title>nevio: 150k</title>');
  expect(svg).toContain('<title>node-net: 9.00 µs</title>');
  const head = fs.readFileSync(path.join(docs, 'img/bench-headline.svg'), 'utf8');
  // 10^6 / 6 µs and 10^6 / 9 µs requests per CPU-second, peers named by family.
  expect(head).toContain('<title>nevio: 167k</title>');
  expect(head).toContain('<title>Node: 111k</title>');
  expect(JSON.parse(fs.readFileSync(path.join(docs, 'data/echo.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
});

test('latestResults keeps the newest file per workload, quick runs apart from full ones, all peers before some', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-results-'));
  const write = (name: string, r: WorkloadResult): void => fs.writeFileSync(path.join(dir, name), JSON.stringify(r));
  write('a.json', fakeResult('http', '2026-01-01T00:00:00.000Z', { nevio: rep(1, 1) }));
  write('b.json', fakeResult('http', '2026-01-02T00:00:00.000Z', { nevio: rep(2, 1) }));
  write('c.json', { ...fakeResult('http', '2026-01-03T00:00:00.000Z', { nevio: rep(3, 1) }), options: { ...options, quick: true } });
  write('d.json', fakeResult('echo', '2026-01-01T00:00:00.000Z', { nevio: rep(4, 1) }));
  write('e.json', { ...fakeResult('echo', '2026-01-05T00:00:00.000Z', { nevio: rep(5, 1) }), options: { ...options, peers: ['nevio'] } });
  fs.writeFileSync(path.join(dir, 'junk.json'), '{');
  const full = latestResults([dir], 'published');
  expect(full.map((r) => [r.workload, r.date.slice(0, 10)])).toEqual([
    ['echo', '2026-01-01'],
    ['http', '2026-01-02'],
  ]);
  expect(latestResults([dir], 'quick').map((r) => r.date.slice(0, 10))).toEqual(['2026-01-03']);
  expect(() => writeReport([], dir)).toThrow(/no benchmark results/);
});

test('compact numbers', () => {
  expect([compact(1590000), compact(131400), compact(950), compact(NaN)]).toEqual(['1.59M', '131k', '950', '-']);
});

test('preflight names each missing tool with the command that installs it', () => {
  const none = (): boolean => false;
  const { warnings } = preflight(['http', 'redis'], 2, none);
  expect(warnings).toEqual([
    expect.stringMatching(/^taskset is missing.*sudo apt-get install util-linux \(or bash scripts\/setup\.sh/),
    expect.stringMatching(/^wrk is missing.*sudo apt-get install wrk /),
    expect.stringMatching(/^redis-server is missing.*sudo apt-get install redis-server /),
    expect.stringMatching(/^redis-benchmark is missing.*sudo apt-get install redis-tools /),
  ]);
  expect(preflight(['echo'], 1, none).warnings).toEqual([]);
  expect(preflight(['echo'], 2, () => true)).toEqual({ fatal: [], warnings: [] });
});

test('a quick run reports beside its results, a full one into docs/', () => {
  expect(parseArgs(['--quick', '--out', '/tmp/x']).docs).toBe('/tmp/x/quick-report');
  expect(parseArgs([]).docs).toBe(path.join(repoRoot, 'docs'));
  expect(parseArgs(['--report-only']).reportOnly).toBe(true);
});

describe('idle connections', () => {
  test('against the C echo server: every connection answered, held, and counted in its RSS', async () => {
    const port = await freePort();
    const s = new Server(cEpollEcho.command(port), repoRoot);
    try {
      await s.waitForPort(port);
      const out = await idleConnsLoad('idle', 'idle').run({
        port, options, peer: { ...cEpollEcho, probe: 'echo' }, serverRssKiB: () => s.rssKiB(), window: { open: () => {}, close: () => {} },
      });
      expect(out.errors).toBe(0);
      expect(out.memory).toMatchObject({ conns: 300, open: 300 });
      expect(out.memory!.rssBeforeKiB).toBeGreaterThan(0);
      expect(out.memory!.rssAfterKiB).toBeGreaterThanOrEqual(out.memory!.rssBeforeKiB);
    } finally {
      await s.stop();
    }
  });

  test('a server that drops connections after answering is counted as errors', async () => {
    const server = net.createServer((c) => {
      c.on('error', () => {});
      c.once('data', () => {
        c.write('x');
        // Dropped while the client holds them: the client must notice and say so.
        setTimeout(() => c.destroy(), 50);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const out = await idleConnsLoad('idle', 'idle').run({
        port, options: { ...options, idleConns: 20 }, peer: { ...cEpollEcho, probe: 'echo' }, serverRssKiB: () => 1, window: { open: () => {}, close: () => {} },
      });
      expect(out.errors).toBe(20);
      expect(out.memory!.open).toBe(0);
    } finally {
      server.close();
    }
  });

  test('the hard limit on open files is named when it is too low', () => {
    const r = spawnSync('sh', ['-c', `ulimit -n 64 && exec ${path.join(buildDir, 'idleconns')} --port 1 --conns 100`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/hard limit on open files \(64\) is below 116/);
  });
});
