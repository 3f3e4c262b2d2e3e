/**
 * MONITOR (Redis's replicationFeedMonitors): every command run, shown to the monitoring clients
 * as `+<seconds>.<microseconds> [<db> <client address>] "arg" "arg" …` once it has run, scripts
 * when they start and the commands they run as `[<db> lua]`. Commands flagged admin or
 * skip_monitor are not shown otherwise; AUTH and HELLO's passwords are redacted.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import { addressString } from './command';
import { migrateSecret } from './redact';

/** EVAL & co., shown when they start (before the commands they run), as Redis's evalCommand does. */
const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** True for the commands MONITOR shows before they run. */
export function isScriptCommand(name: string): boolean {
  return SCRIPT_COMMANDS.has(name);
}

/** What MONITOR shows instead of a password. */
const REDACTED = Buffer.from('(redacted)');

/** One argument as Redis's sdscatrepr quotes it: printable ASCII as is, `\n \r \t \a \b \\ \"`, else `\xHH`. */
export function quote(arg: Buffer): string {
  let s = '"';
  for (let i = 0; i < arg.length; i++) {
    const b = arg[i];
    switch (b) {
      case 0x5c:
        s += '\\\\';
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x07:
        s += '\\a';
        break;
      case 0x08:
        s += '\\b';
        break;
      default:
        s += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    }
  }
  return `${s}"`;
}

/** The arguments MONITOR may show: AUTH's, HELLO's after AUTH and MIGRATE's AUTH/AUTH2 are replaced. */
function redact(name: string, argv: readonly Buffer[]): readonly Buffer[] {
  if (name === 'auth') return argv.map((a, i) => (i === 0 ? a : REDACTED));
  if (name === 'migrate') return argv.map((a, i) => (migrateSecret(argv, i) ? REDACTED : a));
  if (name !== 'hello') return argv;
  const out = argv.slice();
  for (let i = 2; i + 2 < out.length; i++) {
    if (out[i].length === 4 && out[i].latin1Slice(0, 4).toLowerCase() === 'auth') {
      out[i + 1] = REDACTED;
      out[i + 2] = REDACTED;
      i += 2;
    }
  }
  return out;
}

export class Monitors {
  /** The clients in MONITOR mode, in the order they started. */
  readonly clients = new Set<Client>();

  get size(): number {
    return this.clients.size;
  }

  /** Shows one command that `c` ran (`name` its command-table name) to every monitor. */
  feed(c: Client, name: string, argv: readonly Buffer[]): void {
    const nowUs = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const seconds = Math.floor(nowUs / 1e6);
    const micros = String(nowUs % 1e6).padStart(6, '0');
    const a = c.conn?.remoteAddr;
    const where = a === undefined ? 'lua' : a.network.startsWith('unix') ? `unix:${a.address}` : addressString(a);
    const args = redact(name, argv).map(quote).join(' ');
    const line = Buffer.from(`+${seconds}.${micros} [${c.db.index} ${where}] ${args}\r\n`, 'latin1');
    for (const m of this.clients) m.reply.raw(line);
  }
}
