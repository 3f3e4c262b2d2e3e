// Medians, ratios and the printed table.
import { contamination, DEFAULT_LIMITS, type NoiseLimits, type WindowNoise } from './noise';
import type { CaseResult } from './runner';
import { BASELINE_SUFFIX } from './peers';

/** One repetition of one load against one peer. */
export interface Rep {
  rep: number;
  ok: boolean;
  error?: string;
  serverCommand: string;
  loadCommand?: string;
  /** CPU use of the machine (in % of one CPU) just before the server started. */
  busyBeforePct?: number;
  /** Processes whose CPU time was counted (the server's process group). */
  measured?: string[];
  messages?: number;
  seconds?: number;
  /** Messages (requests) per second. */
  rate?: number;
  /** Server CPU time over the measured window, µs. */
  cpuUs?: number;
  cpuUsPerMsg?: number;
  /** Server CPU time / wall time over the window, in %. */
  serverCpuPct?: number;
  clientCpuPct?: number;
  /** CPU time other processes took on the server's CPU during the window, in % of it. */
  othersPct?: number;
  /** The same on the load's CPU. */
  othersOnLoadCpuPct?: number;
  /** Everything else that ran during the window (throughput workloads). */
  noise?: WindowNoise;
  /** Why this repetition's window is contaminated, after its retries; absent when clean. */
  contaminated?: string;
  /** Earlier attempts at this repetition that were contaminated and run again. */
  discarded?: { noise: WindowNoise; cpuUsPerMsg?: number; rate?: number }[];
  p50Us?: number;
  p99Us?: number;
  errors?: number;
  detail?: unknown;
  /** Memory workload: connections held open when the RSS was read, and the RSS. */
  open?: number;
  rssBeforeKiB?: number;
  rssAfterKiB?: number;
  bytesPerConn?: number;
}

export interface Summary {
  rate: number;
  cpuUsPerMsg: number;
  serverCpuPct: number;
  clientCpuPct: number;
  othersPct: number;
  othersOnLoadCpuPct: number;
  p50Us: number;
  p99Us: number;
  /** Summed over the repetitions: any error is worth seeing. */
  errors: number;
  /** Repetitions the medians are taken over: the clean ones, or all when none is clean. */
  reps: number;
  /** Repetitions left out because they were contaminated (all counted when none was clean). */
  contaminatedReps?: number;
  /** Every repetition was contaminated: these figures are not a measurement of the server. */
  contaminated?: boolean;
  /** Memory workload only. */
  bytesPerConn?: number;
  rssBeforeKiB?: number;
  rssAfterKiB?: number;
}

export interface Ratio {
  subject: string;
  other: string;
  /** subject rate / other rate: above 1 means the subject served more. */
  throughput: number;
  /** subject CPU per message / other's: below 1 means the subject is cheaper. */
  cpuPerMsg: number;
  /** subject memory per idle connection / other's (memory workload only). */
  memoryPerConn?: number;
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Why a repetition is contaminated, or null. Results from before the harness sampled noise have
 * no `noise` record; their othersPct fields are judged by the same limit (steal was not read).
 */
export function repContamination(r: Rep, limits: NoiseLimits = DEFAULT_LIMITS): string | null {
  if (r.noise) return r.contaminated ?? contamination(r.noise, limits);
  const worst = Math.max(r.othersPct ?? 0, r.othersOnLoadCpuPct ?? 0);
  return worst > limits.maxOthersPct ? `other processes took ${worst.toFixed(0)}% of a pinned CPU (no steal figure: an older result)` : null;
}

/** Medians over the clean repetitions that succeeded; over all of them, marked, when none is clean. */
export function summarize(reps: Rep[], limits: NoiseLimits = DEFAULT_LIMITS): Summary | null {
  const succeeded = reps.filter((r) => r.ok);
  if (succeeded.length === 0) return null;
  const clean = succeeded.filter((r) => repContamination(r, limits) === null);
  const ok = clean.length ? clean : succeeded;
  const left = succeeded.length - clean.length;
  const med = (f: (r: Rep) => number | undefined): number => median(ok.map((r) => f(r) ?? NaN));
  return {
    rate: med((r) => r.rate),
    cpuUsPerMsg: med((r) => r.cpuUsPerMsg),
    serverCpuPct: med((r) => r.serverCpuPct),
    clientCpuPct: med((r) => r.clientCpuPct),
    othersPct: med((r) => r.othersPct),
    othersOnLoadCpuPct: med((r) => r.othersOnLoadCpuPct),
    p50Us: med((r) => r.p50Us),
    p99Us: med((r) => r.p99Us),
    errors: succeeded.reduce((s, r) => s + (r.errors ?? 0), 0),
    reps: ok.length,
    ...(left ? { contaminatedReps: left } : {}),
    ...(clean.length ? {} : { contaminated: true }),
    ...(ok.some((r) => r.bytesPerConn !== undefined)
      ? { bytesPerConn: med((r) => r.bytesPerConn), rssBeforeKiB: med((r) => r.rssBeforeKiB), rssAfterKiB: med((r) => r.rssAfterKiB) }
      : {}),
  };
}

/**
 * Ratios of the subject against every other peer that has a summary (or the given pairs). A
 * contaminated summary is not a measurement, so it takes part in no ratio.
 */
export function ratios(subject: string, summaries: Record<string, Summary | null>, pairs?: [string, string][]): Ratio[] {
  const listed = pairs ?? Object.keys(summaries).filter((n) => n !== subject).map((n): [string, string] => [subject, n]);
  // Every peer run from a --baseline checkout is compared with itself from this one (after/before).
  const twins = Object.keys(summaries)
    .filter((n) => n.endsWith(BASELINE_SUFFIX) && !listed.some(([a, b]) => a === n.slice(0, -BASELINE_SUFFIX.length) && b === n))
    .map((n): [string, string] => [n.slice(0, -BASELINE_SUFFIX.length), n]);
  const wanted = [...listed, ...twins];
  const usable = (n: string): boolean => Boolean(summaries[n] && !summaries[n]!.contaminated);
  return wanted
    .filter(([a, b]) => usable(a) && usable(b))
    .map(([a, b]) => {
      const s = summaries[a]!;
      const o = summaries[b]!;
      return {
        subject: a,
        other: b,
        throughput: s.rate / o.rate,
        cpuPerMsg: s.cpuUsPerMsg / o.cpuUsPerMsg,
        ...(s.bytesPerConn !== undefined && o.bytesPerConn !== undefined ? { memoryPerConn: s.bytesPerConn / o.bytesPerConn } : {}),
      };
    });
}

/**
 * Fills in a case's medians, its contaminated peers and its ratios from its runs: at the end of
 * a run, and again when a report reads a result judged under other limits (or none, if older).
 */
export function judgeCase(c: CaseResult, subject: string | undefined, pairs: [string, string][] | undefined, limits: NoiseLimits): void {
  for (const entry of Object.values(c.peers)) entry.median = summarize(entry.runs, limits);
  const tainted = Object.entries(c.peers).filter(([, e]) => e.median?.contaminated).map(([n]) => n);
  if (tainted.length) c.contaminated = tainted;
  else delete c.contaminated;
  c.ratios = subject ? ratios(subject, Object.fromEntries(Object.entries(c.peers).map(([n, e]) => [n, e.median])), pairs) : [];
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Three significant digits ('-' for a missing figure), as every table of the report prints them. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  if (x >= 1) return x.toFixed(2);
  return x.toFixed(3);
}


function pct(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(0)}%` : '-';
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd())
    .join('\n');
}

export const TABLE_HEADER = ['peer', 'msg/s', 'CPU µs/msg', 'server CPU', 'client CPU', 'others srv/cli', 'p50 µs', 'p99 µs', 'errors', 'reps'];

export function summaryRow(peer: string, s: Summary | null, note?: string): string[] {
  if (!s) return [peer, note ?? 'failed', '', '', '', '', '', '', '', ''];
  return [
    peer,
    int.format(s.rate),
    sig3(s.cpuUsPerMsg),
    `${s.serverCpuPct.toFixed(0)}%`,
    Number.isFinite(s.clientCpuPct) ? `${s.clientCpuPct.toFixed(0)}%` : '-',
    `${pct(s.othersPct)}/${pct(s.othersOnLoadCpuPct)}`,
    sig3(s.p50Us),
    sig3(s.p99Us),
    s.errors === 0 ? '0' : `${s.errors} !`,
    repsCell(s),
  ];
}

/** "3", "2 (1 contaminated left out)", or "3 ALL CONTAMINATED". */
function repsCell(s: Summary): string {
  if (s.contaminated) return `${s.reps} ALL CONTAMINATED`;
  return s.contaminatedReps ? `${s.reps} (${s.contaminatedReps} contaminated left out)` : String(s.reps);
}

export function formatRatio(r: Ratio): string {
  if (r.memoryPerConn !== undefined) return `${r.subject}/${r.other}: ${r.memoryPerConn.toFixed(2)}x memory per connection`;
  return `${r.subject}/${r.other}: ${r.throughput.toFixed(2)}x throughput, ${r.cpuPerMsg.toFixed(2)}x CPU per message`;
}

export const MEMORY_HEADER = ['peer', 'bytes/conn', 'RSS before', 'RSS with conns', 'errors', 'reps'];

export function memoryRow(peer: string, s: Summary | null): string[] {
  if (!s) return [peer, 'failed', '', '', '', ''];
  return [peer, int.format(s.bytesPerConn ?? NaN), mib(s.rssBeforeKiB ?? NaN), mib(s.rssAfterKiB ?? NaN), s.errors === 0 ? '0' : `${s.errors} !`, String(s.reps)];
}

export function mib(kib: number): string {
  return Number.isFinite(kib) ? `${(kib / 1024).toFixed(1)} MiB` : '-';
}

/** The highest steal of the pinned CPUs, or of the machine when not pinned, in %. */
export function maxSteal(n: WindowNoise): number {
  return n.cores.length ? Math.max(...n.cores.map((c) => c.stealPct)) : n.stealPct;
}

export function formatRate(rep: Rep): string {
  if (!rep.ok) return `failed: ${rep.error?.split('\n')[0]}`;
  if (rep.bytesPerConn !== undefined) {
    return `${int.format(rep.bytesPerConn)} bytes per connection (${rep.open} open, RSS ${mib(rep.rssBeforeKiB ?? NaN)} -> ${mib(rep.rssAfterKiB ?? NaN)})${rep.errors ? `, ${rep.errors} ERRORS` : ''}`;
  }
  return `${int.format(rep.rate ?? NaN)} msg/s, ${sig3(rep.cpuUsPerMsg ?? NaN)} µs CPU/msg (server at ${(rep.serverCpuPct ?? NaN).toFixed(0)}%${rep.clientCpuPct !== undefined ? `, client at ${rep.clientCpuPct.toFixed(0)}%` : ''}${rep.othersPct !== undefined ? `, others ${pct(rep.othersPct)}/${pct(rep.othersOnLoadCpuPct ?? NaN)} of the server's/client's CPU` : ''}${rep.noise ? `, steal ${pct(maxSteal(rep.noise))}` : ''}), p50 ${sig3(rep.p50Us ?? NaN)} µs, p99 ${sig3(rep.p99Us ?? NaN)} µs${rep.errors ? `, ${rep.errors} ERRORS` : ''}${rep.contaminated ? `; CONTAMINATED: ${rep.contaminated}` : ''}`;
}
