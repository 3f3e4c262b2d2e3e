/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT and FCALL, FCALL_RO. The engine is
 * `ctx.server.scripting` (`scripting/`).
 *
 * @packageDocumentation
 */
import {
  CMD_MAY_REPLICATE,
  CMD_MOVABLE_KEYS,
  CMD_NO_MANDATORY_KEYS,
  CMD_NOSCRIPT,
  CMD_READONLY,
  CMD_SKIP_MONITOR,
  CMD_STALE,
  CommandError,
  NOKEYS,
  def,
  type CommandDef,
} from '../command';
import { dispatchSub, helpReply } from './sub';

/** EVAL's keys: numkeys of them after the script (COMMAND GETKEYS). */
export function numKeysGetKeys(argv: readonly Buffer[]): number[] {
  const n = Number(argv[2]?.toString());
  if (!Number.isInteger(n) || n <= 0 || n > argv.length - 3) return [];
  return Array.from({ length: n }, (_, i) => 3 + i);
}

const EVAL_FLAGS = CMD_NOSCRIPT | CMD_SKIP_MONITOR | CMD_MAY_REPLICATE | CMD_NO_MANDATORY_KEYS | CMD_STALE | CMD_MOVABLE_KEYS;
const EVAL_RO_FLAGS = CMD_READONLY | CMD_NOSCRIPT | CMD_SKIP_MONITOR | CMD_NO_MANDATORY_KEYS | CMD_STALE | CMD_MOVABLE_KEYS;

function evalCommand(name: string, flags: number, bySha: boolean, readonly: boolean, summary: string): CommandDef {
  return {
    ...def(name, -3, flags, NOKEYS, 'scripting', (ctx, argv) => ctx.server.scripting.eval(ctx, argv, bySha, readonly), summary),
    getKeys: numKeysGetKeys,
    callFlags: (ctx, argv) => ctx.server.scripting.evalFlags(argv, bySha, flags),
  };
}

const script = dispatchSub('script', {
  load: { arity: 3, run: (ctx, argv) => ctx.reply.bulk(ctx.server.scripting.loadScript(argv[2])) },
  exists: {
    arity: -3,
    run: (ctx, argv) => {
      ctx.reply.array(argv.length - 2);
      for (let i = 2; i < argv.length; i++) ctx.reply.integer(ctx.server.scripting.scriptExists(argv[i].toString()) ? 1 : 0);
    },
  },
  flush: {
    arity: -2,
    run: (ctx, argv) => {
      const mode = argv.length === 3 ? argv[2].toString().toLowerCase() : '';
      if (argv.length > 3 || (argv.length === 3 && mode !== 'sync' && mode !== 'async')) {
        throw new CommandError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      }
      ctx.server.scripting.flushScripts();
      ctx.reply.ok();
    },
  },
  kill: {
    arity: 2,
    run: (ctx) => {
      ctx.server.scripting.kill(true);
      ctx.reply.ok();
    },
  },
  debug: {
    arity: 3,
    run: (ctx, argv) => {
      const mode = argv[2].toString().toLowerCase();
      if (mode === 'no') return ctx.reply.ok();
      if (mode !== 'yes' && mode !== 'sync') throw new CommandError('ERR Use SCRIPT DEBUG YES/SYNC/NO');
      throw new CommandError('ERR SCRIPT DEBUG is not supported by nevio (no Lua debugger)');
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'DEBUG (YES|SYNC|NO)',
        '    Set the debug mode for subsequent scripts executed.',
        'EXISTS <sha1> [<sha1> ...]',
        '    Return information about the existence of the scripts in the script cache.',
        'FLUSH [ASYNC|SYNC]',
        '    Flush the Lua scripts cache. Very dangerous on replicas.',
        '    When called without the optional mode argument, the behavior is determined by the',
        '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
        '    * ASYNC: Asynchronously flush the scripts cache.',
        '    * SYNC: Synchronously flush the scripts cache.',
        'KILL',
        '    Kill the currently executing Lua script.',
        'LOAD <script>',
        '    Load a script into the scripts cache without executing it.',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

function fcallCommand(name: string, flags: number, readonly: boolean, summary: string): CommandDef {
  return {
    ...def(name, -3, flags, NOKEYS, 'scripting', (ctx, argv) => ctx.server.scripting.fcall(ctx, argv, readonly), summary),
    getKeys: numKeysGetKeys,
    callFlags: (ctx, argv) => ctx.server.scripting.fcallFlags(argv, flags),
  };
}

export const scriptingCommands: CommandDef[] = [
  fcallCommand('fcall', EVAL_FLAGS, false, 'Invoke a function'),
  fcallCommand('fcall_ro', EVAL_RO_FLAGS, true, 'Invoke a read-only function'),
  evalCommand('eval', EVAL_FLAGS, false, false, 'Execute a Lua script server side'),
  evalCommand('evalsha', EVAL_FLAGS, true, false, 'Execute a Lua script server side'),
  evalCommand('eval_ro', EVAL_RO_FLAGS, false, true, 'Execute a read-only Lua script server side'),
  evalCommand('evalsha_ro', EVAL_RO_FLAGS, true, true, 'Execute a read-only Lua script server side'),
  def('script', -2, CMD_NOSCRIPT, NOKEYS, 'scripting', script),
];
