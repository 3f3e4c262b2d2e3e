/**
 * Error replies. A command throws {@link CommandError} to answer with an error: the dispatcher
 * catches it, writes `-<message>` and carries on with the next command.
 *
 * @packageDocumentation
 */

/**
 * An error reply; `message` starts with the code, e.g. `ERR syntax error`. `counted`: false for
 * an error already counted in INFO errorstats (a script passing on the error of a command it
 * called), which still makes the command a failed call.
 */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly counted = true,
  ) {
    super(message);
  }
}

/** Redis's texts for the errors shared by many commands. */
export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const SYNTAX = 'ERR syntax error';
export const NOT_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_FLOAT = 'ERR value is not a valid float';
export const OVERFLOW = 'ERR increment or decrement would overflow';
export const NO_SUCH_KEY = 'ERR no such key';
export const OUT_OF_RANGE = 'ERR index out of range';
export const NOT_POSITIVE = 'ERR value is out of range, must be positive';

/** `ERR wrong number of arguments for 'get' command` */
export function arityError(name: string): string {
  return `ERR wrong number of arguments for '${name.toLowerCase()}' command`;
}
