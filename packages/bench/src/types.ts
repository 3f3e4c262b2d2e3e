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
}

/** A server to benchmark. */
export interface Peer {
  name: string;
  description: string;
  /** argv that starts it listening on 127.0.0.1:port. */
  command(port: number): string[];
  /** Why it cannot run here, or null when it can. */
  unavailable(): string | null;
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
}

/** One load applied to every peer of a workload. */
export interface Load {
  id: string;
  label: string;
  /** Why this load cannot run here, or null. */
  unavailable(): string | null;
  run(ctx: LoadContext): Promise<LoadResult>;
}

export interface Workload {
  name: string;
  title: string;
  /** The nevio peer; ratios are given as subject / each other peer. */
  subject: string;
  peers: Peer[];
  loads(options: RunOptions): Load[];
}
