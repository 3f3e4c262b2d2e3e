// withAccessLog in a program: one combined-format line per response, 499 for a client that
// leaves before its response ends.
import { createServer, type ListeningServer, withAccessLog } from '../src';
import { open, sleep } from './helpers';

describe('withAccessLog', () => {
  let server: ListeningServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const handler = withAccessLog(
      async (req, res) => {
        if (req.path === '/fails') {
          res.write('part');
          await sleep(10);
          throw new Error('mid-way');
        }
        if (req.path === '/slow') {
          await sleep(300);
          if (!res.aborted) res.end('late');
          return;
        }
        res.status(201).end('created');
      },
      (line) => lines.push(line),
      () => ' [test]',
    );
    server = await createServer(handler, { onError: () => undefined }).listen('tcp://127.0.0.1:0');
  });
  afterAll(() => server.stop());

  const waitForLines = async (count: number): Promise<void> => {
    for (let waited = 0; lines.length < count && waited < 3000; waited += 10) await sleep(10);
  };

  test('a line when the response ends, with its status, size, referer, agent, seconds and suffix', async () => {
    await fetch(`http://127.0.0.1:${server.port}/made?x="1"`, { headers: { Referer: 'http://r/', 'User-Agent': 'ua\u00e9' } });
    await waitForLines(1);
    expect(lines[0]).toMatch(
      /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/made\?x=%221%22 HTTP\/1\.1" 201 7 "http:\/\/r\/" "ua\\xE9" \d+\.\d{3} \[test\]\n$/,
    );
  });

  test('a client that leaves before the response ends is logged as 499', async () => {
    const socket = await open(server.port);
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await sleep(50);
    // A reset: a FIN alone would be a half-close, which the server answers (allowHalfOpen).
    socket.resetAndDestroy();
    await waitForLines(2);
    expect(lines[1]).toMatch(/"GET \/slow HTTP\/1\.1" 499 0 "-" "-" 0\.\d{3} \[test\]\n$/);
    // The handler's later end() adds no second line.
    await sleep(400);
    expect(lines).toHaveLength(2);
  });

  test('a handler that fails mid-way: the connection is cut, logged with the status and bytes sent', async () => {
    await expect(fetch(`http://127.0.0.1:${server.port}/fails`).then((r) => r.text())).rejects.toThrow();
    await waitForLines(3);
    expect(lines[2]).toMatch(/"GET \/fails HTTP\/1\.1" 200 4 "-" "node" 0\.\d{3} \[test\]\n$/);
  });
});
