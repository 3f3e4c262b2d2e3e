// The aclfile and `user` directives against redis-server 7.0: both servers start from the same
// files, then ACL LOAD (errors leave the users as they were; success disconnects the clients of
// the old users), ACL SAVE and LOAD again (the round trip keeps every rule), a config file's
// `user` lines and CONFIG REWRITE writing them back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySetting, defaultConfig } from '../src/config';
import { parseArgs } from '../src/config-file';
import { startRedis, type RunningRedis } from '../src/listen';
import { closeTwin, diffScript, type Twin } from './support/acl';
import { quietLog } from './support/inproc';
import { freePort } from './support/ports';
import { RespConn } from './support/resp';

jest.setTimeout(60000);

/** redis-server with extra arguments, in `dir`. */
async function redisServer(args: string[]): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  const proc = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore', env });
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RespConn.connect(port);
      c.close();
      return { port, proc };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  proc.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

const USERS = [
  'user alice on allcommands allkeys &* >alice',
  'user bob on -@all +@set +acl ~set* &* >bob',
  'user default on nopass ~* &* +@all',
  'user carol on nopass %R~r* %W~w* resetchannels &news:* -@all +get +set (+@read ~ro:*) (-@all +ping)',
].join('\n');

describe('aclfile', () => {
  let rdir: string;
  let ndir: string;
  let real: { port: number; proc: ChildProcess };
  let nevio: RunningRedis;
  const conns: Record<string, Twin> = {};

  beforeAll(async () => {
    rdir = mkdtempSync(join(tmpdir(), 'acl-redis-'));
    ndir = mkdtempSync(join(tmpdir(), 'acl-nevio-'));
    writeFileSync(join(rdir, 'users.acl'), `${USERS}\n`);
    writeFileSync(join(ndir, 'users.acl'), `${USERS}\n`);
    real = await redisServer(['--dir', rdir, '--aclfile', 'users.acl']);
    const cfg = { ...defaultConfig(), port: 0, bind: ['127.0.0.1'], dir: ndir };
    expect(applySetting(cfg, 'aclfile', ['users.acl'], true)).toBeUndefined();
    nevio = await startRedis(cfg, quietLog);
    for (const name of ['a', 'b']) conns[name] = { redis: await RespConn.connect(real.port), nevio: await RespConn.connect(nevio.port) };
  });

  afterAll(async () => {
    for (const t of Object.values(conns)) closeTwin(t);
    await nevio?.stop();
    if (real !== undefined) await stop(real.proc);
    rmSync(rdir, { recursive: true, force: true });
    rmSync(ndir, { recursive: true, force: true });
  });

  /** Writes the aclfile of both servers. */
  function writeBoth(text: string): void {
    writeFileSync(join(rdir, 'users.acl'), text);
    writeFileSync(join(ndir, 'users.acl'), text);
  }

  async function expectSame(script: string): Promise<void> {
    expect(await diffScript(conns, script)).toEqual([]);
  }

  test('users of the file at startup', async () => {
    await expectSame(`
      rules acl list
      rules acl getuser carol
      b: auth bob bob
      b: sadd set1 a
      b: set key value
      b: auth carol x
      b: get r1
      b: get ro:1
      b: ping
      b: set r1 v
      b: auth default ''
      del set1
    `);
  });

  test('ACL LOAD with errors changes nothing', async () => {
    for (const bad of [
      `${USERS}\nuser alice on nopass ~* -@all\n`,
      `${USERS}\nuser default on nopass ~* -@all\n`,
      'user x on +nosuchcommand +@nosuchcat bogus alsobogus\n',
      'notuser x\nuser\n',
      'user x (+get ~a\n',
      'user "a b" on\n',
      'user x on #notahash\n',
    ]) {
      writeBoth(bad);
      await expectSame(`
        acl load
        rules acl getuser alice
        sorted acl users
      `);
    }
  });

  test('ACL SAVE then LOAD keeps every rule; LOAD disconnects the clients of the old users', async () => {
    writeBoth(`${USERS}\n`);
    await expectSame(`
      acl load
      acl setuser eve +get allkeys >eve on (+set ~w*) resetchannels &c1
      acl setuser harry on nopass resetchannels &test +@all ~*
      acl save
      b: auth alice alice
      b: acl load
      b: ping
      rules acl list
      acl setuser eve +incr
      acl load
      rules acl getuser eve
    `);
    const saved = (dir: string): string[] => readFileSync(join(dir, 'users.acl'), 'latin1').split('\n').sort();
    expect(saved(ndir).length).toBe(saved(rdir).length);
    for (const c of Object.values(conns)) {
      c.redis.close();
      c.nevio.close();
    }
    for (const name of ['a', 'b']) conns[name] = { redis: await RespConn.connect(real.port), nevio: await RespConn.connect(nevio.port) };
    await expectSame(`
      b: auth harry anything
      b: publish test bar
      b: publish test1 bar
      b: auth eve eve
      b: get key
      b: set key value
      b: set wkey value
      b: auth default ''
      del wkey
    `);
  });

  test('ACL LOAD of a missing file', async () => {
    rmSync(join(rdir, 'users.acl'));
    rmSync(join(ndir, 'users.acl'));
    const [r, n] = await Promise.all([conns.a.redis.call('acl', 'load'), conns.a.nevio.call('acl', 'load')]);
    expect(String(n)).toBe(String(r).replace(rdir, ndir));
    writeBoth(`${USERS}\n`);
  });
});

describe('user directives of the config file', () => {
  test('start the server, and CONFIG REWRITE writes them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'acl-conf-'));
    const conf = join(dir, 'nevio.conf');
    writeFileSync(conf, `user default on nopass ~* +@all -flushdb\nuser app on >pw ~app:* &* +@all\n`);
    const cfg = parseArgs([conf, '--port', '0', '--dir', dir]);
    const server = await startRedis(cfg, quietLog);
    try {
      const c = await RespConn.connect(server.port);
      expect(String(await c.call('flushdb'))).toBe("Error: NOPERM this user has no permissions to run the 'flushdb' command");
      expect(await c.call('subscribe', 'foo')).toEqual(new Error('NOPERM this user has no permissions to access one of the channels used as arguments'));
      expect(await c.call('auth', 'app', 'pw')).toBe('OK');
      expect(await c.call('config', 'rewrite')).toBe('OK');
      c.close();
      const text = readFileSync(conf, 'latin1');
      expect(text).toContain('user app on #');
      expect(text).toContain('user default on nopass sanitize-payload ~* resetchannels +@all -flushdb');
      // The rewritten file starts a server with the same users.
      const again = await startRedis(parseArgs([conf, '--port', '0', '--dir', dir]), quietLog);
      const d = await RespConn.connect(again.port);
      expect(String(await d.call('flushdb'))).toBe("Error: NOPERM this user has no permissions to run the 'flushdb' command");
      d.close();
      await again.stop();
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a bad or duplicate user line, or users next to an aclfile, stop the start', async () => {
    const base = { ...defaultConfig(), port: 0, bind: ['127.0.0.1'] };
    await expect(startRedis({ ...base, users: [['foo'], ['foo']] }, quietLog)).rejects.toThrow('Duplicate user');
    await expect(startRedis({ ...base, users: [['foo', 'bogus']] }, quietLog)).rejects.toThrow("Error loading ACL rule 'bogus' for the user named 'foo': Syntax error");
    const withFile = { ...base, users: [['foo']] };
    expect(applySetting(withFile, 'aclfile', ['x.acl'], true)).toBeUndefined();
    await expect(startRedis(withFile, quietLog)).rejects.toThrow('define either an ACL file or declare users');
  });
});
