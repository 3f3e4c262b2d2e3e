/**
 * `@nevio/redis`: a Redis-compatible server on the nevio reactor.
 *
 * ```ts
 * import { defaultConfig, startRedis } from '@nevio/redis';
 * const redis = await startRedis({ ...defaultConfig(), port: 6380 });
 * // … redis-cli -p 6380 …
 * await redis.stop();
 * ```
 *
 * @packageDocumentation
 */
export { startRedis, type RunningRedis } from './listen';
export { RedisServer, type ServerLog, type Stats } from './server';
export { defaultConfig, type Config } from './config';
export { ConfigFileError, parseArgs, readConfigFile } from './config-file';
export { RespParser, ProtocolError } from './parser';
export { Reply, formatDouble } from './reply';
export { AofLoadError } from './aof';
export { AofManifestError } from './aof/manifest';
export type {
  AofStatus,
  BlockSpec,
  ClientState,
  ClientView,
  CommandContext,
  CommandDef,
  CommandGroup,
  CommandRun,
  ConnectionView,
  KeySpec,
  Persistence,
  PubSubView,
  ServerContext,
  ServerInfo,
  SocketAddress,
  TypeOps,
} from './command';
