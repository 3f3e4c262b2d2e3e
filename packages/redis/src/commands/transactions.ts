/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH. The queue and the WATCHed keys are the
 * server's (`multi.ts`); these check the client's state and reply.
 *
 * @packageDocumentation
 */
import { ALLKEYS, CMD_ALLOW_BUSY, CMD_FAST, CMD_LOADING, CMD_NOSCRIPT, CMD_SKIP_SLOWLOG, CMD_STALE, CommandError, NOKEYS, def, keyOf, type CommandDef } from '../command';

const TX = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE;
/** MULTI, DISCARD, WATCH, UNWATCH may run while a script is busy (Redis's allow_busy). */
const TX_FAST = TX | CMD_FAST | CMD_ALLOW_BUSY;

export const transactionCommands: CommandDef[] = [
  def('multi', 1, TX_FAST, NOKEYS, 'transactions', (ctx) => {
    if (ctx.client.inMulti) throw new CommandError('ERR MULTI calls can not be nested');
    ctx.client.beginMulti();
    ctx.reply.ok();
  }),
  def('exec', 1, TX | CMD_SKIP_SLOWLOG, NOKEYS, 'transactions', (ctx) => ctx.client.exec()),
  def('discard', 1, TX_FAST, NOKEYS, 'transactions', (ctx) => {
    if (!ctx.client.inMulti) throw new CommandError('ERR DISCARD without MULTI');
    ctx.client.discardMulti();
    ctx.reply.ok();
  }),
  def('watch', -2, TX_FAST, ALLKEYS, 'transactions', (ctx, argv) => {
    if (ctx.client.inMulti) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    for (let i = 1; i < argv.length; i++) ctx.client.watch(keyOf(argv[i]));
    ctx.reply.ok();
  }),
  def('unwatch', 1, TX_FAST, NOKEYS, 'transactions', (ctx) => {
    ctx.client.unwatch();
    ctx.reply.ok();
  }),
];
