import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { liveConnections } from '@nevio/native';
import { NevioError } from './errors';
import type { ListenerOptions } from './address';
import type { Loop } from './loop';
import type { Network } from './types';

/** What a worker-thread loop needs to join: it receives this as `workerData.nevio`. */
export interface LoopWorkerData {
  loopIndex: number;
  loops: number;
  /** Loop 0's listeners, in order, with the ports actually bound. */
  listeners: ListenerSpec[];
  /** Linux SO_REUSEPORT mode: every loop opens its own listeners. */
  kernelBalances: boolean;
  /** The server's TLS session ticket keys (see ServerTls), when it has TLS addresses. */
  tlsTicketKeys?: Uint8Array;
}

export interface ListenerSpec {
  network: Network;
  /** The resolved host as bound (empty = every interface). */
  host: string;
  port: number;
  path: string;
  /** What the kernel reported: 4, 6, or 0 for unix. */
  family: number;
  address: string;
  /** The options its address's query set (the loops that open their own listener use them too). */
  options: ListenerOptions;
}

/** The worker-thread loops, as loop 0 sees them. */
export interface LoopGroup {
  /** Process-wide reactor ids, loop 0's first. */
  readonly reactors: number[];
  /** Open connections per loop. */
  connections(): number[];
  /** Asks every other loop to stop; resolves when they all have. */
  stop(): Promise<void>;
  /** Sends a message to every other loop. */
  post(message: unknown): void;
}

let joined = false;

/**
 * In a worker thread that nevio started, the first `serve` call joins as a loop: this returns
 * what it needs, once. Everywhere else it returns undefined and `serve` listens as usual.
 */
export function loopWorkerData(): LoopWorkerData | undefined {
  if (isMainThread || joined) return undefined;
  const data = (workerData as { nevio?: LoopWorkerData } | null)?.nevio;
  if (data === undefined) return undefined;
  joined = true;
  return data;
}

interface SpawnOptions {
  loops: number;
  loop: Loop;
  listeners: ListenerSpec[];
  kernelBalances: boolean;
  tlsTicketKeys: Uint8Array | undefined;
  workerModule: string | undefined;
  exitOnLoopError: boolean;
  /** A worker loop asked for the whole server to stop (`Action.Shutdown`, `server.stop()`). */
  onStopRequest: () => void;
}

/** Starts loops 1…n-1 in worker threads and waits until each has joined. */
export async function spawnLoops(options: SpawnOptions): Promise<LoopGroup> {
  const entry = options.workerModule ?? require.main?.filename ?? process.argv[1];
  if (!entry) {
    throw new NevioError('several event loops need a main module to load in each worker (or options.workerModule)', 'ERR_NEVIO_OPTIONS');
  }
  const workers: Worker[] = [];
  const stopped: Promise<void>[] = [];
  let stopping = false;
  const joining = [];
  for (let loopIndex = 1; loopIndex < options.loops; loopIndex++) {
    const data: LoopWorkerData = {
      loopIndex,
      loops: options.loops,
      listeners: options.listeners,
      kernelBalances: options.kernelBalances,
      tlsTicketKeys: options.tlsTicketKeys,
    };
    const worker = new Worker(entry, { workerData: { nevio: data }, argv: process.argv.slice(2) });
    workers.push(worker);
    stopped.push(
      new Promise((resolve) => {
        worker.on('message', (m: { nevio?: string }) => m?.nevio === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      }),
    );
    joining.push(
      new Promise<number>((resolve, reject) => {
        const onExit = (code: number): void =>
          reject(new NevioError(`event loop ${loopIndex} exited with code ${code} before it joined (${entry})`, 'ERR_NEVIO_LOOP'));
        worker.once('error', reject);
        worker.once('exit', onExit);
        worker.on('message', (m: { nevio?: string; reactor?: number }) => {
          if (m?.nevio === 'ready' && typeof m.reactor === 'number') {
            worker.off('error', reject);
            worker.off('exit', onExit);
            resolve(m.reactor);
          } else if (m?.nevio === 'stop-request') {
            options.onStopRequest();
          }
        });
      }),
    );
  }
  let reactors: number[];
  try {
    reactors = [options.loop.registryId, ...(await Promise.all(joining))];
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  for (const worker of workers) worker.postMessage({ nevio: 'group', reactors });
  workers.forEach((worker, i) => {
    worker.on('error', (error) => {
      // The loop's thread is gone; loop 0 serves the connections it would have got.
      options.loop.reportError(new NevioError(`event loop ${i + 1} failed: ${error.message}`, 'ERR_NEVIO_LOOP'));
      if (options.exitOnLoopError) process.exit(1);
    });
  });
  return {
    reactors,
    connections: () => connectionsOf(reactors),
    post(message) {
      for (const worker of workers) worker.postMessage(message);
    },
    async stop() {
      if (!stopping) {
        stopping = true;
        for (const worker of workers) worker.postMessage({ nevio: 'stop' });
      }
      await Promise.all(stopped);
      // The loops have stopped; whatever else the program left running in them goes too.
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** Open connections of each of these reactors; thread-safe, so every loop can ask. */
export function connectionsOf(reactors: readonly number[]): number[] {
  return reactors.map((id) => Math.max(0, liveConnections(id)));
}
