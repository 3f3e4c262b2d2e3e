// Runs one workload: every load against every available peer, repeated, one server per
// repetition (fresh state, fresh port), servers and load on separate pinned CPUs.
import { describeMachine, type Machine } from './machine';
import { groupCpu, type GroupCpu } from './cpustat';
import { describeProcesses, QUIET_PCT, waitQuiet, WindowSampler, type WindowNoise } from './noise';
import { freePort, pinned, Server, shellLine } from './proc';
import { formatRate, formatRatio, formatTable, judgeCase, MEMORY_HEADER, memoryRow, summaryRow, TABLE_HEADER, type Ratio, type Rep, type Summary } from './report';
import { repoRoot } from './paths';
import { BASELINE_SUFFIX } from './peers';
import type { Load, Peer, RunOptions, Workload } from './types';

export interface CaseResult {
  id: string;
  label: string;
  skipped?: string;
  peers: Record<string, { runs: Rep[]; median: Summary | null }>;
  ratios: Ratio[];
  /** Peers whose every repetition stayed contaminated after its retries: no figure, no ratio. */
  contaminated?: string[];
}

export interface WorkloadResult {
  workload: string;
  title: string;
  kind: Workload['kind'];
  date: string;
  machine: Machine;
  options: RunOptions;
  method: string;
  peers: { name: string; description: string; skipped?: string }[];
  cases: CaseResult[];
  /** Every command line run, in order. */
  commands: string[];
}

const METHOD =
  'Each repetition starts a fresh server pinned to one CPU and drives it from the other CPU. ' +
  "The server's CPU time is utime+stime (from /proc/<pid>/stat) summed over its process group, " +
  'sampled when the measured window opens and closes. CPU µs/msg = that time / messages answered ' +
  'in the window. Figures are medians over the clean repetitions; errors are summed. Over each window ' +
  'the harness also reads /proc/stat (task and steal time of the server\'s CPU and the client\'s) and ' +
  "every process's CPU time: othersPct / othersOnLoadCpuPct are the shares of the server's / client's CPU " +
  "that processes outside the server's and the load's process groups took, and `noise` lists them. A " +
  'window where either share or the steal exceeds options.noise is contaminated and run again (up to ' +
  'options.noise.retries times); one still contaminated is kept, marked, and left out of the medians.';

const MEMORY_METHOD =
  "Each repetition starts a fresh server pinned to one CPU and reads its resident memory (VmRSS summed " +
  'over its process group) 0.5 s after it listens; then build/idleconns opens the connections from the ' +
  'other CPU (127.0.0.x to 127.0.0.1), makes one request on each (an echo byte, GET /, or PING) so the ' +
  'server has really set it up, and the RSS is read again. bytes/conn = RSS growth / connections open. ' +
  'Kernel socket buffers are not in RSS and not counted.';

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Counts repetitions over a whole run (several workloads) and estimates the time left. */
export class Progress {
  private done = 0;
  private readonly started = Date.now();

  /** perRepMs: the guess for the time left before any repetition has finished. */
  constructor(private total: number, private readonly perRepMs: number) {}

  /** A contaminated repetition runs again: one more to do. */
  retry(): void {
    this.total++;
  }

  /** Called as a repetition starts; returns "3/24 · 0:12 elapsed, ~1:40 left". */
  next(): string {
    const elapsed = Date.now() - this.started;
    const perRep = this.done > 0 ? elapsed / this.done : this.perRepMs;
    const left = perRep * (this.total - this.done);
    this.done++;
    return `${this.done}/${this.total} · ${clock(elapsed)} elapsed, ~${clock(left)} left`;
  }
}

/** Seconds one repetition takes besides its measured window: server start, quiet wait, stop. */
const OVERHEAD_MS = 1500;

export function repEstimateMs(options: RunOptions): number {
  return (options.duration + options.warmup) * 1000 + OVERHEAD_MS;
}

export interface Plan {
  peers: { name: string; description: string; skipped?: string }[];
  runnable: Peer[];
  loads: Load[];
  /** Repetitions the workload will run. */
  reps: number;
}

/** Which peers and loads of a workload can run here, and how many repetitions that makes. */
export function planWorkload(w: Workload, options: RunOptions): Plan {
  const baseline = options.baseline;
  const all = baseline === undefined ? w.peers : w.peers.flatMap((p) => (p.from ? [p, p.from(baseline)] : [p]));
  // `--peers nevio-redis` keeps its baseline twin too.
  const chosen = (name: string): boolean => !options.peers || options.peers.includes(name) || options.peers.includes(name.replace(BASELINE_SUFFIX, ''));
  const peers = all.filter((p) => chosen(p.name));
  const info = peers.map((p) => {
    const why = p.unavailable();
    return { name: p.name, description: p.description, ...(why ? { skipped: why } : {}) };
  });
  const runnable = peers.filter((_, i) => !info[i].skipped);
  const loads = w.loads(options);
  const runnableLoads = loads.filter((l) => !l.unavailable()).length;
  return { peers: info, runnable, loads, reps: runnableLoads * runnable.length * options.reps };
}

export async function runWorkload(
  w: Workload,
  options: RunOptions,
  log: (line: string) => void,
  progress?: Progress,
): Promise<WorkloadResult> {
  const plan = planWorkload(w, options);
  const steps = progress ?? new Progress(plan.reps, repEstimateMs(options));
  const result: WorkloadResult = {
    workload: w.name,
    title: w.title,
    kind: w.kind,
    date: new Date().toISOString(),
    machine: describeMachine(),
    options,
    method: w.kind === 'memory' ? MEMORY_METHOD : METHOD,
    peers: plan.peers,
    cases: [],
    commands: [],
  };
  for (const p of plan.peers) if (p.skipped) log(`[${w.name}] skipping ${p.name}: ${p.skipped}`);
  const { runnable } = plan;
  // Without the nevio peer, the first one that runs is the reference for the ratios.
  const subject = runnable.some((p) => p.name === w.subject) ? w.subject : runnable[0]?.name;

  for (const load of plan.loads) {
    const c: CaseResult = { id: load.id, label: load.label, peers: {}, ratios: [] };
    result.cases.push(c);
    const why = load.unavailable();
    if (why) {
      c.skipped = why;
      log(`[${w.name}] skipping ${load.label}: ${why}`);
      continue;
    }
    for (const p of runnable) c.peers[p.name] = { runs: [], median: null };
    // Repetitions are the outer loop so that a slow drift in background load spreads
    // evenly over the peers instead of landing on one of them.
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const peer of runnable) {
        log(`[${w.name} ${steps.next()}] ${load.label} · ${peer.name} · rep ${rep}/${options.reps}`);
        let record = await runRep(peer, load, rep, options, log);
        const discarded: NonNullable<Rep['discarded']> = [];
        for (;;) {
          result.commands.push(record.serverCommand, ...(record.loadCommand ? [record.loadCommand] : []));
          log(`    ${formatRate(record)}`);
          if (!record.noise?.contaminated || discarded.length >= options.noise.retries) break;
          discarded.push({ noise: record.noise, cpuUsPerMsg: record.cpuUsPerMsg, rate: record.rate });
          steps.retry();
          log(`[${w.name} ${steps.next()}] ${load.label} · ${peer.name} · rep ${rep}/${options.reps}, again (${discarded.length}/${options.noise.retries}): contaminated`);
          record = await runRep(peer, load, rep, options, log);
        }
        if (record.noise?.contaminated) record.contaminated = record.noise.contaminated;
        if (discarded.length) record.discarded = discarded;
        c.peers[peer.name].runs.push(record);
      }
    }
    judgeCase(c, subject, w.comparisons, options.noise);
  }
  log('');
  log(formatWorkload(result));
  return result;
}

/** One repetition: a fresh server on a free port, the load, the server's CPU over the window. */
async function runRep(peer: Peer, load: Load, rep: number, options: RunOptions, log: (line: string) => void): Promise<Rep> {
  const quiet = await waitQuiet(options.quietWaitMs);
  if (quiet.busyPct >= QUIET_PCT) {
    log(`    the machine is busy (${quiet.busyPct.toFixed(0)}% of a CPU used by other processes: ${describeProcesses(quiet.top.slice(0, 4))}); running anyway`);
  }
  const port = await freePort();
  const argv = pinned(options.pin?.server ?? null, peer.command(port));
  const record: Rep = { rep, ok: false, serverCommand: shellLine(argv), busyBeforePct: Math.round(quiet.busyPct) };
  const server = new Server(argv, repoRoot);
  const sampler = new WindowSampler(server.pid, options.pin, options.noise);
  try {
    await server.waitForPort(port);
    if (load.kind === 'memory') {
      const out = await load.run({ port, options, peer, serverRssKiB: () => server.rssKiB(), window: { open: () => {}, close: () => {} } });
      record.loadCommand = shellLine(out.command);
      Object.assign(record, { ok: true, ...out.memory, errors: out.errors, detail: out.detail });
      if (server.hasExited) throw new Error(`the server exited during the run:\n${server.log.trim()}`);
      return record;
    }
    // Filled in by the load's window callbacks, which run while load.run is pending.
    const win: { before?: GroupCpu; after?: GroupCpu; noise?: WindowNoise } = {};
    const window = {
      open: () => {
        win.before = groupCpu(server.pid, sampler.open());
      },
      close: () => {
        const { table, noise } = sampler.close();
        win.after = groupCpu(server.pid, table);
        win.noise = noise;
      },
    };
    const out = await load.run({ port, options, window, peer, serverRssKiB: () => server.rssKiB() });
    record.loadCommand = shellLine(out.command);
    const { before, after, noise } = win;
    if (!before || !after || !noise) {
      throw new Error(`the load never opened or closed its measuring window (${out.errors} errors)`);
    }
    const cpuUs = after.micros - before.micros;
    const core = (role: 'server' | 'load'): number | undefined => noise.cores.find((c) => c.role === role)?.othersPct;
    const othersPct = core('server');
    const othersOnLoadCpuPct = core('load');
    Object.assign(record, {
      ok: true,
      measured: before.processes.map((p) => `${p.pid} ${p.comm}`),
      messages: out.messages,
      seconds: out.seconds,
      rate: out.seconds > 0 ? out.messages / out.seconds : 0,
      cpuUs,
      cpuUsPerMsg: out.messages > 0 ? cpuUs / out.messages : NaN,
      serverCpuPct: (cpuUs / (noise.seconds * 1e6)) * 100,
      ...(othersPct !== undefined ? { othersPct } : {}),
      ...(othersOnLoadCpuPct !== undefined ? { othersOnLoadCpuPct } : {}),
      noise,
      p50Us: out.p50Us,
      p99Us: out.p99Us,
      errors: out.errors,
      ...(out.clientCpuPct !== undefined ? { clientCpuPct: out.clientCpuPct } : {}),
      ...(out.detail !== undefined ? { detail: out.detail } : {}),
    });
    if (server.hasExited) throw new Error(`the server exited during the run:\n${server.log.trim()}`);
  } catch (err) {
    record.ok = false;
    record.error = (err as Error).message;
  } finally {
    // A load that failed inside its window leaves the sampler polling.
    sampler.stop();
    await server.stop();
  }
  return record;
}

/** The readable summary of a workload's results. */
export function formatWorkload(r: WorkloadResult): string {
  const of = r.kind === 'memory' ? `median of ${r.options.reps}` : `median of ${r.options.reps} × ${r.options.duration} s`;
  const lines: string[] = [`== ${r.workload}: ${r.title} (${of}) ==`];
  for (const c of r.cases) {
    lines.push('', `-- ${c.label}`);
    if (c.skipped) {
      lines.push(`   skipped: ${c.skipped}`);
      continue;
    }
    const rows = [r.kind === 'memory' ? MEMORY_HEADER : TABLE_HEADER];
    for (const [name, e] of Object.entries(c.peers)) rows.push(r.kind === 'memory' ? memoryRow(name, e.median) : summaryRow(name, e.median));
    lines.push(formatTable(rows).replace(/^/gm, '   '));
    for (const ratio of c.ratios) lines.push(`   ${formatRatio(ratio)}`);
    if (c.contaminated) lines.push(`   contaminated in every repetition, so no figure and no ratio: ${c.contaminated.join(', ')}`);
  }
  const skipped = r.peers.filter((p) => p.skipped);
  if (skipped.length) lines.push('', ...skipped.map((p) => `skipped ${p.name}: ${p.skipped}`));
  return lines.join('\n');
}
