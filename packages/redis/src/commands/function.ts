/**
 * FUNCTION (Redis's functions.c command): LOAD [REPLACE], DELETE, FLUSH [ASYNC|SYNC], LIST
 * [LIBRARYNAME pattern] [WITHCODE], DUMP, RESTORE [FLUSH|APPEND|REPLACE], STATS, KILL. The
 * libraries live in `ctx.server.scripting` (`scripting/functions.ts`). A change to them counts as
 * a change of the dataset, so FUNCTION LOAD/DELETE/FLUSH/RESTORE are logged to the AOF.
 *
 * @packageDocumentation
 */
import { CMD_ALLOW_BUSY, CMD_NOSCRIPT, CMD_WRITE, CommandError, NOKEYS, argIs, def, type CommandContext } from '../command';
import type { CommandDef } from '../command';
import { SCRIPT_FLAG_NAMES } from '../scripting/flags';
import { dispatchSub, helpReply } from './sub';

function changed(ctx: CommandContext): void {
  ctx.server.persistence.addDirty(1);
}

function list(ctx: CommandContext, argv: Buffer[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && argIs(argv[i], 'withcode')) {
      withCode = true;
      continue;
    }
    if (pattern === null && argIs(argv[i], 'libraryname')) {
      if (i + 1 >= argv.length) throw new CommandError('ERR library name argument was not given');
      pattern = argv[++i].toString();
      continue;
    }
    throw new CommandError(`ERR Unknown argument ${argv[i].toString()}`);
  }
  const r = ctx.reply;
  const libraries = ctx.server.scripting.libraries(pattern);
  r.array(libraries.length);
  for (const library of libraries) {
    r.map(withCode ? 4 : 3);
    r.bulk('library_name');
    r.bulk(library.name);
    r.bulk('engine');
    r.bulk('LUA');
    r.bulk('functions');
    r.array(library.functions.length);
    for (const fn of library.functions) {
      r.map(3);
      r.bulk('name');
      r.bulk(fn.name);
      r.bulk('description');
      if (fn.description === null) r.nil();
      else r.bulk(fn.description);
      r.bulk('flags');
      const names = SCRIPT_FLAG_NAMES.filter(([bit]) => (fn.flags & bit) !== 0);
      r.set(names.length);
      for (const [, name] of names) r.bulk(name);
    }
    if (withCode) {
      r.bulk('library_code');
      r.bulk(library.code);
    }
  }
}

function stats(ctx: CommandContext): void {
  const r = ctx.reply;
  const s = ctx.server.scripting;
  r.map(2);
  r.bulk('running_script');
  const busy = s.busyScript;
  if (busy === null) r.nil();
  else {
    r.map(3);
    r.bulk('name');
    r.bulk(busy.name);
    r.bulk('command');
    r.array(busy.command.length);
    for (const a of busy.command) r.bulk(a);
    r.bulk('duration_ms');
    r.integer(busy.durationMs);
  }
  r.bulk('engines');
  r.map(1);
  r.bulk('LUA');
  r.map(2);
  r.bulk('libraries_count');
  r.integer(s.libraryCount);
  r.bulk('functions_count');
  r.integer(s.functionCount);
}

const fn = dispatchSub('function', {
  load: {
    arity: -3,
    run: (ctx, argv) => {
      let replace = false;
      for (let i = 2; i < argv.length - 1; i++) {
        if (argIs(argv[i], 'replace')) replace = true;
        else throw new CommandError(`ERR Unknown option given: ${argv[i].toString()}`);
      }
      const name = ctx.server.scripting.loadLibrary(argv[argv.length - 1], replace);
      changed(ctx);
      ctx.reply.bulk(name);
    },
  },
  delete: {
    arity: 3,
    run: (ctx, argv) => {
      ctx.server.scripting.deleteLibrary(argv[2].toString());
      changed(ctx);
      ctx.reply.ok();
    },
  },
  flush: {
    arity: -2,
    run: (ctx, argv) => {
      if (argv.length > 3) throw new CommandError("ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.");
      if (argv.length === 3 && !argIs(argv[2], 'async') && !argIs(argv[2], 'sync')) {
        throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      }
      ctx.server.scripting.flushLibraries();
      changed(ctx);
      ctx.reply.ok();
    },
  },
  list: { arity: -2, run: list },
  dump: { arity: 2, run: (ctx) => ctx.reply.bulk(ctx.server.scripting.dumpLibraries()) },
  restore: {
    arity: -3,
    run: (ctx, argv) => {
      if (argv.length > 4) throw new CommandError("ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.");
      let policy: 'flush' | 'append' | 'replace' = 'append';
      if (argv.length === 4) {
        const p = argv[3].toString().toLowerCase();
        if (p !== 'flush' && p !== 'append' && p !== 'replace') {
          throw new CommandError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
        }
        policy = p;
      }
      ctx.server.scripting.restoreLibraries(argv[2], policy);
      changed(ctx);
      ctx.reply.ok();
    },
  },
  stats: { arity: 2, run: stats },
  kill: {
    arity: 2,
    run: (ctx) => {
      ctx.server.scripting.kill(false);
      ctx.reply.ok();
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
        '    * Library name',
        '    * The engine used to run the Library',
        '    * Library description',
        '    * Functions list',
        '    * Library code (if WITHCODE is given)',
        '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
        'STATS',
        '    Return information about the current function running:',
        '    * Function name',
        '    * Command used to run the function',
        '    * Duration in MS that the function is running',
        '    If no function is running, return nil',
        '    In addition, returns a list of available engines.',
        'KILL',
        '    Kill the current running function.',
        'FLUSH [ASYNC|SYNC]',
        '    Delete all the libraries.',
        '    When called without the optional mode argument, the behavior is determined by the',
        '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
        '    * ASYNC: Asynchronously flush the libraries.',
        '    * SYNC: Synchronously flush the libraries.',
        'DUMP',
        '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
        'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
        '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
        '    control how to handle existing libraries (default APPEND):',
        '    * FLUSH: delete all existing libraries.',
        '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
        '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
        '      libraries with the new libraries (notice that even on this option there is a chance of failure',
        '      in case of functions name collision with another library).',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const functionCommands: CommandDef[] = [def('function', -2, CMD_NOSCRIPT | CMD_WRITE | CMD_ALLOW_BUSY, NOKEYS, 'scripting', fn)];
