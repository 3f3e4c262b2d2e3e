// A scripted master for the replica's side of PSYNC: it answers the handshake (PING, REPLCONF),
// hands each PSYNC to the test, which decides the reply and the exact stream bytes, and can
// break the link at a chosen byte. Real masters cannot be made to cut a transaction in half.
import net from 'node:net';
import { encode, replyLength, type Arg } from '../types/harness';

/** An RDB file with no keys and no checksum (a stored CRC of 0 is not checked, as in Redis). */
export const EMPTY_RDB = Buffer.concat([Buffer.from('REDIS0009', 'latin1'), Buffer.from([0xff]), Buffer.alloc(8)]);

/** The stream bytes of commands, concatenated. */
export function stream(...commands: Arg[][]): Buffer {
  return Buffer.concat(commands.map((argv) => encode(argv)));
}

/** One PSYNC the replica sent: its arguments, and the socket to answer on. */
export interface PsyncRequest {
  readonly replid: string;
  readonly offset: number;
  readonly socket: net.Socket;
}

export class FakeMaster {
  readonly replid = 'f'.repeat(40);
  readonly psyncs: PsyncRequest[] = [];
  /** Every command the replica sent after its PSYNC (REPLCONF ACK …), by connection. */
  readonly afterPsync: string[][] = [];
  private readonly sockets = new Set<net.Socket>();
  private waiting: (() => void)[] = [];

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeMaster> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as net.AddressInfo;
    const master = new FakeMaster(server, address.port);
    server.on('connection', (socket) => master.serve(socket));
    return master;
  }

  /** Resolves once the replica has sent its `n`th PSYNC (1-based). */
  async psync(n: number, ms = 10000): Promise<PsyncRequest> {
    const end = Date.now() + ms;
    while (this.psyncs.length < n) {
      if (Date.now() > end) throw new Error(`no PSYNC #${n} from the replica (got ${this.psyncs.length})`);
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.psyncs[n - 1];
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    let synced: string[][] | null = null;
    socket.on('data', (data: Buffer) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const n = replyLength(pending);
        if (n < 0) break;
        const argv = parseCommand(pending.subarray(0, n));
        pending = pending.subarray(n);
        if (synced !== null) {
          synced.push(argv);
          continue;
        }
        const name = argv[0].toLowerCase();
        if (name === 'ping') socket.write('+PONG\r\n');
        else if (name === 'replconf') socket.write('+OK\r\n');
        else if (name === 'psync') {
          synced = [];
          this.afterPsync.push(synced);
          this.psyncs.push({ replid: argv[1], offset: Number(argv[2]), socket });
          for (const wake of this.waiting.splice(0)) wake();
        } else socket.write(`-ERR unexpected ${name}\r\n`);
      }
    });
  }
}

/** The arguments of one RESP multibulk (bulk strings only, as a replica sends). */
function parseCommand(buf: Buffer): string[] {
  const argv: string[] = [];
  let pos = buf.indexOf('\r\n') + 2;
  while (pos < buf.length) {
    const eol = buf.indexOf('\r\n', pos);
    const len = Number(buf.latin1Slice(pos + 1, eol));
    argv.push(buf.latin1Slice(eol + 2, eol + 2 + len));
    pos = eol + 2 + len + 2;
  }
  return argv;
}
