// Frame edge cases over a raw socket (no Autobahn here): every protocol error gets a Close with
// its code and the connection ends; handshake refusals; bytes sent with the handshake request.
import { createServer, type ListeningServer, type WebSocket, WebSocketServer, type WebSocketOptions } from '../src';
import { acceptKey } from '../src/ws/handshake';
import { exchange } from './helpers';
import { clientFrame, closeCode, rawClient } from './ws-frames';

let server: ListeningServer | undefined;
const errors: string[] = [];

async function start(options: WebSocketOptions = {}, onOpen: (ws: WebSocket) => void = (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b }))): Promise<number> {
  const wss = new WebSocketServer(options);
  const http = createServer((_req, res) => res.end('plain'));
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('error', (error) => errors.push(`${error.closeCode} ${error.message}`));
    onOpen(ws);
  }));
  server = await http.listen('tcp://127.0.0.1:0');
  return server.port;
}

afterEach(async () => {
  await server?.stop();
  server = undefined;
  errors.length = 0;
});

test('the accept key of RFC 6455 §1.3', () => {
  expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('the handshake response and an echo over a raw socket', async () => {
  const port = await start();
  const client = await rawClient(port);
  expect(client.head).toMatch(/^HTTP\/1\.1 101 Switching Protocols\r\n/);
  expect(client.head).toMatch(/\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/);
  client.socket.write(clientFrame(0x1, 'hi'));
  const [frame] = await client.waitFrames(1);
  expect([frame.opcode, frame.fin, frame.masked, frame.payload.toString()]).toEqual([1, true, false, 'hi']);
  client.socket.write(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
  await client.ended;
  expect(client.frames.map((f) => f.opcode)).toEqual([1, 8]);
  expect(closeCode(client.frames[1])).toBe(1000);
});

const protocolErrors: Array<[string, number, Buffer]> = [
  ['an unmasked frame', 1002, clientFrame(0x1, 'x', { unmasked: true })],
  ['RSV1 without an extension', 1002, clientFrame(0x1, 'x', { rsv: 4 })],
  ['RSV2', 1002, clientFrame(0x2, 'x', { rsv: 2 })],
  ['RSV3', 1002, clientFrame(0x2, 'x', { rsv: 1 })],
  ['opcode 3', 1002, clientFrame(0x3, 'x')],
  ['opcode 0xf', 1002, clientFrame(0xf, '')],
  ['a 126-byte ping', 1002, clientFrame(0x9, Buffer.alloc(126), { lengthBytes: 2 })],
  ['a fragmented ping', 1002, clientFrame(0x9, 'x', { fin: false })],
  ['a fragmented close', 1002, clientFrame(0x8, Buffer.from([3, 232]), { fin: false })],
  ['a continuation with nothing to continue', 1002, clientFrame(0x0, 'x')],
  ['a text frame inside a fragmented message', 1002, Buffer.concat([clientFrame(0x1, 'a', { fin: false }), clientFrame(0x1, 'b')])],
  ['a close with a 1-byte body', 1002, clientFrame(0x8, Buffer.from([3]))],
  ['close code 1005', 1002, clientFrame(0x8, Buffer.from([0x03, 0xed]))],
  ['close code 999', 1002, clientFrame(0x8, Buffer.from([0x03, 0xe7]))],
  ['close code 2000', 1002, clientFrame(0x8, Buffer.from([0x07, 0xd0]))],
  ['invalid UTF-8 in a text frame', 1007, clientFrame(0x1, Buffer.from([0xce, 0xba, 0xe1, 0xbd]))],
  ['invalid UTF-8 split over fragments', 1007, Buffer.concat([clientFrame(0x1, Buffer.from([0xce]), { fin: false }), clientFrame(0x0, Buffer.from([0xff]))])],
  ['a surrogate encoded in UTF-8', 1007, clientFrame(0x1, Buffer.from([0xed, 0xa0, 0x80]))],
  ['invalid UTF-8 in a close reason', 1007, clientFrame(0x8, Buffer.from([0x03, 0xe8, 0xff]))],
  ['a frame over maxPayload', 1009, clientFrame(0x2, Buffer.alloc(2000))],
  ['a 64-bit length over maxPayload, no payload sent', 1009, Buffer.from([0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4])],
];

test.each(protocolErrors)('%s: Close with %i, then the server closes the connection', async (_name, code, wire) => {
  const port = await start({ maxPayload: 1024 });
  const client = await rawClient(port);
  client.socket.write(wire);
  await client.ended;
  const last = client.frames[client.frames.length - 1];
  expect(last.opcode).toBe(8);
  expect(closeCode(last)).toBe(code);
  // Nothing else before it: no echo of a bad message.
  expect(client.frames).toHaveLength(1);
  expect(errors).toHaveLength(1);
  expect(errors[0].startsWith(String(code))).toBe(true);
});

test('valid UTF-8 split inside a code point across fragments is accepted', async () => {
  const port = await start();
  const client = await rawClient(port);
  const euro = Buffer.from('€');
  client.socket.write(clientFrame(0x1, euro.subarray(0, 1), { fin: false }));
  client.socket.write(clientFrame(0x0, euro.subarray(1)));
  const [frame] = await client.waitFrames(1);
  expect(frame.payload.toString()).toBe('€');
  client.socket.destroy();
});

test('a frame split into single bytes over separate writes', async () => {
  const port = await start();
  const client = await rawClient(port);
  const wire = clientFrame(0x2, Buffer.alloc(300, 9));
  for (const byte of wire) {
    client.socket.write(Buffer.from([byte]));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const [frame] = await client.waitFrames(1);
  expect(frame.payload.equals(Buffer.alloc(300, 9))).toBe(true);
  client.socket.destroy();
});

test('a ping between fragments is answered at once, the message completes after', async () => {
  const port = await start();
  const client = await rawClient(port);
  client.socket.write(Buffer.concat([clientFrame(0x1, 'ab', { fin: false }), clientFrame(0x9, 'p1'), clientFrame(0x0, 'cd')]));
  const frames = await client.waitFrames(2);
  expect(frames.map((f) => [f.opcode, f.payload.toString()])).toEqual([[0xa, 'p1'], [1, 'abcd']]);
  client.socket.destroy();
});

test('frames sent together with the handshake request are read', async () => {
  const port = await start();
  const request = 'GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
  const reply = Buffer.from(await exchange(port, [Buffer.concat([Buffer.from(request), clientFrame(0x1, 'early'), clientFrame(0x8, Buffer.from([0x03, 0xe8]))])]), 'latin1');
  const body = reply.subarray(reply.indexOf('\r\n\r\n') + 4);
  // An unmasked text frame "early", then the Close echo.
  expect(body.subarray(0, 7).toString('latin1')).toBe('\x81\x05early');
  expect([...body.subarray(7)]).toEqual([0x88, 0x02, 0x03, 0xe8]);
});

const badHandshakes: Array<[string, number, string]> = [
  ['no key', 400, 'Sec-WebSocket-Version: 13\r\n'],
  ['a short key', 400, 'Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n'],
  ['version 8', 426, 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n'],
];

test.each(badHandshakes)('a handshake with %s is refused with %i and closed', async (_name, status, lines) => {
  const port = await start();
  const reply = await exchange(port, [`GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${lines}\r\n`]);
  expect(reply.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
  if (status === 426) expect(reply).toMatch(/\r\nSec-WebSocket-Version: 13\r\n/);
});

test('an Upgrade to another protocol is refused with 400', async () => {
  const port = await start();
  const reply = await exchange(port, ['GET / HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n']);
  expect(reply).toMatch(/^HTTP\/1\.1 400 [^]*Upgrade must be websocket/);
});

test('permessage-deflate offers: parameters accepted, bad ones declined', async () => {
  const port = await start({ perMessageDeflate: { clientMaxWindowBits: 10 } });
  const offer = async (value: string): Promise<string | undefined> => {
    const client = await rawClient(port, `Sec-WebSocket-Extensions: ${value}\r\n`);
    client.socket.destroy();
    return /\r\nSec-WebSocket-Extensions: ([^\r]*)/.exec(client.head)?.[1];
  };
  expect(await offer('permessage-deflate')).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
  expect(await offer('permessage-deflate; client_max_window_bits')).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10');
  expect(await offer('permessage-deflate; server_max_window_bits=12')).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12');
  expect(await offer('permessage-deflate; server_max_window_bits=8')).toBeUndefined();
  expect(await offer('permessage-deflate; server_max_window_bits=8, permessage-deflate')).toBe('permessage-deflate; server_no_context_takeover; client_no_context_takeover');
  expect(await offer('permessage-deflate; unknown=1')).toBeUndefined();
  expect(await offer('permessage-deflate; server_no_context_takeover; server_no_context_takeover')).toBeUndefined();
  expect(await offer('permessage-deflate; client_max_window_bits=16')).toBeUndefined();
  expect(await offer('x-webkit-deflate-frame')).toBeUndefined();
});

test('a compressed frame: RSV1 accepted once negotiated, garbage refused with 1007', async () => {
  const { deflateRawSync } = await import('node:zlib');
  const port = await start({ perMessageDeflate: { threshold: 100_000 } });
  const client = await rawClient(port, 'Sec-WebSocket-Extensions: permessage-deflate\r\n');
  const compressed = deflateRawSync('squeezed', { finishFlush: 2 });
  client.socket.write(clientFrame(0x1, compressed.subarray(0, compressed.length - 4), { rsv: 4 }));
  const [frame] = await client.waitFrames(1);
  // Below the threshold the echo goes out uncompressed.
  expect([frame.rsv, frame.payload.toString()]).toEqual([0, 'squeezed']);
  client.socket.write(clientFrame(0x1, Buffer.from([0xff, 0xff, 0xff]), { rsv: 4 }));
  await client.ended;
  expect(closeCode(client.frames[1])).toBe(1007);
});
