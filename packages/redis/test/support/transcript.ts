/**
 * Differential scenarios over several connections: the same scenario runs against a real
 * redis-server and nevio-redis, and the transcripts (every frame read, in order, rendered as
 * text with the connections' ids replaced by names) must be equal.
 */
import { defaultConfig, type Config } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { RealRedis } from '../types/harness';
import { quietLog } from './inproc';
import { RespConn, type Frame } from './resp';

/** What a scenario uses: connections whose frames are recorded, and client ids as names. */
export interface Stage {
  readonly port: number;
  /** A new connection; `name` labels its frames in the transcript. */
  open(name: string): Promise<Named>;
  /** Records a line of the scenario's own (e.g. a count computed from frames). */
  note(line: string): void;
  /** The transcript so far. */
  readonly lines: string[];
}

/** A connection of a scenario. */
export interface Named {
  readonly conn: RespConn;
  /** Its CLIENT ID (read when opened). */
  readonly id: number;
  /** Sends a command and records its next frame. */
  call(...args: (string | Buffer)[]): Promise<Frame>;
  /** Like {@link Named.call}, with the numbers that are client ids recorded as their names. */
  callIds(...args: (string | Buffer)[]): Promise<Frame>;
  /** Records the next frame (a push, or the reply of a command sent with `send`). */
  read(): Promise<Frame>;
  /** Like {@link Named.read}, with client ids recorded as their names. */
  readIds(): Promise<Frame>;
  /** Sends without reading. */
  send(...args: (string | Buffer)[]): void;
  /** Records whether nothing arrives within `ms`. */
  quiet(ms?: number): Promise<boolean>;
}

/** Renders a frame as text, with known ids replaced by `<name>` (none when `ids` is empty). */
function render(f: Frame, ids: ReadonlyMap<number, string>): string {
  if (f === null) return 'nil';
  if (f instanceof Error) return `(error) ${f.message}`;
  if (Array.isArray(f)) return `[${f.map((x) => render(x, ids)).join(', ')}]`;
  if (f instanceof Map) return `{${[...f].map(([k, v]) => `${render(k, ids)}: ${render(v, ids)}`).join(', ')}}`;
  if (typeof f === 'object') return `push[${f.push.map((x) => render(x, ids)).join(', ')}]`;
  if (typeof f === 'number' && ids.has(f)) return `<${ids.get(f)}>`;
  if (typeof f === 'string' && /^\d+$/.test(f) && ids.has(Number(f))) return `<${ids.get(Number(f))}>`;
  return JSON.stringify(f);
}

const NO_IDS: ReadonlyMap<number, string> = new Map();

async function runOn(port: number, scenario: (s: Stage) => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const ids = new Map<number, string>();
  const conns: RespConn[] = [];
  const stage: Stage = {
    port,
    lines,
    note: (line) => lines.push(line),
    async open(name) {
      const conn = await RespConn.connect(port);
      conns.push(conn);
      const id = Number(await conn.call('CLIENT', 'ID'));
      ids.set(id, name);
      const record = (f: Frame, withIds = false): Frame => {
        lines.push(`${name}: ${render(f, withIds ? ids : NO_IDS)}`);
        return f;
      };
      return {
        conn,
        id,
        call: async (...args) => record(await conn.call(...args)),
        callIds: async (...args) => record(await conn.call(...args), true),
        read: async () => record(await conn.read()),
        readIds: async () => record(await conn.read(), true),
        send: (...args) => conn.send(...args),
        quiet: async (ms) => {
          const q = await conn.quiet(ms);
          lines.push(`${name}: ${q ? 'quiet' : 'NOT quiet'}`);
          return q;
        },
      };
    },
  };
  try {
    await scenario(stage);
  } finally {
    for (const c of conns) c.close();
  }
  return lines;
}

/** A redis-server and a nevio-redis for one test file. */
export function useTranscripts(config: Partial<Config> = {}): {
  /** Runs the scenario on both; resolves with [redis-server's transcript, nevio's]. */
  both(scenario: (s: Stage) => Promise<void>): Promise<[string[], string[]]>;
  readonly nevio: RunningRedis;
} {
  let real: RealRedis;
  let nevio: RunningRedis;
  beforeAll(async () => {
    real = await RealRedis.start();
    nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], ...config }, quietLog);
  }, 30000);
  afterAll(async () => {
    await nevio?.stop();
    await real?.stop();
  });
  return {
    async both(scenario) {
      const theirs = await runOn(real.port, scenario);
      const ours = await runOn(nevio.port, scenario);
      return [theirs, ours];
    },
    get nevio() {
      return nevio;
    },
  };
}
