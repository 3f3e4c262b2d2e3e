/**
 * Script flags (Redis's `SCRIPT_FLAG_*`): declared by an EVAL script's shebang line
 * (`#!lua flags=no-writes,allow-oom`) or by redis.register_function's `flags`. The bits are
 * the ones the addon's register_function uses (native/redis_api.cc's kFlags).
 *
 * @packageDocumentation
 */
import { CMD_DENYOOM, CMD_MAY_REPLICATE, CMD_STALE, CMD_WRITE, CommandError } from '../command';
import { splitArgs } from '../parser';

/** The script only reads: it runs on replicas and under OOM, and may be called by *_RO. */
export const SCRIPT_NO_WRITES = 1 << 0;
/** The script may run (and write) when memory is over maxmemory. */
export const SCRIPT_ALLOW_OOM = 1 << 1;
/** The script may run on a stale replica. */
export const SCRIPT_ALLOW_STALE = 1 << 2;
/** The script refuses to run in cluster mode. */
export const SCRIPT_NO_CLUSTER = 1 << 3;
/** The script may touch keys of several slots. */
export const SCRIPT_ALLOW_CROSS_SLOT = 1 << 4;
/** An EVAL script without a shebang: Redis 6 behaviour (no flags, checks per command). */
export const SCRIPT_EVAL_COMPAT = 1 << 5;

/**
 * A command's flags for a run of a script with these flags (Redis's scriptFlagsToCmdFlags):
 * declared flags replace write, denyoom, stale and may_replicate; a script without a shebang
 * (compat mode) keeps the command's.
 */
export function scriptCommandFlags(commandFlags: number, scriptFlags: number): number {
  if ((scriptFlags & SCRIPT_EVAL_COMPAT) !== 0) return commandFlags;
  let f = commandFlags & ~(CMD_STALE | CMD_DENYOOM | CMD_WRITE | CMD_MAY_REPLICATE);
  // no-writes implies allow-oom.
  if ((scriptFlags & (SCRIPT_ALLOW_OOM | SCRIPT_NO_WRITES)) === 0) f |= CMD_DENYOOM;
  if ((scriptFlags & SCRIPT_NO_WRITES) === 0) f |= CMD_WRITE;
  if ((scriptFlags & SCRIPT_ALLOW_STALE) !== 0) f |= CMD_STALE;
  return f;
}

/** Flag names in Redis's order (FUNCTION LIST shows them in it). */
export const SCRIPT_FLAG_NAMES: readonly (readonly [bit: number, name: string])[] = [
  [SCRIPT_NO_WRITES, 'no-writes'],
  [SCRIPT_ALLOW_OOM, 'allow-oom'],
  [SCRIPT_ALLOW_STALE, 'allow-stale'],
  [SCRIPT_NO_CLUSTER, 'no-cluster'],
  [SCRIPT_ALLOW_CROSS_SLOT, 'allow-cross-slot-keys'],
];

/** The parsed first line of an EVAL script. */
export interface Shebang {
  readonly flags: number;
  /** Bytes of the shebang line (without its line feed, kept for the line numbers). */
  readonly length: number;
}

/** Parses the shebang of an EVAL script (`#!lua flags=...`); scripts without one are in compat mode. */
export function parseShebang(body: Buffer): Shebang {
  if (body.length < 2 || body[0] !== 0x23 || body[1] !== 0x21) return { flags: SCRIPT_EVAL_COMPAT, length: 0 };
  const nl = body.indexOf(0x0a);
  if (nl < 0) throw new CommandError('ERR Invalid script shebang');
  // Split as Redis's sdssplitargs does (quotes allowed).
  const parts = splitArgs(body, 0, nl)?.map((b) => b.latin1Slice(0, b.length));
  if (parts === undefined || parts.length === 0) throw new CommandError('ERR Invalid engine in script shebang');
  if (parts[0] !== '#!lua') throw new CommandError(`ERR Unexpected engine in script shebang: ${parts[0]}`);
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) throw new CommandError(`ERR Unknown lua shebang option: ${part}`);
    const list = part.slice(6);
    for (const flag of list === '' ? [] : list.split(',')) {
      const known = SCRIPT_FLAG_NAMES.find(([, n]) => n === flag);
      if (known === undefined) throw new CommandError(`ERR Unexpected flag in script shebang: ${flag}`);
      flags |= known[0];
    }
  }
  return { flags, length: nl };
}
