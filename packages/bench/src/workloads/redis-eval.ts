// EVALSHA of a small script (INCR then EXPIRE of one key, the shape of a rate limiter or a
// counter with a TTL) against nevio-redis and redis-server, driven by redis-benchmark with the
// same command line for both. The script is loaded (SCRIPT LOAD) before the measured window.
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { nevioRedis, redisServer } from '../peers';
import { onPath, pinned, runTool, shellLine } from '../proc';
import { parseRedisBenchmarkCsv } from '../tools';
import type { Load, LoadContext, LoadResult, Workload } from '../types';

const CONNS = 50;
/** Keys the calls spread over (redis-benchmark's -r): key:000000000000 … key:000000000999. */
const KEYSPACE = 1000;
/** The TTL the script sets, in seconds. */
const TTL_SECONDS = '60';

/** The script: two redis.call, an integer reply. */
export const EVAL_SCRIPT = "local n = redis.call('INCR', KEYS[1]) redis.call('EXPIRE', KEYS[1], ARGV[1]) return n";
const EVAL_SHA = createHash('sha1').update(EVAL_SCRIPT).digest('hex');

function resp(argv: string[]): string {
  return `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** SCRIPT LOAD over one connection; resolves with the SHA1 the server answered. */
function scriptLoad(port: number, script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => socket.destroy(new Error('SCRIPT LOAD got no answer in 10 s')), 10000);
    socket.on('connect', () => socket.write(resp(['SCRIPT', 'LOAD', script])));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      // A bulk string: "$40\r\n<sha>\r\n"; anything else is the server's error.
      const m = /^\$40\r\n([0-9a-f]{40})\r\n/.exec(answer);
      if (m !== null || /\r\n$/.test(answer)) {
        clearTimeout(timer);
        socket.end();
        if (m !== null) resolve(m[1]);
        else reject(new Error(`SCRIPT LOAD answered ${JSON.stringify(answer)}`));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function evalshaLoad(id: string, label: string, pipeline: number): Load {
  return {
    id,
    label,
    unavailable: () => (onPath('redis-benchmark') ? null : 'redis-benchmark is not installed (apt-get install redis-tools)'),
    async run(ctx: LoadContext): Promise<LoadResult> {
      const { duration, pin } = ctx.options;
      const sha = await scriptLoad(ctx.port, EVAL_SCRIPT);
      if (sha !== EVAL_SHA) throw new Error(`SCRIPT LOAD answered ${sha}, not the script's SHA1 ${EVAL_SHA}`);
      // A fixed request count scaled with --duration (as the redis workload's redis-benchmark loads).
      const n = Math.round(duration * (pipeline > 1 ? 50000 : 10000));
      const argv = pinned(pin?.load ?? null, [
        'redis-benchmark', '-h', '127.0.0.1', '-p', String(ctx.port), '-c', String(CONNS), '-n', String(n),
        '-P', String(pipeline), '-r', String(KEYSPACE), '--csv', 'EVALSHA', EVAL_SHA, '1', 'key:__rand_int__', TTL_SECONDS,
      ]);
      const started = process.hrtime.bigint();
      ctx.window.open();
      const run = await runTool(argv, Math.max(120, duration * 40) * 1000);
      ctx.window.close();
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      if (run.timedOut) throw new Error(`${shellLine(argv)} timed out: ${run.stderr.trim()}`);
      const rows = parseRedisBenchmarkCsv(run.stdout);
      if (rows.length !== 1) throw new Error(`${shellLine(argv)} exited with ${run.code} and no result: ${run.stderr.trim()}`);
      const failures = run.stderr.split('\n').filter((l) => /error/i.test(l));
      return {
        messages: n,
        seconds: rows[0].rps > 0 ? n / rows[0].rps : wall,
        p50Us: rows[0].p50Us,
        p99Us: rows[0].p99Us,
        errors: failures.length || (run.code === 0 ? 0 : 1),
        command: argv,
        detail: { wallSeconds: wall, ...(failures.length ? { failures } : {}) },
      };
    },
  };
}

export const redisEval: Workload = {
  name: 'redis-eval',
  title: 'EVALSHA of INCR + EXPIRE on one key, 50 connections',
  kind: 'throughput',
  subject: nevioRedis.name,
  // CI's quick run of `all` keeps to its time budget; run it as `node dist/cli.js redis-eval`.
  onlyByName: true,
  peers: [nevioRedis, redisServer],
  loads: () => [evalshaLoad('evalsha-P1', 'EVALSHA, 1 in flight', 1), evalshaLoad('evalsha-P16', 'EVALSHA, 16 pipelined', 16)],
};
