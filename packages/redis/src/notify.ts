/**
 * Keyspace notifications (Redis's notify.c): the event classes of `notify-keyspace-events`,
 * the parsing and CONFIG GET rendering of its letters, and the two Pub/Sub messages an event
 * becomes. Commands raise events through {@link CommandContext.notify}; the keyspace raises
 * `new`, `expired`, `keymiss` and (through eviction) `evicted` itself.
 *
 * @packageDocumentation
 */

// One bit per class, with Redis's letters. Commands pass exactly one class per event.
/** `K`: publish `__keyspace@<db>__:<key>` messages (the event as payload). */
export const NOTIFY_KEYSPACE = 1 << 0;
/** `E`: publish `__keyevent@<db>__:<event>` messages (the key as payload). */
export const NOTIFY_KEYEVENT = 1 << 1;
/** `g`: generic commands (DEL, EXPIRE, RENAME, COPY, MOVE, …). */
export const NOTIFY_GENERIC = 1 << 2;
/** `$`: string commands. */
export const NOTIFY_STRING = 1 << 3;
/** `l`: list commands. */
export const NOTIFY_LIST = 1 << 4;
/** `s`: set commands. */
export const NOTIFY_SET = 1 << 5;
/** `h`: hash commands. */
export const NOTIFY_HASH = 1 << 6;
/** `z`: sorted set commands. */
export const NOTIFY_ZSET = 1 << 7;
/** `x`: a key expired (lazily or by active expiry). */
export const NOTIFY_EXPIRED = 1 << 8;
/** `e`: a key was evicted by maxmemory. */
export const NOTIFY_EVICTED = 1 << 9;
/** `t`: stream commands. */
export const NOTIFY_STREAM = 1 << 10;
/** `m`: a read found no key (not part of `A`, as in Redis: it is far too chatty). */
export const NOTIFY_KEY_MISS = 1 << 11;
/** `d`: module events (accepted for compatibility; nevio has no modules). */
export const NOTIFY_MODULE = 1 << 13;
/** `n`: a key was created (not part of `A`). */
export const NOTIFY_NEW = 1 << 14;
/** `A`: every class except `m` and `n`. */
export const NOTIFY_ALL =
  NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

/** The class letters in the order CONFIG GET prints them when not all of `A` is set. */
const CLASS_LETTERS: readonly (readonly [bit: number, letter: string])[] = [
  [NOTIFY_GENERIC, 'g'],
  [NOTIFY_STRING, '$'],
  [NOTIFY_LIST, 'l'],
  [NOTIFY_SET, 's'],
  [NOTIFY_HASH, 'h'],
  [NOTIFY_ZSET, 'z'],
  [NOTIFY_EXPIRED, 'x'],
  [NOTIFY_EVICTED, 'e'],
  [NOTIFY_STREAM, 't'],
  [NOTIFY_MODULE, 'd'],
  [NOTIFY_NEW, 'n'],
];
/** The letters printed after the classes, in CONFIG GET's order. */
const TRAILING_LETTERS: readonly (readonly [bit: number, letter: string])[] = [
  [NOTIFY_KEYSPACE, 'K'],
  [NOTIFY_KEYEVENT, 'E'],
  [NOTIFY_KEY_MISS, 'm'],
];
const BY_LETTER = new Map<string, number>([...CLASS_LETTERS, ...TRAILING_LETTERS].map(([bit, letter]) => [letter, bit]));
BY_LETTER.set('A', NOTIFY_ALL);

/** The error CONFIG SET gives for an unknown letter (Redis's text). */
export const INVALID_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** `notify-keyspace-events` letters to `NOTIFY_*` bits; undefined when a letter is unknown. */
export function parseKeyspaceEvents(letters: string): number | undefined {
  let flags = 0;
  for (const letter of letters) {
    const bit = BY_LETTER.get(letter);
    if (bit === undefined) return undefined;
    flags |= bit;
  }
  return flags;
}

/** `NOTIFY_*` bits to the letters CONFIG GET shows: `A` when every class of it is set, then K, E, m. */
export function formatKeyspaceEvents(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) {
    s = 'A';
    // `n` is outside `A`, but Redis prints nothing for it then (its renderer skips every class).
  } else {
    for (const [bit, letter] of CLASS_LETTERS) if ((flags & bit) !== 0) s += letter;
  }
  for (const [bit, letter] of TRAILING_LETTERS) if ((flags & bit) !== 0) s += letter;
  return s;
}

/**
 * `NOTIFY_*` bits to letters that keep every bit (each class by its letter, never `A`): what the
 * configuration stores, since CONFIG GET's rendering drops `n` next to `A` (`KEAn` shows `AKE`
 * in Redis, whose server still raises `new` events).
 */
export function keyspaceEventLetters(flags: number): string {
  let s = '';
  for (const [bit, letter] of [...CLASS_LETTERS, ...TRAILING_LETTERS]) if ((flags & bit) !== 0) s += letter;
  return s;
}

/** Where keyspace events are published: Pub/Sub's fan-out, `message` a latin1 string. */
export type EventPublisher = (channel: string, message: string) => void;

/**
 * Publishes one event as Redis does: `__keyspace@<db>__:<key>` carrying the event name when `K`
 * is on, then `__keyevent@<db>__:<event>` carrying the key when `E` is on. The caller has checked
 * that `flags` enables the event's class. Keys are latin1 strings (one char per byte).
 */
export function publishKeyspaceEvent(publish: EventPublisher, flags: number, event: string, key: string, dbIndex: number): void {
  if ((flags & NOTIFY_KEYSPACE) !== 0) publish(`__keyspace@${dbIndex}__:${key}`, event);
  if ((flags & NOTIFY_KEYEVENT) !== 0) publish(`__keyevent@${dbIndex}__:${event}`, key);
}
