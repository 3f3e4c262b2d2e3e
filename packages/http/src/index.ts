/**
 * An HTTP/1.1 server on nevio: llhttp parsing in one native call per read, pipelining with
 * in-order responses, keep-alive, body limits and timeouts, WebSocket (RFC 6455 with
 * permessage-deflate), plus a static file handler (nginx-like: normalised paths, autoindex,
 * brotli/gzip), opt-in compression of responses and a combined-format access log.
 *
 * @packageDocumentation
 */
export { createServer, HttpServer } from './server';
export type { HttpOptions, ListeningServer } from './server';
export type { Handler } from './connection';
export { Request, BodyError, RequestExpiredError } from './request';
export type { IncomingHeaders, SocketInfo } from './request';
export { Response } from './response';
export type { HeadersInput, ResponseEvent, WriteCallback } from './response';
export { UpgradeSocket } from './upgrade';
export type { UpgradeListener } from './upgrade';
export { serveStatic } from './static';
export type { StaticOptions } from './static';
export { withAccessLog } from './access-log';
export { WebSocketServer } from './ws/server';
export type { WebSocketOptions } from './ws/server';
export { WebSocket } from './ws/websocket';
export type { SendOptions } from './ws/websocket';
export { WebSocketError } from './ws/frame';
export type { PerMessageDeflateOptions } from './ws/deflate';
export type { ProtocolChooser } from './ws/handshake';
