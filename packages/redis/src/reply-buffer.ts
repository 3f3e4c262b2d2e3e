/**
 * The reply buffer's size as Redis 7.0 adapts it (clientsCronResizeOutputBuffer), for CLIENT LIST
 * `rbs`/`rbp` and DEBUG REPLYBUFFER: each client's buffer starts at 16 KB, shrinks to its peak
 * use (at least 1 KB) when the peak stays under half of it, and doubles (up to 16 KB) when a
 * batch of replies filled it; the peak restarts every `peak-reset-time` ms (5 s). nevio's
 * output buffers are pooled and do not move, so these are the figures Redis would show for the
 * same traffic, kept per client at no cost beyond a comparison per batch (`Reply.flush`).
 *
 * @packageDocumentation
 */
import type { ReplyBufferSettings } from './command';

/** Redis's PROTO_REPLY_MIN_BYTES: the smallest reply buffer. */
export const REPLY_MIN_BYTES = 1024;
/** Redis's PROTO_REPLY_CHUNK_BYTES: a new client's, and the largest, reply buffer. */
export const REPLY_CHUNK_BYTES = 16 * 1024;
/** Redis's REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME (ms). */
export const DEFAULT_PEAK_RESET_MS = 5000;

/** A client's reply buffer figures. */
export interface ReplyBufferFigures {
  /** Bytes of the buffer (`rbs`). */
  bufferSize: number;
  /** Most bytes a batch of replies put in it since the last reset (`rbp`). */
  bufferPeak: number;
  /** Bytes in it now (0 between batches). */
  readonly bufferUsed: number;
  /** When the peak was last reset (ms). */
  peakResetAt: number;
}

export class ReplyBuffers implements ReplyBufferSettings {
  peakResetMs = DEFAULT_PEAK_RESET_MS;
  resizing = true;

  /** One client's turn of the cron (Redis visits each client about once per second, or every tick when there are few). */
  resize(b: ReplyBufferFigures, nowMs: number): void {
    if (!this.resizing) return;
    const size = b.bufferSize;
    let next = 0;
    if (size / 2 >= REPLY_MIN_BYTES && b.bufferPeak < size / 2) next = Math.max(REPLY_MIN_BYTES, b.bufferPeak + 1);
    else if (size * 2 < REPLY_CHUNK_BYTES * 2 && b.bufferPeak === size) next = Math.min(REPLY_CHUNK_BYTES, size * 2);
    if (this.peakResetMs >= 0 && nowMs - b.peakResetAt >= this.peakResetMs) {
      b.bufferPeak = b.bufferUsed;
      b.peakResetAt = nowMs;
    }
    if (next !== 0) b.bufferSize = next;
  }
}
