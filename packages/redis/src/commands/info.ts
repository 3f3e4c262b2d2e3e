/**
 * INFO: every section and field name Redis 7.0 prints (server, clients, memory, persistence,
 * stats, replication, cpu, modules, errorstats, cluster, keyspace; commandstats and
 * latencystats with `all`; several sections in one call). Fields about machinery nevio does not
 * have (forks, RDB saves, replicas, defragmentation, io-threads) are there with the values
 * Redis shows when that machinery is idle.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { CMD_LOADING, CMD_STALE, NOKEYS, def } from '../command';
import type { CommandDef, ServerContext } from '../command';
import type { CommandStat } from '../cmdstats';
import { showSetting } from '../config';
import { REDIS_VERSION } from './connection';

/** The server's run id (40 hex digits, new per process as in Redis). */
const RUN_ID = randomBytes(20).toString('hex');

/** The sections `INFO` / `INFO default` prints. */
const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
/** `all` adds these (and `everything` the module-generated ones, which nevio has none of). */
const EXTRA_SECTIONS = ['commandstats', 'latencystats'];

type Fields = [string, string | number][];

function human(n: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${v.toFixed(2)}${units[i]}`;
}

/** The microseconds under which `p` percent of the calls fell, from the power-of-two buckets. */
/** The bucket bound under which `p` % of the tracked calls fell (p0: the smallest call's). */
function percentile(s: CommandStat, p: number): number {
  const target = (s.tracked * p) / 100;
  let seen = 0;
  for (let i = 0; i < s.histogram.length; i++) {
    const n = s.histogram[i] ?? 0;
    seen += n;
    if (n > 0 && seen >= target) return 2 ** i;
  }
  return 0;
}

/** `p50=…,p99=…,p99.9=…` for the configured `latency-tracking-info-percentiles`, named as Redis names them. */
function percentiles(s: CommandStat, wanted: readonly number[]): string {
  return wanted.map((p) => `p${p}=${percentile(s, p).toFixed(3)}`).join(',');
}

function section(server: ServerContext, name: string): Fields {
  const cfg = server.config;
  const now = Date.now();
  const uptime = Math.floor((now - server.info.startedAt) / 1000);
  switch (name) {
    case 'server':
      return [
        ['redis_version', REDIS_VERSION], ['redis_git_sha1', '00000000'], ['redis_git_dirty', 0], ['redis_build_id', '0'],
        ['redis_mode', 'standalone'], ['os', `${os.type()} ${os.release()} ${os.arch()}`], ['arch_bits', 64],
        ['monotonic_clock', 'POSIX clock_gettime'], ['multiplexing_api', 'nevio'], ['atomicvar_api', 'c11-builtin'],
        ['gcc_version', '0.0.0'], ['nevio_node_version', process.version], ['process_id', process.pid], ['process_supervised', 'no'],
        ['run_id', RUN_ID], ['tcp_port', server.info.tcpPort], ['server_time_usec', now * 1000],
        ['uptime_in_seconds', uptime], ['uptime_in_days', Math.floor(uptime / 86400)], ['hz', cfg.hz], ['configured_hz', cfg.hz],
        ['lru_clock', Math.floor(now / 1000) & 0xffffff], ['executable', process.argv[1] ?? ''], ['config_file', cfg.configFile ?? ''],
        ['io_threads_active', 0],
      ];
    case 'clients': {
      let pubsub = 0;
      for (const c of server.clients.values()) if (c.subscribed) pubsub++;
      return [
        ['connected_clients', server.clients.size], ['cluster_connections', 0], ['maxclients', cfg.maxclients],
        ['client_recent_max_input_buffer', 0], ['client_recent_max_output_buffer', 0], ['blocked_clients', server.blockedClients],
        ['tracking_clients', server.tracking.clients], ['clients_in_timeout_table', 0], ['pubsub_clients', pubsub],
      ];
    }
    case 'memory': {
      server.info.measureMemory();
      const used = server.info.usedMemory;
      const m = process.memoryUsage();
      const total = os.totalmem();
      const sc = server.scripting;
      const lua = sc.evalMemory;
      return [
        ['used_memory', used], ['used_memory_human', human(used)], ['used_memory_rss', m.rss], ['used_memory_rss_human', human(m.rss)],
        ['used_memory_peak', used], ['used_memory_peak_human', human(used)], ['used_memory_peak_perc', '100.00%'],
        ['used_memory_overhead', 0], ['used_memory_startup', 0], ['used_memory_dataset', used], ['used_memory_dataset_perc', '100.00%'],
        ['allocator_allocated', m.heapUsed], ['allocator_active', m.heapTotal], ['allocator_resident', m.rss],
        ['total_system_memory', total], ['total_system_memory_human', human(total)],
        ['used_memory_lua', lua], ['used_memory_vm_eval', lua], ['used_memory_lua_human', human(lua)], ['used_memory_scripts_eval', sc.scriptsMemory],
        ['number_of_cached_scripts', sc.cachedScripts], ['number_of_functions', sc.functionCount], ['number_of_libraries', sc.libraryCount], ['used_memory_vm_functions', sc.functionsMemory],
        ['used_memory_vm_total', lua + sc.functionsMemory], ['used_memory_vm_total_human', human(lua + sc.functionsMemory)], ['used_memory_functions', 0], ['used_memory_scripts', sc.scriptsMemory],
        ['used_memory_scripts_human', human(sc.scriptsMemory)], ['maxmemory', cfg.maxmemory], ['maxmemory_human', human(cfg.maxmemory)],
        ['maxmemory_policy', cfg['maxmemory-policy']], ['allocator_frag_ratio', '1.00'], ['allocator_frag_bytes', 0],
        ['allocator_rss_ratio', '1.00'], ['allocator_rss_bytes', 0], ['rss_overhead_ratio', '1.00'], ['rss_overhead_bytes', 0],
        ['mem_fragmentation_ratio', used === 0 ? '0.00' : (m.rss / used).toFixed(2)], ['mem_fragmentation_bytes', m.rss - used],
        ['mem_not_counted_for_evict', 0], ['mem_replication_backlog', 0], ['mem_total_replication_buffers', 0],
        ['mem_clients_slaves', 0], ['mem_clients_normal', 0], ['mem_cluster_links', 0], ['mem_aof_buffer', 0],
        ['mem_allocator', 'v8'], ['active_defrag_running', 0], ['lazyfree_pending_objects', 0], ['lazyfreed_objects', server.stats.lazyfreedObjects],
      ];
    }
    case 'persistence': {
      const aof = server.persistence.aof;
      return [
        ['loading', server.replication.loadingState === 'loading' ? 1 : 0], ['async_loading', server.replication.loadingState === 'async_loading' ? 1 : 0], ...server.persistence.rdb.info(), ['aof_enabled', aof?.enabled === true ? 1 : 0],
        ['aof_rewrite_in_progress', aof?.rewriteInProgress ? 1 : 0], ['aof_rewrite_scheduled', aof?.scheduled === true ? 1 : 0], ['aof_last_rewrite_time_sec', aof?.lastRewriteSeconds ?? -1],
        ['aof_current_rewrite_time_sec', -1], ['aof_last_bgrewrite_status', aof?.lastRewriteStatus ?? 'ok'], ['aof_rewrites', aof?.rewrites ?? 0],
        ['aof_rewrites_consecutive_failures', aof?.consecutiveFailures ?? 0], ['aof_last_write_status', 'ok'], ['aof_last_cow_size', 0],
        ['module_fork_in_progress', 0], ['module_fork_last_cow_size', 0],
        ...(aof?.enabled === true
          ? ([['aof_current_size', aof.size], ['aof_base_size', aof.baseSize], ['aof_pending_rewrite', aof.scheduled ? 1 : 0], ['aof_buffer_length', 0],
              ['aof_pending_bio_fsync', 0], ['aof_delayed_fsync', 0]] as Fields)
          : []),
      ];
    }
    case 'stats': {
      let hits = 0;
      let misses = 0;
      for (const db of server.dbs) {
        hits += db.hits;
        misses += db.misses;
      }
      const s = server.stats;
      return [
        ['total_connections_received', s.totalConnections], ['total_commands_processed', s.totalCommands], ['instantaneous_ops_per_sec', 0],
        ['total_net_input_bytes', 0], ['total_net_output_bytes', 0], ['total_net_repl_input_bytes', 0], ['total_net_repl_output_bytes', 0],
        ['instantaneous_input_kbps', '0.00'], ['instantaneous_output_kbps', '0.00'], ['instantaneous_input_repl_kbps', '0.00'],
        ['instantaneous_output_repl_kbps', '0.00'], ['rejected_connections', s.rejectedConnections], ['sync_full', server.replication.syncStats.full],
        ['sync_partial_ok', server.replication.syncStats.partialOk], ['sync_partial_err', server.replication.syncStats.partialErr], ['expired_keys', s.expiredKeys], ['expired_stale_perc', '0.00'], ['expired_time_cap_reached_count', 0],
        ['expire_cycle_cpu_milliseconds', 0], ['evicted_keys', s.evictedKeys], ['evicted_clients', 0], ['total_eviction_exceeded_time', 0],
        ['current_eviction_exceeded_time', 0], ['keyspace_hits', hits], ['keyspace_misses', misses],
        ['pubsub_channels', server.pubsub.channelCount], ['pubsub_patterns', server.pubsub.patternCount], ['pubsubshard_channels', server.pubsub.shardChannelCount],
        ['latest_fork_usec', 0], ['total_forks', s.forks], ['migrate_cached_sockets', server.migrateLinks.cached], ['slave_expires_tracked_keys', 0],
        ['active_defrag_hits', 0], ['active_defrag_misses', 0], ['active_defrag_key_hits', 0], ['active_defrag_key_misses', 0],
        ['total_active_defrag_time', 0], ['current_active_defrag_time', 0], ['tracking_total_keys', server.tracking.keys], ['tracking_total_items', server.tracking.items],
        ['tracking_total_prefixes', server.tracking.prefixes], ['unexpected_error_replies', server.commandStats.unexpectedErrors], ['total_error_replies', server.commandStats.totalErrors],
        ['dump_payload_sanitizations', 0], ['total_reads_processed', 0], ['total_writes_processed', 0],
        ['io_threaded_reads_processed', 0], ['io_threaded_writes_processed', 0], ['reply_buffer_shrinks', 0], ['reply_buffer_expands', 0],
      ];
    }
    case 'replication':
      return server.replication.info();
    case 'cpu': {
      const u = process.resourceUsage();
      const sec = (us: number): string => (us / 1e6).toFixed(6);
      return [
        ['used_cpu_sys', sec(u.systemCPUTime)], ['used_cpu_user', sec(u.userCPUTime)], ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'], ['used_cpu_sys_main_thread', sec(u.systemCPUTime)], ['used_cpu_user_main_thread', sec(u.userCPUTime)],
      ];
    }
    case 'commandstats':
      return [...server.commandStats.commands].map(([cmd, st]): [string, string] => [
        `cmdstat_${cmd}`,
        `calls=${st.calls},usec=${st.usec},usec_per_call=${(st.calls === 0 ? 0 : st.usec / st.calls).toFixed(2)},rejected_calls=${st.rejectedCalls},failed_calls=${st.failedCalls}`,
      ]);
    case 'errorstats':
      return [...server.commandStats.errors].map(([code, n]): [string, string] => [`errorstat_${code}`, `count=${n}`]);
    case 'latencystats': {
      const wanted = showSetting(cfg, 'latency-tracking-info-percentiles').split(' ').filter((w) => w !== '').map(Number);
      return [...server.commandStats.commands]
        .filter(([, st]) => st.tracked > 0)
        .map(([cmd, st]): [string, string] => [`latency_percentiles_usec_${cmd}`, percentiles(st, wanted)]);
    }
    case 'cluster':
      return [['cluster_enabled', 0]];
    case 'keyspace': {
      const fields: Fields = [];
      for (const db of server.dbs) if (db.size > 0) fields.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=0`]);
      return fields;
    }
    default:
      // modules (none), sentinel (not a sentinel), unknown names: an empty section or nothing.
      return [];
  }
}

const TITLES: Record<string, string> = { cpu: 'CPU', commandstats: 'Commandstats', errorstats: 'Errorstats', latencystats: 'Latencystats' };

/** The text of INFO for the asked sections (lower-case names; none means `default`). */
export function infoText(server: ServerContext, asked: readonly string[]): string {
  const names = new Set<string>();
  for (const a of asked.length === 0 ? ['default'] : asked) {
    if (a === 'default') DEFAULT_SECTIONS.forEach((s) => names.add(s));
    else if (a === 'all' || a === 'everything') [...DEFAULT_SECTIONS, ...EXTRA_SECTIONS].forEach((s) => names.add(s));
    else names.add(a);
  }
  // Printed in Redis's order, whatever the order asked.
  const order = [...DEFAULT_SECTIONS.slice(0, 7), 'modules', 'commandstats', 'errorstats', 'latencystats', 'cluster', 'keyspace'];
  const out: string[] = [];
  for (const name of order) {
    if (!names.has(name)) continue;
    const title = TITLES[name] ?? name[0].toUpperCase() + name.slice(1);
    out.push(`# ${title}\r\n${section(server, name).map(([k, v]) => `${k}:${v}\r\n`).join('')}`);
  }
  return out.join('\r\n');
}

export const infoCommands: CommandDef[] = [
  def('info', -1, CMD_LOADING | CMD_STALE, NOKEYS, 'server', (ctx, argv) => {
    ctx.reply.verbatim(infoText(ctx.server, argv.slice(1).map((a) => a.toString().toLowerCase())));
  }),
];
