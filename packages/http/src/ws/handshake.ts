import { createHash } from 'node:crypto';
import type { Request } from '../request';
import { type DeflateParams, negotiateDeflate, type PerMessageDeflateOptions } from './deflate';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
// 16 random bytes in base64 (RFC 6455 §4.1): 22 characters and the padding.
const KEY = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/** The opening handshake's outcome: the 101 response to send, or the refusal. */
export type HandshakeResult =
  | { readonly ok: true; readonly response: string; readonly protocol: string; readonly deflate: DeflateParams | null }
  | { readonly ok: false; readonly response: string; readonly reason: string };

/** Picks a subprotocol out of those the client offers, or `false` for none. */
export type ProtocolChooser = (protocols: Set<string>, req: Request) => string | false;

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(',').some((t) => t.trim().toLowerCase() === token);
}

function refuse(status: number, reason: string, extra = ''): HandshakeResult {
  const text = status === 426 ? 'Upgrade Required' : 'Bad Request';
  const body = `${reason}\n`;
  return {
    ok: false,
    reason,
    response: `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`,
  };
}

/** `Sec-WebSocket-Accept` for a key (RFC 6455 §4.2.2). */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** Checks an upgrade request (RFC 6455 §4.2.1) and builds the answer. */
export function handshake(req: Request, deflate: PerMessageDeflateOptions | null, chooseProtocol: ProtocolChooser | undefined): HandshakeResult {
  if (req.method !== 'GET') return refuse(400, `a WebSocket handshake must be a GET, not ${req.method}`);
  if (!req.http11) return refuse(400, 'a WebSocket handshake needs HTTP/1.1');
  if (!hasToken(req.header('upgrade'), 'websocket')) return refuse(400, 'Upgrade must be websocket');
  if (!hasToken(req.header('connection'), 'upgrade')) return refuse(400, 'Connection must include upgrade');
  if (req.header('sec-websocket-version') !== '13') return refuse(426, 'Sec-WebSocket-Version must be 13', 'Sec-WebSocket-Version: 13\r\n');
  const key = req.header('sec-websocket-key')?.trim();
  if (key === undefined || !KEY.test(key)) return refuse(400, 'Sec-WebSocket-Key must be 16 bytes in base64');
  let protocol = '';
  const offered = req.header('sec-websocket-protocol');
  if (offered !== undefined && chooseProtocol !== undefined) {
    const protocols = new Set(offered.split(',').map((p) => p.trim()).filter((p) => p !== ''));
    const chosen = chooseProtocol(protocols, req);
    if (chosen !== false) {
      if (!protocols.has(chosen)) throw new TypeError(`handleProtocols chose ${JSON.stringify(chosen)}, which the client did not offer`);
      protocol = chosen;
    }
  }
  const agreed = deflate === null ? null : negotiateDeflate(req.header('sec-websocket-extensions'), deflate);
  let response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key)}\r\n`;
  if (protocol !== '') response += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (agreed !== null) response += `Sec-WebSocket-Extensions: ${agreed.response}\r\n`;
  return { ok: true, response: `${response}\r\n`, protocol, deflate: agreed };
}
