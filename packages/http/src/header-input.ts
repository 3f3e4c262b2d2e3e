/** One header's value as `setHeader` takes it. */
export type HeaderValue = string | number | readonly string[];

/** Header values as Node's `res.writeHead` takes them: an object, `[name, value]` pairs or a flat list. */
export type HeadersInput = Readonly<Record<string, HeaderValue | undefined>> | HeaderList;

type HeaderList = ReadonlyArray<readonly [string, string | number]> | readonly string[];

/** What {@link applyHeaders} writes into (a Response). */
export interface HeaderTarget {
  setHeader(name: string, value: HeaderValue): unknown;
  appendHeader(name: string, value: HeaderValue): unknown;
}

// Array.isArray does not narrow readonly arrays out of a union; these guards do.
function isList(fields: HeadersInput): fields is HeaderList {
  return Array.isArray(fields);
}

function isFlat(list: HeaderList): list is readonly string[] {
  return list.length > 0 && typeof list[0] === 'string';
}

/**
 * Applies `writeHead`'s headers as Node does: an object's fields replace earlier ones of the same
 * name (an `undefined` value is skipped); a list's fields are added, so a name may repeat.
 */
export function applyHeaders(fields: HeadersInput, target: HeaderTarget): void {
  if (!isList(fields)) {
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) target.setHeader(name, value);
  } else if (isFlat(fields)) {
    if (fields.length % 2 !== 0) throw new TypeError('writeHead: a flat header list needs name, value pairs');
    for (let i = 0; i < fields.length; i += 2) target.appendHeader(fields[i], fields[i + 1]);
  } else {
    for (const [name, value] of fields) target.appendHeader(name, value);
  }
}
