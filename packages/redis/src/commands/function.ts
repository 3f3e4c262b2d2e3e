/**
 * FUNCTION: the function registry of Redis 7.0, empty and honest about it. nevio has no Lua
 * engine yet, so no library can exist: LOAD says so, the listing commands answer as an empty
 * registry does, DUMP/RESTORE move the empty registry (Redis's payload format: the RDB version
 * and a CRC64 footer).
 *
 * @packageDocumentation
 */
import { CMD_ALLOW_BUSY, CMD_NOSCRIPT, CMD_WRITE, CMD_DENYOOM, CommandError, NOKEYS, SYNTAX, argIs, def } from '../command';
import type { CommandDef } from '../command';
import { crc64 } from '../crc64';
import { dispatchSub, helpReply } from './sub';

/** RDB_VERSION of Redis 7.0: the version DUMP payloads carry. */
export const RDB_VERSION = 10;

/** The payload of an empty registry: version (2 bytes LE) then the CRC64 (8 bytes LE) of all before it. */
function emptyPayload(): Buffer {
  const out = Buffer.alloc(10);
  out.writeUInt16LE(RDB_VERSION, 0);
  out.writeBigUInt64LE(crc64(out.subarray(0, 2)), 2);
  return out;
}

const NO_LUA = 'ERR Lua is not available yet in nevio: no function library can be loaded';

const fn = dispatchSub('function', {
  flush: {
    arity: -2,
    run: (ctx, argv) => {
      if (argv.length > 3 || (argv.length === 3 && !argIs(argv[2], 'async') && !argIs(argv[2], 'sync'))) {
        throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      }
      ctx.reply.ok();
    },
  },
  list: {
    arity: -2,
    run: (ctx, argv) => {
      for (let i = 2; i < argv.length; i++) {
        if (argIs(argv[i], 'withcode')) continue;
        if (argIs(argv[i], 'libraryname') && i + 1 < argv.length) {
          i++;
          continue;
        }
        throw new CommandError(`ERR Unknown argument ${argv[i].toString()}`);
      }
      ctx.reply.array(0);
    },
  },
  dump: { arity: 2, run: (ctx) => ctx.reply.bulk(emptyPayload()) },
  restore: {
    arity: -3,
    run: (ctx, argv) => {
      if (argv.length > 4) throw new CommandError(SYNTAX);
      if (argv.length === 4 && !['flush', 'append', 'replace'].some((w) => argIs(argv[3], w))) {
        throw new CommandError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      }
      const p = argv[2];
      if (p.length < 10 || p.readUInt16LE(p.length - 10) > RDB_VERSION || crc64(p.subarray(0, p.length - 8)) !== p.readBigUInt64LE(p.length - 8)) {
        throw new CommandError('ERR DUMP payload version or checksum are wrong');
      }
      // Anything before the footer is a library, which needs the Lua engine.
      if (p.length > 10) throw new CommandError(NO_LUA);
      ctx.reply.ok();
    },
  },
  stats: {
    arity: 2,
    run: (ctx) => {
      ctx.reply.map(2);
      ctx.reply.bulk('running_script');
      ctx.reply.nil();
      ctx.reply.bulk('engines');
      ctx.reply.map(0);
    },
  },
  delete: {
    arity: 3,
    run: () => {
      throw new CommandError('ERR Library not found');
    },
  },
  kill: {
    arity: 2,
    run: () => {
      throw new CommandError('NOTBUSY No scripts in execution right now.');
    },
  },
  load: {
    arity: -3,
    run: () => {
      throw new CommandError(NO_LUA);
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'LOAD [REPLACE] <FUNCTION CODE>',
        '    Create a new library with the given library name and code.',
        'DELETE <LIBRARY NAME>',
        '    Delete the given library.',
        'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
        '    Return general information on all the libraries:',
        'FLUSH [ASYNC|SYNC]',
        '    Delete all the libraries.',
        'KILL',
        '    Kill the current running function.',
        'STATS',
        '    Return information about the current function running.',
        'DUMP',
        '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
        'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
        '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const functionCommands: CommandDef[] = [def('function', -2, CMD_NOSCRIPT | CMD_WRITE | CMD_DENYOOM | CMD_ALLOW_BUSY, NOKEYS, 'scripting', fn)];
