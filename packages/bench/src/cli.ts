#!/usr/bin/env node
// node dist/cli.js [echo|http|redis|all] [--quick] [--reps 3] [--duration 10] [--warmup 1]
//                  [--peers a,b] [--out DIR] [--no-pin]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resultsDir } from './paths';
import { onPath } from './proc';
import { runWorkload } from './runner';
import type { RunOptions } from './types';
import { workloads } from './workloads';

const USAGE = `usage: node dist/cli.js [${workloads.map((w) => w.name).join('|')}|all] [--quick] [--reps N] [--duration S] [--warmup S] [--peers a,b] [--out DIR] [--no-pin]`;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

function positive(flag: string, v: string | undefined, allowZero = false): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) fail(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number`);
  return n;
}

export interface CliArgs {
  names: string[];
  options: RunOptions;
  out: string;
}

export function parseArgs(argv: string[]): CliArgs {
  let which = 'all';
  let quick = false;
  let reps: number | undefined;
  let duration: number | undefined;
  let warmup: number | undefined;
  let peers: string[] | undefined;
  let out = resultsDir;
  let pin = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // `pnpm bench -- x` hands the `--` through to the script.
    if (a === '--') continue;
    else if (a === '--quick') quick = true;
    else if (a === '--reps') reps = Math.round(positive(a, argv[++i]));
    else if (a === '--duration') duration = positive(a, argv[++i]);
    else if (a === '--warmup') warmup = positive(a, argv[++i], true);
    else if (a === '--peers') peers = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--out') out = path.resolve(argv[++i] ?? fail('--out needs a directory'));
    else if (a === '--no-pin') pin = false;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (!a.startsWith('-')) which = a;
    else fail(`unknown option ${a}`);
  }
  const names = which === 'all' ? workloads.map((w) => w.name) : [which];
  for (const n of names) if (!workloads.some((w) => w.name === n)) fail(`unknown workload ${n}`);
  // Pinning needs a CPU for the server and another for the load.
  const canPin = pin && os.cpus().length >= 2 && onPath('taskset');
  return {
    names,
    out,
    options: {
      reps: reps ?? (quick ? 1 : 3),
      duration: duration ?? (quick ? 2 : 10),
      warmup: warmup ?? (quick ? 0.5 : 1),
      quick,
      quietWaitMs: quick ? 3000 : 10000,
      pin: canPin ? { server: '1', load: '0' } : null,
      ...(peers ? { peers } : {}),
    },
  };
}

async function main(): Promise<void> {
  const { names, options, out } = parseArgs(process.argv.slice(2));
  if (!options.pin) console.log('not pinning: needs 2+ CPUs and taskset; server and load share the CPUs');
  let failed = 0;
  for (const name of names) {
    const w = workloads.find((x) => x.name === name)!;
    const result = await runWorkload(w, options, (line) => console.log(line));
    fs.mkdirSync(out, { recursive: true });
    // ISO 8601 with ':' swapped for '-', which some file systems and tools refuse.
    const file = path.join(out, `${w.name}-${result.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nwrote ${path.relative(process.cwd(), file)}\n`);
    for (const c of result.cases) {
      for (const e of Object.values(c.peers)) failed += e.runs.filter((r) => !r.ok || (r.errors ?? 0) > 0).length;
    }
  }
  if (failed) {
    console.error(`${failed} run(s) failed or reported errors`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
