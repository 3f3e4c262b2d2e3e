import * as path from 'node:path';

/** packages/bench, whether running from src/ (jest) or dist/ (the CLI). */
export const benchRoot = path.resolve(__dirname, '..');
export const repoRoot = path.resolve(benchRoot, '..', '..');
export const buildDir = path.join(benchRoot, 'build');
export const peersDir = path.join(benchRoot, 'peers');
export const resultsDir = path.join(benchRoot, 'results');

export const loadgenPath = path.join(buildDir, 'loadgen');
export const idleconnsPath = path.join(buildDir, 'idleconns');
/** Where the generated report goes: docs/benchmarks.md, docs/img/, docs/data/. */
export const docsDir = path.join(repoRoot, 'docs');
