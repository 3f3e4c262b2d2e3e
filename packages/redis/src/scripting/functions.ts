/**
 * FUNCTION libraries (Redis's functions.c and function_lua.c): loading a library runs its body
 * once with the library API (redis.register_function), the functions are kept by name
 * (case-insensitively, across libraries), FCALL runs one with KEYS and ARGV as arguments, and
 * DUMP/RESTORE move them in Redis's payload format (one RDB_OPCODE_FUNCTION2 and the library's
 * code per library, then the RDB version and a CRC64).
 *
 * @packageDocumentation
 */
import { CommandError, globMatch, parseInt64, type CommandContext } from '../command';
import { crc64 } from '../crc64';
import { splitArgs } from '../parser';
import { parseNumKeys } from './eval';
import { scriptCommandFlags } from './flags';
import { newEngine, type NativeEngine, type RegisteredFunction } from './native';
import { LUA_MEMORY_LIMIT, type ScriptRunner } from './runner';

/** RDB_VERSION of Redis 7.0: the version DUMP payloads carry. */
export const RDB_VERSION = 10;
/** RDB_OPCODE_FUNCTION2: a library's code follows. */
const OPCODE_FUNCTION = 245;
/** A library body that registers its functions for longer than this fails (LOAD_TIMEOUT_MS). */
const LOAD_TIMEOUT_MS = 500;
const NAME_RULE = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

/** One function of a library. */
export interface LibraryFunction extends RegisteredFunction {
  readonly library: Library;
}

/** One loaded library. */
export interface Library {
  readonly name: string;
  readonly code: Buffer;
  readonly functions: LibraryFunction[];
}

/** How FUNCTION RESTORE treats the libraries already there. */
export type RestorePolicy = 'flush' | 'append' | 'replace';

function validName(name: string): boolean {
  return /^[A-Za-z0-9_]+$/.test(name);
}

/** The `#!lua name=<lib>` line: the library's name and the length of the line. */
function parseMetadata(code: Buffer): { name: string; length: number } {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) throw new CommandError('ERR Missing library metadata');
  const nl = code.indexOf(0x0a);
  if (nl < 0) throw new CommandError('ERR Invalid library metadata');
  // Split as Redis's sdssplitargs does (quotes allowed), the "#!" being part of the engine word.
  const parts = splitArgs(code, 0, nl)?.map((b) => b.latin1Slice(0, b.length));
  if (parts === undefined || parts.length === 0) throw new CommandError('ERR Invalid library metadata');
  parts[0] = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() !== 'name=') throw new CommandError(`ERR Invalid metadata value given: ${part}`);
    if (name !== null) throw new CommandError('ERR Invalid metadata value, name argument was given multiple times');
    name = part.slice(5);
  }
  if (name === null) throw new CommandError('ERR Library name was not given');
  if (!validName(name)) throw new CommandError(`ERR ${NAME_RULE}`);
  if (parts[0].toLowerCase() !== 'lua') throw new CommandError(`ERR Engine '${parts[0]}' not found`);
  return { name, length: nl };
}

/** Redis's length encoding of an RDB string (rdbSaveLen). */
function rdbLength(n: number): Buffer {
  if (n < 1 << 6) return Buffer.from([n]);
  if (n < 1 << 14) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const out = Buffer.alloc(5);
  out[0] = 0x80;
  out.writeUInt32BE(n, 1);
  return out;
}

/** Reads an RDB length at `pos`: [length, next position], or null when malformed. */
function readRdbLength(p: Buffer, pos: number): [number, number] | null {
  if (pos >= p.length) return null;
  const kind = p[pos] >> 6;
  if (kind === 0) return [p[pos] & 0x3f, pos + 1];
  if (kind === 1) return pos + 1 < p.length ? [((p[pos] & 0x3f) << 8) | p[pos + 1], pos + 2] : null;
  if (p[pos] === 0x80) return pos + 5 <= p.length ? [p.readUInt32BE(pos + 1), pos + 5] : null;
  if (p[pos] === 0x81 && pos + 9 <= p.length) {
    const n = p.readBigUInt64BE(pos + 1);
    return n > BigInt(p.length) ? null : [Number(n), pos + 9];
  }
  return null;
}

export class FunctionLibraries {
  private engine: NativeEngine | null = null;
  private readonly libraries = new Map<string, Library>();
  private readonly functions = new Map<string, LibraryFunction>();

  constructor(private readonly runner: ScriptRunner) {}

  /** The interpreter of the libraries, created on first use. */
  get native(): NativeEngine {
    this.engine ??= newEngine(true, LUA_MEMORY_LIMIT, this.runner, this.runner.argsBuffer, this.runner.repliesBuffer);
    return this.engine;
  }

  get libraryCount(): number {
    return this.libraries.size;
  }

  get functionCount(): number {
    return this.functions.size;
  }

  /** Bytes of the interpreter. */
  get memory(): number {
    return this.engine === null ? 0 : this.engine.memory();
  }

  /** The libraries, in load order. */
  list(): IterableIterator<Library> {
    return this.libraries.values();
  }

  /** FUNCTION LOAD: returns the library's name. */
  load(code: Buffer, replace: boolean): string {
    const meta = parseMetadata(code);
    const key = meta.name.toLowerCase();
    const old = this.libraries.get(key);
    if (old !== undefined && !replace) throw new CommandError(`ERR Library '${meta.name}' already exists`);
    const native = this.native;
    // The metadata line is left out but its line feed kept, so line numbers stay the user's.
    const body = native.compile(code.subarray(meta.length), '@user_function');
    if (typeof body === 'string') throw new CommandError(`ERR Error compiling function: ${body}`);
    const registered = native.loadLibrary(body, LOAD_TIMEOUT_MS);
    native.release(body);
    if (typeof registered === 'string') throw new CommandError(`ERR Error registering functions: ${registered}`);
    const release = (): void => {
      for (const f of registered) native.release(f.ref);
    };
    if (registered.length === 0) throw new CommandError('ERR No functions registered');
    for (const f of registered) {
      const other = this.functions.get(f.name.toLowerCase());
      if (other !== undefined && other.library !== old) {
        release();
        throw new CommandError(`ERR Function ${f.name} already exists`);
      }
    }
    if (old !== undefined) this.remove(old);
    const library: Library = { name: meta.name, code: Buffer.from(code), functions: [] };
    for (const f of registered) {
      const fn: LibraryFunction = { ...f, library };
      library.functions.push(fn);
      this.functions.set(f.name.toLowerCase(), fn);
    }
    this.libraries.set(key, library);
    return meta.name;
  }

  /** FUNCTION DELETE. */
  delete(name: string): void {
    const library = this.libraries.get(name.toLowerCase());
    if (library === undefined) throw new CommandError('ERR Library not found');
    this.remove(library);
  }

  /** FUNCTION FLUSH: every library, and the interpreter with them. */
  flush(): void {
    this.libraries.clear();
    this.functions.clear();
    this.closeEngine();
  }

  /** Frees the interpreter (unless a script runs in it): the libraries are gone already. */
  private closeEngine(): void {
    if (this.engine !== null && this.runner.running === null) {
      this.engine.close();
      this.engine = null;
    }
  }

  /** FUNCTION DUMP. */
  dump(): Buffer {
    const parts: Buffer[] = [];
    for (const library of this.libraries.values()) parts.push(Buffer.from([OPCODE_FUNCTION]), rdbLength(library.code.length), library.code);
    const version = Buffer.alloc(2);
    version.writeUInt16LE(RDB_VERSION, 0);
    parts.push(version);
    const body = Buffer.concat(parts);
    const crc = Buffer.alloc(8);
    crc.writeBigUInt64LE(crc64(body), 0);
    return Buffer.concat([body, crc]);
  }

  /** FUNCTION RESTORE: all the payload's libraries, or (on an error) none of them. */
  restore(payload: Buffer, policy: RestorePolicy): void {
    const p = payload;
    if (p.length < 10 || p.readUInt16LE(p.length - 10) > RDB_VERSION || crc64(p.subarray(0, p.length - 8)) !== p.readBigUInt64LE(p.length - 8)) {
      throw new CommandError('ERR DUMP payload version or checksum are wrong');
    }
    const codes: Buffer[] = [];
    for (let pos = 0; pos < p.length - 10; ) {
      if (p[pos] !== OPCODE_FUNCTION) throw new CommandError('ERR given type is not a function');
      const len = readRdbLength(p, pos + 1);
      if (len === null || len[1] + len[0] > p.length - 10) throw new CommandError('ERR failed loading the given functions payload');
      codes.push(p.subarray(len[1], len[1] + len[0]));
      pos = len[1] + len[0];
    }
    this.restoreCodes(codes, policy);
  }

  /**
   * Loads libraries from their code (FUNCTION RESTORE's payload, an RDB file's FUNCTION2
   * records): all of them, or (on an error, which is thrown) none, the libraries there before
   * left as they were.
   */
  restoreCodes(codes: readonly Buffer[], policy: RestorePolicy): void {
    if (policy === 'append') {
      for (const code of codes) {
        const { name } = parseMetadata(code);
        if (this.libraries.has(name.toLowerCase())) throw new CommandError(`ERR Library ${name} already exists`);
      }
    }
    const before = [...this.libraries.values()];
    if (policy === 'flush') this.flushKeepingEngine();
    const loaded: string[] = [];
    try {
      for (const code of codes) loaded.push(this.load(code, policy === 'replace'));
    } catch (err) {
      // Back to the libraries there were: the restored ones go, the replaced or flushed come back.
      for (const name of loaded) {
        const library = this.libraries.get(name.toLowerCase());
        if (library !== undefined) this.remove(library);
      }
      for (const library of before) {
        if (!this.libraries.has(library.name.toLowerCase())) this.load(library.code, true);
      }
      throw err;
    }
  }

  /** See {@link Scripting.fcallFlags}. */
  callFlags(argv: readonly Buffer[], commandFlags: number): number {
    const fn = this.functions.get(argv[1].toString().toLowerCase());
    return fn === undefined ? commandFlags : scriptCommandFlags(commandFlags, fn.flags);
  }

  /** FCALL / FCALL_RO. */
  fcall(ctx: CommandContext, argv: Buffer[], readonly: boolean): void {
    const fn = this.functions.get(argv[1].toString().toLowerCase());
    if (fn === undefined) throw new CommandError('ERR Function not found');
    if (parseInt64(argv[2]) === undefined) throw new CommandError('ERR Bad number of keys provided');
    const nkeys = parseNumKeys(argv[2], argv.length, 3);
    this.runner.run(ctx, {
      engine: this.native,
      ref: fn.ref,
      flags: fn.flags,
      isEval: false,
      readonly,
      name: fn.name,
      argv,
      firstKey: 3,
      nkeys,
    });
  }

  /** The libraries whose name matches `pattern` (all when null). */
  matching(pattern: string | null): Library[] {
    return [...this.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
  }

  private flushKeepingEngine(): void {
    for (const library of [...this.libraries.values()]) this.remove(library);
  }

  private remove(library: Library): void {
    this.libraries.delete(library.name.toLowerCase());
    for (const f of library.functions) {
      this.functions.delete(f.name.toLowerCase());
      this.native.release(f.ref);
    }
  }
}
