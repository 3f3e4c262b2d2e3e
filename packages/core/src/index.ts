/**
 * nevio's TypeScript API: an event-loop networking framework whose reactor makes the
 * epoll/kqueue system calls itself, inside Node's event loop.
 *
 * @packageDocumentation
 */
export { serve } from './server';
export { dial } from './dial';
export { defaults } from './defaults';
export type { Defaults } from './defaults';
export { remoteClose, remoteWake, remoteWrite } from './remote';
export { Action } from './types';
export type {
  Addr,
  Conn,
  ConnHandle,
  DialEvents,
  DialOptions,
  Events,
  LoadBalancing,
  Logger,
  Network,
  Options,
  Output,
  ReactResult,
  Server,
} from './types';
export { AddressError, ClosedError, DialError, HandlerError, NevioError, SystemCallError } from './errors';
export { TlsError } from './tls-error';
export { BackendError, ioUringUnavailable } from './backend';
export type { BackendChoice, BackendName } from './backend';
export { reloadTlsOnSighup, tlsFlags, tlsFromFlags, withTls } from './tls-cli';
export type { TlsFlagValues } from './tls-cli';
export type { PeerCertificate, Pem, TlsInfo, TlsOptions, TlsVersion } from './tls';
export { choice, flag, helpColumns, integer, logFlags, logFromFlags, loopFlags, loopOptions, optionsHelp, parseOptions, text, texts, usageLine, UsageError } from './cli-flags';
export type { CliOption, OptionTable, OptionValues } from './cli-flags';
export { optionGrammar, runCommand } from './cli';
export { CliLog, LOG_LEVELS } from './log';
export type { LogLevel } from './log';
export type { Command, CommandRequest, Grammar, Running } from './cli';
export { BARE_PORT_HOST, parseAddress } from './address';
export { DEFAULT_PROXY_TRUSTED, ProxyProtocolError, parseProxyHeader } from './proxy-protocol';
export type { ProxiedEndpoint, ProxyHeader } from './proxy-protocol';
export type { AddressInput, ListenAddress, ListenerOptions } from './address';
