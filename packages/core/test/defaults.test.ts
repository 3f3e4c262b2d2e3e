import { constants } from '@nevio/native';
import { defaults, NevioError, serve } from '@nevio/core';
import { Client, eventually } from './helpers';

describe('defaults', () => {
  test('are frozen, so a protocol cannot change them for everyone', () => {
    expect(Object.isFrozen(defaults)).toBe(true);
    expect(() => {
      (defaults as { readChunk: number }).readChunk = 1;
    }).toThrow(TypeError);
    expect(defaults.writeLowWatermark).toBeLessThanOrEqual(defaults.writeHighWatermark);
    expect(defaults.stopTimeout).toBeGreaterThan(0);
  });

  test("are the reactor's own, not a copy that could drift", () => {
    expect(defaults).toMatchObject(constants.defaults);
  });

  test('an unknown lb is refused with a typed error before anything listens', async () => {
    const attempt = serve({}, 'tcp://127.0.0.1:0', { lb: 'fastest' as never });
    await expect(attempt).rejects.toThrow(NevioError);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_NEVIO_OPTIONS' });
  });

  test('readChunk is what a server without options reads per connection per round', async () => {
    let largest = 0;
    let total = 0;
    const server = await serve(
      {
        react: (_conn, data) => {
          largest = Math.max(largest, data.length);
          total += data.length;
        },
      },
      'tcp://127.0.0.1:0',
    );
    const c = new Client(server.addrs[0].port);
    await c.ready();
    const size = 8 * defaults.readChunk;
    c.write(Buffer.alloc(size, 'r'));
    await eventually(() => total === size);
    c.end();
    await server.stop();
    // A large send arrives in several reads, none above the budget (the kernel often hands the
    // whole budget at once, so it is usually reached exactly).
    expect(largest).toBeLessThanOrEqual(defaults.readChunk);
    expect(largest).toBeGreaterThan(0);
  });
});
