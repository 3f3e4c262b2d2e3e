/**
 * The log of every nevio command-line server, in redis-server's format and levels (the one log
 * format users of this field already read: nevio-redis must match it for Redis's test suite,
 * which waits for "Ready to accept connections", and for operators' log scrapers; nevio-echo
 * and nevio-http use the same, so one scraper reads all three):
 *
 *     1234:M 02 Dec 2026 04:05:06.789 * Ready to accept connections
 *
 * `loglevel` (debug, verbose, notice, warning) filters; `logfile` '' is standard output,
 * otherwise the file is appended to (opened per line, as Redis does, so that logrotate's
 * rename-and-recreate works without a signal).
 *
 * @packageDocumentation
 */
import { appendFileSync } from 'node:fs';
import type { Logger } from './types';

/** Redis's log levels, from the most verbose. */
export const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The character Redis prints for each level (serverLogRaw's `".-*#"`). */
const LEVEL_MARKS: Readonly<Record<LogLevel, string>> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Redis's timestamp: `02 Dec 2026 04:05:06.789`, local time. */
function timestamp(d: Date): string {
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${two(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`;
}

/**
 * Where and how much a server logs (`--loglevel`, `--logfile`); nevio-redis's CONFIG SET loglevel
 * changes {@link CliLog.level}. Also a core {@link Logger}, for `serve`'s `logger` option.
 */
export class CliLog implements Logger {
  /** Lines below this level are dropped. */
  level: LogLevel;
  /** The role letter Redis prints: M (master, and any other nevio server), S (replica). */
  role = 'M';

  /**
   * @param level - the lowest level written
   * @param file - the log file, '' for standard output
   */
  constructor(
    level: LogLevel = 'notice',
    readonly file = '',
  ) {
    this.level = level;
  }

  /** True when a line at `level` would be written (to skip building costly messages). */
  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) >= LOG_LEVELS.indexOf(this.level);
  }

  /**
   * The line a server prints on standard output once it serves: the log line itself, or, when
   * logging to a file, the text (which is logged there) and where the log goes.
   */
  banner(text: string): string {
    if (this.file === '') return this.format('notice', text);
    this.notice(text);
    return `${text}, logging to ${this.file}`;
  }

  /** One log line, without the newline. */
  format(level: LogLevel, msg: string): string {
    return `${process.pid}:${this.role} ${timestamp(new Date())} ${LEVEL_MARKS[level]} ${msg}`;
  }

  /** Writes one line at `level` (dropped below {@link CliLog.level}). */
  log(level: LogLevel, msg: string): void {
    if (!this.enabled(level)) return;
    const line = `${this.format(level, msg)}\n`;
    if (this.file === '') process.stdout.write(line);
    else {
      try {
        appendFileSync(this.file, line);
      } catch {
        // The file was checked at startup; if it became unwritable, standard error still works.
        process.stderr.write(line);
      }
    }
  }

  debug(msg: string): void {
    this.log('debug', msg);
  }

  verbose(msg: string): void {
    this.log('verbose', msg);
  }

  notice(msg: string): void {
    this.log('notice', msg);
  }

  warn(msg: string): void {
    this.log('warning', msg);
  }

  /** Errors are Redis's warnings (it has no higher level). */
  error(msg: string): void {
    this.log('warning', msg);
  }
}
