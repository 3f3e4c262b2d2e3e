// Every relative link in README.md, docs/*.md, examples/README.md and packages/*/README.md points
// at a file or directory of the repository, and a `#fragment` at a heading of the page it names,
// with the anchors GitHub renders (lower case, punctuation dropped, spaces to hyphens, -1, -2 for
// repeated headings).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PAGES = [
  'README.md',
  'examples/README.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/README.md`).filter((p) => existsSync(join(ROOT, p))),
];

/** The page without code: links in code blocks and code spans are not links. */
function prose(page: string): string {
  return readFileSync(join(ROOT, page), 'utf8')
    .replace(/^```[^]*?^```/gm, '')
    .replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of each heading of a markdown file. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of prose(file).matchAll(/^#{1,6}\s+(.*?)\s*#*\s*$/gm)) {
    const base = m[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** `[text](target)` and `![alt](target)` targets that are not URLs, with where they are. */
function relativeLinks(page: string): Array<{ page: string; target: string }> {
  const links = [...prose(page).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]);
  return links.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t)).map((target) => ({ page, target }));
}

function problem(page: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const path = hash < 0 ? target : target.slice(0, hash);
  const fragment = hash < 0 ? '' : decodeURIComponent(target.slice(hash + 1));
  const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), decodeURIComponent(path));
  if (!existsSync(file)) return `${relative(ROOT, file)} does not exist`;
  if (fragment === '') return undefined;
  if (!statSync(file).isFile() || !file.endsWith('.md')) return `#${fragment} on ${relative(ROOT, file)}, which is not a markdown page`;
  if (!anchors(relative(ROOT, file)).has(fragment)) return `${relative(ROOT, file)} has no heading #${fragment}`;
  return undefined;
}

test('the pages have relative links to check', () => {
  expect(PAGES.length).toBeGreaterThan(15);
  expect(PAGES.flatMap(relativeLinks).length).toBeGreaterThan(40);
});

test.each(PAGES)('%s: every relative link resolves (file and #anchor)', (page) => {
  const broken = relativeLinks(page)
    .map(({ target }) => ({ target, problem: problem(page, target) }))
    .filter((l) => l.problem !== undefined);
  expect(broken).toEqual([]);
});

test('the anchor rules are GitHub’s', () => {
  expect([...anchors('docs/core.md')]).toEqual(expect.arrayContaining(['addresses', 'events', 'options']));
  expect(problem('docs/http.md', 'core.md#options')).toBeUndefined();
  expect(problem('docs/http.md', 'core.md#no-such-heading')).toBe('docs/core.md has no heading #no-such-heading');
  expect(problem('docs/http.md', 'nowhere.md')).toBe('docs/nowhere.md does not exist');
});
