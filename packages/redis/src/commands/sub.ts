/**
 * Container commands (CLIENT, CONFIG, OBJECT, PUBSUB, COMMAND): subcommands with their own arity,
 * reported as `client|setname` like Redis 7.
 *
 * @packageDocumentation
 */
import { CommandError, arityError, unknownSubcommand, type CommandContext, type CommandRun } from '../command';

export interface Subcommand {
  arity: number;
  run(ctx: CommandContext, argv: Buffer[]): void;
}

/** A `run` that dispatches on argv[1] (case-insensitive) to `table`. */
export function dispatchSub(container: string, table: Record<string, Subcommand>): CommandRun {
  return (ctx, argv) => {
    const name = argv[1].latin1Slice(0, argv[1].length).toLowerCase();
    const sub = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    if (sub === undefined) throw new CommandError(unknownSubcommand(argv[1], container.toUpperCase()));
    if (sub.arity > 0 ? argv.length !== sub.arity : argv.length < -sub.arity) {
      throw new CommandError(arityError(`${container}|${name}`));
    }
    sub.run(ctx, argv);
  };
}

/** The HELP subcommand's reply: the lines as simple strings. */
export function helpReply(ctx: CommandContext, lines: string[]): void {
  ctx.reply.array(lines.length);
  for (const l of lines) ctx.reply.simple(l);
}
