import { NevioError } from './errors';

/**
 * A TLS connection failed: its handshake (a plaintext client on a TLS port, a certificate that
 * does not verify, no protocol or cipher in common, no ClientHello within
 * {@link TlsOptions.handshakeTimeout}) or a record later (a bad MAC, a stream cut off in the
 * middle of a record). Only that connection is closed. `reason` is OpenSSL's own (`wrong version
 * number`, `certificate verify failed`, `unexpected eof while reading`); `code` is derived from
 * it as Node does (`ERR_SSL_WRONG_VERSION_NUMBER`), `ERR_TLS_HANDSHAKE_TIMEOUT` for the timeout,
 * or the errno's name (`ECONNRESET`) when the socket failed.
 */
export class TlsError extends NevioError {
  constructor(
    /** OpenSSL's reason, e.g. `wrong version number`. */
    readonly reason: string,
    /** Why the peer's certificate was refused (`certificate has expired`), when it was. */
    readonly verifyError: string | undefined,
    /** The errno when the socket itself failed (ECONNRESET) or the handshake timed out (ETIMEDOUT); else undefined. */
    readonly errno: number | undefined,
    code: string,
    /** The peer (`tcp://1.2.3.4:5678`) or, for a dial, the address dialed. */
    readonly address: string | undefined,
  ) {
    super(`TLS: ${reason}${verifyError !== undefined ? ` (${verifyError})` : ''}${address ? ` ${address}` : ''}`, code);
  }
}

/** Node's code for an OpenSSL reason: `wrong version number` -> `ERR_SSL_WRONG_VERSION_NUMBER`. */
export function tlsErrorCode(reason: string): string {
  return `ERR_SSL_${reason.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
}
