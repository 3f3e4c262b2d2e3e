/** Content codings nevio produces, in the order it prefers them when the client likes them equally. */
export type Coding = 'br' | 'gzip';

const CODINGS: readonly Coding[] = ['br', 'gzip'];

/**
 * The codings of `CODINGS` that the client's Accept-Encoding allows, best first: by q-value
 * (RFC 9110 12.5.3), brotli before gzip on a tie. `*` stands for the codings not named; `q=0`
 * refuses. Without the header a client gets no coding: RFC 9110 would allow any, but servers
 * send identity then, since a client that never asked may not decode.
 */
export function acceptedCodings(header: string | undefined): Coding[] {
  if (header === undefined) return [];
  const quality = new Map<string, number>();
  for (const item of header.split(',')) {
    const [name, ...params] = item.split(';');
    const coding = name.trim().toLowerCase();
    if (coding === '') continue;
    let q = 1;
    for (const param of params) {
      const match = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(param);
      if (match !== null) q = Number(match[1]);
    }
    // `x-gzip` is gzip's old name (RFC 9110 8.4.1.3).
    quality.set(coding === 'x-gzip' ? 'gzip' : coding, Number.isFinite(q) ? q : 0);
  }
  const wildcard = quality.get('*') ?? 0;
  return CODINGS.map((coding) => ({ coding, q: quality.get(coding) ?? wildcard }))
    .filter(({ q }) => q > 0)
    .sort((a, b) => b.q - a.q)
    .map(({ coding }) => coding);
}
