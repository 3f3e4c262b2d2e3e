// A small express-style app written against Node's http API only (req.method/url/headers,
// req.on('data'), res.statusCode/setHeader/writeHead/write/end). server.js runs it on node:http
// or on @nevio/http, unchanged.

/** A router: app.get('/users/:id', handler), app.post(...); `handler(req, res, params)`. */
function createApp() {
  const routes = [];
  const add = (method) => (pattern, handler) => {
    const names = [];
    const source = pattern.replace(/:(\w+)/g, (_m, name) => {
      names.push(name);
      return '([^/]+)';
    });
    routes.push({ method, regex: new RegExp(`^${source}$`), names, handler });
  };
  const app = (req, res) => {
    const path = req.url.split('?')[0];
    let allowed = false;
    for (const route of routes) {
      const match = route.regex.exec(path);
      if (match === null) continue;
      if (route.method !== req.method) {
        allowed = true;
        continue;
      }
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      return route.handler(req, res, params);
    }
    send(res, allowed ? 405 : 404, { error: allowed ? 'method not allowed' : 'not found', path });
  };
  app.get = add('GET');
  app.post = add('POST');
  return app;
}

/** Sends `value` as JSON with `status`. */
function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The request body as a string, read from the stream ('data'/'end'). */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const app = createApp();

app.get('/', (_req, res) => {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('hello\n');
});

app.get('/users/:id', (req, res, { id }) => {
  send(res, 200, { id, agent: req.headers['user-agent'], accept: req.headers.accept ?? null });
});

app.post('/echo', async (req, res) => {
  const text = await readBody(req);
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return send(res, 400, { error: 'invalid JSON' });
  }
  res.setHeader('X-Keys', Object.keys(value).length);
  send(res, 201, { received: value, type: req.headers['content-type'] });
});

app.get('/headers', (req, res) => {
  res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
  res.statusMessage = 'Looked';
  send(res, 200, { cookie: req.headers.cookie, dup: req.headers['x-dup'], names: res.getHeaderNames().sort() });
});

app.get('/stream', async (req, res) => {
  const count = Number(new URL(req.url, 'http://x').searchParams.get('n') ?? 5);
  res.writeHead(200, 'Streaming', [['Content-Type', 'text/plain; charset=utf-8'], ['X-Lines', String(count)]]);
  for (let i = 0; i < count; i++) {
    res.write(`line ${i}\n`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  res.end('done\n');
});

app.get('/finish', (_req, res) => {
  const before = res.headersSent;
  res.on('finish', () => finished.push(res.writableEnded));
  res.setHeader('Content-Type', 'text/plain');
  res.end(`headersSent before: ${before}`);
});

/** What 'finish' saw, for the test. */
const finished = [];

module.exports = { app, finished };
