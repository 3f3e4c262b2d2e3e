/** Starts `nevio-redis` (the built dist/cli.js) as a child process and waits for its banner. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'dist', 'cli.js');

export interface Child {
  proc: ChildProcess;
  port: number;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

export async function startCli(args: string[]): Promise<Child> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build the package first (pnpm build)`);
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 10 s: ${out}`)), 10000);
    const check = (): void => {
      const m = /Ready to accept connections/.test(out) ? /port[= ](\d+)/.exec(out) : null;
      if (m !== null) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`nevio-redis exited (${code}) before listening: ${out}`));
    });
  });
  return { proc, port, output: () => out, exited };
}
