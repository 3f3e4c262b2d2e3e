/**
 * The runner every nevio command (`nevio-echo`, `nevio-http`, `nevio-redis`) shares, so that they
 * read arguments, answer `--help` and `--version`, take signals and exit alike:
 *
 * | exit status | when |
 * | --- | --- |
 * | 0 | `--help`, `--version` ({@link versionLine}), or the server stopped (a signal, or the server itself) |
 * | 1 | a runtime failure: it cannot start (an address in use), its stop failed, or a second signal cut the stop short |
 * | 2 | a usage error: an unknown option, a bad value ({@link UsageError}), an address that does not parse ({@link AddressError}) |
 *
 * The first SIGINT or SIGTERM stops the server gracefully (`stop()`: pending output is written);
 * a second one exits at once, for a stop that waits on peers that do not read. Both are logged.
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { backend } from '@nevio/native';
import { AddressError } from './errors';
import { flag, optionsHelp, type OptionTable, type OptionValues, parseOptions, usageLine, UsageError } from './cli-flags';
import type { CliLog, LogLevel } from './log';

/** What a command line asks for: the help, the version, or to serve with these values. */
export type CommandRequest<V> = { readonly run: 'help' } | { readonly run: 'version' } | { readonly run: 'serve'; readonly values: V };

/** How a command reads its arguments into values of type `V`. */
export interface Grammar<V> {
  /** `Usage: <command> ...`, the first line of `--help`. */
  usage(command: string): string;
  /** Every argument described, the end of `--help`. */
  details(): string;
  /** Reads the arguments (without node and the script). Throws {@link UsageError}. */
  parse(argv: readonly string[]): CommandRequest<V>;
}

const HELP = flag('show this help', 'h');
const VERSION = flag('print the version');

/**
 * The usual grammar: the options of `table` (see `parseOptions`) and `-h, --help` and
 * `--version`, which win wherever they appear.
 */
export function optionGrammar<O extends OptionTable>(table: O): Grammar<OptionValues<O>> {
  const full = { ...table, help: HELP, version: VERSION };
  return {
    usage: (command) => usageLine(command, full),
    details: () => `Options:\n${optionsHelp(full)}`,
    parse(argv) {
      // Values never start with '-' unless joined with '=', so these are never a value.
      const end = argv.indexOf('--');
      const options = end < 0 ? argv : argv.slice(0, end);
      if (options.includes('--help') || options.includes('-h')) return { run: 'help' };
      if (options.includes('--version')) return { run: 'version' };
      return { run: 'serve', values: parseOptions(table, argv) };
    },
  };
}

/** A server a command started. */
export interface Running {
  /** Printed on stdout once it serves, e.g. `nevio-echo listening on tcp://127.0.0.1:5000 ...`. */
  readonly banner: string;
  /**
   * Stops gracefully; the first SIGINT or SIGTERM calls it. It resolves to `'declined'` when the
   * program chose to keep running instead (nevio-redis: SHUTDOWN ABORT, a final save that
   * failed): the next signal then asks for a graceful stop again rather than exiting at once.
   */
  stop(): Promise<void | 'declined'>;
  /** Resolves once it has stopped, whoever stopped it; the process then exits with status 0. */
  readonly done: Promise<void>;
  /** Its log: the signal and stop lines go there too (without one, plain lines on standard output). */
  readonly log?: CliLog;
}

/** A command: how it reads its arguments and how it starts. */
export interface Command<V> {
  /** Its name, e.g. `nevio-echo`: the usage and every message it prints start with it. */
  readonly name: string;
  /** What it is, a paragraph the help prints under the usage line. */
  readonly summary: string;
  /** The directory of the package whose `package.json` version `--version` prints. */
  readonly packageDir: string;
  /** How it reads its arguments: usually {@link optionGrammar} over an option table. */
  readonly grammar: Grammar<V>;
  /**
   * Starts serving. It throws {@link UsageError} for a value that is only found wrong here (a
   * directory that does not exist), anything else when it cannot start (exit status 1).
   */
  start(values: V): Promise<Running>;
}

/**
 * What `--version` prints: `nevio-echo 0.1.0 (node v20.19.0, epoll)` — the package's version,
 * then what decides its behaviour besides it: the Node.js that runs it and the reactor's backend.
 */
export function versionLine(command: string, version: string): string {
  return `${command} ${version} (node ${process.version}, ${backend})`;
}

function describeError(error: unknown): string {
  // Errors with a code (nevio's, the system's) explain themselves; others are bugs: the stack.
  if (error instanceof Error) return typeof (error as { code?: unknown }).code === 'string' ? error.message : String(error.stack);
  return String(error);
}

/**
 * Runs `command` with `argv` (default: the process's arguments) and exits as the module's
 * table says. In a worker-thread event loop (`--loops`, `--multicore`), which loads the command's
 * module again, it only starts the loop: loop 0 prints the banner and takes the signals.
 */
export async function runCommand<V>(command: Command<V>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { name } = command;
  const exit = (status: number, message?: string): never => {
    if (message !== undefined) process.stderr.write(`${name}: ${message}\n`);
    process.exit(status);
  };
  let parsed: CommandRequest<V>;
  try {
    parsed = command.grammar.parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return exit(2, `${error.message}\nTry '${name} --help'.`);
    return exit(1, describeError(error));
  }
  if (parsed.run === 'help') {
    process.stdout.write(`${command.grammar.usage(name)}\n\n${command.summary}\n\n${command.grammar.details()}`);
    return;
  }
  if (parsed.run === 'version') {
    const manifest = JSON.parse(readFileSync(path.join(command.packageDir, 'package.json'), 'utf8')) as { version: string };
    process.stdout.write(`${versionLine(name, manifest.version)}\n`);
    return;
  }
  let running: Running;
  try {
    running = await command.start(parsed.values);
  } catch (error) {
    if (error instanceof UsageError || error instanceof AddressError) return exit(2, `${error.message}\nTry '${name} --help'.`);
    return exit(1, `cannot start: ${describeError(error)}`);
  }
  if (!isMainThread) return;
  process.stdout.write(`${running.banner}\n`);
  const { log } = running;
  const say = (level: LogLevel, line: string): void => {
    if (log === undefined) process.stdout.write(`${name}: ${line}\n`);
    else log.log(level, line);
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      say('warning', `received ${signal} while stopping, exiting at once`);
      exit(1);
    }
    stopping = true;
    say('warning', `received ${signal}, stopping gracefully (a second signal exits at once)`);
    running.stop().then(
      (outcome) => {
        if (outcome === 'declined') stopping = false;
      },
      (error: unknown) => exit(1, `stop failed: ${describeError(error)}`),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await running.done;
  say('notice', 'stopped');
  exit(0);
}
