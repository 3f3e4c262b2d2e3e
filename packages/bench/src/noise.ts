// What else ran while a window was measured: other processes' CPU and steal time on the server's
// core and the client's, who the other processes were, and whether that makes the run
// contaminated. A published figure from a window where a build shared the server's core is not
// a measurement of the server (the 2026-11-23 page showed the C echo server at 37% CPU and 60k
// msg/s where a quiet machine gives 92% and 187k).
import { commandLine, cpuTimes, processTable, readProcessCpu, type CpuTimes, type ProcessCpu } from './cpustat';
import { toolGroups } from './proc';

/** When a window counts as contaminated, and what the runner does about it. */
export interface NoiseLimits {
  /** Most CPU other processes may take on the server's core or on the client's, in % of it. */
  maxOthersPct: number;
  /** Most steal time (the hypervisor running another guest) on either core, in % of it. */
  maxStealPct: number;
  /** Extra attempts at a contaminated repetition before it is kept, marked contaminated. */
  retries: number;
}

/**
 * 5% of the core is above what the harness itself and the kernel's housekeeping take on a quiet
 * machine (0-2% over a 10 s window, ticks of 10 ms included) and below what shifts CPU per
 * message measurably (a 10% share changed the C echo server's figures by 20-40%). Steal of 2%
 * is where a VM's neighbours start to show.
 */
export const DEFAULT_LIMITS: NoiseLimits = { maxOthersPct: 5, maxStealPct: 2, retries: 2 };

/** One pinned CPU over the window, each figure in % of that CPU. */
export interface CoreNoise {
  cpu: string;
  role: 'server' | 'load';
  /** Time the CPU ran tasks (user + nice + system). */
  tasksPct: number;
  /** Of that, the role's own processes: the server's process group, or the load tool's. */
  ownPct: number;
  /** tasksPct - ownPct (0 when tick rounding makes it negative): other processes on this CPU. */
  othersPct: number;
  stealPct: number;
}

/** A process outside the server's and the load's groups that used CPU during the window. */
export interface OtherProcess {
  pid: number;
  comm: string;
  /** Its command line, cut at 120 characters; null when it exited before it was read. */
  cmdline: string | null;
  /** In % of one CPU. */
  cpuPct: number;
}

export interface WindowNoise {
  seconds: number;
  /** The server's CPU and the load's, when pinned; empty when not. */
  cores: CoreNoise[];
  /** Steal over all CPUs, in % of one CPU on average. */
  stealPct: number;
  /** Every process other than the server's group, the load's and this harness, in % of one CPU. */
  othersPct: number;
  /** This harness (the process running the benchmark), in % of one CPU. */
  harnessPct: number;
  /**
   * Task time of all CPUs that no process alive at the window's end accounts for (processes that
   * exited inside the window: a compiler per source file, a test's children), in % of one CPU.
   */
  unattributedPct: number;
  /** The busiest other processes, highest first. */
  top: OtherProcess[];
  /** Why the window is contaminated; absent when it is clean. */
  contaminated?: string;
}

const TOP = 8;
/** How often the load tool's CPU is read while it runs: wrk and redis-benchmark exit before the window closes. */
const TOOL_POLL_MS = 20;

const pct = (micros: number, windowMicros: number): number => (windowMicros > 0 ? (micros / windowMicros) * 100 : 0);

interface Tracked {
  pgrp: number;
  comm: string;
  /** CPU time at the window's opening; 0 for a process that started inside it. */
  first: number;
  last: number;
}

/** CPU time of each process between two tables; one that appears only in `after` started inside. */
function track(before: ProcessCpu[]): Map<number, Tracked> {
  return new Map(before.map((p) => [p.pid, { pgrp: p.pgrp, comm: p.comm, first: p.micros, last: p.micros }]));
}

function update(tracked: Map<number, Tracked>, p: ProcessCpu): void {
  const t = tracked.get(p.pid);
  if (t) t.last = p.micros;
  else tracked.set(p.pid, { pgrp: p.pgrp, comm: p.comm, first: 0, last: p.micros });
}

/** The busiest of the processes given, with their command lines. */
function busiest(entries: [number, Tracked][], windowMicros: number): OtherProcess[] {
  return entries
    .map(([pid, t]) => ({ pid, comm: t.comm, cpuPct: pct(t.last - t.first, windowMicros) }))
    .filter((p) => p.cpuPct > 0)
    .sort((a, b) => b.cpuPct - a.cpuPct)
    .slice(0, TOP)
    .map((p) => ({ ...p, cmdline: commandLine(p.pid) }));
}

/**
 * Samples one measured window: /proc/stat for every CPU and /proc/<pid>/stat for every process
 * at both edges, and the load tool's own CPU every 20 ms in between (a tool that exits before
 * the window closes would otherwise take its CPU time with it and look like another process).
 */
export class WindowSampler {
  private t0 = 0n;
  private cpus0 = new Map<string, CpuTimes>();
  private tracked = new Map<number, Tracked>();
  private readonly loadGroups = new Set<number>();
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly serverPgid: number,
    private readonly pin: { server: string; load: string } | null,
    private readonly limits: NoiseLimits,
  ) {}

  /** Opens the window; returns the table read, for the server's CPU time at the opening. */
  open(): ProcessCpu[] {
    this.t0 = process.hrtime.bigint();
    this.cpus0 = cpuTimes();
    const table = processTable();
    this.tracked = track(table);
    this.pollTools();
    this.poll = setInterval(() => this.pollTools(), TOOL_POLL_MS);
    return table;
  }

  private pollTools(): void {
    for (const pgid of toolGroups()) {
      this.loadGroups.add(pgid);
      // taskset execs the tool, so the group's leader is the tool itself.
      const p = readProcessCpu(pgid);
      if (p) update(this.tracked, p);
    }
  }

  /** Stops polling the load tool (close does it too); for a window that never closed. */
  stop(): void {
    clearInterval(this.poll);
  }

  /** Closes the window; returns the table read at the end, and what else ran. */
  close(): { table: ProcessCpu[]; noise: WindowNoise } {
    this.stop();
    this.pollTools();
    const table = processTable();
    const cpus1 = cpuTimes();
    const windowMicros = Number(process.hrtime.bigint() - this.t0) / 1e3;
    for (const p of table) update(this.tracked, p);

    const spent = (filter: (pid: number, t: Tracked) => boolean): number =>
      [...this.tracked].reduce((s, [pid, t]) => (filter(pid, t) ? s + t.last - t.first : s), 0);
    const isServer = (t: Tracked): boolean => t.pgrp === this.serverPgid;
    const isLoad = (t: Tracked): boolean => this.loadGroups.has(t.pgrp);
    const isOther = (pid: number, t: Tracked): boolean => !isServer(t) && !isLoad(t) && pid !== process.pid;
    const delta = (cpu: string, f: keyof CpuTimes): number => (cpus1.get(cpu)?.[f] ?? NaN) - (this.cpus0.get(cpu)?.[f] ?? NaN);

    const cores: CoreNoise[] = [];
    if (this.pin) {
      const own = { server: spent((_, t) => isServer(t)), load: spent((_, t) => isLoad(t)) };
      for (const role of ['server', 'load'] as const) {
        const cpu = this.pin[role];
        const tasksPct = pct(delta(cpu, 'tasks'), windowMicros);
        const ownPct = pct(own[role], windowMicros);
        cores.push({ cpu, role, tasksPct, ownPct, othersPct: Math.max(0, tasksPct - ownPct), stealPct: pct(delta(cpu, 'steal'), windowMicros) });
      }
    }
    const seen = spent(() => true);
    const others = [...this.tracked].filter(([pid, t]) => isOther(pid, t));
    const cpuCount = [...cpus1.keys()].filter((k) => k !== 'all').length;
    const noise: WindowNoise = {
      seconds: windowMicros / 1e6,
      cores,
      stealPct: pct(delta('all', 'steal'), windowMicros) / Math.max(1, cpuCount),
      othersPct: pct(spent(isOther), windowMicros),
      harnessPct: pct(spent((pid) => pid === process.pid), windowMicros),
      unattributedPct: Math.max(0, pct(delta('all', 'tasks') - seen, windowMicros)),
      top: busiest(others, windowMicros),
    };
    const why = contamination(noise, this.limits);
    return { table, noise: why ? { ...noise, contaminated: why } : noise };
  }
}

/** Why a window is contaminated under the limits, or null when it is clean. */
export function contamination(n: WindowNoise, limits: NoiseLimits): string | null {
  const reasons: string[] = [];
  for (const c of n.cores) {
    if (c.othersPct > limits.maxOthersPct) reasons.push(`other processes took ${c.othersPct.toFixed(0)}% of the ${c.role}'s CPU ${c.cpu}`);
    if (c.stealPct > limits.maxStealPct) reasons.push(`steal was ${c.stealPct.toFixed(1)}% of the ${c.role}'s CPU ${c.cpu}`);
  }
  if (n.cores.length === 0) {
    // Unpinned, the server and the load share every CPU: judge the machine as a whole.
    const others = n.othersPct + n.unattributedPct;
    if (others > limits.maxOthersPct) reasons.push(`other processes took ${others.toFixed(0)}% of a CPU`);
    if (n.stealPct > limits.maxStealPct) reasons.push(`steal was ${n.stealPct.toFixed(1)}% of each CPU`);
  }
  if (reasons.length === 0) return null;
  return n.top.length ? `${reasons.join('; ')} (busiest: ${describeProcesses(n.top.slice(0, 3))})` : reasons.join('; ');
}

/** "1234 cc1plus 45%, 99 node 12%". */
export function describeProcesses(ps: OtherProcess[]): string {
  return ps.map((p) => `${p.pid} ${p.comm} ${p.cpuPct.toFixed(0)}%`).join(', ');
}

/** Below this share of one CPU (in %) used by other processes, the machine counts as quiet to start. */
export const QUIET_PCT = 15;

export interface Quiet {
  waitedMs: number;
  /** Busy time of all CPUs over the last 300 ms, in % of one CPU. */
  busyPct: number;
  /** Who used it (this harness left out). */
  top: OtherProcess[];
}

/**
 * Waits, up to maxWaitMs, until the machine is nearly idle (under `idlePct` of one CPU busy
 * over 300 ms), so that a run does not start in the middle of someone else's build. Returns the
 * busy share last seen and the processes that used it.
 */
export async function waitQuiet(maxWaitMs: number, idlePct = QUIET_PCT): Promise<Quiet> {
  const started = Date.now();
  for (;;) {
    const b0 = cpuTimes().get('all')?.busy ?? NaN;
    const t0 = process.hrtime.bigint();
    const tracked = track(processTable());
    await new Promise((r) => setTimeout(r, 300));
    for (const p of processTable()) update(tracked, p);
    const windowMicros = Number(process.hrtime.bigint() - t0) / 1e3;
    const busyPct = pct((cpuTimes().get('all')?.busy ?? NaN) - b0, windowMicros);
    const waitedMs = Date.now() - started;
    if (busyPct < idlePct || waitedMs >= maxWaitMs) {
      return { waitedMs, busyPct, top: busiest([...tracked].filter(([pid]) => pid !== process.pid), windowMicros) };
    }
  }
}
