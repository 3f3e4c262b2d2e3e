/**
 * SLOWLOG's log (Redis's slowlog.c): commands that ran for at least `slowlog-log-slower-than`
 * microseconds, newest first, at most `slowlog-max-len` of them. Arguments are trimmed as Redis
 * trims them (32 arguments, 128 bytes each) and secrets are redacted.
 *
 * @packageDocumentation
 */
import { SENSITIVE } from './config-table';
import { lookupParam } from './config';
import { migrateSecret } from './redact';

/** Arguments kept per entry (Redis's SLOWLOG_ENTRY_MAX_ARGC). */
const MAX_ARGC = 32;
/** Bytes kept per argument (Redis's SLOWLOG_ENTRY_MAX_STRING). */
const MAX_STRING = 128;

/** One logged command. */
export interface SlowLogEntry {
  readonly id: number;
  /** Unix time in seconds. */
  readonly time: number;
  readonly durationUs: number;
  readonly argv: readonly Buffer[];
  /** `ip:port` of the client. */
  readonly peer: string;
  readonly clientName: string;
}

const REDACTED = Buffer.from('(redacted)');

/**
 * True for argument `i` of a command whose value is a secret: CONFIG SET of a sensitive
 * parameter, AUTH's arguments, ACL SETUSER's name and rules (Redis redacts them all).
 */
function secret(argv: readonly Buffer[], i: number): boolean {
  const name = argv[0].toString().toLowerCase();
  if (name === 'auth') return i >= 1;
  if (name === 'acl') return i >= 2 && argv[1].toString().toLowerCase() === 'setuser';
  if (argv.length < 4 || name !== 'config' || argv[1].toString().toLowerCase() !== 'set') return false;
  if (i < 3 || i % 2 === 0) return false;
  const spec = lookupParam(argv[i - 1].toString());
  return spec !== undefined && (spec.flags & SENSITIVE) !== 0;
}

/** The log itself; the server pushes, SLOWLOG reads. */
export class SlowLog {
  /** Newest first. */
  readonly entries: SlowLogEntry[] = [];
  private nextId = 0;

  /** Records a command (copies what it keeps of `argv`), then trims to `maxLen`. */
  push(argv: readonly Buffer[], durationUs: number, time: number, peer: string, clientName: string, maxLen: number): void {
    const n = Math.min(argv.length, MAX_ARGC);
    const kept: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      if (n !== argv.length && i === n - 1) {
        kept.push(Buffer.from(`... (${argv.length - MAX_ARGC + 1} more arguments)`));
      } else if (secret(argv, i) || migrateSecret(argv, i)) {
        kept.push(REDACTED);
      } else if (argv[i].length > MAX_STRING) {
        kept.push(Buffer.concat([argv[i].subarray(0, MAX_STRING), Buffer.from(`... (${argv[i].length - MAX_STRING} more bytes)`)]));
      } else {
        kept.push(Buffer.from(argv[i]));
      }
    }
    this.entries.unshift({ id: this.nextId++, time, durationUs, argv: kept, peer, clientName });
    this.trim(maxLen);
  }

  /** Drops the oldest entries past `maxLen` (CONFIG SET slowlog-max-len applies at once). */
  trim(maxLen: number): void {
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries.length = 0;
  }
}
