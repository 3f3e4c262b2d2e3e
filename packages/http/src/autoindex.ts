import { promises as fs } from 'node:fs';
import path from 'node:path';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

interface Entry {
  name: string;
  directory: boolean;
}

/** The entries of `dir`, directories first, each group by name; symbolic links count as what they point to. */
async function entries(dir: string, showDotfiles: boolean): Promise<Entry[]> {
  const found = await fs.readdir(dir, { withFileTypes: true });
  const listed: Entry[] = [];
  for (const dirent of found) {
    if (!showDotfiles && dirent.name.startsWith('.')) continue;
    let directory = dirent.isDirectory();
    if (dirent.isSymbolicLink()) {
      // A dangling link is listed as a file: requesting it gives the 404 it deserves.
      directory = (await fs.stat(path.join(dir, dirent.name)).catch(() => undefined))?.isDirectory() ?? false;
    }
    listed.push({ name: dirent.name, directory });
  }
  return listed.sort((a, b) => (a.directory === b.directory ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.directory ? -1 : 1));
}

/**
 * An HTML page listing `dir`, as nginx's autoindex: a link per entry, relative (so the page works
 * under any prefix a proxy adds), directories with a trailing slash, names HTML-escaped and
 * percent-encoded in the links. `urlPath` is the decoded path shown in the title.
 */
export async function directoryListing(dir: string, urlPath: string, showDotfiles: boolean): Promise<string> {
  const title = escapeHtml(`Index of ${urlPath}`);
  const lines = [`<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>`];
  if (urlPath !== '/') lines.push('<li><a href="../">../</a></li>');
  for (const { name, directory } of await entries(dir, showDotfiles)) {
    const suffix = directory ? '/' : '';
    // `./` keeps a name with a colon (`a:b`) from reading as a URL scheme.
    lines.push(`<li><a href="./${escapeHtml(encodeURIComponent(name))}${suffix}">${escapeHtml(name)}${suffix}</a></li>`);
  }
  lines.push('</ul>\n</body>\n</html>\n');
  return lines.join('\n');
}
