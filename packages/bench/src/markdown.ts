// Turns result files into docs/benchmarks.md and its SVG charts, and keeps a copy of the JSON
// it used beside them so the report can be regenerated from the repository alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LIMITS, type NoiseLimits } from './noise';
import type { CaseResult, WorkloadResult } from './runner';
import type { RunOptions } from './types';
import { judgeCase, maxSteal, mib, repContamination, sig3, type Rep, type Summary } from './report';
import { chart, type Group, type Panel } from './svg';
import { workloads } from './workloads';

/**
 * A result from before the harness sampled noise has no limits in its options and medians taken
 * over every repetition: judge it as a new one would be (its othersPct figures against the
 * default limits), so that the report never presents its contaminated runs as figures.
 */
function judgeOlder(r: WorkloadResult): WorkloadResult {
  // Typed as always there, which it is in every result written since.
  const limits: NoiseLimits | undefined = r.options.noise;
  if (limits) return r;
  const w = workloads.find((x) => x.name === r.workload);
  for (const c of r.cases) judgeCase(c, c.ratios[0]?.subject ?? w?.subject, w?.comparisons, DEFAULT_LIMITS);
  // It was never retried, so the limits it is judged by say so.
  return { ...r, options: { ...r.options, noise: { ...DEFAULT_LIMITS, retries: 0 } } };
}

/**
 * What a run is for: `published` (a full run, the page's source), `quick` (a smoke run) or
 * `baseline` (a before/after run with `--baseline`, whose extra peers never reach the page).
 */
export type RunKind = 'published' | 'quick' | 'baseline';

export function runKind(options: Pick<RunOptions, 'quick' | 'baseline'> | undefined): RunKind {
  if (options?.quick === true) return 'quick';
  return options?.baseline !== undefined ? 'baseline' : 'published';
}

/**
 * Reads every result file in dirs; keeps the newest per workload among the runs of one kind that
 * `accept` takes (all when absent). A run of every peer wins over a newer one limited with
 * --peers, which would drop peers from the page.
 */
export function latestResults(dirs: string[], kind: RunKind, accept: (r: WorkloadResult) => boolean = () => true): WorkloadResult[] {
  const newest = new Map<string, WorkloadResult>();
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.json')) continue;
      let r: WorkloadResult;
      try {
        r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as WorkloadResult;
      } catch {
        continue; // not a result file (or one being written)
      }
      if (typeof r.workload !== 'string' || !Array.isArray(r.cases) || runKind(r.options) !== kind) continue;
      r = judgeOlder(r);
      if (!accept(r)) continue;
      const seen = newest.get(r.workload);
      const rank = (x: WorkloadResult): string => `${x.options?.peers ? 0 : 1}${x.date}`;
      if (!seen || rank(r) > rank(seen)) newest.set(r.workload, r);
    }
  }
  const order = workloads.map((w) => w.name);
  return [...newest.values()].sort((a, b) => order.indexOf(a.workload) - order.indexOf(b.workload));
}

/**
 * Why a result may not be published: repetitions that stayed contaminated, or that were never
 * sampled for noise (results from before the harness did). Empty when every run was clean. The
 * memory workload reads RSS, which other processes' CPU use does not change, so it is exempt.
 */
export function publishProblems(r: WorkloadResult): string[] {
  if (r.kind === 'memory') return [];
  const problems: string[] = [];
  for (const c of r.cases) {
    for (const [peer, e] of Object.entries(c.peers)) {
      const ok = e.runs.filter((x) => x.ok);
      const tainted = ok.filter((x) => repContamination(x, r.options.noise) !== null).length;
      const unsampled = ok.filter((x) => !x.noise).length;
      if (tainted) problems.push(`${c.label} · ${peer}: ${tainted} of ${ok.length} runs contaminated`);
      else if (unsampled) problems.push(`${c.label} · ${peer}: ${unsampled} of ${ok.length} runs not sampled for noise`);
    }
  }
  return problems;
}

/** 1.59M, 131k, 950. */
export function compact(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${sig3(x / 1e6)}M`;
  if (x >= 1e3) return `${sig3(x / 1e3)}k`;
  return sig3(x);
}

function micros(us: number): string {
  if (!Number.isFinite(us)) return '-';
  return us >= 1000 ? `${sig3(us / 1000)} ms` : `${sig3(us)} µs`;
}

function bytes(b: number): string {
  if (!Number.isFinite(b)) return '-';
  return b >= 10240 ? `${sig3(b / 1024)} KiB` : `${Math.round(b)} B`;
}

/** Peers that have a figure in at least one case, in the workload's order. */
function peersWithFigures(r: WorkloadResult): string[] {
  return r.peers.map((p) => p.name).filter((n) => r.cases.some((c) => c.peers[n]?.median));
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function runDescription(r: WorkloadResult): string {
  const when = r.date.replace(/T(\d\d:\d\d).*/, ' $1 UTC');
  const reps = r.options.reps === 1 ? '1 run' : `median of ${r.options.reps} runs`;
  return r.kind === 'memory' ? `${when}, ${reps}` : `${when}, ${reps} of ${r.options.duration} s (after ${r.options.warmup} s of warm-up with the load generator)`;
}

/** The SVG of one throughput workload: requests/s by peer, and server CPU µs per request. */
export function workloadSvg(r: WorkloadResult): string {
  const peers = peersWithFigures(r);
  const groups = (f: (s: Summary) => number): Group[] =>
    r.cases
      .filter((c) => !c.skipped)
      .map((c) => ({
        label: c.label,
        bars: peers.filter((p) => c.peers[p]).map((p) => {
          const m = c.peers[p].median;
          return { peer: p, value: m ? f(m) : NaN, ...(m?.contaminated ? { contaminated: true } : {}) };
        }),
      }));
  const subtitle = `${r.machine.cpuModel}, ${runDescription(r)}`;
  if (r.kind === 'memory') {
    // One case, so one group per server: the label column names them.
    const c = r.cases.find((x) => !x.skipped);
    const perPeer: Group[] = peers
      .filter((p) => c?.peers[p])
      .map((p) => ({ label: p, bars: [{ peer: p, value: c!.peers[p].median?.bytesPerConn ?? NaN }] }));
    return chart(`${r.workload}: ${r.title}`, `${c?.label ?? ''}; ${subtitle}`, [
      { title: 'bytes of RSS per connection (lower is better)', groups: perPeer, format: bytes },
    ], 640);
  }
  const panels: Panel[] = [
    { title: 'requests/s (higher is better)', groups: groups((s) => s.rate), format: compact },
    { title: 'server CPU µs per request (lower is better)', groups: groups((s) => s.cpuUsPerMsg), format: (v) => micros(v) },
  ];
  return chart(`${r.workload}: ${r.title}`, subtitle, panels);
}

/** The cases the README's chart shows, by workload and case id. */
export const HEADLINE: [string, string, string][] = [
  ['echo', '64B-d1', 'echo 64 B, 1 in flight'],
  ['echo', '64B-d16', 'echo 64 B, 16 in flight'],
  ['http', 'c50-d1', 'HTTP GET, 1 in flight'],
  ['http', 'c50-d16', 'HTTP GET, 16 pipelined'],
  ['redis', 'setget-d1', 'RESP SET/GET, 1 in flight'],
  ['redis', 'setget-d16', 'RESP SET/GET, 16 pipelined'],
];

/** Requests served per second of server CPU (10^6 / CPU µs per request), per headline case. */
export function headlineSvg(results: WorkloadResult[]): string | null {
  const groups: Group[] = [];
  for (const [w, id, label] of HEADLINE) {
    const r = results.find((x) => x.workload === w);
    const c = r?.cases.find((x) => x.id === id);
    if (!r || !c) continue;
    // One nevio peer per workload (the subject) keeps the chart readable; peers are named by
    // family so that one colour means one implementation across the workloads.
    const bars = Object.entries(c.peers)
      .filter(([name, e]) => e.median && !e.median.contaminated && (!name.startsWith('nevio') || name === subjectOf(r)))
      .map(([name, e]) => ({ peer: family(name), value: 1e6 / e.median!.cpuUsPerMsg }));
    if (bars.length) groups.push({ label, bars });
  }
  if (!groups.length) return null;
  const machine = results[0].machine;
  return chart(
    'nevio against Node and C: requests per second of server CPU',
    `1 / (server CPU time per request), higher is better; 50 connections; ${machine.cpuModel}, Linux ${machine.kernel.split(' ').pop()}, Node ${machine.node}`,
    [{ title: 'requests per CPU-second', groups, format: compact }],
    760,
  );
}

function family(peer: string): string {
  if (peer.startsWith('nevio')) return 'nevio';
  if (peer.startsWith('node')) return 'Node';
  if (peer.startsWith('c-epoll')) return 'C epoll baseline';
  return peer;
}

function subjectOf(r: WorkloadResult): string | undefined {
  return workloads.find((w) => w.name === r.workload)?.subject;
}

function throughputSection(r: WorkloadResult): string[] {
  const peers = peersWithFigures(r);
  const cases = r.cases.filter((c) => !c.skipped);
  // A contaminated median is struck out: shown, so the page says what happened, but not a figure.
  const cell = (c: (typeof cases)[number], p: string, f: (s: Summary) => string): string => {
    const s = c.peers[p]?.median;
    if (!s) return c.peers[p] ? 'failed' : '';
    return s.contaminated ? `~~${f(s)}~~ ⚠` : f(s);
  };
  const out: string[] = [...noiseSection(r, peers)];
  out.push('Requests per second, and the server\'s CPU time per request:', '');
  out.push(...table(['case', ...peers], cases.map((c) => [c.label, ...peers.map((p) => cell(c, p, (s) => `${compact(s.rate)}/s · ${micros(s.cpuUsPerMsg)}`))])));
  out.push('', 'Latency as the client saw it, p50 / p99:', '');
  out.push(...table(['case', ...peers], cases.map((c) => [c.label, ...peers.map((p) => cell(c, p, (s) => `${micros(s.p50Us)} / ${micros(s.p99Us)}`))])));
  out.push('', 'How busy the server and the client were (100% = one core); when the client is near 100% and the server is not, the throughput is the client\'s limit and CPU per request is the figure to compare:', '');
  out.push(
    ...table(
      ['case', ...peers],
      cases.map((c) => [c.label, ...peers.map((p) => cell(c, p, (s) => `${s.serverCpuPct.toFixed(0)}% / ${Number.isFinite(s.clientCpuPct) ? `${s.clientCpuPct.toFixed(0)}%` : '-'}`))]),
    ),
  );
  const ratioRows = cases.flatMap((c) => c.ratios.map((q) => [c.label, `${q.subject} / ${q.other}`, `${q.throughput.toFixed(2)}x`, `${q.cpuPerMsg.toFixed(2)}x`]));
  if (ratioRows.length) {
    out.push('', 'Ratios (throughput above 1 and CPU per request below 1 favour the first peer):', '');
    out.push(...table(['case', 'peers', 'requests/s', 'CPU per request'], ratioRows));
  }
  return out;
}

/** The worst window of a peer's runs in a case: others on the server's / client's CPU, steal. */
function noiseCell(runs: Rep[], limits: NoiseLimits): string {
  const ok = runs.filter((x) => x.ok);
  if (ok.length === 0) return '';
  const worst = (f: (x: Rep) => number | undefined): string => {
    const v = Math.max(...ok.map((x) => f(x) ?? NaN).filter(Number.isFinite));
    return Number.isFinite(v) ? `${v.toFixed(0)}%` : '-';
  };
  const figures = `${worst((x) => x.othersPct)} / ${worst((x) => x.othersOnLoadCpuPct)}, steal ${worst((x) => (x.noise ? maxSteal(x.noise) : undefined))}`;
  const tainted = ok.filter((x) => repContamination(x, limits) !== null).length;
  const retried = ok.reduce((n, x) => n + (x.discarded?.length ?? 0), 0);
  return `${figures}${tainted ? ` · ${tainted}/${ok.length} ⚠` : ''}${retried ? ` · ${retried} rerun` : ''}`;
}

/** How clean the runs were, and the figure per case and peer. */
function noiseSection(r: WorkloadResult, peers: string[]): string[] {
  const limits = r.options.noise;
  const cases = r.cases.filter((c) => !c.skipped);
  const all = cases.flatMap((c) => Object.values(c.peers).flatMap((e) => e.runs.filter((x) => x.ok)));
  const tainted = all.filter((x) => repContamination(x, limits) !== null).length;
  const unsampled = all.filter((x) => !x.noise).length;
  const rule = `other processes above ${limits.maxOthersPct}% of the server's or the client's CPU, or steal above ${limits.maxStealPct}%, over the measured window`;
  const verdict = tainted
    ? `**${tainted} of ${all.length} runs were contaminated** (${rule})${limits.retries ? ` even after ${limits.retries} retries` : ''}: they are left out of the medians, and a figure with no clean run is struck out (~~like this~~ ⚠) and in no ratio.`
    : unsampled
      ? `${unsampled} of ${all.length} runs are from before the harness sampled other processes and steal, so nothing says they were clean.`
      : `Every run was clean: no window had ${rule}.`;
  const out = [verdict, '', `Noise, the worst window per case: other processes' CPU on the server's / the client's core, steal; ⚠ counts contaminated runs, "rerun" the attempts repeated:`, ''];
  out.push(...table(['case', ...peers], cases.map((c) => [c.label, ...peers.map((p) => (c.peers[p] ? noiseCell(c.peers[p].runs, limits) : ''))])), '');
  return out;
}

function memorySection(r: WorkloadResult): string[] {
  const rows: string[][] = [];
  for (const c of r.cases.filter((x) => !x.skipped)) {
    for (const [peer, e] of Object.entries(c.peers)) {
      const s = e.median;
      rows.push(s ? [peer, bytes(s.bytesPerConn ?? NaN), mib(s.rssBeforeKiB ?? NaN), mib(s.rssAfterKiB ?? NaN), String(s.errors)] : [peer, 'failed', '', '', '']);
    }
  }
  const out = [`${r.cases[0]?.label ?? ''}:`, '', ...table(['server', 'RSS per connection', 'RSS before', 'RSS with the connections', 'errors'], rows)];
  const ratioRows = r.cases.flatMap((c) => c.ratios.map((q) => [`${q.subject} / ${q.other}`, `${(q.memoryPerConn ?? NaN).toFixed(2)}x`]));
  if (ratioRows.length) out.push('', ...table(['servers', 'memory per connection'], ratioRows));
  return out;
}

/** A command line with its port replaced by PORT, so that runs of one case read alike. */
function withoutPort(command: string): string {
  return command.replace(/(--port |-p |:)\d{2,5}\b/g, '$1PORT');
}

/** The server and load command lines a case ran, as recorded in its runs, each once. */
function caseCommands(c: CaseResult): string[] {
  const lines = Object.values(c.peers).flatMap((e) => e.runs.flatMap((x) => [x.serverCommand, ...(x.loadCommand ? [x.loadCommand] : [])]));
  return [...new Set(lines.filter(Boolean).map(withoutPort))];
}

function commandsSection(r: WorkloadResult): string[] {
  const out = ['<details><summary>Exact commands</summary>', ''];
  for (const c of r.cases.filter((x) => !x.skipped)) {
    const lines = caseCommands(c);
    if (lines.length) out.push(`${c.label}:`, '', '```', ...lines, '```', '');
  }
  return [...out, '</details>', ''];
}

/** A workload the report leaves out, and why. */
export interface Refused {
  workload: string;
  date: string;
  problems: string[];
}

export function reportMarkdown(results: WorkloadResult[], headline: boolean, refused: Refused[] = []): string {
  const out: string[] = [
    '# Benchmarks',
    '',
    '<!-- Generated by packages/bench from the JSON in docs/data/: run `pnpm bench` to measure again,',
    '     or `node packages/bench/dist/cli.js --report-only` to regenerate this page. Do not edit. -->',
    '',
    'nevio\'s echo, HTTP and Redis servers against the natural Node implementation (`net`, `http`),',
    '`redis-server`, and minimal single-threaded C epoll servers that mark what one core can do with the',
    'same system calls. How it is measured, and what each column means:',
    '[packages/bench/README.md](../packages/bench/README.md). The short version: a fresh server per run',
    'pinned to one CPU, the load from the other CPU, the server\'s CPU time read from `/proc` over the',
    'measured window; every figure is a median over the runs.',
    '',
    '**Compare servers by CPU per request.** On a 2-core machine the load generators can saturate before',
    'a fast server does, so requests/s partly measures the client; the server\'s CPU time per request holds',
    'steady between runs (±10%) while throughput swings by 10-20% when other processes share the machine.',
    '',
  ];
  if (headline) out.push('![requests per second of server CPU, nevio against Node and C](img/bench-headline.svg)', '');
  const m = results[0]?.machine;
  if (m) {
    out.push('## Machine', '');
    out.push(
      ...table(
        ['', ''],
        [
          ['CPU', `${m.cpuModel}, ${m.cpus} cores`],
          ['memory', `${m.memoryGiB} GiB`],
          ['kernel', `${m.kernel} (${m.os})`],
          ['Node.js', m.node],
          ...Object.entries(m.tools).map(([k, v]) => [k, v.replace(/\|/g, '\\|')]),
          ...results.map((r) => [`${r.workload} run`, runDescription(r)]),
        ],
      ).map((l, i) => (i === 0 ? '| | |' : l)),
      '',
    );
  }
  for (const r of results) {
    out.push(`## ${r.workload}: ${r.title}`, '');
    out.push(`${runDescription(r)}.`, '');
    out.push(`![${r.workload}: ${r.kind === 'memory' ? 'bytes per connection' : 'requests/s and server CPU per request'} by peer](img/bench-${r.workload}.svg)`, '');
    out.push(...(r.kind === 'memory' ? memorySection(r) : throughputSection(r)), '');
    out.push('Peers:', '', ...r.peers.map((p) => `- \`${p.name}\`: ${p.description}${p.skipped ? ` (not run: ${p.skipped})` : ''}`), '');
    const errors = r.cases.flatMap((c) =>
      Object.entries(c.peers).flatMap(([p, e]) =>
        e.runs
          .filter((x) => !x.ok || (x.errors ?? 0) > 0)
          .map((x) => `${c.label} · ${p} · rep ${x.rep}: ${x.ok ? `${x.errors} errors` : `failed (${x.error?.split('\n')[0]})`}`),
      ),
    );
    if (errors.length) out.push('Runs that failed (left out of the medians) or counted errors:', '', ...errors.map((e) => `- ${e.replace(/\|/g, '\\|')}`), '');
    out.push(...commandsSection(r));
  }
  if (refused.length) {
    out.push('## Not published', '', 'The newest runs of these workloads were not clean, so their figures are not shown here:', '');
    for (const x of refused) out.push(`- ${x.workload} (run of ${x.date}): ${x.problems.slice(0, 5).join('; ')}${x.problems.length > 5 ? `; and ${x.problems.length - 5} more` : ''}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

export interface WrittenReport {
  markdown: string;
  svgs: string[];
  data: string[];
}

/**
 * Writes <docsDir>/benchmarks.md, <docsDir>/img/bench-<workload>.svg (and bench-headline.svg)
 * and the JSON it was made from as <docsDir>/data/<workload>.json.
 */
export function writeReport(results: WorkloadResult[], docsDir: string, refused: Refused[] = []): WrittenReport {
  if (results.length === 0) throw new Error('no benchmark results to report on (run pnpm bench first)');
  const img = path.join(docsDir, 'img');
  const dataDir = path.join(docsDir, 'data');
  fs.mkdirSync(img, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const svgs: string[] = [];
  const data: string[] = [];
  for (const r of results) {
    const file = path.join(img, `bench-${r.workload}.svg`);
    fs.writeFileSync(file, workloadSvg(r));
    svgs.push(file);
    const json = path.join(dataDir, `${r.workload}.json`);
    fs.writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
    data.push(json);
  }
  const head = headlineSvg(results);
  if (head) {
    const file = path.join(img, 'bench-headline.svg');
    fs.writeFileSync(file, head);
    svgs.push(file);
  }
  const markdown = path.join(docsDir, 'benchmarks.md');
  fs.writeFileSync(markdown, reportMarkdown(results, head !== null, refused));
  return { markdown, svgs, data };
}
