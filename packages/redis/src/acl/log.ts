/**
 * ACL LOG (Redis's ACLLog): denied commands, keys, channels and failed AUTHs, newest first; an
 * event like one of the ten newest (same reason, context, object and user, within a minute)
 * bumps that entry's count instead of adding one, and the log keeps `acllog-max-len` entries.
 *
 * @packageDocumentation
 */
import type { AclLogEntryView } from './view';
import { DENIED_AUTH, DENIED_CHANNEL, DENIED_CMD, DENIED_KEY } from './check';

/** Events further apart than this are separate entries (Redis's ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_MS = 60000;
/** How many of the newest entries a new event is compared with (Redis scans 10). */
const GROUPING_SCAN = 10;

/** Where a denial happened (Redis's ACL_LOG_CTX_*). */
export type LogContext = 'toplevel' | 'multi' | 'lua';

const REASONS: Readonly<Record<number, string>> = { [DENIED_CMD]: 'command', [DENIED_KEY]: 'key', [DENIED_CHANNEL]: 'channel', [DENIED_AUTH]: 'auth' };

interface Entry {
  count: number;
  readonly reason: string;
  readonly context: LogContext;
  readonly object: string;
  readonly username: string;
  time: number;
  clientInfo: string;
}

export class AclLog {
  private entries: Entry[] = [];

  /** Adds an event (`reason` a DENIED_* value); `maxLen` is `acllog-max-len`. */
  add(reason: number, context: LogContext, object: string, username: string, clientInfo: string, now: number, maxLen: number): void {
    const text = REASONS[reason] ?? 'unknown';
    const scan = Math.min(GROUPING_SCAN, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const e = this.entries[i];
      if (e.reason !== text || e.context !== context || Math.abs(e.time - now) > GROUPING_MS || e.object !== object || e.username !== username) continue;
      e.count++;
      e.time = now;
      e.clientInfo = clientInfo;
      this.entries.splice(i, 1);
      this.entries.unshift(e);
      return;
    }
    this.entries.unshift({ count: 1, reason: text, context, object, username, time: now, clientInfo });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  /** The newest `count` entries. */
  newest(count: number): readonly AclLogEntryView[] {
    return this.entries.slice(0, Math.max(0, count));
  }

  reset(): void {
    this.entries = [];
  }
}
