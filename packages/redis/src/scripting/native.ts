/**
 * The Lua engine addon (`native/`, built by `scripts/build-addon.js` against Debian's Lua 5.1,
 * lua-cjson and LuaBitOp): one {@link NativeEngine} is one Lua interpreter.
 *
 * @packageDocumentation
 */
import path from 'node:path';

/** What the interpreter calls back while a script runs. */
export interface EngineHost {
  /**
   * redis.call/pcall: `argc` arguments are in the shared buffer (uint32 lengths, then the
   * bytes); `grown` is a bigger buffer that replaces it from now on. Returns the RESP reply's
   * length at the start of the shared reply buffer, or the reply itself when it outgrew it.
   */
  call(argc: number, grown: ArrayBuffer | undefined): number | Uint8Array;
  /**
   * redis.acl_check_cmd, its arguments handed over as `call`'s: 1 when the caller's ACL user may
   * run them, 0 when not, -1 for an unknown command.
   */
  aclCheck(argc: number, grown: ArrayBuffer | undefined): number;
  /** redis.log (level 0 debug … 3 warning). */
  log(level: number, message: string): void;
  /** redis.setresp. */
  setResp(version: number): void;
  /** redis.set_repl (bit 1: AOF, bit 2: replicas). */
  setRepl(flags: number): void;
  /** The script ran past the busy threshold. */
  timedOut(): void;
}

/** A function registered by a library body (FUNCTION LOAD). */
export interface RegisteredFunction {
  readonly name: string;
  readonly description: string | null;
  /** Script flag bits (see `flags.ts`). */
  readonly flags: number;
  /** The callback's reference in the interpreter. */
  readonly ref: number;
}

/** How `start`/`resume` ended. */
export const RUN_DONE = 0;
export const RUN_YIELDED = 1;
export const RUN_FAILED = 2;

/** One Lua interpreter (the `LuaEngine` class of the addon). */
export interface NativeEngine {
  /** A reference to the compiled function, or Lua's compile error. */
  compile(body: Buffer, chunkname: string): number | string;
  release(ref: number): void;
  /** Runs a library body; the functions it registered, or the error message. */
  loadLibrary(ref: number, timeoutMs: number): RegisteredFunction[] | string;
  /**
   * Runs function `ref` with keys argv[firstKey, firstKey + nkeys) and the rest as arguments;
   * RUN_DONE / RUN_FAILED (the reply is ready) or RUN_YIELDED (call `resume` later).
   */
  start(ref: number, argv: readonly Buffer[], firstKey: number, nkeys: number, callerResp: number, canYield: boolean, busyMs: number, name: string): number;
  resume(): number;
  /**
   * The finished run's reply (RESP, in the caller's protocol): its length at the start of the
   * shared reply buffer when it is at most a quarter of it, else a Buffer of its own.
   */
  reply(): number | Buffer;
  /** The error replies of the finished run that count in errorstats. */
  countedErrors(): string[];
  kill(): void;
  /** Bytes the interpreter holds. */
  memory(): number;
  /** Frees the interpreter now. */
  close(): void;
}

interface Binding {
  LuaEngine: new (functions: boolean, memoryLimit: number, host: EngineHost, args: ArrayBuffer, replies: ArrayBuffer) => NativeEngine;
}

function load(): Binding {
  // src/ (tests through ts-jest) and dist/ both sit next to build/; NEVIO_NATIVE_VARIANT=asan
  // selects the sanitizer build, as for the other addons.
  const variant = process.env.NEVIO_NATIVE_VARIANT === 'asan' ? 'build-asan' : 'build';
  const file = path.join(__dirname, '..', '..', variant, 'Release', 'nevio_lua.node');
  try {
    return require(file) as Binding;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`@nevio/redis: cannot load the Lua addon (${reason}); build it with \`pnpm --filter @nevio/redis build\``);
  }
}

let binding: Binding | null = null;

/** A new interpreter: `functions` for FUNCTION libraries (its own sandbox), else for EVAL. */
export function newEngine(functions: boolean, memoryLimit: number, host: EngineHost, args: ArrayBuffer, replies: ArrayBuffer): NativeEngine {
  binding ??= load();
  return new binding.LuaEngine(functions, memoryLimit, host, args, replies);
}
