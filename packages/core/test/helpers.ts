import { connect, Socket } from 'node:net';
import { createHash } from 'node:crypto';

/** A client socket that collects everything it receives. */
export class Client {
  readonly socket: Socket;
  closed: Promise<void>;
  private chunks: Buffer[] = [];
  private length = 0;
  private waiters: Array<() => void> = [];

  /** Everything received so far (concatenated lazily: large transfers stay linear). */
  get received(): Buffer {
    if (this.chunks.length !== 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0];
  }

  constructor(port: number | string, host = '127.0.0.1', localAddress?: string) {
    this.socket = typeof port === 'string' ? connect(port) : connect({ port, host, localAddress });
    this.socket.on('data', (chunk) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      for (const w of this.waiters.splice(0)) w();
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) => this.socket.on('close', () => {
      for (const w of this.waiters.splice(0)) w();
      resolve();
    }));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
  }

  /** Resolves once at least `n` bytes arrived (rejects on timeout). */
  async waitFor(n: number, ms = 10_000): Promise<Buffer> {
    const deadline = Date.now() + ms;
    while (this.length < n) {
      if (this.socket.destroyed) throw new Error(`closed after ${this.length}/${n} bytes`);
      if (Date.now() > deadline) throw new Error(`timeout: ${this.length}/${n} bytes`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  end(): void {
    this.socket.end();
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}
