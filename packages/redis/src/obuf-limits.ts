/**
 * `client-output-buffer-limit` (Redis's checkClientOutputBufferLimits): per client class
 * (normal, replica, pubsub) a hard limit of pending output bytes, past which the client is
 * disconnected at once, and a soft limit, past which it is disconnected once it has stayed over
 * it for the given seconds. A subscribed client is of the pubsub class; a replica (fed the
 * replication stream) of the replica class; any other, MONITOR included, normal.
 *
 * What is measured is the connection's pending output, checked where output is produced: at
 * the end of each batch for normal clients that were handed replies (only when their class has
 * a limit: by default it has none, and a pipeline's replies are bounded by the pause in
 * `server.ts` anyway) and for every attached replica, and before each message for subscribers (`pubsub.ts`).
 *
 * @packageDocumentation
 */

/** One class's limits, in bytes and ms; 0 means none. */
export interface OutputLimit {
  readonly hard: number;
  readonly soft: number;
  readonly softMs: number;
}

/** The classes, named as CONFIG GET shows them. */
export type ClientClass = 'normal' | 'slave' | 'pubsub';

/** A client as the limits see it. */
export interface LimitedClient {
  readonly id: number;
  readonly conn: { readonly outboundBuffered: number } | null;
  /** When the client went over its soft limit (ms), 0 while under it. */
  softLimitSince: number;
  /** Pending bytes not counted (a full sync's snapshot); lowered to what is still pending. */
  outputExempt: number;
}

const NONE: OutputLimit = { hard: 0, soft: 0, softMs: 0 };

/** Parses the canonical `client-output-buffer-limit` text (`normal 0 0 0 slave … pubsub …`). */
export function parseOutputLimits(text: string): Record<ClientClass, OutputLimit> {
  const out: Record<ClientClass, OutputLimit> = { normal: NONE, slave: NONE, pubsub: NONE };
  const w = text.split(/\s+/).filter((x) => x !== '');
  for (let i = 0; i + 3 < w.length; i += 4) {
    const cls = w[i] === 'replica' ? 'slave' : w[i];
    if (cls === 'normal' || cls === 'slave' || cls === 'pubsub') out[cls] = { hard: Number(w[i + 1]), soft: Number(w[i + 2]), softMs: Number(w[i + 3]) * 1000 };
  }
  return out;
}

export class OutputLimits {
  private limits: Record<ClientClass, OutputLimit> = parseOutputLimits('');

  /** True when normal clients have a limit (the per-batch check is skipped otherwise). */
  normalLimited = false;
  /** True when replicas have a limit (by default they do: 256 MB hard, 64 MB for 60 s soft). */
  replicaLimited = false;

  /** Follows CONFIG SET client-output-buffer-limit. */
  configure(text: string): void {
    this.limits = parseOutputLimits(text);
    const { normal, slave } = this.limits;
    this.normalLimited = normal.hard > 0 || normal.soft > 0;
    this.replicaLimited = slave.hard > 0 || slave.soft > 0;
  }

  /**
   * Why `c` of class `cls` must be disconnected now (Redis's log line), or null. Keeps the time
   * it went over the soft limit. A replica's hard limit is at least `backlogSize`: below it a
   * partial resync would succeed and be cut at once (Redis 7 ignores such a limit the same way).
   */
  check(c: LimitedClient, cls: ClientClass, nowMs: number, backlogSize = 0): string | null {
    const limit = this.limits[cls];
    if ((limit.hard === 0 && limit.soft === 0) || c.conn === null) return null;
    const pending = c.conn.outboundBuffered;
    // The snapshot went out first, so no more of it than what is pending can still be pending.
    if (c.outputExempt > pending) c.outputExempt = pending;
    const used = pending - c.outputExempt;
    const hard = limit.hard > 0 && cls === 'slave' ? Math.max(limit.hard, backlogSize) : limit.hard;
    let over = hard > 0 && used >= hard;
    if (!over && limit.soft > 0 && used >= limit.soft) {
      if (c.softLimitSince === 0) c.softLimitSince = nowMs;
      else over = nowMs - c.softLimitSince > limit.softMs;
    } else if (!over) c.softLimitSince = 0;
    return over ? `Client id=${c.id} scheduled to be closed ASAP for overcoming of output buffer limits.` : null;
  }
}

/** A client as the end-of-batch check sees it. */
export interface BatchClient extends LimitedClient {
  readonly subscribed: boolean;
  readonly closing: boolean;
  /** Replication role bits: {@link OutputLimitHost.isReplica} tells a replica. */
  readonly replicationRole: number;
}

/** What the end-of-batch check needs of the server. */
export interface OutputLimitHost<C extends BatchClient> {
  readonly outputLimits: OutputLimits;
  readonly clients: ReadonlyMap<number, C>;
  /** The attached replicas' client ids and the replication backlog's size (0: none). */
  attachedReplicas(): readonly { readonly clientId: number }[];
  backlogSize(): number;
  isReplica(c: C): boolean;
  now(): number;
  /** Logs `reason` and disconnects the client. */
  dropClient(c: C, reason: string): void;
}

/**
 * At the end of a batch: `client-output-buffer-limit normal` for the clients that were just
 * handed replies (not subscribers, whose class is checked per message, nor replicas), then
 * `replica` for every attached replica, its hard limit raised to the backlog's size.
 */
export function checkBatchOutput<C extends BatchClient>(host: OutputLimitHost<C>, flushed: readonly C[]): void {
  const limits = host.outputLimits;
  const now = host.now();
  if (limits.normalLimited) {
    for (const c of flushed) {
      if (c.subscribed || c.closing || host.isReplica(c)) continue;
      const reason = limits.check(c, 'normal', now);
      if (reason !== null) host.dropClient(c, reason);
    }
  }
  const attached = host.attachedReplicas();
  if (!limits.replicaLimited || attached.length === 0) return;
  const backlogSize = host.backlogSize();
  // Backwards: dropping a replica removes it from the list.
  for (let i = attached.length - 1; i >= 0; i--) {
    const c = host.clients.get(attached[i].clientId);
    if (c === undefined || c.closing) continue;
    const reason = limits.check(c, 'slave', now, backlogSize);
    if (reason !== null) host.dropClient(c, reason);
  }
}
