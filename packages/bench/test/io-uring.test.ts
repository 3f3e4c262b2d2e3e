// The io_uring group: nevio's servers under NEVIO_BACKEND=io_uring next to themselves on epoll
// and the C limit, run by the group's name. Where io_uring cannot run, the peer is skipped with
// @nevio/core's reason instead of failing the run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ioUringUnavailable } from '@nevio/core';
import { bench, parseArgs } from '../src/cli';
import { IO_URING_SUFFIX, nevioEcho, onIoUring } from '../src/peers';

test('the group name runs the three io_uring workloads; a single one runs alone', () => {
  expect(parseArgs(['io_uring']).names).toEqual(['io_uring-echo', 'io_uring-http', 'io_uring-redis']);
  expect(parseArgs(['io_uring-http']).names).toEqual(['io_uring-http']);
  // Not part of `all`: the quick run CI does has its time budget.
  expect(parseArgs([]).names.some((n) => n.startsWith('io_uring'))).toBe(false);
});

test('a peer on io_uring is the same command under NEVIO_BACKEND=io_uring', () => {
  const uring = onIoUring(nevioEcho);
  expect(uring.name).toBe(`nevio${IO_URING_SUFFIX}`);
  expect(uring.command(5000)).toEqual(['env', 'NEVIO_BACKEND=io_uring', ...nevioEcho.command(5000)]);
  const reason = ioUringUnavailable();
  expect(uring.unavailable()).toBe(reason === '' ? null : reason);
});

test('io_uring-echo --quick measures nevio on io_uring and on epoll, or names why io_uring is out', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nevio-bench-uring-'));
  const run = await bench(parseArgs(['io_uring-echo', '--quick', '--out', out]), () => undefined);
  fs.rmSync(out, { recursive: true, force: true });
  const [result] = run.results;
  const uring = result.peers.find((p) => p.name === `nevio${IO_URING_SUFFIX}`)!;
  const reason = ioUringUnavailable();
  if (reason !== '') {
    expect(uring.skipped).toBe(reason);
    return;
  }
  expect(uring.skipped).toBeUndefined();
  for (const c of result.cases) {
    for (const peer of [uring.name, 'nevio']) {
      const m = c.peers[peer].median;
      expect({ case: c.id, peer, rate: (m?.rate ?? 0) > 0, errors: m?.errors }).toEqual({ case: c.id, peer, rate: true, errors: 0 });
    }
    // The ratios the page prints: io_uring against epoll and against the C limit.
    expect(c.ratios.map((r) => `${r.subject}/${r.other}`)).toEqual(expect.arrayContaining([`${uring.name}/nevio`, `${uring.name}/c-epoll`]));
  }
}, 120_000);
