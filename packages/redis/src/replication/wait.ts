/**
 * WAIT numreplicas timeout (Redis's waitCommand and processClientsWaitingReplicas): the client
 * blocks until that many replicas acknowledged the offset of its last write, or the timeout
 * passes; either way it gets the number that did.
 *
 * @packageDocumentation
 */
import type { BlockSpec, CommandContext } from '../command';

/** One client in WAIT. */
interface Waiter {
  readonly clientId: number;
  readonly spec: BlockSpec;
  readonly offset: number;
  readonly replicas: number;
}

/** The clients blocked in WAIT. */
export class AckWaiters {
  private waiting: Waiter[] = [];

  constructor(
    /** How many replicas acknowledged an offset. */
    private readonly acked: (offset: number) => number,
    /** Whether client `id` is still blocked by `spec` (it may have gone, or been unblocked). */
    private readonly blockedBy: (id: number, spec: BlockSpec) => boolean,
    /** Ends client `id`'s wait: its reply is the count (the spec's timeout reply). */
    private readonly release: (id: number) => void,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  /**
   * WAIT: answers at once when enough replicas acknowledged `offset` already (or inside MULTI,
   * where nothing can block); otherwise blocks the client for up to `timeoutMs` (0: forever).
   */
  wait(ctx: CommandContext, replicas: number, timeoutMs: number, offset: number): void {
    const acked = this.acked(offset);
    if (acked >= replicas || !ctx.client.canBlock) return ctx.reply.integer(acked);
    const spec: BlockSpec = {
      keys: [],
      timeoutMs,
      serve: () => false,
      timedOut: (reply) => {
        this.drop(spec);
        reply.integer(this.acked(offset));
      },
    };
    this.waiting.push({ clientId: ctx.client.id, spec, offset, replicas });
    ctx.client.block(spec);
  }

  /** After an ACK: releases the waiters whose replicas all acknowledged. */
  check(): void {
    if (this.waiting.length === 0) return;
    for (const w of this.waiting.slice()) {
      if (!this.blockedBy(w.clientId, w.spec)) this.drop(w.spec);
      else if (this.acked(w.offset) >= w.replicas) this.release(w.clientId);
    }
  }

  private drop(spec: BlockSpec): void {
    this.waiting = this.waiting.filter((w) => w.spec !== spec);
  }
}
