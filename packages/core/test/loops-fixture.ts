// Runs fixtures/loops-server.js (a server with several event loops) as a child process: a test
// cannot be the main module that worker-thread loops load again.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client, delay, eventually } from './helpers';

export interface Running {
  child: ChildProcess;
  ports: number[];
  output: () => string;
  errors: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

/** Kills every fixture server a test left running (call it from `afterEach`). */
export function killServers(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
}

/** Starts the fixture server with several loops; it prints its ports once loop 0 serves. */
export async function start(options: Record<string, unknown>): Promise<Running> {
  const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'loops-server.js'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await eventually(() => out.includes('\n'), 60_000);
  const { ports } = JSON.parse(out.split('\n')[0]) as { ports: number[] };
  return { child, ports, output: () => out, errors: () => err, exited };
}

/** Sends one command and returns the answer (everything that arrives within 20 ms of its start). */
export async function ask(client: Client, question: string): Promise<string> {
  const before = client.received.length;
  client.write(question);
  await eventually(() => client.received.length > before, 10_000);
  await delay(20);
  return client.received.subarray(before).toString();
}

/** Which loop serves this client. */
export async function loopOf(client: Client): Promise<number> {
  const answer = await ask(client, 'loop?');
  return Number(/^loop:(\d+)$/.exec(answer)![1]);
}

/** Shuts the server down from a connection and checks that it stopped cleanly. */
export async function stopServer(running: Running): Promise<void> {
  const c = new Client(running.ports[0]);
  c.write('shutdown');
  expect(await running.exited).toBe(0);
  expect(running.output()).toContain('stopped');
}
