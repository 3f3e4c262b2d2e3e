/**
 * Buffers that view the reactor's read buffer, made without `Buffer#subarray`.
 *
 * Node's `subarray` reads `this.buffer` and `this.byteOffset` on every call through property
 * loads whose feedback every Buffer of the process shares, so V8 leaves them generic: in perf,
 * a parsed SET spent 7% of its time in `LoadIC`, two per argument. A view constructed directly
 * from the ArrayBuffer, whose base offset the parser reads once per command, costs a third
 * (50 against 135 ns per view, measured in a loop). The class is what Node's own FastBuffer
 * is: a Uint8Array whose prototype chain runs through `Buffer.prototype`, so every Buffer
 * method works on it and `Buffer.isBuffer` is true.
 *
 * @packageDocumentation
 */

class ArgumentView extends Uint8Array<ArrayBufferLike> {}
Object.setPrototypeOf(ArgumentView.prototype, Buffer.prototype);
// As FastBuffer's: code that checks `constructor` sees a Buffer.
Object.defineProperty(ArgumentView.prototype, 'constructor', { value: Buffer, writable: true, configurable: true });
// The one place the type is asserted: the prototype wiring above is what makes it true.
const BufferView = ArgumentView as unknown as new (memory: ArrayBufferLike, offset: number, length: number) => Buffer;

/** A Buffer over `length` bytes of `memory` from `offset`, sharing them (no copy). */
export function viewOf(memory: ArrayBufferLike, offset: number, length: number): Buffer {
  return new BufferView(memory, offset, length);
}
