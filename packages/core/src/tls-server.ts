import type { TlsContext } from '@nevio/native';
import type { ListenerOptions } from './address';
import { NevioError } from './errors';
import type { Loop } from './loop';
import { newTicketKeys, serverContext } from './tls';
import type { TlsOptions } from './tls';

/**
 * A server's TLS: its settings, the session ticket keys all its loops share (so a ticket from one
 * loop resumes on another, and across reloads), and building the native context for a loop.
 */
export class ServerTls {
  private constructor(
    private settings: TlsOptions,
    /** 80 bytes, made by loop 0 and handed to the other loops. */
    readonly ticketKeys: Uint8Array,
  ) {}

  /**
   * The TLS of a server listening on `addrs`: undefined when none speaks TLS. Throws when one does
   * and `tls` is missing.
   */
  static of(addrs: readonly { input: string; options: ListenerOptions }[], tls: TlsOptions | undefined, ticketKeys?: Uint8Array): ServerTls | undefined {
    const secure = addrs.find((addr) => addr.options.tls === true);
    if (secure === undefined) return undefined;
    if (tls === undefined) throw new NevioError(`${secure.input} speaks TLS: serve needs options.tls (cert and key)`, 'ERR_NEVIO_OPTIONS');
    return new ServerTls(tls, ticketKeys ?? newTicketKeys());
  }

  /** The native context of the current settings (throws `ERR_NEVIO_TLS_CONFIG` when they do not load). */
  context(): TlsContext {
    return serverContext(this.settings, this.ticketKeys);
  }

  /** Loads `settings` into `loop` (its TLS listeners); the old ones stay if they do not load. */
  reload(loop: Loop, settings: TlsOptions): void {
    loop.listeners.setTlsContext(serverContext(settings, this.ticketKeys));
    this.settings = settings;
  }
}
