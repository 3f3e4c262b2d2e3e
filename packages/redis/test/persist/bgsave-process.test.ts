// A BGSAVE has a process that stands for it, as Redis's child: killing that process fails the
// save (rdb_last_bgsave_status:err), and with save points and stop-writes-on-bgsave-error yes
// writes are refused with MISCONF until a save succeeds again (Redis's integration/rdb "failed
// bgsave prevents writes"). The server is the built CLI, a real process.
import { execFileSync } from 'node:child_process';
import { cleanup, client, info, nevioServer, waitFor } from '../replication/procs';

jest.setTimeout(60000);

afterEach(cleanup);

/** The children of process `pid` (pgrep -P). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'latin1' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

test('killing the save process fails the save; writes get MISCONF, reads and no-writes scripts go on; a later save clears it', async () => {
  const server = await nevioServer(['--save', '900 1', '--rdb-key-save-delay', '10000000']);
  const c = client(server.port);
  for (let i = 0; i < 20; i++) await c.set(`k${i}`, 'v');
  expect(childrenOf(server.proc.pid!)).toEqual([]);
  await c.bgsave();
  const [child] = childrenOf(server.proc.pid!);
  expect(child).toBeGreaterThan(0);
  process.kill(child, 'SIGKILL');
  await waitFor('the save failed', async () => (await info(c, 'persistence')).get('rdb_bgsave_in_progress') === '0');
  expect((await info(c, 'persistence')).get('rdb_last_bgsave_status')).toBe('err');
  expect(server.output()).toContain('Background saving terminated by signal SIGKILL');
  await expect(c.set('k0', 'w')).rejects.toThrow(/^MISCONF /);
  await expect(c.eval("return redis.call('set','k0','w')", 1, 'k0')).rejects.toThrow(/MISCONF/);
  expect(await c.get('k0')).toBe('v');
  expect(await c.eval("#!lua flags=no-writes\nreturn redis.call('get','k0')", 1, 'k0')).toBe('v');

  await c.call('config', 'set', 'rdb-key-save-delay', '0');
  await c.bgsave();
  await waitFor('the save succeeded', async () => (await info(c, 'persistence')).get('rdb_last_bgsave_status') === 'ok');
  expect(await c.set('k0', 'w')).toBe('OK');
  await waitFor('the save process gone', () => childrenOf(server.proc.pid!).length === 0);
});
