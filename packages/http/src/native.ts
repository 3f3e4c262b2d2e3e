// Loads the llhttp binding and names the layout of the records it writes (see parser.cc).
import path from 'node:path';

/** One connection's llhttp state, owned by the native addon. */
export interface NativeParser {
  /** Parses `data` (skipping the bytes it already saw), writes records into `out`, returns a status. */
  execute(data: Buffer, out: Int32Array): number;
  /** Back to the state of a new connection (parsers are pooled). */
  reset(): void;
  /** Why the last call rejected the input. */
  errorReason(): string;
}

interface Binding {
  Parser: new (maxHeaderSize: number, maxHeaders: number, maxBodySize: number) => NativeParser;
}

function load(): Binding {
  // Both src/ (tests via ts-jest) and dist/ sit next to build/. NEVIO_NATIVE_VARIANT=asan selects
  // the AddressSanitizer build, as it does for @nevio/native.
  const variant = process.env.NEVIO_NATIVE_VARIANT === 'asan' ? 'build-asan' : 'build';
  const file = path.join(__dirname, '..', variant, 'Release', 'nevio_http.node');
  try {
    return require(file) as Binding;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`@nevio/http: cannot load its llhttp addon (${reason}); build it with \`pnpm --filter @nevio/http build\``);
  }
}

export const { Parser } = load();

export const PROLOGUE = 3;
export const HEAD_FIXED = 10;
export const RECORD_HEAD = 1;
export const RECORD_BODY = 2;
export const RECORD_END = 3;

export const FLAG_KEEP_ALIVE = 1 << 0;
export const FLAG_CHUNKED = 1 << 1;
export const FLAG_CONTENT_LENGTH = 1 << 2;
export const FLAG_EXPECT_CONTINUE = 1 << 3;
export const FLAG_UPGRADE = 1 << 4;

export const STATUS_STOP = 1;

export const PHASE_HEADERS = 1;
export const PHASE_BODY = 2;

/** llhttp's method numbering (llhttp.h `enum llhttp_method`). */
export const METHODS: readonly string[] = [
  'DELETE', 'GET', 'HEAD', 'POST', 'PUT', 'CONNECT', 'OPTIONS', 'TRACE', 'COPY', 'LOCK', 'MKCOL', 'MOVE',
  'PROPFIND', 'PROPPATCH', 'SEARCH', 'UNLOCK', 'BIND', 'REBIND', 'UNBIND', 'ACL', 'REPORT', 'MKACTIVITY',
  'CHECKOUT', 'MERGE', 'M-SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'PATCH', 'PURGE', 'MKCALENDAR',
  'LINK', 'UNLINK', 'SOURCE', 'PRI', 'DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN',
  'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH',
];
export const METHOD_HEAD = 2;
