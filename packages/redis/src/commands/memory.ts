/**
 * MEMORY (Redis's object.c memoryCommand): USAGE of a key, STATS, DOCTOR, MALLOC-STATS, PURGE.
 * nevio's memory is the V8 heap's: the figures are estimates from the types' `memory` hooks and
 * `process.memoryUsage()`, in Redis's reply shapes.
 *
 * @packageDocumentation
 */
import { CommandError, NOKEYS, SYNTAX, argIs, argInt, def, keyOf } from '../command';
import type { CommandContext, CommandDef } from '../command';
import { DEFAULT_SAMPLES, KEY_OVERHEAD } from '../memory-sample';
import { dispatchSub, helpReply } from './sub';

function usage(ctx: CommandContext, argv: Buffer[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let i = 3; i < argv.length; i += 2) {
    if (!argIs(argv[i], 'samples') || i + 1 >= argv.length) throw new CommandError(SYNTAX);
    const n = argInt(argv[i + 1]);
    if (n < 0) throw new CommandError(SYNTAX);
    // SAMPLES 0 is every element, as Redis's; a count past 2^31 is every element too.
    samples = n > 0x7fffffff ? 0 : n;
  }
  const key = keyOf(argv[2]);
  const e = ctx.db.lookupWrite(key);
  if (e === undefined) return ctx.reply.nil();
  const ops = ctx.server.typeOps[e.type];
  ctx.reply.integer(KEY_OVERHEAD + key.length + (ops === undefined ? 0 : Math.ceil(ops.memory(e.value, samples))));
}

function stats(ctx: CommandContext): void {
  const server = ctx.server;
  server.info.measureMemory();
  const used = server.info.usedMemory;
  const m = process.memoryUsage();
  let keys = 0;
  const dbs = server.dbs.filter((db) => db.size > 0);
  for (const db of dbs) keys += db.size;
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 100) / 100);
  const fields: [string, number][] = [
    ['peak.allocated', used], ['total.allocated', used], ['startup.allocated', 0], ['replication.backlog', 0],
    ['clients.slaves', 0], ['clients.normal', 0], ['cluster.links', 0], ['aof.buffer', 0], ['lua.caches', 0],
    ['functions.caches', 0],
  ];
  const rest: [string, number, boolean][] = [
    ['overhead.total', 0, false], ['keys.count', keys, false], ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(used / keys), false],
    ['dataset.bytes', used, false], ['dataset.percentage', 100, true], ['peak.percentage', 100, true],
    ['allocator.allocated', m.heapUsed, false], ['allocator.active', m.heapTotal, false], ['allocator.resident', m.rss, false],
    ['allocator-fragmentation.ratio', ratio(m.heapTotal, m.heapUsed), true], ['allocator-fragmentation.bytes', m.heapTotal - m.heapUsed, false],
    ['allocator-rss.ratio', ratio(m.rss, m.heapTotal), true], ['allocator-rss.bytes', m.rss - m.heapTotal, false],
    ['rss-overhead.ratio', 1, true], ['rss-overhead.bytes', 0, false], ['fragmentation', ratio(m.rss, used), true],
    ['fragmentation.bytes', m.rss - used, false],
  ];
  const r = ctx.reply;
  r.map(fields.length + dbs.length + rest.length);
  for (const [name, value] of fields) {
    r.bulk(name);
    r.integer(value);
  }
  for (const db of dbs) {
    r.bulk(`db.${db.index}`);
    r.map(2);
    r.bulk('overhead.hashtable.main');
    r.integer(db.size * KEY_OVERHEAD);
    r.bulk('overhead.hashtable.expires');
    r.integer(db.expires.size * KEY_OVERHEAD);
  }
  for (const [name, value, isDouble] of rest) {
    r.bulk(name);
    if (isDouble) r.double(value);
    else r.integer(value);
  }
}

const memory = dispatchSub('memory', {
  usage: { arity: -3, run: usage },
  stats: { arity: 2, run: stats },
  doctor: { arity: 2, run: (ctx) => ctx.reply.verbatim('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.') },
  'malloc-stats': { arity: 2, run: (ctx) => ctx.reply.verbatim('Stats not supported for the current allocator') },
  purge: { arity: 2, run: (ctx) => ctx.reply.ok() },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'DOCTOR',
        '    Return memory problems reports.',
        'MALLOC-STATS',
        '    Return internal statistics report from the memory allocator.',
        'PURGE',
        '    Attempt to purge dirty pages for reclamation by the allocator.',
        'STATS',
        '    Return information about the memory usage of the server.',
        'USAGE <key> [SAMPLES <count>]',
        '    Return memory in bytes used by <key> and its value. Nested values are',
        '    sampled up to <count> times (default: 5, 0 means sample all).',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const memoryCommands: CommandDef[] = [def('memory', -2, 0, NOKEYS, 'server', memory)];
