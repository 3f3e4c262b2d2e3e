/**
 * An echo server on nevio: every byte a client sends comes back, over TCP, UDP or unix sockets.
 *
 * @packageDocumentation
 */
import { serve } from '@nevio/core';
import type { AddressInput, Events, Options, Server } from '@nevio/core';

/** The echo handlers: `react` returns its input, which nevio writes back after the batch. */
export const echoEvents: Events = {
  react: (_conn, data) => data,
};

/**
 * Starts an echo server.
 *
 * ```ts
 * const server = await startEcho(['tcp://127.0.0.1:5000']);
 * // ... later
 * await server.stop();
 * ```
 */
export function startEcho(addrs: AddressInput | readonly AddressInput[], options?: Options): Promise<Server> {
  return serve(echoEvents, addrs, options);
}
