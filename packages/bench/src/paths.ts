import * as path from 'node:path';

/** packages/bench, whether running from src/ (jest) or dist/ (the CLI). */
export const benchRoot = path.resolve(__dirname, '..');
export const repoRoot = path.resolve(benchRoot, '..', '..');
export const buildDir = path.join(benchRoot, 'build');
export const peersDir = path.join(benchRoot, 'peers');
export const resultsDir = path.join(benchRoot, 'results');

export const loadgenPath = path.join(buildDir, 'loadgen');
