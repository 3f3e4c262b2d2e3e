// Runs command scripts against a real redis-server and nevio-redis (the full server on the
// reactor, over TCP), and collects every reply that differs byte for byte.
import { defaultConfig } from '../../src/config';
import { startRedis } from '../../src/listen';
import { Local, RawClient, RealRedis, show, type Arg } from './harness';

export interface DiffRig {
  /** Runs the script on both; returns the mismatches, empty when every reply was identical. */
  run(script: Arg[][]): Promise<string[]>;
  /** Sends a command to both without comparing (HELLO, whose server info differs). */
  both(args: Arg[]): Promise<void>;
  /** An in-process runner of the data-type commands, for checks beyond replies. */
  local: Local;
  stop(): Promise<void>;
}

export async function startRig(): Promise<DiffRig> {
  const redis = await RealRedis.start();
  const client = await RawClient.connect(redis.port);
  const quiet = { warn: () => undefined, error: () => undefined };
  const nevio = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'] }, quiet);
  const ours = await RawClient.connect(nevio.port);
  const rig: DiffRig = {
    local: new Local(),
    async run(script) {
      const bad: string[] = [];
      for (const cmd of script) {
        const want = await client.send(cmd);
        const got = await ours.send(cmd);
        if (!want.equals(got)) bad.push(`${cmd.map((a) => (typeof a === 'string' ? a : `<${a.toString('hex')}>`)).join(' ')}\n   redis: ${show(want)}\n   nevio: ${show(got)}`);
      }
      return bad;
    },
    async both(args) {
      await client.send(args);
      await ours.send(args);
    },
    async stop() {
      client.close();
      ours.close();
      await nevio.stop();
      await redis.stop();
    },
  };
  return rig;
}

/** Splits a whitespace-separated command line into arguments (no quoting needed in scripts). */
export function cmds(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map((w) => (w === "''" ? '' : w)));
}

/**
 * Starts redis-server and nevio-redis for the calling test file and stops them after it; the
 * returned holder's `rig` is set once `beforeAll` has run.
 */
export function useRig(): { rig: DiffRig } {
  const holder = {} as { rig: DiffRig };
  jest.setTimeout(30000);
  beforeAll(async () => {
    holder.rig = await startRig();
  });
  afterAll(async () => {
    await holder.rig?.stop();
  });
  return holder;
}

/** The script must give byte-identical replies in RESP2 and, after HELLO 3, in RESP3. */
export function itMatchesInBothProtocols(holder: { rig: DiffRig }, script: string): void {
  it('RESP2', async () => {
    expect(await holder.rig.run(cmds(script))).toEqual([]);
  });

  it('RESP3', async () => {
    await holder.rig.both(['hello', '3']);
    expect(await holder.rig.run(cmds(script))).toEqual([]);
    await holder.rig.both(['hello', '2']);
  });
}
