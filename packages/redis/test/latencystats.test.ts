// INFO latencystats and errorstats against redis-server: latency-tracking on and off, the
// configured percentiles, CONFIG RESETSTAT, and the UNBLOCKED error of CLIENT UNBLOCK … ERROR.
// Latencies differ between servers, so the lines are compared with their numbers masked.
import { RawClient } from './types/harness';
import { bothServers } from './support/events';

const both = bothServers();

/** The section's field lines, each `name=number` value written `name=N`. */
async function section(c: RawClient, name: string): Promise<string[]> {
  const text = (await c.send(['INFO', name])).toString().split('\r\n').slice(2);
  return text.filter((l) => l.includes(':')).map((l) => l.replace(/=\d+(\.\d+)?/g, '=N'));
}

test('latency-tracking no records nothing, yes records, with the configured percentiles', async () => {
  const run = async (port: number): Promise<string[][]> => {
    const c = await RawClient.connect(port);
    const seen: string[][] = [];
    await c.send(['CONFIG', 'RESETSTAT']);
    await c.send(['CONFIG', 'SET', 'latency-tracking', 'no']);
    await c.send(['SET', 'a', 'b']);
    seen.push(await section(c, 'latencystats'));
    await c.send(['CONFIG', 'SET', 'latency-tracking', 'yes']);
    await c.send(['SET', 'a', 'b']);
    seen.push(await section(c, 'latencystats'));
    await c.send(['CONFIG', 'SET', 'latency-tracking-info-percentiles', '0.0 50.0 100.0']);
    await c.send(['GET', 'a']);
    seen.push(await section(c, 'latencystats'));
    await c.send(['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9']);
    await c.send(['CONFIG', 'RESETSTAT']);
    seen.push(await section(c, 'latencystats'));
    // The test's own CONFIG and INFO calls aside (Redis's tracking of those around RESETSTAT is
    // its own affair), in name order (Redis lists them in its command table's hash order).
    return seen.map((lines) => lines.filter((l) => !/_(config\||info:)/.test(l)).sort());
  };
  const [ours, theirs] = [await run(both.nevio.port), await run(both.real.port)];
  expect(theirs[1].some((l) => l.startsWith('latency_percentiles_usec_set:p50=N,p99=N,p99.9=N'))).toBe(true);
  expect(ours).toEqual(theirs);
});

test('CLIENT UNBLOCK … ERROR counts UNBLOCKED in errorstats and a failed call of the blocked command', async () => {
  const run = async (port: number): Promise<string[]> => {
    const [c, blocked] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    await c.send(['CONFIG', 'RESETSTAT']);
    const id = (await blocked.send(['CLIENT', 'ID'])).toString().slice(1, -2);
    const reply = blocked.send(['BLPOP', 'unblock:list', '0']);
    for (let i = 0; i < 100 && !(await c.send(['INFO', 'clients'])).toString().includes('blocked_clients:1'); i++) await new Promise((r) => setTimeout(r, 10));
    await c.send(['CLIENT', 'UNBLOCK', id, 'ERROR']);
    expect((await reply).toString()).toMatch(/^-UNBLOCKED/);
    return [...(await section(c, 'errorstats')), ...(await section(c, 'commandstats')).filter((l) => l.startsWith('cmdstat_blpop'))];
  };
  const [ours, theirs] = [await run(both.nevio.port), await run(both.real.port)];
  expect(theirs).toContain('errorstat_UNBLOCKED:count=N');
  expect(ours).toEqual(theirs);
});
