// Readers of /proc: the CPU time of every process, of each process group, of each CPU, and the
// resident memory of a process group. They only read; deciding what a figure means is noise.ts's.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

let clockTicks: number | undefined;
/** USER_HZ, the unit of /proc/stat and /proc/<pid>/stat (100 on Linux, asked once). */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const v = Number(r.stdout?.trim());
    clockTicks = Number.isInteger(v) && v > 0 ? v : 100;
  }
  return clockTicks;
}

function ticksToMicros(ticks: number): number {
  return (ticks * 1e6) / ticksPerSecond();
}

/** One process as /proc/<pid>/stat shows it. */
export interface ProcessCpu {
  pid: number;
  /** Process group (field 5 of proc(5)). */
  pgrp: number;
  comm: string;
  /** utime + stime, summed over the process's threads, in microseconds. */
  micros: number;
}

/** Parses /proc/<pid>/stat; null when the process has exited meanwhile. */
export function readProcessCpu(pid: number): ProcessCpu | null {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited between readdir and read, or never existed
  }
  // The command name is in parentheses and may itself contain spaces or ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 of proc(5): pgrp is field 5, utime 14, stime 15.
  return {
    pid,
    pgrp: Number(fields[2]),
    comm: stat.slice(stat.indexOf('(') + 1, close),
    micros: ticksToMicros(Number(fields[11]) + Number(fields[12])),
  };
}

/** Every process on the machine (as this /proc sees them), one read of /proc/<pid>/stat each. */
export function processTable(): ProcessCpu[] {
  const table: ProcessCpu[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const p = readProcessCpu(Number(entry));
    if (p) table.push(p);
  }
  return table;
}

/** The first `max` characters of a process's command line, or null once it has exited. */
export function commandLine(pid: number, max = 120): string | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const line = raw.split('\0').filter(Boolean).join(' ');
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  } catch {
    return null;
  }
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
export function groupCpu(pgid: number, table: ProcessCpu[] = processTable()): GroupCpu {
  const members = table.filter((p) => p.pgrp === pgid);
  return { micros: members.reduce((s, p) => s + p.micros, 0), processes: members.map((p) => ({ pid: p.pid, comm: p.comm })) };
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

/** Where one CPU's time went, cumulative since boot, in microseconds (from /proc/stat). */
export interface CpuTimes {
  /**
   * Running tasks: user + nice + system. Interrupt and softirq time is left out because the
   * kernel's TCP work for the server's own sockets lands there, and is not another process.
   */
  tasks: number;
  /** Every busy state: tasks + irq + softirq. */
  busy: number;
  /** Time the hypervisor ran something else while this virtual CPU wanted to run. */
  steal: number;
}

/** The times of every CPU by number ("0", "1", ...), and of all of them together as "all". */
export function cpuTimes(): Map<string, CpuTimes> {
  const times = new Map<string, CpuTimes>();
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    // proc(5): user nice system idle iowait irq softirq steal guest guest_nice; guest time is
    // already inside user, so it is not added again.
    const [user, nice, system, , , irq, softirq, steal] = m[2].trim().split(/\s+/).map(Number);
    const tasks = ticksToMicros(user + nice + system);
    times.set(m[1] === '' ? 'all' : m[1], { tasks, busy: tasks + ticksToMicros(irq + softirq), steal: ticksToMicros(steal ?? 0) });
  }
  return times;
}
