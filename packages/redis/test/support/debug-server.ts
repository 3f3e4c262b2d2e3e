// A file's nevio server with DEBUG enabled (and a scratch dir for DEBUG RELOAD's dump) and one
// ioredis client on it, started before the file's tests and stopped after them.
import Redis from 'ioredis';
import { defaultConfig } from '../../src/config';
import { startRedis, type RunningRedis } from '../../src/listen';
import { quietLog } from './inproc';
import { scratchDir } from './scratch-dir';

export interface DebugServer {
  readonly port: number;
  readonly c: Redis;
  /** OBJECT ENCODING of `key`. */
  encoding(key: string): Promise<unknown>;
}

export function debugServer(): DebugServer {
  let running: { readonly srv: RunningRedis; readonly c: Redis } | undefined;
  beforeAll(async () => {
    const srv = await startRedis({ ...defaultConfig(), dir: scratchDir(), port: 0, bind: ['127.0.0.1'], 'enable-debug-command': 'yes' }, quietLog);
    running = { srv, c: new Redis({ port: srv.port, host: '127.0.0.1' }) };
  });
  afterAll(async () => {
    if (running === undefined) return;
    running.c.disconnect();
    await running.srv.stop();
  });
  const started = (): { readonly srv: RunningRedis; readonly c: Redis } => {
    if (running === undefined) throw new Error('debugServer: the server starts in beforeAll');
    return running;
  };
  return {
    get port() {
      return started().srv.port;
    },
    get c() {
      return started().c;
    },
    encoding: (key) => started().c.object('ENCODING', key),
  };
}
