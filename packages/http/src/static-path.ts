/** A request path as the static server sees it: decoded, normalised, checked against the root. */
export interface StaticPath {
  /** The path's segments below the root, without empty, `.` or `..` ones. */
  readonly segments: readonly string[];
  /** The path names a directory: it ends with `/` (or `/.`, `/..`), or it is the root. */
  readonly directory: boolean;
}

/**
 * Decodes a request path (`req.path`, percent-encoding as sent) and normalises it as nginx does:
 * repeated slashes merge, `.` segments go, `..` removes the segment before it. A decoded `%2F`
 * separates segments like `/`. Returns 400 for what nginx answers 400 for: a malformed
 * percent-encoding, a NUL byte, a path that does not start with `/`, and a `..` that would climb
 * above the root.
 */
export function normalisePath(raw: string): StaticPath | 400 {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return 400;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0')) return 400;
  const parts = decoded.split('/');
  const segments: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i];
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return 400;
      segments.pop();
    } else {
      segments.push(part);
    }
  }
  const last = parts[parts.length - 1];
  return { segments, directory: segments.length === 0 || last === '' || last === '.' || last === '..' };
}

/**
 * Whether the path goes through a dotfile or dot-directory (`.git`, `.env`). `/.well-known/` at the
 * top is not one: RFC 8615 puts files there that are meant to be fetched (ACME challenges).
 */
export function hasDotSegment(path: StaticPath): boolean {
  return path.segments.some((segment, i) => segment.startsWith('.') && !(i === 0 && segment === '.well-known'));
}

/** The path as a URL path again (each segment percent-encoded), e.g. for a redirect's Location. */
export function encodePath(segments: readonly string[], directory: boolean): string {
  const joined = segments.map(encodeURIComponent).join('/');
  return segments.length === 0 ? '/' : `/${joined}${directory ? '/' : ''}`;
}
