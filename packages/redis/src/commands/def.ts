/**
 * Helpers for defining the built-in commands, which (unlike the data-type modules) reach into
 * the server's internals.
 *
 * @packageDocumentation
 */
import type { Client } from '../client';
import type { CommandContext, CommandDef, CommandFlag } from '../command';
import type { RedisServer } from '../server';

/** Defines a command; `flags` is space-separated, `keys` is `[first, last, step]`. */
export function def(
  name: string,
  arity: number,
  flags: string,
  keys: readonly [number, number, number],
  run: CommandDef['run'],
  group = 'generic',
  summary?: string,
): CommandDef {
  return {
    name,
    arity,
    flags: flags === '' ? [] : (flags.split(' ') as CommandFlag[]),
    firstKey: keys[0],
    lastKey: keys[1],
    step: keys[2],
    group,
    summary,
    run,
  };
}

export const NOKEYS = [0, 0, 0] as const;
export const KEY1 = [1, 1, 1] as const;

/** The built-in commands' view of their context. */
export function cli(ctx: CommandContext): Client {
  return ctx as unknown as Client;
}

export function srv(ctx: CommandContext): RedisServer {
  return ctx.server as RedisServer;
}

/** `ERR unknown subcommand 'x'. Try CLIENT HELP.` */
export function unknownSubcommand(sub: Buffer, container: string): string {
  return `ERR unknown subcommand '${sub.latin1Slice(0, Math.min(sub.length, 128))}'. Try ${container} HELP.`;
}
