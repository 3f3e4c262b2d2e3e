/**
 * A loop's listeners, by the reactor's listener index: what JavaScript needs to know of each
 * (its network and address, PROXY protocol trust, TLS). A closed listener keeps its index, as
 * in the reactor, so the indexes of the others do not move.
 */
import type { Reactor, TlsContext } from '@nevio/native';
import { NevioError } from './errors';
import type { ProxyTrust } from './proxy-protocol';
import type { Addr, Network } from './types';

export interface ListenerInfo {
  readonly network: Network;
  readonly addr: Addr;
  /** Set when the listener reads PROXY protocol headers: the peers believed. */
  readonly proxy: ProxyTrust | undefined;
  /** Its connections speak TLS. */
  readonly tls: boolean;
}

export class Listeners {
  private readonly list: ListenerInfo[] = [];

  constructor(private readonly reactor: Reactor) {}

  /** Records the listener the reactor opened last (its index is {@link Listeners.count} - 1). */
  add(network: Network, addr: Addr, proxy?: ProxyTrust, tls = false): void {
    this.list.push({ network, addr, proxy, tls });
  }

  get count(): number {
    return this.list.length;
  }

  /** The listener at `index`; undefined for an outbound connection's index (-1). */
  at(index: number): ListenerInfo | undefined {
    return this.list[index];
  }

  /** The listener at an index the reactor reported (a datagram's); throws for any other. */
  get(index: number): ListenerInfo {
    const listener = this.list[index];
    if (listener === undefined) throw new NevioError(`no listener ${index} on this loop`, 'ERR_NEVIO_LOOP');
    return listener;
  }

  /** Gives every TLS listener this context: new handshakes use it, open connections keep theirs. */
  setTlsContext(context: TlsContext): void {
    this.list.forEach((listener, index) => {
      if (listener.tls) this.reactor.setListenerTls(index, context);
    });
  }
}
