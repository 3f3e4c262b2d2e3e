/**
 * The SCAN family's one implementation (Redis's `scanGenericCommand`): SCAN, HSCAN, SSCAN and
 * ZSCAN parse their cursor and options with `parseScan` (`args.ts`) and page through a
 * {@link ScanSource} here, which applies COUNT, MATCH and the source's own filter (TYPE, expired
 * keys) and writes the `[next cursor, elements]` reply.
 *
 * @packageDocumentation
 */
import type { ScanOptions } from './args';
import { globMatch } from './glob';
import type { Reply } from './reply';

/** What a SCAN command iterates over, by position. */
export interface ScanSource<T> {
  /** Number of positions (read after {@link ScanSource.position}). */
  readonly size: number;
  /**
   * True when every element is returned in one call, whatever the cursor and COUNT (Redis does
   * so for listpack and intset encodings, whose elements have no stable positions).
   */
  readonly whole: boolean;
  /** The elements at positions [start, end). */
  slice(start: number, end: number): readonly T[];
  /** The string MATCH applies to (key, field or member). */
  name(item: T): string;
  /** Writes one element (a key, a member, or a field and its value). */
  write(reply: Reply, item: T): void;
  /** Replies written per element: 2 for field/value and member/score pairs. */
  readonly width: 1 | 2;
  /** An extra filter: TYPE, keys that have expired but are not reclaimed yet. */
  accept?(item: T): boolean;
  /** The position a cursor resumes at; by default the cursor itself. */
  position?(cursor: number): number;
  /** The cursor resuming at `pos` (< size); by default `pos` itself. */
  cursorAt?(pos: number): number;
  /** Called when the iteration is complete (the reply's cursor is 0). */
  done?(): void;
}

/** Replies to a SCAN-family call: one page of `source` from `opts.cursor`. */
export function scanReply<T>(reply: Reply, opts: ScanOptions, source: ScanSource<T> | undefined): void {
  reply.array(2);
  if (source === undefined) {
    reply.bulk('0');
    reply.array(0);
    return;
  }
  // `position` may pick what is iterated (SCAN's snapshot of the keys): `size` is read after it.
  const from = source.whole ? 0 : source.position !== undefined ? source.position(opts.cursor) : opts.cursor;
  const size = source.size;
  const start = Math.min(size, from);
  const end = source.whole ? size : Math.min(size, start + opts.count);
  const out: T[] = [];
  for (const item of source.slice(start, end)) {
    if (opts.match !== null && !globMatch(opts.match, source.name(item))) continue;
    if (source.accept !== undefined && !source.accept(item)) continue;
    out.push(item);
  }
  if (end >= size) {
    reply.bulk('0');
    source.done?.();
  } else reply.bulk(String(source.cursorAt !== undefined ? source.cursorAt(end) : end));
  reply.array(out.length * source.width);
  for (const item of out) source.write(reply, item);
}
