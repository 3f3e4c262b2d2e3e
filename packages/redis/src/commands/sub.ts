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

/** The subcommand table behind each `run` made by {@link dispatchSub} (COMMAND INFO, tests). */
const tables = new WeakMap<CommandRun, Readonly<Record<string, Subcommand>>>();

/** The subcommands of a container made with {@link dispatchSub}, by lower-case name. */
export function subcommandsOf(run: CommandRun): Readonly<Record<string, Subcommand>> | undefined {
  return tables.get(run);
}

/** A `run` that dispatches on argv[1] (case-insensitive) to `table`. */
export function dispatchSub(container: string, table: Record<string, Subcommand>): CommandRun {
  const run: CommandRun = (ctx, argv) => {
    const name = argv[1].latin1Slice(0, argv[1].length).toLowerCase();
    const sub = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
    if (sub === undefined) throw new CommandError(unknownSubcommand(argv[1], container.toUpperCase()));
    if (sub.arity > 0 ? argv.length !== sub.arity : argv.length < -sub.arity) {
      throw new CommandError(arityError(`${container}|${name}`));
    }
    sub.run(ctx, argv);
  };
  tables.set(run, table);
  return run;
}

/** The HELP subcommand's reply: the lines as simple strings. */
export function helpReply(ctx: CommandContext, lines: string[]): void {
  ctx.reply.array(lines.length);
  for (const l of lines) ctx.reply.simple(l);
}
