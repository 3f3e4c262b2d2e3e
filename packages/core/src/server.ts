import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { familyOf, makeAddr, parseAddress, resolveHost } from './address';
import type { ListenAddress } from './address';
import { NevioError } from './errors';
import { Loop, systemError } from './loop';
import { Action } from './types';
import type { Addr, Events, Options, Server } from './types';

const DEFAULTS = {
  backlog: 511,
  readChunk: 64 * 1024,
  writeHighWatermark: 1 << 20,
  writeLowWatermark: 256 * 1024,
  maxInbound: 256 * 1024 * 1024,
  stopTimeout: 10_000,
};

class RunningServer implements Server {
  addrs: Addr[] = [];
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private stopping: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private finished = false;
  loop!: Loop;

  constructor(
    private readonly events: Events<any>,
    private readonly stopTimeout: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  countConnections(): number {
    return this.finished ? 0 : this.loop.count();
  }

  stop(): Promise<void> {
    if (this.stopping === undefined) {
      this.stopping = this.done;
      clearTimeout(this.tickTimer);
      // Peers that never read would hold a graceful stop forever; after the timeout they are cut.
      this.forceTimer = setTimeout(() => this.loop.reactor.closeAll(), this.stopTimeout);
      this.loop.reactor.stop();
    }
    return this.stopping;
  }

  /** The reactor reports that the last connection closed after stop(). */
  stopped(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.forceTimer);
    clearTimeout(this.tickTimer);
    this.loop.reactor.destroy();
    try {
      this.events.shutdown?.(this);
    } catch (error) {
      this.loop.reportError(error as Error);
    }
    this.resolveDone();
  }

  startTicker(): void {
    const tick = this.events.tick;
    if (tick === undefined) return;
    const run = (): void => {
      this.tickTimer = undefined;
      if (this.stopping !== undefined) return;
      let result: ReturnType<NonNullable<Events['tick']>>;
      try {
        result = tick.call(this.events);
      } catch (error) {
        this.loop.reportError(error as Error);
        return;
      }
      const delay = typeof result === 'number' ? result : result?.delay;
      if (typeof result === 'object' && result.action === Action.Shutdown) {
        void this.stop();
        return;
      }
      if (typeof delay === 'number' && Number.isFinite(delay)) this.tickTimer = setTimeout(run, Math.max(0, delay));
    };
    run();
  }
}

/** Binds one address; a stale unix socket file left by a dead process is replaced. */
async function bind(loop: Loop, addr: ListenAddress, host: string, options: Options): Promise<number> {
  const transport = addr.network === 'unix' ? 'unix' : addr.network.startsWith('udp') ? 'udp' : 'tcp';
  const attempt = (): number =>
    loop.reactor.listen(
      transport,
      host,
      addr.port,
      familyOf(addr.network),
      addr.path,
      options.backlog ?? DEFAULTS.backlog,
      options.reuseAddr ?? true,
      options.reusePort ?? false,
    );
  try {
    return attempt();
  } catch (error) {
    const e = error as { syscall?: string; errno?: number; code?: string };
    if (transport === 'unix' && e.code === 'EADDRINUSE' && (await isStaleSocket(addr.path))) {
      unlinkSync(addr.path);
      return attempt();
    }
    if (typeof e.errno === 'number') throw systemError(e.syscall ?? 'listen', e.errno, addr.input);
    throw error;
  }
}

function isStaleSocket(path: string): Promise<boolean> {
  try {
    if (!lstatSync(path).isSocket()) return Promise.resolve(false);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * Starts a server: binds every address on one event loop and resolves once it is listening.
 *
 * ```ts
 * const server = await serve({ react: (conn, data) => data }, ['tcp://127.0.0.1:5000']);
 * ```
 *
 * @param events - the callbacks; see {@link Events}.
 * @param addrs - one or more of `tcp://host:port`, `tcp4://`, `tcp6://[::1]:port`, `udp://`,
 *   `unix:///path/to.sock`; port 0 picks a free port (see {@link Server.addrs}).
 * @param options - see {@link Options}.
 * @throws {@link AddressError} for an address that cannot be parsed or resolved, and
 *   {@link SystemCallError} when a listener cannot be opened (`EADDRINUSE`, `EACCES`, a missing
 *   unix socket directory: `ENOENT`), naming the address.
 */
export async function serve<C = unknown>(
  events: Events<C>,
  addrs: string | readonly string[],
  options: Options = {},
): Promise<Server> {
  const list = typeof addrs === 'string' ? [addrs] : [...addrs];
  if (list.length === 0) throw new NevioError('serve needs at least one address', 'ERR_NEVIO_ADDRESS');
  const parsed = list.map(parseAddress);
  const hosts = await Promise.all(parsed.map(resolveHost));
  const high = options.writeHighWatermark ?? DEFAULTS.writeHighWatermark;
  const low = options.writeLowWatermark ?? Math.min(DEFAULTS.writeLowWatermark, high);
  if (low > high) throw new NevioError('writeLowWatermark must not exceed writeHighWatermark', 'ERR_NEVIO_OPTIONS');

  const server = new RunningServer(events as Events<any>, options.stopTimeout ?? DEFAULTS.stopTimeout);
  const loop = new Loop(
    events as Events<any>,
    options.logger ?? console,
    {
      readChunk: options.readChunk ?? DEFAULTS.readChunk,
      writeHighWatermark: high,
      writeLowWatermark: low,
      maxInbound: options.maxInbound ?? DEFAULTS.maxInbound,
      keepAliveSeconds: Math.ceil((options.tcpKeepAlive ?? 0) / 1000),
      noDelay: options.tcpNoDelay ?? true,
    },
    () => void server.stop(),
    () => server.stopped(),
  );
  server.loop = loop;
  try {
    for (let i = 0; i < parsed.length; i++) {
      const index = await bind(loop, parsed[i], hosts[i], options);
      const [family, address, port] = loop.reactor.listenerAddress(index);
      const addr = makeAddr(parsed[i].network, family, address, port);
      loop.addListener(parsed[i].network, addr);
      server.addrs.push(addr);
    }
  } catch (error) {
    loop.reactor.destroy();
    throw error;
  }
  loop.reactor.start();
  try {
    if (events.serving?.(server) === Action.Shutdown) void server.stop();
  } catch (error) {
    loop.reportError(error as Error);
  }
  server.startTicker();
  return server;
}
