// Medians, ratios and the printed table.

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
  /** The same on the load's CPU, when the client reports its own CPU use. */
  othersOnLoadCpuPct?: number;
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
  reps: number;
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

export function summarize(reps: Rep[]): Summary | null {
  const ok = reps.filter((r) => r.ok);
  if (ok.length === 0) return null;
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
    errors: ok.reduce((s, r) => s + (r.errors ?? 0), 0),
    reps: ok.length,
    ...(ok.some((r) => r.bytesPerConn !== undefined)
      ? { bytesPerConn: med((r) => r.bytesPerConn), rssBeforeKiB: med((r) => r.rssBeforeKiB), rssAfterKiB: med((r) => r.rssAfterKiB) }
      : {}),
  };
}

/** Ratios of the subject against every other peer that has a summary (or the given pairs). */
export function ratios(subject: string, summaries: Record<string, Summary | null>, pairs?: [string, string][]): Ratio[] {
  const wanted = pairs ?? Object.keys(summaries).filter((n) => n !== subject).map((n): [string, string] => [subject, n]);
  return wanted
    .filter(([a, b]) => summaries[a] && summaries[b])
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

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function sig3(x: number): string {
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
    String(s.reps),
  ];
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

export function formatRate(rep: Rep): string {
  if (!rep.ok) return `failed: ${rep.error?.split('\n')[0]}`;
  if (rep.bytesPerConn !== undefined) {
    return `${int.format(rep.bytesPerConn)} bytes per connection (${rep.open} open, RSS ${mib(rep.rssBeforeKiB ?? NaN)} -> ${mib(rep.rssAfterKiB ?? NaN)})${rep.errors ? `, ${rep.errors} ERRORS` : ''}`;
  }
  return `${int.format(rep.rate ?? NaN)} msg/s, ${sig3(rep.cpuUsPerMsg ?? NaN)} µs CPU/msg (server at ${(rep.serverCpuPct ?? NaN).toFixed(0)}%${rep.clientCpuPct !== undefined ? `, client at ${rep.clientCpuPct.toFixed(0)}%` : ''}${rep.othersPct !== undefined && rep.othersPct >= 10 ? `, other processes took ${rep.othersPct.toFixed(0)}% of its CPU` : ''}${rep.othersOnLoadCpuPct !== undefined && rep.othersOnLoadCpuPct >= 10 ? `, and ${rep.othersOnLoadCpuPct.toFixed(0)}% of the client's` : ''}), p50 ${sig3(rep.p50Us ?? NaN)} µs, p99 ${sig3(rep.p99Us ?? NaN)} µs${rep.errors ? `, ${rep.errors} ERRORS` : ''}`;
}
