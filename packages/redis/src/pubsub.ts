/**
 * Pub/sub: who is subscribed to what, and the fan-out of PUBLISH to channel and pattern
 * subscribers (Redis's pubsub.c). Messages are pushes (RESP3 `>`, RESP2 arrays).
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import type { PubSubView } from './command';
import { globMatch } from './glob';

/**
 * A subscriber that does not read its messages is disconnected once 32 MB wait for it
 * (Redis's `client-output-buffer-limit pubsub` hard limit), rather than growing without bound.
 */
const PUBSUB_OUTPUT_LIMIT = 32 * 1024 * 1024;

/** What pub/sub needs from the server. */
export interface PubSubHost {
  /** Disconnects a client that is over its output limit; `reason` goes to the log. */
  dropClient(c: Client, reason: string): void;
  /** Counts one PUBLISH (INFO stats). */
  countMessage(): void;
}

export class PubSub implements PubSubView {
  /** Channel → subscribers. */
  readonly channels = new Map<string, Set<Client>>();
  /** Pattern → subscribers. */
  readonly patterns = new Map<string, Set<Client>>();

  constructor(private readonly host: PubSubHost) {}

  channelNames(): IterableIterator<string> {
    return this.channels.keys();
  }

  get channelCount(): number {
    return this.channels.size;
  }

  get patternCount(): number {
    return this.patterns.size;
  }

  subscribers(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  subscribe(c: Client, name: string, pattern: boolean): void {
    const own = pattern ? c.patterns : c.channels;
    if (own.has(name)) return;
    own.add(name);
    const map = pattern ? this.patterns : this.channels;
    let set = map.get(name);
    if (set === undefined) map.set(name, (set = new Set()));
    set.add(c);
  }

  /** Returns true when the client was subscribed. */
  unsubscribe(c: Client, name: string, pattern: boolean): boolean {
    const own = pattern ? c.patterns : c.channels;
    if (!own.delete(name)) return false;
    const map = pattern ? this.patterns : this.channels;
    const set = map.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) map.delete(name);
    }
    return true;
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  unsubscribeAll(c: Client): void {
    for (const ch of [...c.channels]) this.unsubscribe(c, ch, false);
    for (const p of [...c.patterns]) this.unsubscribe(c, p, true);
  }

  publish(channel: string, message: Buffer): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      for (const c of subs) {
        if (this.overLimit(c)) continue;
        const r = c.reply;
        r.push(3);
        r.bulk('message');
        r.bulkKey(channel);
        r.bulk(message);
        n++;
      }
    }
    for (const [pat, set] of this.patterns) {
      if (!globMatch(pat, channel)) continue;
      for (const c of set) {
        if (this.overLimit(c)) continue;
        const r = c.reply;
        r.push(4);
        r.bulk('pmessage');
        r.bulkKey(pat);
        r.bulkKey(channel);
        r.bulk(message);
        n++;
      }
    }
    this.host.countMessage();
    return n;
  }

  private overLimit(c: Client): boolean {
    const conn = c.conn;
    if (conn === null || conn.outboundBuffered <= PUBSUB_OUTPUT_LIMIT) return false;
    this.host.dropClient(c, `Client id=${c.id} closed for overcoming of output buffer limits.`);
    return true;
  }
}
