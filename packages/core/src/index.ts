/**
 * nevio's TypeScript API: an event-loop networking framework whose reactor makes the
 * epoll/kqueue system calls itself, inside Node's event loop.
 *
 * @packageDocumentation
 */
export { serve } from './server';
export { defaults } from './defaults';
export type { Defaults } from './defaults';
export { remoteClose, remoteWake, remoteWrite } from './remote';
export { Action } from './types';
export type {
  Addr,
  Conn,
  ConnHandle,
  Events,
  LoadBalancing,
  Logger,
  Network,
  Options,
  Output,
  ReactResult,
  Server,
} from './types';
export { AddressError, ClosedError, HandlerError, NevioError, SystemCallError } from './errors';
export { loopFlags, loopFlagsHelp, loopOptions } from './cli-flags';
export { parseAddress } from './address';
export type { ListenAddress } from './address';
