#!/usr/bin/env node
// node dist/cli.js [echo|http|redis|memory|all] [--quick] [--reps 3] [--duration 10] [--warmup 1]
//                  [--peers a,b] [--baseline DIR] [--quiet-wait S] [--max-others PCT] [--max-steal PCT] [--retries N]
//                  [--out DIR] [--docs DIR] [--no-pin] [--report-only] [--allow-contaminated]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { latestResults, publishProblems, runKind, writeReport, type Refused, type WrittenReport } from './markdown';
import { DEFAULT_LIMITS, describeProcesses, QUIET_PCT, waitQuiet } from './noise';
import { docsDir, idleconnsPath, loadgenPath, repoRoot, resultsDir } from './paths';
import { onPath } from './proc';
import { planWorkload, Progress, repEstimateMs, runWorkload, type WorkloadResult } from './runner';
import type { RunOptions } from './types';
import { workloads } from './workloads';

const USAGE = `usage: node dist/cli.js [${workloads.map((w) => w.name).join('|')}|all] [--quick] [--reps N] [--duration S] [--warmup S] [--peers a,b] [--baseline DIR] [--quiet-wait S] [--max-others PCT] [--max-steal PCT] [--retries N] [--out DIR] [--docs DIR] [--no-pin] [--report-only] [--allow-contaminated]`;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

/** A `--baseline` checkout: a directory holding this repository's layout, built. */
function checkout(dir: string | undefined): string {
  if (dir === undefined) fail('--baseline needs the directory of another checkout of this repository');
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, 'packages'))) fail(`--baseline ${dir}: no packages/ there; give the root of a checkout of this repository`);
  return root;
}

function positive(flag: string, v: string | undefined, allowZero = false): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) fail(`${flag} needs a ${allowZero ? 'non-negative' : 'positive'} number`);
  return n;
}

export interface CliArgs {
  names: string[];
  options: RunOptions;
  /** Where result JSON goes. */
  out: string;
  /** Where the report goes: the docs for full runs, beside the results for quick ones. */
  docs: string;
  reportOnly: boolean;
  /** Publish workloads whose runs were contaminated (struck out and flagged on the page). */
  allowContaminated: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  let which = 'all';
  let quick = false;
  let reps: number | undefined;
  let duration: number | undefined;
  let warmup: number | undefined;
  let peers: string[] | undefined;
  let baseline: string | undefined;
  let out = resultsDir;
  let docs: string | undefined;
  let pin = true;
  let reportOnly = false;
  let quietWait: number | undefined;
  let allowContaminated = false;
  let retries: number | undefined;
  const noise = { ...DEFAULT_LIMITS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // `pnpm bench -- x` hands the `--` through to the script.
    if (a === '--') continue;
    else if (a === '--quick') quick = true;
    else if (a === '--reps') reps = Math.round(positive(a, argv[++i]));
    else if (a === '--duration') duration = positive(a, argv[++i]);
    else if (a === '--warmup') warmup = positive(a, argv[++i], true);
    else if (a === '--peers') peers = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--baseline') baseline = checkout(argv[++i]);
    else if (a === '--out') out = path.resolve(argv[++i] ?? fail('--out needs a directory'));
    else if (a === '--docs') docs = path.resolve(argv[++i] ?? fail('--docs needs a directory'));
    else if (a === '--quiet-wait') quietWait = positive(a, argv[++i], true);
    else if (a === '--no-pin') pin = false;
    else if (a === '--report-only') reportOnly = true;
    else if (a === '--max-others') noise.maxOthersPct = positive(a, argv[++i], true);
    else if (a === '--max-steal') noise.maxStealPct = positive(a, argv[++i], true);
    else if (a === '--retries') retries = Math.round(positive(a, argv[++i], true));
    else if (a === '--allow-contaminated') allowContaminated = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (!a.startsWith('-')) which = a;
    else fail(`unknown option ${a}`);
  }
  const group = workloads.filter((w) => w.group === which).map((w) => w.name);
  const names = which === 'all' ? workloads.filter((w) => !w.onlyByName).map((w) => w.name) : group.length > 0 ? group : [which];
  for (const n of names) if (!workloads.some((w) => w.name === n)) fail(`unknown workload ${n}`);
  // Pinning needs a CPU for the server and another for the load.
  const canPin = pin && os.cpus().length >= 2 && onPath('taskset');
  return {
    names,
    out,
    // A smoke run's figures, and a before/after run's extra peers, must not replace the published report.
    docs: docs ?? (quick ? path.join(out, 'quick-report') : baseline !== undefined ? path.join(out, 'baseline-report') : docsDir),
    reportOnly,
    allowContaminated,
    options: {
      reps: reps ?? (quick ? 1 : 3),
      duration: duration ?? (quick ? 1 : 10),
      warmup: warmup ?? (quick ? 0.25 : 1),
      quick,
      // A quick run on a shared machine would spend most of its time waiting for quiet.
      quietWaitMs: quietWait !== undefined ? quietWait * 1000 : quick ? 300 : 10000,
      pin: canPin ? { server: '1', load: '0' } : null,
      idleConns: quick ? 1000 : 10000,
      // A smoke run on a shared machine would mostly rerun; it reports contamination instead.
      noise: { ...noise, retries: retries ?? (quick ? 0 : DEFAULT_LIMITS.retries) },
      ...(peers ? { peers } : {}),
      ...(baseline !== undefined ? { baseline } : {}),
    },
  };
}

const INSTALL = 'bash scripts/setup.sh installs every tool (apt-get, as root or with sudo)';

/**
 * The tools the chosen workloads need, each missing one named with its install command.
 * Missing built tools are fatal (every workload needs them); a missing peer or load tool only
 * skips what uses it.
 */
export function preflight(names: string[], cpus = os.cpus().length, has: (cmd: string) => boolean = onPath): { fatal: string[]; warnings: string[] } {
  const fatal: string[] = [];
  const warnings: string[] = [];
  for (const [file, who] of [
    [loadgenPath, 'the load generator'],
    [idleconnsPath, 'the idle-connection client'],
  ]) {
    if (!fs.existsSync(file)) fatal.push(`${path.relative(repoRoot, file)} (${who}) is not built: run pnpm build (needs a C compiler: ${INSTALL})`);
  }
  const need = (cmd: string, pkg: string, what: string): void => {
    if (!has(cmd)) warnings.push(`${cmd} is missing, so ${what} will be skipped: sudo apt-get install ${pkg} (or ${INSTALL})`);
  };
  if (cpus >= 2) need('taskset', 'util-linux', 'pinning the server and the client to separate CPUs');
  if (names.includes('http')) need('wrk', 'wrk', 'the wrk case of the http workload');
  if (names.some((n) => n === 'redis' || n === 'redis-types' || n === 'memory')) need('redis-server', 'redis-server', 'the redis-server peer');
  if (names.includes('redis')) need('redis-benchmark', 'redis-tools', 'the redis-benchmark cases');
  return { fatal, warnings };
}

function resultFile(out: string, r: WorkloadResult): string {
  // ISO 8601 with ':' swapped for '-', which some file systems and tools refuse.
  return path.join(out, `${r.workload}-${r.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
}

/**
 * Writes the report from the newest results; returns what it wrote and the workloads it left
 * out. For the published page (not a quick run's) a workload is taken from its newest clean
 * run; one with no clean run is left out and named, unless allowContaminated.
 */
export function report(args: CliArgs, log: (line: string) => void): WrittenReport & { refused: Refused[] } {
  // The committed data in docs/data/ counts too, so a fresh checkout can regenerate the page.
  const kind = runKind(args.options);
  const dirs = kind !== 'published' ? [args.out] : [args.out, path.join(args.docs, 'data')];
  const strict = kind === 'published' && !args.allowContaminated;
  const results = latestResults(dirs, kind, strict ? (r) => publishProblems(r).length === 0 : undefined);
  const refused: Refused[] = strict
    ? latestResults(dirs, kind)
        .filter((r) => !results.some((x) => x.workload === r.workload))
        .map((r) => ({ workload: r.workload, date: r.date, problems: publishProblems(r) }))
    : [];
  for (const x of refused) {
    log(`report: not publishing ${x.workload}: its newest run (${x.date}) is not clean (${x.problems.length} cases: ${x.problems[0]}...); rerun it on a quiet machine, or pass --allow-contaminated`);
  }
  if (results.length === 0) throw new Error(`no clean benchmark results to report on${refused.length ? ` (${refused.map((x) => x.workload).join(', ')} only have contaminated runs; --allow-contaminated publishes them flagged)` : ' (run pnpm bench first)'}`);
  const written = writeReport(results, args.docs, refused);
  log(`report: ${path.relative(process.cwd(), written.markdown)} (${results.map((r) => `${r.workload} of ${r.date}`).join(', ')})`);
  return { ...written, refused };
}

/** Says which processes use the CPUs before anything is measured, waiting up to --quiet-wait for quiet. */
export async function busyBefore(args: CliArgs, log: (line: string) => void): Promise<void> {
  const q = await waitQuiet(args.options.quietWaitMs);
  const who = q.top.length ? `: ${describeProcesses(q.top.slice(0, 6))}` : '';
  if (q.busyPct < QUIET_PCT) log(`bench: the machine is quiet (${q.busyPct.toFixed(0)}% of a CPU busy${who})`);
  else log(`bench: after ${(q.waitedMs / 1000).toFixed(0)} s the machine is still busy (${q.busyPct.toFixed(0)}% of a CPU${who}); windows where other processes take over ${args.options.noise.maxOthersPct}% of a pinned CPU will be rerun up to ${args.options.noise.retries} times, then marked contaminated`);
}

export interface BenchRun {
  files: string[];
  results: WorkloadResult[];
  report: WrittenReport & { refused: Refused[] };
  /** Repetitions that failed or counted errors. */
  failed: number;
}

/** Runs the chosen workloads, writes a JSON file for each, then the report. */
export async function bench(args: CliArgs, log: (line: string) => void): Promise<BenchRun> {
  const { names, options, out } = args;
  if (!options.pin) log('not pinning: needs 2+ CPUs and taskset; server and load share the CPUs');
  await busyBefore(args, log);
  const chosen = names.map((n) => workloads.find((x) => x.name === n)!);
  const progress = new Progress(chosen.reduce((n, w) => n + planWorkload(w, options).reps, 0), repEstimateMs(options));
  const run: Omit<BenchRun, 'report'> = { files: [], results: [], failed: 0 };
  for (const w of chosen) {
    const result = await runWorkload(w, options, log, progress);
    fs.mkdirSync(out, { recursive: true });
    const file = resultFile(out, result);
    fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`\nwrote ${path.relative(process.cwd(), file)}\n`);
    run.files.push(file);
    run.results.push(result);
    for (const c of result.cases) {
      for (const e of Object.values(c.peers)) run.failed += e.runs.filter((r) => !r.ok || (r.errors ?? 0) > 0).length;
    }
  }
  return { ...run, report: report(args, log) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.log(line);
  if (args.reportOnly) {
    if (report(args, log).refused.length) process.exitCode = 1;
    return;
  }
  const { fatal, warnings } = preflight(args.names);
  for (const w of warnings) log(`bench: ${w}`);
  if (fatal.length) {
    for (const f of fatal) console.error(`bench: ${f}`);
    process.exit(2);
  }
  const { failed, report: written } = await bench(args, log);
  if (failed) {
    console.error(`${failed} run(s) failed or reported errors`);
    process.exitCode = 1;
  }
  if (written.refused.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
