/**
 * Command-line options as a declarative table: each option says what it takes and how its text
 * becomes a typed value; {@link parseOptions} reads `argv` against the table, {@link usageLine}
 * and {@link optionsHelp} describe it. The loop flags every nevio command shares are one such
 * table ({@link loopFlags}).
 *
 * @packageDocumentation
 */
import { NevioError } from './errors';
import type { LoadBalancing, Options } from './types';
import { CliLog, LOG_LEVELS } from './log';

/**
 * The arguments are wrong (an unknown option, a bad or missing value): the command prints the
 * message and exits with status 2.
 */
export class UsageError extends NevioError {
  constructor(message: string) {
    super(message, 'ERR_NEVIO_USAGE');
  }
}

/** One command-line option; `T` is its value once read (`initial` when the option is absent). */
export interface CliOption<T> {
  /** What the value is, shown in the usage and help (`ADDR`); absent for a flag, which takes no value. */
  readonly arg?: string;
  /** What the option does; a `\n` starts another help line. */
  readonly help: string;
  /** A one-letter alias: `'h'` for `-h`. */
  readonly short?: string;
  /** The value when the option is not given. */
  readonly initial: T;
  /** The default as the help shows it; none is shown when absent. */
  readonly shownDefault?: string;
  /** Every occurrence adds to the value (the usage marks it with `...`); otherwise the last one counts. */
  readonly repeatable?: boolean;
  /**
   * An option of the same table that this one is an alternative to: the usage shows them as
   * `[--this | --that ARG]`, and giving both is a usage error.
   */
  readonly alternativeTo?: string;
  /**
   * The value after one occurrence: `text` is its argument (undefined for a flag), `previous` the
   * value of an earlier occurrence (undefined on the first). Throws {@link UsageError}.
   */
  take(text: string | undefined, previous: T | undefined, flag: string): T;
}

/** A command's options, by long name (`addr` is `--addr`), in the order the help lists them. */
export type OptionTable = Readonly<Record<string, CliOption<unknown>>>;

/** The values {@link parseOptions} reads for a table: each option's `T`. */
export type OptionValues<O extends OptionTable> = { -readonly [K in keyof O]: O[K] extends CliOption<infer T> ? T : never };

/** A flag: `true` when given. */
export function flag(help: string, short?: string): CliOption<boolean> {
  return { help, short, initial: false, take: () => true };
}

/** A string value; without a `fallback` the value is undefined when the option is absent. */
export function text(arg: string, help: string): CliOption<string | undefined>;
export function text(arg: string, help: string, fallback: string): CliOption<string>;
export function text(arg: string, help: string, fallback?: string): CliOption<string | undefined> {
  return { arg, help, initial: fallback, shownDefault: fallback, take: (value) => value };
}

/** A string value that may be repeated: every occurrence adds one; absent, the value is `fallback`. */
export function texts(arg: string, help: string, fallback: readonly string[]): CliOption<readonly string[]> {
  return {
    arg,
    help,
    initial: fallback,
    shownDefault: fallback.join(' '),
    repeatable: true,
    take: (value, previous) => [...(previous ?? []), value as string],
  };
}

/** An integer of at least `min`; undefined when absent. */
export function integer(arg: string, help: string, min: number): CliOption<number | undefined> {
  const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`;
  return {
    arg,
    help,
    initial: undefined,
    take(value, _previous, flagName) {
      const n = /^[+-]?\d+$/.test(value as string) ? Number(value) : Number.NaN;
      if (!(Number.isSafeInteger(n) && n >= min)) throw new UsageError(`${flagName} takes ${what}, not '${value}'`);
      return n;
    },
  };
}

/** One of a fixed set of words (listed in the help); undefined when absent. */
export function choice<C extends string>(arg: string, choices: readonly C[], help: string): CliOption<C | undefined> {
  return {
    arg,
    help: `${help}, one of:\n${choices.join(', ')}`,
    initial: undefined,
    take(value, _previous, flagName) {
      if (!choices.includes(value as C)) throw new UsageError(`${flagName} takes one of ${choices.join(', ')}, not '${value}'`);
      return value as C;
    },
  };
}

function byShortName(table: OptionTable, letter: string): string | undefined {
  return Object.keys(table).find((name) => table[name].short === letter);
}

/**
 * Reads `argv` against `table`: `--name value`, `--name=value`, `-x value` for an option with a
 * short alias, `--flag`. A value that starts with `-` must be joined with `=`, so that a
 * forgotten value is not mistaken for the next option.
 *
 * @throws {@link UsageError} for an unknown option, a missing or bad value, a flag given a
 * value, an argument that is not an option, or two options that are alternatives.
 */
export function parseOptions<O extends OptionTable>(table: O, argv: readonly string[]): OptionValues<O> {
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      if (!Object.hasOwn(table, name)) throw new UsageError(`Unknown option '--${name}'`);
    } else if (/^-[^-]$/.test(arg)) {
      name = byShortName(table, arg[1]);
      if (name === undefined) throw new UsageError(`Unknown option '${arg}'`);
    } else {
      throw new UsageError(`unexpected argument '${arg}'`);
    }
    const option = table[name];
    const flagName = `--${name}`;
    let value: string | undefined;
    if (option.arg === undefined) {
      if (inline !== undefined) throw new UsageError(`${flagName} takes no value`);
    } else {
      value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.length > 1 && value.startsWith('-'))) {
        throw new UsageError(`${flagName} needs a value (${option.arg})`);
      }
      if (inline === undefined) i++;
    }
    values[name] = option.take(value, values[name], flagName);
    given.add(name);
  }
  for (const name of Object.keys(table)) {
    const other = table[name].alternativeTo;
    if (other !== undefined && given.has(name) && given.has(other)) {
      throw new UsageError(`--${name} and --${other} are alternatives: give one of them`);
    }
    if (!given.has(name)) values[name] = table[name].initial;
  }
  return values as OptionValues<O>;
}

function synopsis(name: string, option: CliOption<unknown>): string {
  return option.arg === undefined ? `--${name}` : `--${name} ${option.arg}`;
}

/** `Usage: <command> [--addr ADDR]... [--multicore | --loops N] ...`, from the table. */
export function usageLine(command: string, table: OptionTable): string {
  const alternatives = new Set(Object.values(table).map((option) => option.alternativeTo));
  const items = Object.entries(table)
    .filter(([name]) => !alternatives.has(name))
    .map(([name, option]) => {
      const other = option.alternativeTo;
      const inner = other === undefined ? synopsis(name, option) : `${synopsis(name, option)} | ${synopsis(other, table[other])}`;
      return `[${inner}]${option.repeatable ? '...' : ''}`;
    });
  return `Usage: ${command} ${items.join(' ')}`;
}

/**
 * Two aligned columns, as a help lists options: each row's first cell, then its text (a `\n` in
 * the text continues it under the text's column).
 */
export function helpColumns(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows
    .map(([left, right]) => `  ${left.padEnd(width)}${right.split('\n').join(`\n  ${' '.repeat(width)}`)}\n`)
    .join('');
}

/** One line (or more) per option: `-h, --help   show this help`, with defaults. */
export function optionsHelp(table: OptionTable): string {
  return helpColumns(
    Object.entries(table).map(([name, option]) => {
      const left = `${option.short === undefined ? '' : `-${option.short}, `}${synopsis(name, option)}`;
      const shown = option.shownDefault === undefined ? '' : ` (default ${option.shownDefault})`;
      return [left, `${option.help}${shown}`] as const;
    }),
  );
}

const BALANCERS: readonly LoadBalancing[] = ['round-robin', 'least-connections', 'source-addr-hash', 'random'];

/** The event-loop flags every nevio command line shares: `--multicore`, `--loops N`, `--lb ALGO`. */
export const loopFlags = {
  multicore: { ...flag('one event loop per CPU core'), alternativeTo: 'loops' },
  loops: integer('N', 'N event loops (loop 0 accepts, the others run in worker threads)', 1),
  lb: choice('ALGO', BALANCERS, 'how loop 0 spreads connections over the loops (round-robin unless given)'),
} as const;

/** Turns the values of {@link loopFlags} into `serve` options. */
export function loopOptions(values: OptionValues<typeof loopFlags>): Pick<Options, 'multicore' | 'numEventLoop' | 'lb'> {
  return { multicore: values.multicore, numEventLoop: values.loops, lb: values.lb };
}

/** The log flags of the servers that have no config file: redis-server's `loglevel` and `logfile`. */
export const logFlags = {
  loglevel: choice('LEVEL', LOG_LEVELS, 'the least important lines logged (notice unless given)'),
  logfile: text('FILE', 'append the log to FILE (opened per line, so logrotate works)\ninstead of writing it on standard output'),
} as const;

/** The log {@link logFlags} ask for. */
export function logFromFlags(values: OptionValues<typeof logFlags>): CliLog {
  return new CliLog(values.loglevel ?? 'notice', values.logfile ?? '');
}
