/**
 * Pub/sub: who is subscribed to what, and the fan-out of PUBLISH to channel and pattern
 * subscribers and of SPUBLISH to shard channel subscribers (Redis's pubsub.c). Messages are
 * pushes (RESP3 `>`, RESP2 arrays), delivered even under CLIENT REPLY OFF.
 *
 * @packageDocumentation
 */
import type { Client } from './client';
import type { PubSubView } from './command';
import { globMatch } from './glob';
import type { Reply } from './reply';

/** What pub/sub needs from the server. */
export interface PubSubHost {
  /** Disconnects a client that is over its output limit; `reason` goes to the log. */
  dropClient(c: Client, reason: string): void;
  /**
   * Why a subscriber must be disconnected before it is sent more (`client-output-buffer-limit
   * pubsub`, 32 MB hard by default: one that does not read its messages is not let grow), or null.
   */
  overOutputLimit(c: Client): string | null;
  /** Counts one PUBLISH (INFO stats). */
  countMessage(): void;
}

export class PubSub implements PubSubView {
  /** Channel → subscribers. */
  readonly channels = new Map<string, Set<Client>>();
  /** Pattern → subscribers. */
  readonly patterns = new Map<string, Set<Client>>();
  /** Shard channel → subscribers (SSUBSCRIBE: a namespace of its own). */
  readonly shardChannels = new Map<string, Set<Client>>();

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

  shardChannelNames(): IterableIterator<string> {
    return this.shardChannels.keys();
  }

  get shardChannelCount(): number {
    return this.shardChannels.size;
  }

  shardSubscribers(channel: string): number {
    return this.shardChannels.get(channel)?.size ?? 0;
  }

  subscribeShard(c: Client, name: string): void {
    if (c.shardChannels.has(name)) return;
    c.shardChannels.add(name);
    let set = this.shardChannels.get(name);
    if (set === undefined) this.shardChannels.set(name, (set = new Set()));
    set.add(c);
  }

  /** Returns true when the client was subscribed. */
  unsubscribeShard(c: Client, name: string): boolean {
    if (!c.shardChannels.delete(name)) return false;
    const set = this.shardChannels.get(name);
    if (set !== undefined) {
      set.delete(c);
      if (set.size === 0) this.shardChannels.delete(name);
    }
    return true;
  }

  publishShard(channel: string, message: Buffer): number {
    const subs = this.shardChannels.get(channel);
    if (subs === undefined) return 0;
    let n = 0;
    for (const c of subs) {
      if (this.overLimit(c)) continue;
      const r = c.out;
      r.push(3);
      r.bulk('smessage');
      r.bulkKey(channel);
      r.bulk(message);
      n++;
    }
    return n;
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
    for (const ch of [...c.shardChannels]) this.unsubscribeShard(c, ch);
  }

  publish(channel: string, message: Buffer | string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      for (const c of subs) {
        if (this.overLimit(c)) continue;
        const r = c.out;
        r.push(3);
        r.bulk('message');
        r.bulkKey(channel);
        bulkMessage(r, message);
        n++;
      }
    }
    for (const [pat, set] of this.patterns) {
      if (!globMatch(pat, channel)) continue;
      for (const c of set) {
        if (this.overLimit(c)) continue;
        const r = c.out;
        r.push(4);
        r.bulk('pmessage');
        r.bulkKey(pat);
        r.bulkKey(channel);
        bulkMessage(r, message);
        n++;
      }
    }
    this.host.countMessage();
    return n;
  }

  private overLimit(c: Client): boolean {
    const reason = this.host.overOutputLimit(c);
    if (reason === null) return false;
    this.host.dropClient(c, reason);
    return true;
  }
}

/** A message's payload: a Buffer as sent to PUBLISH, or a latin1 string (a key or event name). */
function bulkMessage(r: Reply, message: Buffer | string): void {
  if (typeof message === 'string') r.bulkKey(message);
  else r.bulk(message);
}
