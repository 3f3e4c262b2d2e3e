/**
 * CONFIG GET/SET/RESETSTAT/REWRITE/HELP over Redis 7.0's parameter table (`config.ts`).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_LOADING, CMD_NOSCRIPT, CMD_STALE, CommandError, NOKEYS, SYNTAX, def, globMatch } from '../command';
import type { CommandContext, CommandDef } from '../command';
import { lookupParam, paramNames, showSetting } from '../config';
import { dispatchSub, helpReply } from './sub';

/** True when the client may use a `yes|no|local` protected action (`local`: over loopback or a unix socket). */
export function allowedAction(ctx: CommandContext, setting: 'no' | 'yes' | 'local'): boolean {
  if (setting === 'yes') return true;
  if (setting === 'no') return false;
  const conn = ctx.client.conn;
  if (conn === null) return true;
  const a = conn.remoteAddr;
  return a.network.startsWith('unix') || a.address === '::1' || a.address.startsWith('127.') || a.address === '::ffff:127.0.0.1';
}

const GLOB_CHARS = /[[*?]/;

const config = dispatchSub('config', {
  get: {
    arity: -3,
    run: (ctx, argv) => {
      const cfg = ctx.server.config;
      const found = new Map<string, string>();
      for (let i = 2; i < argv.length; i++) {
        const arg = argv[i].toString();
        if (!GLOB_CHARS.test(arg)) {
          // An exact name finds hidden parameters too, and answers with the name as asked.
          const spec = lookupParam(arg);
          if (spec !== undefined && !found.has(arg)) found.set(arg, showSetting(cfg, spec.name));
          continue;
        }
        for (const [name, spec] of paramNames()) {
          if (!found.has(name) && globMatch(arg.toLowerCase(), name)) found.set(name, showSetting(cfg, spec.name));
        }
      }
      ctx.reply.map(found.size);
      for (const [k, v] of found) {
        ctx.reply.bulk(k);
        ctx.reply.bulk(v);
      }
    },
  },
  set: {
    arity: -4,
    run: (ctx, argv) => {
      if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
      const settings: [string, string][] = [];
      const seen = new Set<string>();
      for (let i = 2; i < argv.length; i += 2) {
        const name = argv[i].toString();
        const spec = lookupParam(name);
        if (spec === undefined) throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
        if (seen.has(spec.name)) throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
        seen.add(spec.name);
        settings.push([name, argv[i + 1].toString()]);
      }
      ctx.server.configure(settings, allowedAction(ctx, ctx.server.config['enable-protected-configs']));
      ctx.reply.ok();
    },
  },
  resetstat: {
    arity: 2,
    run: (ctx) => {
      ctx.server.resetStats();
      ctx.reply.ok();
    },
  },
  rewrite: {
    arity: 2,
    run: (ctx) => {
      ctx.server.rewriteConfig(false);
      ctx.reply.ok();
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'GET <pattern>',
        '    Return parameters matching the glob-like <pattern> and their values.',
        'SET <directive> <value>',
        '    Set the configuration <directive> to <value>.',
        'RESETSTAT',
        '    Reset statistics reported by the INFO command.',
        'REWRITE',
        '    Rewrite the configuration file.',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const configCommands: CommandDef[] = [def('config', -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, NOKEYS, 'server', config)];
