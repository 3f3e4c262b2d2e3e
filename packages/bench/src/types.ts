import type { NoiseLimits } from './noise';

/** How a benchmark run is set up. */
export interface RunOptions {
  reps: number;
  /** Seconds measured per case. */
  duration: number;
  /** Seconds of load before measuring starts (load generator only). */
  warmup: number;
  quick: boolean;
  /** How long to wait, before each repetition, for other processes to leave the CPUs idle. */
  quietWaitMs: number;
  /** CPUs for the server and the load, or null on a machine with fewer than 2 CPUs. */
  pin: { server: string; load: string } | null;
  /** Run only these peers (all when absent). */
  peers?: string[];
  /**
   * Another checkout of this repository (`--baseline DIR`): each nevio peer also runs from there,
   * as `<name>@base`, in the same interleaved repetitions, for before/after figures of one run.
   */
  baseline?: string;
  /** Connections the memory workload holds open (10,000; fewer with --quick). */
  idleConns: number;
  /** When a measured window counts as contaminated by other processes, and how often to retry it. */
  noise: NoiseLimits;
}

/** A server to benchmark. */
export interface Peer {
  name: string;
  description: string;
  /** argv that starts it listening on 127.0.0.1:port. */
  command(port: number): string[];
  /** Why it cannot run here, or null when it can. */
  unavailable(): string | null;
  /** The request that proves a connection is set up (memory workload): one echo byte, GET /, PING. */
  probe?: 'echo' | 'http' | 'resp';
  /** The same server started from another checkout of this repository (nevio's own peers only). */
  from?(checkout: string): Peer;
}

/** The CPU window a load opens and closes around the part of the run it measures. */
export interface CpuWindow {
  open(): void;
  close(): void;
}

export interface LoadContext {
  port: number;
  options: RunOptions;
  window: CpuWindow;
  peer: Peer;
  /** Resident memory of the server's whole process group, in KiB. */
  serverRssKiB(): number;
}

/** What the memory load measured: the server's RSS before and with the idle connections. */
export interface MemoryResult {
  /** Connections asked for. */
  conns: number;
  /** Connections set up and still open when the RSS was read. */
  open: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  /** (rssAfter - rssBefore) / open, in bytes. */
  bytesPerConn: number;
}

/** What a load reports; the runner adds the server's CPU time. */
export interface LoadResult {
  /** Requests (or messages) answered inside the measured window. */
  messages: number;
  seconds: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  /** The client's CPU use in % of one core, when the tool reports it. */
  clientCpuPct?: number;
  command: string[];
  /** Tool-specific figures kept in the JSON record (per-test rates, ...). */
  detail?: unknown;
  memory?: MemoryResult;
}

/** One load applied to every peer of a workload. */
export interface Load {
  id: string;
  label: string;
  /** A memory load reports RSS per connection, and the runner measures no CPU window. */
  kind?: 'memory';
  /** Why this load cannot run here, or null. */
  unavailable(): string | null;
  run(ctx: LoadContext): Promise<LoadResult>;
}

export interface Workload {
  name: string;
  title: string;
  /** throughput: messages/s and CPU per message; memory: RSS per idle connection. */
  kind: 'throughput' | 'memory';
  /** The nevio peer; ratios are given as subject / each other peer. */
  subject: string;
  /**
   * Runs only when named (`node dist/cli.js <name>`), not as part of `all`: the per-data-type
   * workloads stay out of the quick run CI does within its time budget.
   */
  onlyByName?: boolean;
  /** A name that runs this workload together with the others that have it (`node dist/cli.js io_uring`). */
  group?: string;
  /** Pairs [nevio peer, other peer] to compare, when there is more than one nevio peer. */
  comparisons?: [string, string][];
  peers: Peer[];
  loads(options: RunOptions): Load[];
}
