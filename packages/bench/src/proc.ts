// Child processes for benchmarks: servers in their own process groups, CPU time read from
// /proc, readiness by connecting, and a guarantee that nothing outlives the run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

/** Process groups still running, killed on any exit path of the runner. */
const liveGroups = new Set<number>();
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const pgid of liveGroups) killGroup(pgid, 'SIGKILL');
      process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    });
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `taskset -c <cpu>` when pinning is possible, so that the command itself keeps its pid. */
export function pinned(cpu: string | null, argv: string[]): string[] {
  return cpu === null ? argv : ['taskset', '-c', cpu, ...argv];
}

/** Formats argv as a shell command line, for the record of what was run. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const v = Number(r.stdout?.trim());
    clockTicks = Number.isInteger(v) && v > 0 ? v : 100;
  }
  return clockTicks;
}

export interface GroupCpu {
  /** utime + stime of every live process in the group, in microseconds. */
  micros: number;
  /** pid and command name of each process counted. */
  processes: { pid: number; comm: string }[];
}

/**
 * CPU time of a process group. Summing the whole group (rather than one pid) counts a server
 * that forks workers, and cannot mistake a wrapper such as taskset for the server. Each
 * /proc/<pid>/stat already sums all the threads of its process.
 */
export function groupCpu(pgid: number): GroupCpu {
  let ticks = 0;
  const processes: GroupCpu['processes'] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    // The command name is in parentheses and may itself contain spaces or ')'.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 of proc(5): pgrp is field 5, utime 14, stime 15.
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    processes.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return { micros: (ticks * 1e6) / ticksPerSecond(), processes };
}

/**
 * Resident memory of a process group: VmRSS summed over its processes, in KiB. Pages shared
 * between the group's processes would count twice, but every server here is one process.
 */
export function groupRssKiB(pgid: number): number {
  let kib = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue;
    }
    // NSpgid's first field is the process group as seen from the namespace of this /proc.
    const pgrp = /^NSpgid:\s*(\d+)/m.exec(status);
    if (!pgrp || Number(pgrp[1]) !== pgid) continue;
    const rss = /^VmRSS:\s*(\d+) kB/m.exec(status);
    if (rss) kib += Number(rss[1]);
  }
  return kib;
}

/**
 * Time one CPU spent running tasks (user + nice + system, from /proc/stat), in microseconds.
 * Minus the server's own CPU time over the same window, it shows how much other processes
 * took from the server's CPU: the figures of a run with much of that are not trustworthy.
 */
export function cpuTaskMicros(cpu: string): number {
  const line = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`cpu${cpu} `));
  if (!line) return NaN;
  const f = line.trim().split(/\s+/).map(Number);
  return ((f[1] + f[2] + f[3]) * 1e6) / ticksPerSecond();
}

/** Busy time of all CPUs together (user + nice + system + irq + softirq), in microseconds. */
function allCpusBusyMicros(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  return ((f[1] + f[2] + f[3] + f[6] + f[7]) * 1e6) / ticksPerSecond();
}

/** Below this share of one CPU (in %) used by other processes, the machine counts as quiet. */
export const QUIET_PCT = 15;

/**
 * Waits, up to maxWaitMs, until the machine is nearly idle (under `idlePct` of one CPU busy
 * over 300 ms), so that a run does not start in the middle of someone else's build. Returns
 * the busy share last seen, in % of one CPU.
 */
export async function waitQuiet(maxWaitMs: number, idlePct = QUIET_PCT): Promise<{ waitedMs: number; busyPct: number }> {
  const started = Date.now();
  for (;;) {
    const b0 = allCpusBusyMicros();
    await new Promise((r) => setTimeout(r, 300));
    const busyPct = ((allCpusBusyMicros() - b0) / 300e3) * 100;
    const waitedMs = Date.now() - started;
    if (busyPct < idlePct || waitedMs >= maxWaitMs) return { waitedMs, busyPct };
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

const OUTPUT_KEEP = 8192;

/** A server started in its own process group. */
export class Server {
  readonly pid: number;
  private readonly child: ChildProcess;
  private output = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;

  constructor(readonly argv: string[], cwd: string) {
    hookExit();
    // detached: the child leads a new process group, so stopping it also stops anything it
    // spawned, and its pgid is its pid.
    this.child = spawn(argv[0], argv.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    if (this.child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    this.pid = this.child.pid;
    liveGroups.add(this.pid);
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-OUTPUT_KEEP);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.output += `\n${err.message}`;
        this.exited = { code: null, signal: null };
        resolve();
      });
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
    });
  }

  /** The last few KiB of the server's stdout and stderr. */
  get log(): string {
    return this.output;
  }

  get hasExited(): boolean {
    return this.exited !== null;
  }

  /** Resolves once the port accepts connections; rejects if the server dies or is too slow. */
  async waitForPort(port: number, timeoutMs = 15000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        const how = this.exited.code ?? this.exited.signal;
        throw new Error(`${shellLine(this.argv)} exited (${how}) before listening:\n${this.output.trim()}`);
      }
      if (await tryConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${shellLine(this.argv)} did not accept connections on ${port} within ${timeoutMs} ms:\n${this.output.trim()}`);
  }

  cpu(): GroupCpu {
    return groupCpu(this.pid);
  }

  rssKiB(): number {
    return groupRssKiB(this.pid);
  }

  /** SIGTERM to the whole group, SIGKILL if it lingers. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.exited) {
      killGroup(this.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
      await this.exitPromise;
      clearTimeout(timer);
    }
    // Children that ignored SIGTERM may outlive the leader; wait until the whole group is
    // gone, so that the next run starts on a quiet CPU.
    killGroup(this.pid, 'SIGKILL');
    const deadline = Date.now() + graceMs;
    while (groupExists(this.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    liveGroups.delete(this.pid);
  }
}

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * Runs a client tool to completion in its own process group, killed after timeoutMs.
 * onStderrLine sees each stderr line as it arrives (the load generator's window markers).
 */
export function runTool(
  argv: string[],
  timeoutMs: number,
  onStderrLine?: (line: string) => void,
  /** Given, the tool's stdin is a pipe, and this receives the function that closes it. */
  holdStdin?: (close: () => void) => void,
): Promise<ToolRun> {
  hookExit();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: [holdStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    if (holdStdin) {
      // A tool that already exited makes the close fail with EPIPE; its exit is reported anyway.
      child.stdin!.on('error', () => {});
      holdStdin(() => child.stdin!.end());
    }
    const pid = child.pid;
    if (pid !== undefined) liveGroups.add(pid);
    let stdout = '';
    let stderr = '';
    let pending = '';
    let timedOut = false;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      if (!onStderrLine) return;
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onStderrLine(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
    }, timeoutMs);
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      if (pid !== undefined) liveGroups.delete(pid);
      resolve({ code, stdout, stderr, timedOut });
    };
    child.once('error', (err) => {
      stderr += err.message;
      finish(null);
    });
    child.once('close', (code) => finish(code));
  });
}

/** Whether an executable is on PATH. */
export function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      fs.accessSync(`${dir}/${cmd}`, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
