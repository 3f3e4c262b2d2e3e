/**
 * SLOWLOG GET/LEN/RESET/HELP over the server's log (`slowlog.ts`).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_LOADING, CMD_STALE, CommandError, NOKEYS, def, parseInt64 } from '../command';
import type { CommandDef } from '../command';
import { dispatchSub, helpReply } from './sub';

/** Entries SLOWLOG GET returns without a count (Redis's default). */
const DEFAULT_COUNT = 10;

const slowlog = dispatchSub('slowlog', {
  get: {
    arity: -2,
    run: (ctx, argv) => {
      if (argv.length > 3) throw new CommandError("ERR wrong number of arguments for 'slowlog|get' command");
      const log = ctx.server.slowlog.entries;
      let count = DEFAULT_COUNT;
      if (argv.length === 3) {
        const n = parseInt64(argv[2]);
        if (n === undefined || n < -1) throw new CommandError('ERR count should be greater than or equal to -1');
        count = n === -1 ? log.length : Math.min(n, log.length);
      }
      const shown = log.slice(0, count);
      const r = ctx.reply;
      r.array(shown.length);
      for (const e of shown) {
        r.array(6);
        r.integer(e.id);
        r.integer(e.time);
        r.integer(e.durationUs);
        r.array(e.argv.length);
        for (const a of e.argv) r.bulk(a);
        r.bulk(e.peer);
        r.bulk(e.clientName);
      }
    },
  },
  len: { arity: 2, run: (ctx) => ctx.reply.integer(ctx.server.slowlog.entries.length) },
  reset: {
    arity: 2,
    run: (ctx) => {
      ctx.server.slowlog.reset();
      ctx.reply.ok();
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'GET [<count>]',
        '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
        '    Entries are made of:',
        '    id, timestamp, time in microseconds, arguments array, client IP and port,',
        '    client name',
        'LEN',
        '    Return the length of the slowlog.',
        'RESET',
        '    Reset the slowlog.',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const slowlogCommands: CommandDef[] = [def('slowlog', -2, CMD_ADMIN | CMD_LOADING | CMD_STALE, NOKEYS, 'server', slowlog)];
