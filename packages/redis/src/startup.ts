/**
 * What `nevio-redis` does around serving, as redis-server does it: the log file checked before
 * anything starts, `daemonize yes` (into the background, detached), the pid file, the startup
 * log lines (and the warnings naming settings nevio accepts without acting on them).
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { appendFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { CliLog, LOG_LEVELS, type LogLevel } from '@nevio/core';
import { defaultConfig, showSetting, type Config } from './config';

/**
 * Parameters nevio accepts, checks and shows in CONFIG GET but does not act on: tuning of
 * Redis's own machinery (threads, allocator, rehashing, lazy freeing, fsync pacing) that has
 * no counterpart here, or that changes no reply. docs/redis.md lists them. A value other than
 * the default is logged at startup. Parameters whose value would change data safety or access
 * are refused instead (config.ts `unsupported`). Take a name out when nevio starts honouring it.
 */
export const WITHOUT_EFFECT: ReadonlySet<string> = new Set([
  'io-threads', 'io-threads-do-reads', 'tcp-backlog', 'tcp-keepalive', 'supervised', 'syslog-enabled', 'syslog-ident',
  'syslog-facility', 'oom-score-adj', 'oom-score-adj-values', 'disable-thp', 'jemalloc-bg-thread', 'activedefrag',
  'active-defrag-cycle-min', 'active-defrag-cycle-max', 'active-defrag-threshold-lower', 'active-defrag-threshold-upper',
  'active-defrag-ignore-bytes', 'active-defrag-max-scan-fields', 'activerehashing', 'dynamic-hz', 'lazyfree-lazy-eviction',
  'lazyfree-lazy-expire', 'lazyfree-lazy-server-del', 'lazyfree-lazy-user-del', 'lazyfree-lazy-user-flush',
  'replica-lazy-flush', 'rdb-del-sync-files', 'rdb-save-incremental-fsync', 'aof-rewrite-incremental-fsync',
  'no-appendfsync-on-rewrite', 'crash-log-enabled', 'crash-memcheck-enabled', 'server_cpulist', 'bio_cpulist', 'aof_rewrite_cpulist', 'bgsave_cpulist',
  'client-output-buffer-limit', 'maxmemory-clients', 'maxmemory-eviction-tenacity', 'active-expire-effort', 'socket-mark-id',
  'proc-title-template',
]);

/** The settings given a value other than the default that nevio does not act on. */
export function settingsWithoutEffect(cfg: Readonly<Config>): string[] {
  const defaults = defaultConfig();
  return [...WITHOUT_EFFECT].filter((name) => showSetting(cfg, name) !== showSetting(defaults, name));
}

/** The log `loglevel` and `logfile` ask for; a log file that cannot be opened fails the start, as in Redis. */
export function openLog(cfg: Readonly<Config>): CliLog {
  const level = showSetting(cfg, 'loglevel');
  const file = showSetting(cfg, 'logfile');
  if (file !== '') {
    try {
      appendFileSync(file, '');
    } catch (e) {
      throw new Error(`Can't open the log file: ${(e as Error).message}`);
    }
  }
  return new CliLog(LOG_LEVELS.find((l): l is LogLevel => l === level) ?? 'notice', file);
}

/**
 * `daemonize yes`: Node cannot fork, so the same command starts again detached from the
 * terminal (its own session, standard streams on /dev/null) with `--daemonize no`, and this
 * process exits, as redis-server's parent does after its fork. Returns false when there is
 * nothing to do.
 */
export function daemonizeIfAsked(cfg: Readonly<Config>, argv: readonly string[]): boolean {
  if (showSetting(cfg, 'daemonize') !== 'yes') return false;
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv, '--daemonize', 'no'], { detached: true, stdio: 'ignore' });
  child.unref();
  return true;
}

/** Writes `pidfile` (when set) and returns what removes it at exit, as Redis does. */
export function writePidFile(cfg: Readonly<Config>, log: CliLog): () => void {
  const file = showSetting(cfg, 'pidfile');
  if (file === '') return () => undefined;
  try {
    writeFileSync(file, `${process.pid}\n`);
  } catch (e) {
    // Redis goes on without it too ("Failed to write PID file").
    log.warn(`Failed to write PID file: ${(e as Error).message}`);
    return () => undefined;
  }
  return () => {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to remove.
    }
  };
}

/** The log lines before listening: who starts, with what, and the settings without effect. */
export function logStarting(cfg: Readonly<Config>, log: CliLog, version: string): void {
  log.notice('oO0OoO0OoO0Oo nevio-redis is starting oO0OoO0OoO0Oo');
  log.notice(`nevio-redis version=${version} (Redis 7.0.15 protocol), bits=64, node=${process.version}, pid=${process.pid}, just started`);
  if (cfg.configFile === undefined) log.warn('Warning: no config file specified, using the default config. In order to specify a config file use nevio-redis /path/to/redis.conf');
  else log.notice('Configuration loaded');
  const ignored = settingsWithoutEffect(cfg);
  if (ignored.length > 0) log.warn(`Accepted without effect in nevio (see docs/redis.md): ${ignored.join(', ')}`);
}
