/** Content types by file extension, and which of them are worth compressing. */

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

/** The built-in table, overridden or extended by `extra` (keys are extensions with the dot). */
export function contentTypes(extra: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  return extra === undefined ? TYPES : { ...TYPES, ...extra };
}

// Text and the structured formats written as text; images, fonts (other than the uncompressed
// TrueType/OpenType), audio, video and archives are compressed already.
const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|wasm|manifest\+json)\b|image\/svg\+xml\b|image\/x-icon\b|font\/(ttf|otf)\b)|\+(json|xml)\b/i;

/** Whether a body of this Content-Type is worth compressing. */
export function compressible(contentType: string | undefined): boolean {
  return contentType !== undefined && COMPRESSIBLE.test(contentType);
}
