// serveStatic's directories and dotfiles over real sockets: the 301 to the trailing slash, 403
// without an index, autoindex listings, dotfiles refused or allowed, Cache-Control.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer, type ListeningServer, serveStatic, type StaticOptions } from '../src';
import { curl } from './helpers';

describe('serveStatic directories and dotfiles', () => {
  let dir: string;
  const servers: ListeningServer[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nevio-static-dirs-'));
    mkdirSync(path.join(dir, 'docs', 'guide'), { recursive: true });
    mkdirSync(path.join(dir, 'empty'));
    mkdirSync(path.join(dir, 'site'));
    mkdirSync(path.join(dir, '.git'));
    mkdirSync(path.join(dir, '.well-known'));
    writeFileSync(path.join(dir, 'site', 'index.html'), '<p>site</p>');
    writeFileSync(path.join(dir, 'docs', 'a.txt'), 'a');
    writeFileSync(path.join(dir, 'docs', `<b>&"x'.txt`), 'odd name');
    writeFileSync(path.join(dir, 'docs', 'a:b.txt'), 'colon');
    writeFileSync(path.join(dir, 'docs', '.hidden'), 'hidden');
    symlinkSync(path.join(dir, 'site'), path.join(dir, 'docs', 'linked'));
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    writeFileSync(path.join(dir, '.git', 'config'), '[core]');
    writeFileSync(path.join(dir, '.well-known', 'security.txt'), 'Contact: x');
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(options: StaticOptions = {}): Promise<string> {
    const server = await createServer(serveStatic(dir, options)).listen('tcp://127.0.0.1:0');
    servers.push(server);
    return `http://127.0.0.1:${server.port}`;
  }

  test('a directory without its trailing slash gets a 301 to it, query string kept', async () => {
    const base = await serve();
    const r = await fetch(`${base}/site?x=1&y=%20`, { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/site/?x=1&y=%20');
    const normalised = await fetch(`${base}/docs/../site`, { redirect: 'manual' });
    expect(normalised.headers.get('location')).toBe('/site/');
    // Followed by curl -L: the index file.
    expect((await curl(['-s', '-L', `${base}/site`])).stdout).toBe('<p>site</p>');
  });

  test('a directory with its index file serves it; without one it is 403 (autoindex off)', async () => {
    const base = await serve();
    expect(await (await fetch(`${base}/site/`)).text()).toBe('<p>site</p>');
    expect((await fetch(`${base}/empty/`)).status).toBe(403);
    expect((await fetch(`${base}/docs/`)).status).toBe(403);
  });

  test('autoindex lists the directory: escaped names, relative links, directories with a slash, no dotfiles', async () => {
    const base = await serve({ autoindex: true });
    const r = await fetch(`${base}/docs/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await r.text();
    expect(html).toContain('<title>Index of /docs/</title>');
    expect(html).toContain('<a href="../">../</a>');
    expect(html).toContain('<a href="./guide/">guide/</a>');
    expect(html).toContain('<a href="./linked/">linked/</a>');
    expect(html).toContain('<a href="./a.txt">a.txt</a>');
    expect(html).toContain('<a href="./a%3Ab.txt">a:b.txt</a>');
    expect(html).toContain(`<a href="./%3Cb%3E%26%22x&#39;.txt">&lt;b&gt;&amp;&quot;x&#39;.txt</a>`);
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('hidden');
    // Directories first, then files, each by name.
    expect(html.indexOf('guide/')).toBeLessThan(html.indexOf('linked/'));
    expect(html.indexOf('linked/')).toBeLessThan(html.indexOf('a.txt'));
    // The links work from the listing's URL.
    expect(await (await fetch(new URL("./%3Cb%3E%26%22x'.txt", `${base}/docs/`))).text()).toBe('odd name');
    // An index file still wins; the root has no parent link.
    expect(await (await fetch(`${base}/site/`)).text()).toBe('<p>site</p>');
    expect(await (await fetch(`${base}/`)).text()).not.toContain('href="../"');
  });

  test.each(['/.env', '/.git/config', '/.git/', '/docs/.hidden', '/.git/../.env'])('dotfiles are refused by default: %s is 403', async (target) => {
    const base = await serve();
    const { stdout } = await curl(['-s', '--path-as-is', '-w', ' %{http_code}', `${base}${target}`]);
    expect(stdout).toBe('Forbidden\n 403');
  });

  test('a missing dotfile is 403 too (existence is not revealed); /.well-known/ is served', async () => {
    const base = await serve();
    expect((await fetch(`${base}/.nothing`)).status).toBe(403);
    expect(await (await fetch(`${base}/.well-known/security.txt`)).text()).toBe('Contact: x');
  });

  test("dotfiles: 'allow' serves and lists them", async () => {
    const base = await serve({ dotfiles: 'allow', autoindex: true });
    expect(await (await fetch(`${base}/.env`)).text()).toBe('SECRET=1');
    expect(await (await fetch(`${base}/.git/config`)).text()).toBe('[core]');
    expect(await (await fetch(`${base}/docs/`)).text()).toContain('<a href="./.hidden">.hidden</a>');
  });

  test('cacheControl sets the Cache-Control of files and 304s; false sends none', async () => {
    const custom = await serve({ cacheControl: 'public, max-age=3600, immutable' });
    const r = await fetch(`${custom}/docs/a.txt`);
    expect(r.headers.get('cache-control')).toBe('public, max-age=3600, immutable');
    const revalidated = await fetch(`${custom}/docs/a.txt`, { headers: { 'If-None-Match': r.headers.get('etag')! } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('cache-control')).toBe('public, max-age=3600, immutable');
    const none = await serve({ cacheControl: false });
    expect((await fetch(`${none}/docs/a.txt`)).headers.get('cache-control')).toBeNull();
  });
});
