import { lstatSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism } from 'node:os';
import { constants } from '@nevio/native';
import { AddressError, NevioError } from './errors';
import { familyOf, literalHost, makeAddr, parseAddress, resolveHost } from './address';
import type { AddressInput, ListenAddress, ListenerOptions } from './address';
import { DEFAULT_PROXY_TRUSTED, ProxyTrust } from './proxy-protocol';
import { defaults } from './defaults';
import { systemError } from './errors';
import { Loop } from './loop';
import { connectionsOf, loopWorkerData, spawnLoops } from './multicore';
import { registerServingLoop, unregisterServingLoop } from './dial';
import { ServerTls } from './tls-server';
import { chooseBackend } from './backend';
import type { BackendName } from './backend';
import type { TlsOptions } from './tls';
import type { LoopGroup, LoopWorkerData } from './multicore';
import { Action } from './types';
import type { Addr, Events, LoadBalancing, Network, Options, Server } from './types';


/** One loop's server: the whole server on loop 0, a member of it in a worker-thread loop. */
class LoopServer implements Server {
  addrs: Addr[] = [];
  readonly done: Promise<void>;
  loops = 1;
  group: LoopGroup | undefined;
  /** In a worker-thread loop: every loop's reactor id, once loop 0 has sent them. */
  peers: number[] | undefined;
  /** Set in worker-thread loops: asks loop 0 to stop the whole server. */
  requestStop: (() => void) | undefined;
  private resolveDone!: () => void;
  private stopping: Promise<void> | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private forceTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private groupStopped: Promise<void> | undefined;
  loop!: Loop;
  tls: ServerTls | undefined;
  /** What serve was given, for listeners opened later ({@link LoopServer.listen}). */
  options: Options = {};

  get backend(): BackendName {
    return this.loop.reactor.backend();
  }

  constructor(
    private readonly events: Events<any>,
    private readonly stopTimeout: number,
    readonly loopIndex: number,
  ) {
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  countConnections(): number {
    return this.finished ? 0 : this.loopConnections().reduce((a, b) => a + b, 0);
  }

  loopConnections(): number[] {
    if (this.finished) return new Array<number>(this.loops).fill(0);
    if (this.group) return this.group.connections();
    return this.peers ? connectionsOf(this.peers) : [this.loop.count()];
  }

  async reloadTls(settings: TlsOptions): Promise<void> {
    if (this.tls === undefined) throw new NevioError('reloadTls: the server has no TLS address', 'ERR_NEVIO_OPTIONS');
    this.tls.reload(this.loop, settings);
    // The other loops load the same settings (checked here first); from a worker loop, only its own.
    this.group?.post({ nevio: 'tls', settings });
  }

  listen(address: AddressInput): Addr {
    if (this.loops > 1 || this.peers !== undefined) throw new NevioError('listen: a server with several loops cannot open listeners while serving', 'ERR_NEVIO_OPTIONS');
    if (this.stopping !== undefined) throw new NevioError('listen: the server is stopping', 'ERR_NEVIO_OPTIONS');
    const parsed = parseAddress(address);
    const host = literalHost(parsed);
    if (host === undefined) throw new AddressError(`listen while serving takes an IP address, not the name '${parsed.host}'`, parsed.input);
    const tls = parsed.options.tls === true;
    if (tls && this.tls === undefined) throw new NevioError('listen: a TLS address needs a server started with TLS settings', 'ERR_NEVIO_OPTIONS');
    const { loop, options } = this;
    const index = bindNow(loop, parsed, host, options, parsed.options.reusePort ?? options.reusePort ?? false);
    const [family, ip, port] = loop.reactor.listenerAddress(index);
    const addr = makeAddr(parsed.network, family, ip, port);
    loop.listeners.add(parsed.network, addr, proxyTrust(parsed, options), tls);
    if (tls && this.tls !== undefined) loop.reactor.setListenerTls(index, this.tls.context());
    this.addrs.push(addr);
    return addr;
  }

  closeListener(addr: Addr): boolean {
    const at = this.addrs.indexOf(addr);
    if (at < 0) return false;
    for (let index = 0; index < this.loop.listeners.count; index++) {
      if (this.loop.listeners.at(index)?.addr === addr) this.loop.reactor.unlisten(index);
    }
    this.addrs.splice(at, 1);
    return true;
  }

  stop(): Promise<void> {
    if (this.requestStop !== undefined) {
      this.requestStop();
      return this.done;
    }
    return this.stopLoop();
  }

  /** Stops this loop (and, on loop 0, every other loop). */
  stopLoop(): Promise<void> {
    if (this.stopping === undefined) {
      this.stopping = this.done;
      clearTimeout(this.tickTimer);
      // Peers that never read would hold a graceful stop forever; after the timeout they are cut.
      this.forceTimer = setTimeout(() => this.loop.reactor.closeAll(), this.stopTimeout);
      this.groupStopped = this.group?.stop();
      // From now on dials from this thread go elsewhere: this loop refuses new connections.
      unregisterServingLoop(this.loop);
      this.loop.reactor.stop();
    }
    return this.stopping;
  }

  /** The reactor reports that its last connection closed after stop(). */
  async stopped(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.forceTimer);
    clearTimeout(this.tickTimer);
    unregisterServingLoop(this.loop);
    this.loop.reactor.destroy();
    await this.groupStopped;
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

  serving(): void {
    try {
      if (this.events.serving?.(this) === Action.Shutdown) void this.stop();
    } catch (error) {
      this.loop.reportError(error as Error);
    }
    this.startTicker();
  }
}

/** Opens one listener (its query options win over `serve`'s): its index; throws the reactor's error. */
function openListener(loop: Loop, addr: ListenAddress, host: string, options: Options, reusePort: boolean): number {
  const transport = addr.network === 'unix' ? 'unix' : addr.network.startsWith('udp') ? 'udp' : 'tcp';
  return loop.reactor.listen(
    transport,
    host,
    addr.port,
    familyOf(addr.network),
    addr.path,
    addr.options.backlog ?? options.backlog ?? defaults.backlog,
    addr.options.reuseAddr ?? options.reuseAddr ?? true,
    reusePort,
  );
}

/** The reactor's error as a {@link SystemCallError} naming the address. */
function listenError(error: unknown, addr: ListenAddress): unknown {
  const e = error as { syscall?: string; errno?: number };
  return typeof e.errno === 'number' ? systemError(e.syscall ?? 'listen', e.errno, addr.input) : error;
}

/** Opens one listener now; a unix socket's file that exists is an error (no time to test it for staleness). */
function bindNow(loop: Loop, addr: ListenAddress, host: string, options: Options, reusePort: boolean): number {
  try {
    return openListener(loop, addr, host, options, reusePort);
  } catch (error) {
    throw listenError(error, addr);
  }
}

/** Opens one listener; a stale unix socket file left by a dead process is replaced. */
async function bind(loop: Loop, addr: ListenAddress, host: string, options: Options, reusePort: boolean): Promise<number> {
  try {
    return openListener(loop, addr, host, options, reusePort);
  } catch (error) {
    const e = error as { code?: string };
    if (addr.network === 'unix' && e.code === 'EADDRINUSE' && (await isStaleSocket(addr.path))) {
      unlinkSync(addr.path);
      return bindNow(loop, addr, host, options, reusePort);
    }
    throw listenError(error, addr);
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

function createLoop(events: Events<any>, options: Options, server: LoopServer): Loop {
  const high = options.writeHighWatermark ?? defaults.writeHighWatermark;
  const low = options.writeLowWatermark ?? Math.min(defaults.writeLowWatermark, high);
  if (low > high) throw new NevioError('writeLowWatermark must not exceed writeHighWatermark', 'ERR_NEVIO_OPTIONS');
  return new Loop(
    server.loopIndex,
    events,
    options.logger ?? console,
    {
      readChunk: options.readChunk ?? defaults.readChunk,
      writeHighWatermark: high,
      writeLowWatermark: low,
      maxInbound: options.maxInbound ?? defaults.maxInbound,
      keepAliveSeconds: Math.ceil((options.tcpKeepAlive ?? 0) / 1000),
      noDelay: options.tcpNoDelay ?? true,
      allowHalfOpen: options.allowHalfOpen ?? false,
      lingerTimeout: options.lingerTimeout ?? defaults.lingerTimeout,
      backend: chooseBackend(options.backend, options.logger ?? console),
    },
    () => void server.stop(),
    () => void server.stopped(),
  );
}

/** The PROXY protocol trust of a listener, or undefined when it reads no headers. */
function proxyTrust(addr: { network: Network; options: ListenerOptions }, options: Options): ProxyTrust | undefined {
  const enabled = addr.options.proxyProtocol ?? options.proxyProtocol ?? false;
  if (!enabled || addr.network.startsWith('udp')) return undefined;
  return new ProxyTrust(options.proxyTrusted ?? DEFAULT_PROXY_TRUSTED);
}

function balancing(lb: LoadBalancing = 'round-robin'): 0 | 1 | 2 | 3 {
  const algorithm = Object.hasOwn(constants.balance, lb) ? constants.balance[lb] : undefined;
  if (algorithm === undefined) {
    throw new NevioError(`lb must be one of ${Object.keys(constants.balance).join(', ')}, not ${String(lb)}`, 'ERR_NEVIO_OPTIONS');
  }
  return algorithm;
}

function loopCount(options: Options): number {
  const n = options.numEventLoop ?? (options.multicore ? availableParallelism() : 1);
  if (!Number.isInteger(n) || n < 1) throw new NevioError(`numEventLoop must be a positive integer, not ${n}`, 'ERR_NEVIO_OPTIONS');
  return n;
}

/**
 * Starts a server: binds every address and resolves once it is listening.
 *
 * ```ts
 * const server = await serve({ react: (conn, data) => data }, ['tcp://127.0.0.1:5000']);
 * ```
 *
 * With `multicore` or `numEventLoop`, loop 0 runs here and the other loops run in worker threads
 * that load the program's main module again; their `serve` calls (same handlers, same addresses)
 * join this server as loops and resolve to a {@link Server} whose `loopIndex` is theirs.
 *
 * @param events - the callbacks; see {@link Events}.
 * @param addrs - one or more of `tcp://host:port`, `tcp4://`, `tcp6://[::1]:port`, `udp://`,
 *   `unix:///path/to.sock`, or a bare port (`8080`: `tcp://127.0.0.1:8080`); an empty host
 *   (`tcp://:8080`) is every interface; port 0 picks a free port (see {@link Server.addrs}). A
 *   query sets that listener's options: `?reuseport=true`, `?reuseaddr=false`, `?backlog=N`
 *   (see {@link ListenerOptions}).
 * @param options - see {@link Options}.
 * @throws {@link AddressError} for an address that cannot be parsed or resolved, and
 *   {@link SystemCallError} when a listener cannot be opened (`EADDRINUSE`, `EACCES`, a missing
 *   unix socket directory: `ENOENT`), naming the address.
 */
export async function serve<C = unknown>(
  events: Events<C>,
  addrs: AddressInput | readonly AddressInput[],
  options: Options = {},
): Promise<Server> {
  const joining = loopWorkerData();
  if (joining !== undefined) return joinAsLoop(events as Events<any>, options, joining);

  const list = typeof addrs === 'string' || typeof addrs === 'number' ? [addrs] : [...addrs];
  if (list.length === 0) throw new NevioError('serve needs at least one address', 'ERR_NEVIO_ADDRESS');
  const parsed = list.map(parseAddress);
  const hosts = await Promise.all(parsed.map(resolveHost));
  const loops = loopCount(options);
  const algorithm = balancing(options.lb);
  const reusePort = parsed.map((addr) => addr.options.reusePort ?? options.reusePort ?? false);
  // SO_REUSEPORT balances only on Linux; elsewhere, and when some TCP/UDP address does not ask for
  // it, loop 0 accepts and hands connections over.
  const kernelBalances =
    loops > 1 && process.platform === 'linux' && parsed.every((addr, i) => addr.network === 'unix' || reusePort[i]);

  const server = new LoopServer(events as Events<any>, options.stopTimeout ?? defaults.stopTimeout, 0);
  server.tls = ServerTls.of(parsed, options.tls);
  server.options = options;
  // Settings that do not load fail serve before anything is bound.
  const tlsContext = server.tls?.context();
  const loop = createLoop(events as Events<any>, options, server);
  server.loop = loop;
  try {
    for (let i = 0; i < parsed.length; i++) {
      const index = await bind(loop, parsed[i], hosts[i], options, reusePort[i]);
      const [family, address, port] = loop.reactor.listenerAddress(index);
      const addr = makeAddr(parsed[i].network, family, address, port);
      loop.listeners.add(parsed[i].network, addr, proxyTrust(parsed[i], options), parsed[i].options.tls === true);
      server.addrs.push(addr);
    }
    if (tlsContext !== undefined) loop.listeners.setTlsContext(tlsContext);
    if (loops > 1) {
      server.loops = loops;
      server.group = await spawnLoops({
        loops,
        loop,
        listeners: parsed.map((addr, i) => ({
          network: addr.network,
          host: hosts[i],
          port: server.addrs[i].port,
          path: addr.path,
          family: server.addrs[i].network === 'unix' ? 0 : server.addrs[i].address.includes(':') ? 6 : 4,
          address: server.addrs[i].address,
          options: addr.options,
        })),
        kernelBalances,
        tlsTicketKeys: server.tls?.ticketKeys,
        workerModule: options.workerModule,
        exitOnLoopError: options.exitOnLoopError ?? false,
        onStopRequest: () => void server.stopLoop(),
      });
      loop.reactor.setBalancer(kernelBalances ? [loop.registryId] : server.group.reactors, algorithm);
    }
  } catch (error) {
    loop.reactor.destroy();
    throw error;
  }
  loop.reactor.start();
  registerServingLoop(loop);
  server.serving();
  return server;
}

/** A worker thread's `serve`: becomes one loop of the server that loop 0 runs. */
async function joinAsLoop(events: Events<any>, options: Options, data: LoopWorkerData): Promise<Server> {
  const server = new LoopServer(events, options.stopTimeout ?? defaults.stopTimeout, data.loopIndex);
  server.loops = data.loops;
  const loop = createLoop(events, options, server);
  server.loop = loop;
  server.tls = ServerTls.of(data.listeners.map((spec) => ({ input: `${spec.network}://${spec.address}:${spec.port}`, options: spec.options })), options.tls, data.tlsTicketKeys);
  for (const spec of data.listeners) {
    // Connections handed over keep loop 0's listener index, so this loop knows the same listeners
    // in the same order; with kernel balancing it opens its own TCP/UDP ones on the same ports.
    if (data.kernelBalances && spec.network !== 'unix') {
      const addr: ListenAddress = { input: `${spec.network}://${spec.address}:${spec.port}`, ...spec };
      const index = await bind(loop, addr, spec.host, options, true);
      const [family, address, port] = loop.reactor.listenerAddress(index);
      loop.listeners.add(spec.network, makeAddr(spec.network, family, address, port), proxyTrust(spec, options), spec.options.tls === true);
    } else {
      loop.listeners.add(spec.network, makeAddr(spec.network, spec.family, spec.address, spec.port), proxyTrust(spec, options), spec.options.tls === true);
    }
    server.addrs.push(loop.listeners.get(loop.listeners.count - 1).addr);
  }
  if (server.tls !== undefined) loop.listeners.setTlsContext(server.tls.context());
  loop.reactor.start();
  const { parentPort } = await import('node:worker_threads');
  server.requestStop = () => parentPort!.postMessage({ nevio: 'stop-request' });
  parentPort!.on('message', (message: { nevio?: string; reactors?: number[]; settings?: TlsOptions }) => {
    if (message?.nevio === 'stop') void server.stopLoop();
    if (message?.nevio === 'group') server.peers = message.reactors;
    if (message?.nevio === 'tls' && message.settings !== undefined) server.reloadTls(message.settings).catch((error: Error) => loop.reportError(error));
  });
  void server.done.then(() => parentPort!.postMessage({ nevio: 'stopped' }));
  parentPort!.postMessage({ nevio: 'ready', reactor: loop.registryId });
  registerServingLoop(loop);
  server.serving();
  return server;
}
