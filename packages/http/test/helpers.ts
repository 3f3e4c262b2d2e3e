import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** Connects to 127.0.0.1:port. */
export function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `ms` pass: then it rejects). */
export function readToEnd(socket: Socket, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close within ${ms} ms; got: ${Buffer.concat(parts).toString('latin1')}`));
    }, ms);
    socket.on('data', (chunk: Buffer) => parts.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(parts).toString('latin1'));
    });
  });
}

/** Sends `chunks` (with `gapMs` between them) and returns all the server sent before closing. */
export async function exchange(port: number, chunks: Array<string | Buffer>, gapMs = 0, ms = 5000): Promise<string> {
  const socket = await open(port);
  const reply = readToEnd(socket, ms);
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    socket.write(chunk);
    if (gapMs > 0) await sleep(gapMs);
  }
  return reply;
}

/** Resolves once `text` has arrived on the socket (and returns everything so far). */
export function waitFor(socket: Socket, predicate: (received: string) => boolean, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString('latin1');
      if (predicate(received)) {
        clearTimeout(timer);
        socket.off('data', onData);
        resolve(received);
      }
    };
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`timed out; got: ${received}`));
    }, ms);
    socket.on('data', onData);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A parsed HTTP/1.1 response out of a byte stream. */
export interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits a stream of responses (Content-Length or chunked framed) into parsed responses. */
export function parseResponses(text: string, headRequests = 0): Parsed[] {
  const responses: Parsed[] = [];
  let rest = text;
  let heads = headRequests;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`incomplete response head: ${JSON.stringify(rest)}`);
    const lines = rest.slice(0, end).split('\r\n');
    const status = Number(lines[0].split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    rest = rest.slice(end + 4);
    let body = '';
    if (status === 100) {
      responses.push({ status, headers, body });
      continue;
    }
    if (heads > 0) {
      heads--;
    } else if (headers['transfer-encoding'] === 'chunked') {
      for (;;) {
        const lineEnd = rest.indexOf('\r\n');
        const size = parseInt(rest.slice(0, lineEnd), 16);
        rest = rest.slice(lineEnd + 2);
        if (size === 0) {
          rest = rest.slice(2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      body = rest.slice(0, length);
      rest = rest.slice(length);
    }
    responses.push({ status, headers, body });
  }
  return responses;
}

/**
 * Runs curl. Under the sanitizer test run, LD_PRELOAD names the AddressSanitizer runtime (for
 * Node, which is not instrumented); curl would load it too and abort, so it is left out.
 */
export function curl(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  return new Promise((resolve, reject) => {
    execFile('curl', args, { env }, (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })));
  });
}
