/**
 * Making the running server follow a setting CONFIG SET changed (the settings that are more than
 * a value read where it is used).
 *
 * @packageDocumentation
 */
import { Aof } from './aof';
import { CommandError } from './command';
import { applySetting, cloneConfig, keyspaceEventFlags, lookupParam, showSetting, type Config } from './config';
import { rewriteConfig } from './config-rewrite';
import { accessTracking } from './keyspace';
import type { RedisServer } from './server';
import { isTlsSetting } from './tls';

/**
 * A setting CONFIG SET accepted that the running server could not follow (a port in use): the
 * whole CONFIG SET is rolled back, as Redis's apply functions fail it.
 */
export class SettingNotApplied extends Error {}

/** Settings replication reads when they change: the backlog's size, whether commands are checked. */
const REPLICATION_SETTINGS = new Set(['repl-backlog-size', 'min-replicas-to-write', 'min-replicas-max-lag', 'replica-read-only', 'replica-serve-stale-data']);

/** Reads keep the LFU counter under an LFU policy, the LRU clock otherwise (`keyspace.ts`). */
export function followAccessTracking(config: Config): void {
  accessTracking.lfu = config['maxmemory-policy'].endsWith('-lfu');
  accessTracking.logFactor = Number(showSetting(config, 'lfu-log-factor'));
  accessTracking.decayMinutes = Number(showSetting(config, 'lfu-decay-time'));
}

/** Applies the changed setting `name` (lower case) to the running server. */
export function applyLiveSetting(server: RedisServer, name: string): void {
  const cfg = server.config;
  if (name === 'slowlog-max-len') server.slowlog.trim(cfg['slowlog-max-len']);
  if (name === 'maxmemory-policy' || name === 'lfu-log-factor' || name === 'lfu-decay-time') followAccessTracking(cfg);
  if (name === 'notify-keyspace-events') server.notifyFlags = keyspaceEventFlags(cfg);
  if (name === 'client-output-buffer-limit') server.outputLimits.configure(showSetting(cfg, name));
  if (name === 'tracking-table-max-keys') server.trackingMaxKeys = Number(showSetting(cfg, name));
  // A lower limit evicts at once, as Redis's CONFIG SET maxmemory starts evicting.
  if (name === 'maxmemory' && cfg.maxmemory > 0) {
    server.measureMemory();
    server.memory.ensure();
  }
  if (name === 'requirepass') server.acl.setDefaultPassword(cfg.requirepass);
  if (name === 'port' && server.movePort !== undefined) server.movePort(cfg.port);
  if (isTlsSetting(name) && server.reloadTls !== undefined) {
    server.reloadTls().catch((error: Error) => server.log.warn(`TLS configuration not applied: ${error.message}`));
  }
  // CONFIG SET may name a setting by its alias (min-slaves-to-write).
  const canonical = lookupParam(name)?.name ?? name;
  if (REPLICATION_SETTINGS.has(canonical)) server.replication.configChanged(canonical);
  if (name === 'proto-max-bulk-len') for (const c of server.clients.values()) c.parser.maxBulk = cfg['proto-max-bulk-len'];
  // Back to `no`: the history files kept meanwhile go at once, as Redis's apply function does.
  if (name === 'aof-disable-auto-gc') server.aof?.collectHistory();
  if (name === 'appendonly') {
    if (cfg.appendonly && server.aof?.enabled !== true) {
      // A BGREWRITEAOF with the AOF off is running: it stops, the enabling one starts.
      server.aof?.close();
      // Enabling at run time: logging starts with a rewrite of the whole dataset (startAppendOnly).
      Aof.enable(server);
    } else if (!cfg.appendonly && server.aof?.enabled === true) {
      server.aof.close();
      server.aof = null;
    }
  }
}

/**
 * CONFIG SET of several settings: all of them, or (when one is refused) none; then the running
 * server follows each one that changed.
 */
export function configureAtomically(server: RedisServer, settings: readonly (readonly [name: string, value: string])[], allowProtected: boolean): void {
  const trial = cloneConfig(server.config);
  const changed: string[] = [];
  for (const [name, value] of settings) {
    const err = applySetting(trial, name, [value], { startup: false, allowProtected });
    if (err !== undefined) throw new CommandError(`ERR ${err}`);
    changed.push(name.toLowerCase());
  }
  const previous = cloneConfig(server.config);
  Object.assign(server.config, trial);
  const followed: string[] = [];
  for (const name of changed) {
    try {
      applyLiveSetting(server, name);
    } catch (e) {
      if (!(e instanceof SettingNotApplied)) throw e;
      // Every setting goes back, and the server follows the old values of those it followed.
      Object.assign(server.config, previous);
      for (const back of followed) applyLiveSetting(server, back);
      throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${e.message}`);
    }
    followed.push(name);
  }
}

/** CONFIG REWRITE: the config file the server started with, rewritten with today's settings (and users, without an aclfile). */
export function rewriteServerConfig(server: RedisServer, forceAll: boolean): void {
  const file = server.config.configFile;
  if (file === undefined) throw new CommandError('ERR The server is running without a config file');
  try {
    const users = showSetting(server.config, 'aclfile') === '' ? server.acl.describeAll() : [];
    rewriteConfig(server.config, file, forceAll, users);
  } catch (e) {
    const what = forceAll ? 'CONFIG-REWRITE-FORCE-ALL failed' : 'Rewriting config file';
    throw new CommandError(`ERR ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
