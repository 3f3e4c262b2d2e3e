// `pnpm bench --quick` end to end, as CI runs it: every workload against every peer that is
// installed here, result files, and the report with an SVG per workload.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bench, parseArgs } from '../src/cli';
import { benchRoot } from '../src/paths';

beforeAll(() => {
  const r = spawnSync(process.execPath, [path.join(benchRoot, 'scripts/build-native.js')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build-native failed:\n${r.stdout}${r.stderr}`);
});

test('the quick harness measures every available peer and writes the report', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-bench-quick-'));
  const started = Date.now();
  const lines: string[] = [];
  const run = await bench(parseArgs(['--quick', '--out', out]), (l) => lines.push(l));
  // The budget CI relies on; usually about 50 s.
  expect(Date.now() - started).toBeLessThan(120_000);

  expect(run.results.map((r) => r.workload)).toEqual(['echo', 'http', 'redis', 'memory']);
  for (const [i, r] of run.results.entries()) {
    expect(JSON.parse(fs.readFileSync(run.files[i], 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
    const available = r.peers.filter((p) => !p.skipped).map((p) => p.name);
    // nevio's own servers and the Node and C peers are part of the workspace: always there.
    expect(available).toEqual(expect.arrayContaining(r.workload === 'redis' ? ['nevio-redis'] : [r.workload === 'http' ? 'nevio-http' : r.workload === 'echo' ? 'nevio' : 'nevio-echo']));
    for (const c of r.cases.filter((x) => !x.skipped)) {
      for (const peer of available) {
        const m = c.peers[peer].median;
        expect({ workload: r.workload, case: c.id, peer, ok: m !== null }).toEqual({ workload: r.workload, case: c.id, peer, ok: true });
        expect(m!.errors).toBe(0);
        if (r.kind === 'memory') {
          expect(m!.rssAfterKiB).toBeGreaterThan(0);
          expect(c.peers[peer].runs[0].open).toBe(1000);
        } else {
          expect(m!.rate).toBeGreaterThan(0);
          expect(m!.cpuUsPerMsg).toBeGreaterThan(0);
          expect(m!.p99Us).toBeGreaterThan(0);
        }
      }
    }
  }
  expect(lines.some((l) => /^\[memory \d+\/\d+ · .* left\] /.test(l))).toBe(true);

  const md = fs.readFileSync(run.report.markdown, 'utf8');
  expect(run.report.markdown).toBe(path.join(out, 'quick-report', 'benchmarks.md'));
  for (const w of ['echo', 'http', 'redis', 'memory']) {
    expect(md).toContain(`](img/bench-${w}.svg)`);
    expect(fs.readFileSync(path.join(out, 'quick-report', 'img', `bench-${w}.svg`), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  }
}, 180_000);
