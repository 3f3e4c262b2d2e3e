import { constants as osConstants } from 'node:os';

/** Base class of every error nevio raises; `code` is stable and meant for programs. */
export class NevioError extends Error {
  constructor(
    message: string,
    /** A stable, machine-readable code such as `ERR_NEVIO_ADDRESS` or `EADDRINUSE`. */
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** An address given to `serve` cannot be parsed, or names an unknown scheme. */
export class AddressError extends NevioError {
  constructor(
    message: string,
    /** The address as the caller wrote it. */
    readonly address: string,
  ) {
    super(`${message}: ${address}`, 'ERR_NEVIO_ADDRESS');
  }
}

/** A system call failed; carries the call's name and errno, like Node's own system errors. */
export class SystemCallError extends NevioError {
  constructor(
    /** The failing system call, e.g. `bind`. */
    readonly syscall: string,
    /** The positive errno value. */
    readonly errno: number,
    /** The errno's name, e.g. `EADDRINUSE`. */
    code: string,
    /** What the call was about, e.g. the address being bound, when there is one. */
    readonly address?: string,
  ) {
    super(`${syscall} ${code}${address ? ` ${address}` : ''}`, code);
  }
}

const ERRNO_NAMES = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, value]) => [value as number, name]),
);

/** The name of an errno value (`ECONNREFUSED`), or `E<n>` for one this OS does not name. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `E${errno}`;
}

/** Builds the error for a failed system call reported by the reactor. */
export function systemError(call: string, errno: number, address?: string): SystemCallError {
  return new SystemCallError(call, errno, errnoName(errno), address);
}

/** A handler threw; the connection it ran for was closed. `cause` is what it threw. */
export class HandlerError extends NevioError {
  constructor(
    /** The event whose handler threw, e.g. `react`. */
    readonly event: string,
    cause: unknown,
  ) {
    super(`the ${event} handler threw: ${cause instanceof Error ? cause.message : String(cause)}`, 'ERR_NEVIO_HANDLER');
    this.cause = cause;
  }
}

/** The operation needs an open connection or a running server. */
export class ClosedError extends NevioError {
  constructor(what: string) {
    super(`${what} is closed`, 'ERR_NEVIO_CLOSED');
  }
}

/**
 * A {@link dial} failed: the connect was refused (`ECONNREFUSED`), timed out (`ETIMEDOUT`), found
 * no route (`EHOSTUNREACH`, `ENETUNREACH`), no unix socket (`ENOENT`), or was cancelled because
 * the loop stopped (`ECANCELED`). `address` is the address dialed.
 */
export class DialError extends SystemCallError {
  constructor(errno: number, code: string, address: string, syscall = 'connect') {
    super(syscall, errno, code, address);
  }
}
