// Child processes for benchmarks: servers in their own process groups, client tools run to
// completion, readiness by connecting, and a guarantee that nothing outlives the run.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { groupRssKiB } from './cpustat';

/** Process groups still running, killed on any exit path of the runner. */
const liveGroups = new Set<number>();
/** Of those, the client tools' (runTool's): the load a measured window attributes to the client. */
const liveTools = new Set<number>();

/** Process groups of the client tools running now; each leader is the tool (taskset execs it). */
export function toolGroups(): number[] {
  return [...liveTools];
}

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
    if (pid !== undefined) {
      liveGroups.add(pid);
      liveTools.add(pid);
    }
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
      if (pid !== undefined) {
        liveGroups.delete(pid);
        liveTools.delete(pid);
      }
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
