import type { Transform } from 'node:stream';
import { LazyEmitter, type Listener } from './lazy-emitter';

/**
 * The events a response emits (`res.on(event, listener)`): `'finish'` (the response was ended
 * and handed to the connection), `'close'` (after it, or when the connection closed first) and
 * `'drain'` (after {@link Response.write} returned `false`, once the connection's output has
 * fallen to the low watermark).
 */
export type ResponseEvent = 'finish' | 'close' | 'drain';

/**
 * The part of a response's state that most responses never touch: listeners, `writeHead`'s lock
 * and reason phrase, backpressure and compression. A {@link Response} makes it on first use, so
 * the common response stays the small object it was before Node's API was added: with these
 * seven fields and the emitter inline, V8 stopped inlining the Response constructor, and one
 * connection took 195 ns per pipelined Hello-World request instead of 150 (its parser and
 * handler alone, without sockets; 5-8% more server CPU per request in packages/bench).
 */
export class ResponseExtra extends LazyEmitter<ResponseEvent> {
  /** `writeHead` was called: the header set is final, as in Node. */
  locked = false;
  /** The reason phrase set through `statusMessage`, if any. */
  message: string | undefined = undefined;
  /** `write` returned false and no 'drain' has followed yet. */
  needDrain = false;
  /** `compress` was called. */
  compressing = false;
  /** The zlib stream a compressed streamed body goes through; what it outputs is sent as it comes. */
  encoder: Transform | null = null;
  /** `end` was called on an encoded body: the response is done once the encoder has flushed. */
  ending = false;
  /** `end`'s callback, held until the encoder has flushed. */
  endCallback: Listener | undefined = undefined;
}
