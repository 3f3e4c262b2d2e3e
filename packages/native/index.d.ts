/**
 * The compiled reactor. This is @nevio/core's private interface to the native code; applications
 * use @nevio/core. Layouts of `records` and `ops` (four int32 per entry) are defined in
 * src/reactor.h.
 */
export interface ReactorOptions {
  readChunk?: number;
  writeHighWatermark?: number;
  writeLowWatermark?: number;
  maxInbound?: number;
  keepAliveSeconds?: number;
  noDelay?: boolean;
  allowHalfOpen?: boolean;
}

/** [family (4, 6, or 0 for unix), address, port] */
export type Endpoint = [number, string, number];

export declare class Reactor {
  constructor(onBatch: (count: number) => number, options?: ReactorOptions);
  readonly records: Int32Array;
  readonly ops: Int32Array;
  readonly readBuffer: Buffer;
  readonly stage: Buffer;
  listen(
    transport: 'tcp' | 'udp' | 'unix',
    host: string,
    port: number,
    family: 0 | 4 | 6,
    path: string,
    backlog: number,
    reuseAddr: boolean,
    reusePort: boolean,
  ): number;
  listenerAddress(listener: number): Endpoint;
  start(): void;
  flush(ops: number): void;
  write(id: number, data: Uint8Array): number;
  close(id: number): boolean;
  detach(id: number): [number, Buffer | null] | null;
  inbound(id: number): Buffer | null;
  outbound(id: number): number;
  setReading(id: number, on: boolean): boolean;
  setNoDelay(id: number, on: boolean): void;
  setKeepAlive(id: number, on: boolean, seconds: number): void;
  localAddress(id: number): Endpoint;
  remoteAddress(id: number): Endpoint;
  datagramSender(payloadOffset: number): Buffer;
  describeSender(sender: Buffer): Endpoint;
  sendTo(listener: number, sender: Buffer, data: Uint8Array): number;
  wake(id: number): void;
  stop(): void;
  closeAll(): void;
  destroy(): void;
  count(): number;
}

/** `epoll` or `kqueue`. */
export declare const backend: string;

export declare interface Reactor {
  /** The reactor's process-wide id, valid from any thread. */
  registryId(): number;
  /** Spreads accepted connections over these reactors: 0 round-robin, 1 least-connections, 2 source-addr-hash, 3 random. */
  setBalancer(reactorIds: number[], algorithm: 0 | 1 | 2 | 3): void;
}

/** Thread-safe: queues a write for connection `id` of reactor `reactorId`; false if that reactor is gone. */
export declare function postWrite(reactorId: number, id: number, data: Uint8Array): boolean;
/** Thread-safe: makes reactor `reactorId` run `react` again for connection `id`. */
export declare function postWake(reactorId: number, id: number): boolean;
/** Thread-safe: closes connection `id` of reactor `reactorId` after its pending output. */
export declare function postClose(reactorId: number, id: number): boolean;
/** Open connections of reactor `reactorId`, or -1 if it is gone. Thread-safe. */
export declare function liveConnections(reactorId: number): number;
