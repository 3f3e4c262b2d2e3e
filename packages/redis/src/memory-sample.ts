/**
 * Estimating a collection's bytes from a sample, as Redis's objectComputeSize does for MEMORY
 * USAGE: the average of the first `samples` elements times the element count. The keyspace
 * keeps every key's estimate current after each write (keyspace.ts), so the estimate must cost
 * O(samples), not O(n): a SADD to a set of a million members would otherwise walk all of them.
 *
 * @packageDocumentation
 */

/** What a key costs besides its value: the dict entry, the key string's header, the value header (~Redis's). */
export const KEY_OVERHEAD = 56;

/** Elements looked at per estimate: MEMORY USAGE's default (Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES). */
export const DEFAULT_SAMPLES = 5;

/**
 * The bytes of `size` elements estimated from the first `samples` of `items` (every one when
 * `samples` is 0 or at least `size`).
 */
export function sampledBytes<T>(items: Iterable<T>, size: number, samples: number, bytesOf: (item: T) => number): number {
  if (size === 0) return 0;
  let bytes = 0;
  let seen = 0;
  for (const item of items) {
    bytes += bytesOf(item);
    if (++seen === samples) break;
  }
  return scaledSample(bytes, seen, size);
}

/**
 * `bytes` measured over the first `seen` of `size` elements, scaled to all of them. For the
 * containers whose hot path walks their own storage instead of an iterator (streams: an
 * iterator's tuple per element cost 7% of XADD's time).
 */
export function scaledSample(bytes: number, seen: number, size: number): number {
  return seen >= size || seen === 0 ? bytes : (bytes / seen) * size;
}
