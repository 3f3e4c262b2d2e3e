/**
 * LATENCY LATEST/HISTORY/RESET/DOCTOR/GRAPH/HISTOGRAM/HELP over the latency monitor
 * (`latency.ts`) and the per-command histograms of INFO commandstats (`cmdstats.ts`).
 *
 * @packageDocumentation
 */
import { CMD_ADMIN, CMD_LOADING, CMD_NOSCRIPT, CMD_STALE, CommandError, NOKEYS, def } from '../command';
import type { CommandContext, CommandDef } from '../command';
import type { CommandStat } from '../cmdstats';
import { dispatchSub, helpReply } from './sub';

function histogram(ctx: CommandContext, name: string, s: CommandStat): void {
  const r = ctx.reply;
  r.bulk(name);
  r.map(2);
  r.bulk('calls');
  r.integer(s.calls);
  r.bulk('histogram_usec');
  // Cumulative counts per power-of-two bucket that has calls, as Redis's HDR histogram output.
  const buckets: [number, number][] = [];
  let total = 0;
  s.histogram.forEach((n, i) => {
    if (n === undefined || n === 0) return;
    total += n;
    buckets.push([2 ** i, total]);
  });
  r.map(buckets.length);
  for (const [us, n] of buckets) {
    r.integer(us);
    r.integer(n);
  }
}

/** A small ASCII chart of an event's samples (Redis draws a sparkline; this is its plain form). */
function graph(name: string, samples: readonly { time: number; latency: number }[], max: number): string {
  const rows = 4;
  const out = [`${name} - high ${max} ms, low ${Math.min(...samples.map((s) => s.latency))} ms (all time high ${max} ms)`, '-'.repeat(80)];
  for (let row = rows; row >= 1; row--) out.push(samples.map((s) => (s.latency * rows >= row * max ? '#' : ' ')).join(''));
  return `${out.join('\n')}\n`;
}

const latency = dispatchSub('latency', {
  latest: {
    arity: 2,
    run: (ctx) => {
      const r = ctx.reply;
      const events = [...ctx.server.latency.events];
      r.array(events.length);
      for (const [name, s] of events) {
        const last = s.samples[s.samples.length - 1];
        r.array(4);
        r.bulk(name);
        r.integer(last.time);
        r.integer(last.latency);
        r.integer(s.max);
      }
    },
  },
  history: {
    arity: 3,
    run: (ctx, argv) => {
      const s = ctx.server.latency.events.get(argv[2].toString());
      const r = ctx.reply;
      r.array(s?.samples.length ?? 0);
      for (const x of s?.samples ?? []) {
        r.array(2);
        r.integer(x.time);
        r.integer(x.latency);
      }
    },
  },
  reset: { arity: -2, run: (ctx, argv) => ctx.reply.integer(ctx.server.latency.reset(argv.slice(2).map((a) => a.toString()))) },
  graph: {
    arity: 3,
    run: (ctx, argv) => {
      const name = argv[2].toString();
      const s = ctx.server.latency.events.get(name);
      if (s === undefined) throw new CommandError(`ERR No samples available for event '${name}'`);
      ctx.reply.verbatim(graph(name, s.samples, s.max));
    },
  },
  doctor: {
    arity: 2,
    run: (ctx) => {
      const events = [...ctx.server.latency.events];
      const text =
        events.length === 0
          ? 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep a bit.\n'
          : `Dave, I have observed latency spikes in this Redis instance.\n\n${events
              .map(([name, s], i) => `${i + 1}. ${name}: ${s.samples.length} latency spikes (average ${Math.round(s.samples.reduce((a, x) => a + x.latency, 0) / s.samples.length)}ms). Worst all time event ${s.max}ms.`)
              .join('\n')}\n`;
      ctx.reply.verbatim(text);
    },
  },
  histogram: {
    arity: -2,
    run: (ctx, argv) => {
      const stats = ctx.server.commandStats.commands;
      const picked = new Map<string, CommandStat>();
      if (argv.length === 2) {
        for (const [name, s] of stats) picked.set(name, s);
      } else {
        for (let i = 2; i < argv.length; i++) {
          const want = argv[i].toString().toLowerCase();
          // A container name stands for all its subcommands.
          for (const [name, s] of stats) if (name === want || name.startsWith(`${want}|`)) picked.set(name, s);
        }
      }
      ctx.reply.map(picked.size);
      for (const [name, s] of picked) histogram(ctx, name, s);
    },
  },
  help: {
    arity: 2,
    run: (ctx) =>
      helpReply(ctx, [
        'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
        'DOCTOR',
        '    Return a human readable latency analysis report.',
        'GRAPH <event>',
        '    Return an ASCII latency graph for the <event> class.',
        'HISTORY <event>',
        '    Return time-latency samples for the <event> class.',
        'LATEST',
        '    Return the latest latency samples for all events.',
        'RESET [<event> ...]',
        '    Reset latency data of one or more <event> classes.',
        '    (default: reset all data for all event classes)',
        'HISTOGRAM [COMMAND ...]',
        '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
        '    If no commands are specified then all histograms are replied.',
        'HELP',
        '    Prints this help.',
      ]),
  },
});

export const latencyCommands: CommandDef[] = [def('latency', -2, CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE, NOKEYS, 'server', latency)];
