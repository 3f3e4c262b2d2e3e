/**
 * Argument helpers shared by the algorithm modules: keyword tests and Redis's integer arguments
 * (`getLongLongFromObjectOrReply`), raising {@link CommandError} with Redis's texts.
 *
 * @packageDocumentation
 */
import { CommandError, NOT_INTEGER } from '../errors';
import { parseInt64Big } from './int64';

/** True when `arg` is `word` (given in lowercase ASCII) in any case, as strcasecmp compares. */
export function argIs(arg: Uint8Array, word: string): boolean {
  if (arg.length !== word.length) return false;
  for (let i = 0; i < word.length; i++) if ((arg[i] | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** An int64 argument, exact; throws `msg` (by default Redis's "not an integer") when invalid. */
export function int64Arg(arg: Uint8Array, msg = NOT_INTEGER): bigint {
  const v = parseInt64Big(arg);
  if (v === null) throw new CommandError(msg);
  return v;
}
