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

/**
 * How `start`/`resume` ended when not with the reply's length (a number >= 0: done, the reply
 * is at the start of the shared reply buffer): yielded (call `resume` later), failed or done with
 * a reply too long for the shared buffer (both: ask `reply`).
 */
export const RUN_YIELDED = -1;
export const RUN_FAILED = -2;
export const RUN_LONG_REPLY = -3;

/** One Lua interpreter (the `LuaEngine` class of the addon). */
export interface NativeEngine {
  /** A reference to the compiled function, or Lua's compile error. */
  compile(body: Buffer, chunkname: string): number | string;
  release(ref: number): void;
  /** Runs a library body; the functions it registered, or the error message. */
  loadLibrary(ref: number, timeoutMs: number): RegisteredFunction[] | string;
  /**
   * The name of the runs from now on (SHA1 or function name, for error messages) and the shared
   * arguments' buffer (it replaces the one given at construction); called when either changed.
   */
  use(name: string, args: ArrayBuffer): void;
  /**
   * Runs function `ref` with the `argc` strings in the shared arguments' buffer (uint32 lengths,
   * then the bytes), the first `nkeys` of them as keys. The reply's length in the shared reply
   * buffer, or RUN_YIELDED / RUN_FAILED / RUN_LONG_REPLY.
   */
  start(ref: number, argc: number, nkeys: number, callerResp: number, canYield: boolean, busyMs: number): number;
  /** Goes on with a yielded run; returns as `start`. */
  resume(): number;
  /** The finished run's reply (RESP, in the caller's protocol) after RUN_FAILED or RUN_LONG_REPLY. */
  reply(): Buffer;
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
