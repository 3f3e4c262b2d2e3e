/**
 * The TLS options the nevio commands share (`--tls-cert`, `--tls-key`, `--tls-ca`): reading the
 * files into {@link TlsOptions}, and reloading them on SIGHUP, so a renewed certificate is picked
 * up without a restart (`kill -HUP <pid>` after certbot & co. replaced the files).
 *
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { parseAddress } from './address';
import { text, UsageError } from './cli-flags';
import type { OptionValues } from './cli-flags';
import type { TlsOptions } from './tls';

/** `--tls-cert FILE --tls-key FILE [--tls-ca FILE]`. */
export const tlsFlags = {
  'tls-cert': text('FILE', 'TLS certificate chain (PEM); with --tls-key it serves TLS'),
  'tls-key': text('FILE', 'private key of --tls-cert (PEM); never logged'),
  'tls-ca': text('FILE', 'CA certificates (PEM): clients must present a certificate they signed'),
} as const;

export type TlsFlagValues = OptionValues<typeof tlsFlags>;

function readPem(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * The TLS settings the flags ask for (the files are read now), or undefined when no flag is
 * given. `alpn` is the protocol the command speaks (`http/1.1`). Throws {@link UsageError} for a
 * file that cannot be read or a certificate without its key.
 */
export function tlsFromFlags(values: TlsFlagValues, alpn?: readonly string[]): TlsOptions | undefined {
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  const ca = values['tls-ca'];
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (cert === undefined || key === undefined) throw new UsageError('--tls-cert and --tls-key go together');
  return {
    cert: readPem(cert, '--tls-cert'),
    key: readPem(key, '--tls-key'),
    ...(ca !== undefined ? { ca: readPem(ca, '--tls-ca'), requestCert: true } : {}),
    ...(alpn !== undefined ? { alpn } : {}),
  };
}

/** `addr` with TLS on: unchanged when it already says so (`tls://`, `?tls=true`). */
export function withTls(addr: string): string {
  if (parseAddress(addr).options.tls === true) return addr;
  return `${addr}${addr.includes('?') ? '&' : '?'}tls=true`;
}

/**
 * On SIGHUP (main thread only) reads the flags' files again and hands them to `reload`
 * (`server.reloadTls`); a failure is printed and the old certificate stays in use.
 */
export function reloadTlsOnSighup(name: string, values: TlsFlagValues, reload: (tls: TlsOptions) => Promise<void>, alpn?: readonly string[]): void {
  if (!isMainThread || values['tls-cert'] === undefined) return;
  process.on('SIGHUP', () => {
    let settings: TlsOptions | undefined;
    try {
      settings = tlsFromFlags(values, alpn);
    } catch (error) {
      process.stderr.write(`${name}: SIGHUP: cannot reload TLS: ${(error as Error).message}\n`);
      return;
    }
    if (settings === undefined) return;
    reload(settings).then(
      () => process.stdout.write(`${name}: SIGHUP: TLS certificate reloaded\n`),
      (error: Error) => process.stderr.write(`${name}: SIGHUP: cannot reload TLS: ${error.message}\n`),
    );
  });
}
