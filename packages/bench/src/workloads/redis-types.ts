// Redis's streams, HyperLogLog and geo commands: nevio-redis against redis-server with the same
// load generator (native/resp_types.c builds the requests and checks every reply). The figure
// to compare is the server's CPU time per command.
//
// - XADD: 50 connections append `f <16 B>` to one stream with server-made IDs.
// - XREADGROUP + XACK: a consumer loop. Each connection owns a stream and group; the load
//   generator first appends to them for (warm-up + duration) / 2 (not measured), then reads the
//   entries back one by one (`XREADGROUP ... COUNT 1 ... >`), each read followed by the XACK of
//   the ID it returned; the window closes when the first connection has consumed all it
//   appended. Every command (read or ack) counts as one message.
// - PFADD: one element per command into one HyperLogLog (dense after the first thousands).
// - GEOADD: one member per command into one geo set, random coordinates over the whole valid
//   range, members out of 10^6.
//
// Pipelined 16 deep (the commands' own cost dominates) and, in full runs, 1 in flight (the
// syscalls dominate, as for any small command).
import { nevioRedis, redisServer } from '../peers';
import { loadgenLoad, type LoadgenParams } from '../tools';
import type { Load, Workload } from '../types';

const CONNS = 50;
/** Bytes of a stream entry's value. */
const VALUE_BYTES = 16;

const COMMANDS: { id: string; label: string; mode: LoadgenParams['mode'] }[] = [
  { id: 'xadd', label: 'XADD * (one stream, 16 B value)', mode: 'xadd' },
  { id: 'xgroup', label: 'XREADGROUP COUNT 1 + XACK (a group per connection)', mode: 'xgroup' },
  { id: 'pfadd', label: 'PFADD, one element (one dense HLL)', mode: 'pfadd' },
  { id: 'geoadd', label: 'GEOADD, one member (one geo set)', mode: 'geoadd' },
];

function load(c: (typeof COMMANDS)[number], depth: number): Load {
  const inFlight = depth === 1 ? '1 in flight' : `${depth} pipelined`;
  return loadgenLoad(`${c.id}-d${depth}`, `${c.label}, ${inFlight}`, { mode: c.mode, conns: CONNS, depth, size: VALUE_BYTES });
}

export const redisTypes: Workload = {
  name: 'redis-types',
  title: 'streams, HyperLogLog and geo, 50 connections',
  kind: 'throughput',
  subject: nevioRedis.name,
  peers: [nevioRedis, redisServer],
  onlyByName: true,
  loads: (o) => [...COMMANDS.map((c) => load(c, 16)), ...(o.quick ? [] : COMMANDS.map((c) => load(c, 1)))],
};
