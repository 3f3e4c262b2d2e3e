/**
 * A raw RESP2/RESP3 connection for tests that need every frame a server sends, pushes included
 * (invalidations, pub/sub messages, MONITOR lines), in order: `send` writes a command, `read`
 * resolves with the next frame, decoded.
 */
import net from 'node:net';
import { encode, replyLength, type Arg } from '../types/harness';

/** A decoded frame: strings (bulk, simple, verbatim without its format), numbers, null, arrays; errors as `Error`; pushes as `{ push: [...] }`. */
export type Frame = string | number | bigint | boolean | null | Error | Frame[] | { push: Frame[] } | Map<Frame, Frame>;

function decode(buf: Buffer, pos: number): [Frame, number] {
  const eol = buf.indexOf('\r\n', pos);
  const type = String.fromCharCode(buf[pos]);
  const line = buf.latin1Slice(pos + 1, eol);
  let p = eol + 2;
  const items = (n: number): Frame[] => {
    const out: Frame[] = [];
    for (let i = 0; i < n; i++) {
      const [f, next] = decode(buf, p);
      out.push(f);
      p = next;
    }
    return out;
  };
  switch (type) {
    case '+':
      return [line, p];
    case '-':
      return [new Error(line), p];
    case ':':
      return [Number(line), p];
    case '(':
      return [BigInt(line), p];
    case ',':
      return [Number(line), p];
    case '#':
      return [line === 't', p];
    case '_':
      return [null, p];
    case '$':
    case '=':
    case '!': {
      const n = Number(line);
      if (n < 0) return [null, p];
      const s = buf.latin1Slice(p, p + n);
      return [type === '=' ? s.slice(4) : s, p + n + 2];
    }
    case '*':
    case '~': {
      const n = Number(line);
      if (n < 0) return [null, p];
      return [items(n), p];
    }
    case '>':
      return [{ push: items(Number(line)) }, p];
    case '%': {
      const kv = items(Number(line) * 2);
      const m = new Map<Frame, Frame>();
      for (let i = 0; i < kv.length; i += 2) m.set(kv[i], kv[i + 1]);
      return [m, p];
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

export class RespConn {
  private buf = Buffer.alloc(0);
  private frames: Frame[] = [];
  private waiters: ((f: Frame) => void)[] = [];
  closed = false;

  private constructor(private readonly sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const len = replyLength(this.buf);
        if (len < 0) break;
        const [frame] = decode(this.buf, 0);
        this.buf = this.buf.subarray(len);
        const w = this.waiters.shift();
        if (w !== undefined) w(frame);
        else this.frames.push(frame);
      }
    });
    sock.on('close', () => (this.closed = true));
    sock.on('error', () => (this.closed = true));
  }

  static connect(port: number): Promise<RespConn> {
    return new Promise((resolve, reject) => {
      const s = net.createConnection({ host: '127.0.0.1', port }, () => resolve(new RespConn(s)));
      s.once('error', reject);
    });
  }

  /** Writes one command without waiting. */
  send(...args: Arg[]): void {
    this.sock.write(encode(args));
  }

  /** The next frame; rejects after `ms` without one. */
  read(ms = 5000): Promise<Frame> {
    const f = this.frames.shift();
    if (f !== undefined) return Promise.resolve(f);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`no frame within ${ms} ms`));
      }, ms);
      const done = (frame: Frame): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push(done);
    });
  }

  /** Sends a command and returns the next frame (its reply, unless a push came first). */
  async call(...args: Arg[]): Promise<Frame> {
    this.send(...args);
    return this.read();
  }

  /** True when no frame arrives within `ms`. */
  async quiet(ms = 200): Promise<boolean> {
    try {
      this.frames.unshift(await this.read(ms));
      return false;
    } catch {
      return true;
    }
  }

  close(): void {
    this.sock.destroy();
  }
}
