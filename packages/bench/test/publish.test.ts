// What the report does with contaminated runs: struck out, in no ratio, faded in the charts; the
// published page takes each workload's newest clean run and names the workloads it refuses.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, report } from '../src/cli';
import { latestResults, publishProblems, writeReport } from '../src/markdown';
import { DEFAULT_LIMITS, type WindowNoise } from '../src/noise';
import { judgeCase, type Rep } from '../src/report';
import type { WorkloadResult } from '../src/runner';
import type { RunOptions } from '../src/types';

function noise(othersPct: number, stealPct = 0): WindowNoise {
  const cores = [
    { cpu: '1', role: 'server' as const, tasksPct: 90, ownPct: 90 - othersPct, othersPct, stealPct },
    { cpu: '0', role: 'load' as const, tasksPct: 80, ownPct: 80, othersPct: 0, stealPct: 0 },
  ];
  const n: WindowNoise = { seconds: 10, cores, stealPct, othersPct, harnessPct: 0, unattributedPct: 0, top: [] };
  return othersPct > 5 || stealPct > 2 ? { ...n, contaminated: `other processes took ${othersPct}% of the server's CPU 1` } : n;
}

function rep(peer: string, i: number, rate: number, cpu: number, n?: WindowNoise): Rep {
  return {
    rep: i, ok: true, serverCommand: `taskset -c 1 ${peer} --port ${4000 + i}`, loadCommand: `taskset -c 0 loadgen --port ${4000 + i} --depth 16`,
    rate, cpuUsPerMsg: cpu, serverCpuPct: 90, clientCpuPct: 80, p50Us: 100, p99Us: 900, errors: 0,
    ...(n ? { noise: n, othersPct: n.cores[0].othersPct, othersOnLoadCpuPct: 0, ...(n.contaminated ? { contaminated: n.contaminated } : {}) } : {}),
  };
}

function result(date: string, runs: Record<string, Rep[]>): WorkloadResult {
  const r: WorkloadResult = {
    workload: 'echo',
    title: 'echo title',
    kind: 'throughput',
    date,
    machine: { cpuModel: 'Test CPU', cpus: 2, kernel: 'Linux 6.1', os: '#1', memoryGiB: 1, node: 'v20.0.0', tools: {} },
    options: { reps: 2, duration: 10, warmup: 1, quick: false, pin: { server: '1', load: '0' }, quietWaitMs: 0, idleConns: 10, noise: DEFAULT_LIMITS },
    method: '',
    peers: Object.keys(runs).map((name) => ({ name, description: `${name} peer` })),
    cases: [{ id: '64B-d16', label: '50 conns, 64 B, 16 in flight', peers: Object.fromEntries(Object.entries(runs).map(([n, x]) => [n, { runs: x, median: null }])), ratios: [] }],
    commands: [],
  };
  judgeCase(r.cases[0], 'nevio', undefined, DEFAULT_LIMITS);
  return r;
}

const clean = (): WorkloadResult =>
  result('2026-01-01T00:00:00.000Z', { nevio: [rep('nevio', 1, 150000, 6, noise(1)), rep('nevio', 2, 160000, 5, noise(0))], 'c-epoll': [rep('c-epoll', 1, 200000, 5, noise(2)), rep('c-epoll', 2, 190000, 5, noise(0))] });
const tainted = (): WorkloadResult =>
  result('2026-01-02T00:00:00.000Z', {
    nevio: [rep('nevio', 1, 150000, 6, noise(1)), rep('nevio', 2, 90000, 9, noise(30))],
    'c-epoll': [rep('c-epoll', 1, 60000, 9, noise(40)), rep('c-epoll', 2, 60000, 9, noise(1, 3))],
  });

test('contaminated runs are left out of medians; a peer with no clean run is struck out, in no ratio, faded in the chart', () => {
  const r = tainted();
  const c = r.cases[0];
  // nevio's second run is out: the median is its first run alone.
  expect(c.peers.nevio.median).toMatchObject({ rate: 150000, cpuUsPerMsg: 6, reps: 1, contaminatedReps: 1 });
  expect(c.peers.nevio.median?.contaminated).toBeUndefined();
  expect(c.peers['c-epoll'].median).toMatchObject({ reps: 2, contaminated: true });
  expect(c.contaminated).toEqual(['c-epoll']);
  expect(c.ratios).toEqual([]);

  const docs = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-publish-'));
  writeReport([r], docs);
  const md = fs.readFileSync(path.join(docs, 'benchmarks.md'), 'utf8');
  expect(md).toContain('| 50 conns, 64 B, 16 in flight | 150k/s · 6.00 µs | ~~60.0k/s · 9.00 µs~~ ⚠ |');
  expect(md).toContain('**3 of 4 runs were contaminated**');
  // The worst window of each peer, and how many of its runs were contaminated.
  expect(md).toContain('| 50 conns, 64 B, 16 in flight | 30% / 0%, steal 0% · 1/2 ⚠ | 40% / 0%, steal 3% · 2/2 ⚠ |');
  expect(md).not.toContain('nevio / c-epoll');
  // Exact commands per case, from the runs, ports as PORT.
  expect(md).toContain('50 conns, 64 B, 16 in flight:\n\n```\ntaskset -c 1 nevio --port PORT\ntaskset -c 0 loadgen --port PORT --depth 16\ntaskset -c 1 c-epoll --port PORT\n```');
  const svg = fs.readFileSync(path.join(docs, 'img/bench-echo.svg'), 'utf8');
  expect(svg).toContain('<title>c-epoll: 60.0k (contaminated)</title>');
  expect(svg).not.toContain('<title>nevio: 150k (contaminated)</title>');
  // The headline chart shows no contaminated figure.
  expect(fs.readFileSync(path.join(docs, 'img/bench-headline.svg'), 'utf8')).not.toContain('C epoll');
});

test('the published page takes the newest clean run of a workload, and refuses one with none unless allowed', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-publish-'));
  const out = path.join(dir, 'results');
  fs.mkdirSync(out);
  const docs = path.join(dir, 'docs');
  fs.writeFileSync(path.join(out, 'new.json'), JSON.stringify(tainted()));
  expect(publishProblems(tainted())).toEqual(['50 conns, 64 B, 16 in flight · nevio: 1 of 2 runs contaminated', '50 conns, 64 B, 16 in flight · c-epoll: 2 of 2 runs contaminated']);
  const lines: string[] = [];
  expect(() => report(parseArgs(['--out', out, '--docs', docs]), (l) => lines.push(l))).toThrow(/no clean benchmark results.*echo only have contaminated runs/);
  expect(lines.join('\n')).toMatch(/not publishing echo: its newest run \(2026-01-02T00:00:00.000Z\) is not clean/);

  fs.writeFileSync(path.join(out, 'old.json'), JSON.stringify(clean()));
  const written = report(parseArgs(['--out', out, '--docs', docs]), () => {});
  expect(written.refused).toEqual([]);
  expect(JSON.parse(fs.readFileSync(path.join(docs, 'data/echo.json'), 'utf8')).date).toBe('2026-01-01T00:00:00.000Z');
  expect(fs.readFileSync(written.markdown, 'utf8')).toContain('Every run was clean');

  const allowed = report(parseArgs(['--out', out, '--docs', docs, '--allow-contaminated']), () => {});
  expect(JSON.parse(fs.readFileSync(path.join(docs, 'data/echo.json'), 'utf8')).date).toBe('2026-01-02T00:00:00.000Z');
  expect(fs.readFileSync(allowed.markdown, 'utf8')).toContain('~~60.0k/s · 9.00 µs~~ ⚠');
});

test('an older result (no limits, no noise record) is judged by its othersPct and never counts as clean', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-publish-'));
  const older = (x: Rep): Rep => {
    const rest = { ...x };
    delete rest.noise;
    delete rest.contaminated;
    return rest;
  };
  const r = tainted();
  for (const e of Object.values(r.cases[0].peers)) e.runs = e.runs.map(older);
  // Written as the old harness did: medians over every run, c-epoll in the ratios.
  judgeCase(r.cases[0], 'nevio', undefined, { ...DEFAULT_LIMITS, maxOthersPct: Infinity });
  const options: Partial<RunOptions> = { ...r.options };
  delete options.noise;
  fs.writeFileSync(path.join(dir, 'echo.json'), JSON.stringify({ ...r, options }));

  const [read] = latestResults([dir], 'published');
  expect(read.options.noise).toEqual({ ...DEFAULT_LIMITS, retries: 0 });
  // No steal figure in an older result: c-epoll's second run (steal 3%) passes on others alone.
  expect(read.cases[0].peers['c-epoll'].median).toMatchObject({ reps: 1, contaminatedReps: 1, rate: 60000 });
  expect(read.cases[0].peers.nevio.median).toMatchObject({ reps: 1, contaminatedReps: 1, rate: 150000 });
  expect(read.cases[0].ratios).toEqual([expect.objectContaining({ subject: 'nevio', other: 'c-epoll', throughput: 2.5 })]);
  expect(publishProblems(read)).toEqual([
    '50 conns, 64 B, 16 in flight · nevio: 1 of 2 runs contaminated',
    '50 conns, 64 B, 16 in flight · c-epoll: 1 of 2 runs contaminated',
  ]);
  // Under the limits, with no noise record at all, a run is "not sampled", which is not clean.
  const quiet = clean();
  for (const e of Object.values(quiet.cases[0].peers)) e.runs = e.runs.map(older);
  expect(publishProblems(quiet)).toEqual([
    '50 conns, 64 B, 16 in flight · nevio: 2 of 2 runs not sampled for noise',
    '50 conns, 64 B, 16 in flight · c-epoll: 2 of 2 runs not sampled for noise',
  ]);
});

test('the noise options', () => {
  expect(parseArgs([]).options.noise).toEqual({ maxOthersPct: 5, maxStealPct: 2, retries: 2 });
  expect(parseArgs(['--quick']).options.noise.retries).toBe(0);
  expect(parseArgs(['--max-others', '10', '--max-steal', '0.5', '--retries', '4']).options.noise).toEqual({ maxOthersPct: 10, maxStealPct: 0.5, retries: 4 });
  expect(parseArgs(['--allow-contaminated']).allowContaminated).toBe(true);
  expect(parseArgs([]).allowContaminated).toBe(false);
});
