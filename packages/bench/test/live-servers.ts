// What the load generator's tests share: the native tools built once, and servers (child
// processes on free ports, or net.Servers in this process) stopped after each test.
import { spawnSync } from 'node:child_process';
import type * as net from 'node:net';
import * as path from 'node:path';
import { benchRoot, repoRoot } from '../src/paths';
import { freePort, Server } from '../src/proc';

export function liveServers(): {
  start(command: (port: number) => string[]): Promise<number>;
  listen(server: net.Server): Promise<number>;
} {
  const servers: Server[] = [];
  const inProcess: net.Server[] = [];
  beforeAll(() => {
    // Idempotent: a no-op when `pnpm build` already compiled the tools.
    const r = spawnSync(process.execPath, [path.join(benchRoot, 'scripts/build-native.js')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build-native failed:\n${r.stdout}${r.stderr}`);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await Promise.all(inProcess.splice(0).map((s) => new Promise((r) => s.close(r))));
  });
  return {
    async start(command) {
      const port = await freePort();
      const server = new Server(command(port), repoRoot);
      servers.push(server);
      await server.waitForPort(port);
      return port;
    },
    async listen(server) {
      inProcess.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    },
  };
}
