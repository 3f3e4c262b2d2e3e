/**
 * ACL (Redis 7.0's): SETUSER, GETUSER, DELUSER, LIST, USERS, WHOAMI, CAT, LOG, GENPASS, DRYRUN,
 * LOAD, SAVE, HELP, over the server's ACL (`acl/`).
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { CMD_ADMIN, CMD_LOADING, CMD_NOSCRIPT, CMD_STALE, CommandError, NOKEYS, def, keyOf, parseInt64 } from '../command';
import type { CommandContext, CommandDef, SelectorInfo } from '../command';
import { replyFields, type Field } from '../reply-fields';
import { ACL_CATEGORIES } from './command-cmd';
import { dispatchSub, helpReply } from './sub';

/** ACL GENPASS's default and largest sizes, in bits (Redis's 256 and GENPASS_MAX_BITS). */
const GENPASS_DEFAULT_BITS = 256;
const GENPASS_MAX_BITS = 4096;
/** ACL LOG's default number of entries. */
const LOG_DEFAULT_COUNT = 10;


function syntaxError(argv: Buffer[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${keyOf(argv[1]).slice(0, 128)}'. Try ACL HELP.`);
}

/** An array of latin1 bulk strings (user names, ACL LIST lines, command names). */
function replyKeys(ctx: CommandContext, items: readonly string[]): void {
  ctx.reply.array(items.length);
  for (const s of items) ctx.reply.bulkKey(s);
}

function selectorFields(s: SelectorInfo): Field[] {
  return [['commands', 'key', s.commands], ['keys', 'key', s.keys], ['channels', 'key', s.channels]];
}

function getuser(ctx: CommandContext, argv: Buffer[]): void {
  const info = ctx.server.acl.userInfo(keyOf(argv[2]));
  if (info === undefined) return ctx.reply.nil();
  replyFields(ctx.reply, [
    ['flags', 'bulk-set', info.flags],
    ['passwords', 'key-array', info.passwords],
    ...selectorFields(info.root),
    ['selectors', 'map-array', info.selectors.map(selectorFields)],
  ]);
}

function deluser(ctx: CommandContext, argv: Buffer[]): void {
  const names = argv.slice(2).map(keyOf);
  // Checked for every name first: nothing is deleted when `default` is among them.
  if (names.includes('default')) throw new CommandError("ERR The 'default' user cannot be removed");
  let deleted = 0;
  for (const n of names) if (ctx.server.acl.deleteUser(n)) deleted++;
  ctx.reply.integer(deleted);
}

function cat(ctx: CommandContext, argv: Buffer[]): void {
  const r = ctx.reply;
  if (argv.length === 2) {
    r.array(ACL_CATEGORIES.length);
    for (const c of ACL_CATEGORIES) r.bulk(c);
    return;
  }
  if (argv.length !== 3) throw syntaxError(argv);
  const name = keyOf(argv[2]);
  const commands = ctx.server.acl.commandsInCategory(name);
  if (commands === undefined) throw new CommandError(`ERR Unknown category '${name.slice(0, 128)}'`);
  replyKeys(ctx, commands);
}

function genpass(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw syntaxError(argv);
  let bits = GENPASS_DEFAULT_BITS;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === undefined) throw new CommandError('ERR value is not an integer or out of range');
    if (n <= 0 || n > GENPASS_MAX_BITS) {
      throw new CommandError(`ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`);
    }
    bits = n;
  }
  // One hex digit per 4 bits, rounded up.
  const chars = Math.floor((bits + 3) / 4);
  ctx.reply.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(ctx: CommandContext, argv: Buffer[]): void {
  if (argv.length > 3) throw syntaxError(argv);
  const acl = ctx.server.acl;
  let count = LOG_DEFAULT_COUNT;
  if (argv.length === 3) {
    if (keyOf(argv[2]).toLowerCase() === 'reset') {
      acl.resetLog();
      return ctx.reply.ok();
    }
    const n = parseInt64(argv[2]);
    if (n === undefined) throw new CommandError('ERR value is not an integer or out of range');
    count = Math.max(0, n);
  }
  const entries = acl.logEntries(count);
  const now = Date.now();
  const r = ctx.reply;
  r.array(entries.length);
  for (const e of entries) {
    replyFields(r, [
      ['count', 'integer', e.count],
      ['reason', 'bulk', e.reason],
      ['context', 'bulk', e.context],
      ['object', 'key', e.object],
      ['username', 'key', e.username],
      ['age-seconds', 'double', (now - e.time) / 1000],
      ['client-info', 'key', e.clientInfo],
    ]);
  }
}

const HELP = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

const acl = dispatchSub('acl', {
  setuser: {
    arity: -3,
    run: (ctx, argv) => {
      ctx.server.acl.setUser(keyOf(argv[2]), argv.slice(3).map(keyOf));
      ctx.reply.ok();
    },
  },
  getuser: { arity: 3, run: getuser },
  deluser: { arity: -3, run: deluser },
  list: { arity: 2, run: (ctx) => replyKeys(ctx, ctx.server.acl.describeAll()) },
  users: { arity: 2, run: (ctx) => replyKeys(ctx, ctx.server.acl.userNames()) },
  whoami: { arity: 2, run: (ctx) => ctx.reply.bulkKey(ctx.client.user.name) },
  cat: { arity: -2, run: cat },
  genpass: { arity: -2, run: genpass },
  log: { arity: -2, run: log },
  dryrun: {
    arity: -4,
    run: (ctx, argv) => {
      const denied = ctx.server.acl.dryRun(keyOf(argv[2]), argv.slice(3));
      if (denied === null) ctx.reply.ok();
      else ctx.reply.bulkKey(denied);
    },
  },
  load: {
    arity: 2,
    run: (ctx) => {
      ctx.server.acl.load();
      ctx.reply.ok();
    },
  },
  save: {
    arity: 2,
    run: (ctx) => {
      ctx.server.acl.save();
      ctx.reply.ok();
    },
  },
  help: { arity: 2, run: (ctx) => helpReply(ctx, HELP) },
});

export const aclCommands: CommandDef[] = [def('acl', -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, NOKEYS, 'server', acl)];
