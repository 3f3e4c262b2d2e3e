// Runs command scripts against nevio's data-type commands (in process) and a real redis-server,
// and collects every reply that differs byte for byte.
import { Local, RawClient, RealRedis, show, type Arg } from './harness';

export interface DiffRig {
  /** Runs the script on both; returns the mismatches, empty when every reply was identical. */
  run(script: Arg[][]): Promise<string[]>;
  /** Sends a command to both without comparing (HELLO, whose server info differs). */
  both(args: Arg[]): Promise<void>;
  local: Local;
  stop(): Promise<void>;
}

export async function startRig(): Promise<DiffRig> {
  const redis = await RealRedis.start();
  const client = await RawClient.connect(redis.port);
  const rig: DiffRig = {
    local: new Local(),
    async run(script) {
      const bad: string[] = [];
      for (const cmd of script) {
        const want = await client.send(cmd);
        const got = rig.local.send(cmd);
        if (!want.equals(got)) bad.push(`${cmd.map((a) => (typeof a === 'string' ? a : `<${a.toString('hex')}>`)).join(' ')}\n   redis: ${show(want)}\n   nevio: ${show(got)}`);
      }
      return bad;
    },
    async both(args) {
      await client.send(args);
      rig.local.send(args);
    },
    async stop() {
      client.close();
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
