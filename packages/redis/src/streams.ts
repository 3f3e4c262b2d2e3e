/**
 * Replies produced in pieces (SRANDMEMBER/HRANDFIELD/ZRANDMEMBER with large negative counts,
 * LRANGE of a huge list): instead of building the whole reply in one go, which for a count of
 * 2^63-1 never ends, the command writes its header and hands a {@link ReplyPiece} producer to
 * {@link ClientState.stream}. Pieces are then written between other clients' events, while the
 * connection's pending output stays under the reactor's write high watermark (1 MiB by
 * default): past it the stream waits for the `drained` event. So the JS heap holds one piece,
 * the native buffer about a watermark, and the stream ends when the reply is complete or the
 * client is gone. The client's pipelined commands wait meanwhile, as behind a blocking command.
 *
 * @packageDocumentation
 */
import { defaults } from '@nevio/core';
import type { Client } from './client';
import type { ReplyPiece } from './command';

/**
 * How long one turn of a stream may hold the loop (ms) before it yields (setImmediate) to the
 * other connections: short enough that a PING elsewhere is answered within a few ms.
 */
const TURN_MS = 4;

/** What streaming needs from the server. */
export interface StreamHost {
  /** Hands the replies written so far to the connections. */
  flush(): void;
}

export class ReplyStreams {
  constructor(private readonly host: StreamHost) {}

  /** Starts streaming `next` for `c` (see {@link ClientState.stream}). */
  start(c: Client, next: ReplyPiece): void {
    if (!c.canBlock) {
      // Inside EXEC (or an internal client) later replies must follow at once: write it all,
      // but stop as soon as the connection refuses output.
      while (!next(c.reply)) if (c.conn === null || c.conn.closed || c.closing) return;
      return;
    }
    c.streaming = next;
    setImmediate(() => this.turn(c, next));
  }

  /** The connection's output fell to the low watermark: a waiting stream goes on. */
  drained(c: Client): void {
    const next = c.streaming;
    if (next !== null) this.turn(c, next);
  }

  /** The client is gone: its stream ends. */
  stop(c: Client): void {
    c.streaming = null;
  }

  private turn(c: Client, next: ReplyPiece): void {
    if (c.streaming !== next) return;
    const conn = c.conn;
    const until = performance.now() + TURN_MS;
    for (;;) {
      if (conn === null || conn.closed || c.closing) return this.stop(c);
      const done = next(c.reply);
      this.host.flush();
      if (done) {
        c.streaming = null;
        // Lets the client's pipelined commands run (the reactor presents them again).
        if (!conn.closed) conn.wake();
        return;
      }
      // Past the high watermark the reactor reports `drained`; until then, wait.
      if (conn.outboundBuffered >= defaults.writeHighWatermark) return;
      if (performance.now() >= until) {
        setImmediate(() => this.turn(c, next));
        return;
      }
    }
  }
}
