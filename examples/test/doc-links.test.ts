// Every relative link of the documentation (README.md, docs/*.md, the packages' and examples'
// READMEs) reaches a file of the repository, and every `#anchor` a heading of its page, as
// GitHub renders them. Links to the web are not fetched (tests reach only loopback).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`),
  'examples/README.md',
].filter((page) => existsSync(join(ROOT, page)));

/** GitHub's anchor of a heading: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings; a repeated heading gets `-1`, `-2`... as on GitHub. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = anchorOf(m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** `[text](target)` outside code, with the line it is on. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push({ target: m[1], line: i + 1 });
  });
  return links;
}

test('the anchor rule is GitHub\'s', () => {
  expect(anchorOf('Dialing out')).toBe('dialing-out');
  expect(anchorOf('Blocking work and other threads')).toBe('blocking-work-and-other-threads');
  expect(anchorOf('echo: TCP echo, every echoed byte verified')).toBe('echo-tcp-echo-every-echoed-byte-verified');
  expect(anchorOf('`serve(events, addrs, options)`')).toBe('serveevents-addrs-options');
});

test('the documentation has pages with links to check', () => {
  const total = PAGES.reduce((n, page) => n + linksOf(readFileSync(join(ROOT, page), 'utf8')).length, 0);
  expect(PAGES.length).toBeGreaterThan(10);
  expect(total).toBeGreaterThan(40);
});

test.each(PAGES)('every relative link of %s resolves', (page) => {
  const broken: string[] = [];
  for (const { target, line } of linksOf(readFileSync(join(ROOT, page), 'utf8'))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [pathPart, anchor] = target.split('#', 2);
    const file = pathPart === '' ? join(ROOT, page) : join(dirname(join(ROOT, page)), decodeURIComponent(pathPart));
    if (!existsSync(file)) {
      broken.push(`${page}:${line}: ${target} (no ${relative(ROOT, file)})`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(file).isDirectory() || !file.endsWith('.md')) {
      broken.push(`${page}:${line}: ${target} (an anchor into a file that is not a page)`);
      continue;
    }
    if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) broken.push(`${page}:${line}: ${target} (no heading #${anchor} in ${relative(ROOT, file)})`);
  }
  expect(broken).toEqual([]);
});
