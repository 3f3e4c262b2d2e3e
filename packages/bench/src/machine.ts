import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface Machine {
  cpuModel: string;
  cpus: number;
  kernel: string;
  os: string;
  memoryGiB: number;
  node: string;
  tools: Record<string, string>;
}

function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return null;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? null;
}

/** What the figures were measured on, for the result file. */
export function describeMachine(): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux: os.cpus() already gave the model
  }
  const tools: Record<string, string> = {};
  for (const [name, cmd, args] of [
    ['gcc', 'cc', ['--version']],
    ['wrk', 'wrk', ['-v']],
    ['redis-server', 'redis-server', ['--version']],
    ['redis-benchmark', 'redis-benchmark', ['--version']],
  ] as const) {
    const v = firstLine(cmd, [...args]);
    if (v) tools[name] = v;
  }
  return {
    cpuModel,
    cpus: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    os: os.version(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tools,
  };
}
