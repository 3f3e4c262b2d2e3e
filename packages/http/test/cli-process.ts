// Runs the compiled nevio-http command (dist/cli.js) in its own process, as users run it.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

export const CLI = path.join(__dirname, '..', 'dist', 'cli.js');

export interface Running {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Starts the command with `args` and resolves once it prints the address it listens on. */
export function startCli(args: string[]): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 10 s: ${output}`)), 10_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on tcp:\/\/(127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ child, base: `http://${match[1]}`, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
