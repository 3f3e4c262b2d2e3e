// Loads the llhttp binding and the layout of the records it writes, which the addon exports
// (parser.cc defines every number once).
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

/** The layout constants JavaScript reads (parser.cc's `kLayout` has their values). */
const LAYOUT = [
  'OUT_USED', 'OUT_CONSUME', 'OUT_PHASE', 'PROLOGUE', 'OUT_SLACK',
  'RECORD_HEAD', 'RECORD_BODY', 'RECORD_END',
  'HEAD_METHOD', 'HEAD_FLAGS', 'HEAD_START', 'HEAD_END', 'HEAD_URL_START', 'HEAD_URL_LENGTH',
  'HEAD_LENGTH_LOW', 'HEAD_LENGTH_HIGH', 'HEAD_FIELDS', 'HEAD_FIXED',
  'FIELD_NAME_START', 'FIELD_NAME_LENGTH', 'FIELD_VALUE_START', 'FIELD_VALUE_LENGTH', 'FIELD_INTS',
  'BODY_START', 'BODY_LENGTH', 'BODY_INTS',
  'FLAG_KEEP_ALIVE', 'FLAG_CHUNKED', 'FLAG_CONTENT_LENGTH', 'FLAG_EXPECT_CONTINUE', 'FLAG_UPGRADE',
  'VERSION_MAJOR_SHIFT', 'VERSION_MINOR_SHIFT',
  'STATUS_STOP', 'PHASE_HEADERS', 'PHASE_BODY',
] as const;

interface Binding {
  Parser: new (maxHeaderSize: number, maxHeaders: number, maxBodySize: number) => NativeParser;
  layout: Readonly<Record<(typeof LAYOUT)[number], number>>;
  /** llhttp's method names by number (llhttp.h `HTTP_ALL_METHOD_MAP`). */
  methods: readonly string[];
}

function load(): Binding {
  // Both src/ (tests via ts-jest) and dist/ sit next to build/. NEVIO_NATIVE_VARIANT=asan selects
  // the AddressSanitizer build, as it does for @nevio/native.
  const variant = process.env.NEVIO_NATIVE_VARIANT === 'asan' ? 'build-asan' : 'build';
  const file = path.join(__dirname, '..', variant, 'Release', 'nevio_http.node');
  let binding: Binding;
  try {
    binding = require(file) as Binding;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`@nevio/http: cannot load its llhttp addon (${reason}); build it with \`pnpm --filter @nevio/http build\``);
  }
  const missing = LAYOUT.filter((name) => !Number.isInteger(binding.layout?.[name]));
  if (missing.length > 0) {
    throw new Error(`@nevio/http: the llhttp addon at ${file} is stale (no ${missing.join(', ')}); rebuild it with \`pnpm --filter @nevio/http build\``);
  }
  return binding;
}

const binding = load();
export const { Parser } = binding;
/** llhttp's method names: `METHODS[record[HEAD_METHOD]]`. */
export const METHODS = binding.methods;
export const {
  OUT_USED, OUT_CONSUME, OUT_PHASE, PROLOGUE, OUT_SLACK,
  RECORD_HEAD, RECORD_BODY, RECORD_END,
  HEAD_METHOD, HEAD_FLAGS, HEAD_START, HEAD_END, HEAD_URL_START, HEAD_URL_LENGTH,
  HEAD_LENGTH_LOW, HEAD_LENGTH_HIGH, HEAD_FIELDS, HEAD_FIXED,
  FIELD_NAME_START, FIELD_NAME_LENGTH, FIELD_VALUE_START, FIELD_VALUE_LENGTH, FIELD_INTS,
  BODY_START, BODY_LENGTH, BODY_INTS,
  FLAG_KEEP_ALIVE, FLAG_CHUNKED, FLAG_CONTENT_LENGTH, FLAG_EXPECT_CONTINUE, FLAG_UPGRADE,
  VERSION_MAJOR_SHIFT, VERSION_MINOR_SHIFT,
  STATUS_STOP, PHASE_HEADERS, PHASE_BODY,
} = binding.layout;
