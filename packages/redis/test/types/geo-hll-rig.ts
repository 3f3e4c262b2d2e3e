// A differential rig for the HyperLogLog and geo tests: like diff.ts's (redis-server and
// nevio-redis over TCP, replies compared byte for byte), with both raw connections exposed so a
// test can also take a value from one side (an HLL string made by redis-server) or parse replies.
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from '../support/inproc';
import { RawClient, RealRedis, show, type Arg } from './harness';

export interface Rig {
  /** Connections to redis-server and to nevio-redis. */
  readonly redis: RawClient;
  readonly nevio: RawClient;
  /** Runs the script on both; returns the mismatches, empty when every reply was identical. */
  run(script: Arg[][]): Promise<string[]>;
}

/** At most 300 characters of `s` (HLL strings are 12 KB). */
function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function describeArgs(cmd: Arg[]): string {
  return clip(cmd.map((a) => (typeof a === 'string' ? a : `<${a.toString('hex')}>`)).join(' '));
}

/** Starts both servers for the calling test file (stopped after it). */
export function useGeoHllRig(): { rig: Rig } {
  const holder = {} as { rig: Rig };
  let real: RealRedis | undefined;
  let ours: RunningRedis | undefined;
  jest.setTimeout(120000);
  beforeAll(async () => {
    real = await RealRedis.start();
    ours = await startRedis({ ...defaultConfig(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, quietLog);
    const redis = await RawClient.connect(real.port);
    const nevio = await RawClient.connect(ours.port);
    holder.rig = {
      redis,
      nevio,
      async run(script) {
        const bad: string[] = [];
        for (const cmd of script) {
          const want = await redis.send(cmd);
          const got = await nevio.send(cmd);
          if (!want.equals(got)) bad.push(`${describeArgs(cmd)}\n   redis: ${clip(show(want))}\n   nevio: ${clip(show(got))}`);
        }
        return bad;
      },
    };
  });
  afterAll(async () => {
    holder.rig?.redis.close();
    holder.rig?.nevio.close();
    await ours?.stop();
    await real?.stop();
  });
  return holder;
}

/** The payload of a RESP bulk string reply (`$n\r\n…\r\n`). */
export function bulkPayload(reply: Buffer): Buffer {
  const eol = reply.indexOf('\r\n');
  return reply.subarray(eol + 2, reply.length - 2);
}

/** Splits a whitespace-separated command line into arguments (`''` is the empty argument). */
export function cmds(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(/\s+/).map((w) => (w === "''" ? '' : w)));
}

/** The script must give byte-identical replies in RESP2 and, after HELLO 3, in RESP3. */
export function itMatchesInBothProtocols(holder: { rig: Rig }, script: string): void {
  it('RESP2', async () => {
    expect(await holder.rig.run(cmds(script))).toEqual([]);
  });
  it('RESP3', async () => {
    await holder.rig.redis.send(['HELLO', '3']);
    await holder.rig.nevio.send(['HELLO', '3']);
    try {
      expect(await holder.rig.run(cmds(script))).toEqual([]);
    } finally {
      await holder.rig.redis.send(['HELLO', '2']);
      await holder.rig.nevio.send(['HELLO', '2']);
    }
  });
}
