/**
 * EVAL's scripts (Redis's eval.c): the script cache by SHA1, compiling with the shebang's
 * flags, and running them with KEYS/ARGV.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { CommandError, argInt, type CommandContext } from '../command';
import { parseShebang, scriptCommandFlags } from './flags';
import { newEngine, type NativeEngine } from './native';
import { LUA_MEMORY_LIMIT, type ScriptRunner } from './runner';

/** One cached script. */
interface CachedScript {
  readonly ref: number;
  readonly flags: number;
  readonly size: number;
  /** Its SHA1 in lower-case hex, as text and as bytes. */
  readonly sha: string;
  readonly shaBytes: Buffer;
}

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
/** An EVALSHA argument can only match when it is a SHA1's 40 hex digits. */
const SHA_LENGTH = 40;

/** The SHA1 of a script body, in lower-case hex. */
export function sha1hex(body: Buffer): string {
  return createHash('sha1').update(body).digest('hex');
}

/** Parses EVAL/FCALL's numkeys with Redis's errors. */
export function parseNumKeys(arg: Buffer, argc: number, firstKey: number): number {
  const n = argInt(arg);
  if (n > argc - firstKey) throw new CommandError("ERR Number of keys can't be greater than number of args");
  if (n < 0) throw new CommandError("ERR Number of keys can't be negative");
  return n;
}

export class EvalScripts {
  private engine: NativeEngine | null = null;
  private readonly scripts = new Map<string, CachedScript>();
  private bodyBytes = 0;
  /**
   * The script the last EVALSHA named: the same SHA1 again (as pipelined calls of one script
   * are) is recognised by its bytes, without making the hex string and looking it up, which each
   * EVALSHA did twice (its flags, then the run).
   */
  private last: CachedScript | null = null;

  constructor(private readonly runner: ScriptRunner) {}

  /** The interpreter, created on first use (so a server without scripts never loads Lua). */
  get native(): NativeEngine {
    this.engine ??= newEngine(false, LUA_MEMORY_LIMIT, this.runner, this.runner.argsBuffer, this.runner.repliesBuffer);
    return this.engine;
  }

  /** INFO: number_of_cached_scripts. */
  get count(): number {
    return this.scripts.size;
  }

  /** INFO: used_memory_lua (the interpreter). */
  get memory(): number {
    return this.engine === null ? 0 : this.engine.memory();
  }

  /** INFO: used_memory_scripts_eval (the cached bodies). */
  get cacheMemory(): number {
    return this.bodyBytes;
  }

  /** SCRIPT LOAD, and EVAL of a new script: compiles and caches; returns the SHA1. */
  load(body: Buffer): string {
    const sha = sha1hex(body);
    if (!this.scripts.has(sha)) this.compile(sha, body);
    return sha;
  }

  /** See {@link Scripting.evalFlags}. EVAL's body is parsed (its cached flags are the same). */
  callFlags(argv: readonly Buffer[], bySha: boolean, commandFlags: number): number {
    let script: number | undefined;
    if (bySha) {
      script = this.bySha(argv[1])?.flags;
    } else {
      try {
        script = parseShebang(argv[1]).flags;
      } catch {
        // A bad shebang fails when the script runs; until then the command's flags stand.
      }
    }
    return script === undefined ? commandFlags : scriptCommandFlags(commandFlags, script);
  }

  exists(sha: string): boolean {
    return this.scripts.has(sha.toLowerCase());
  }

  /** SCRIPT FLUSH: forgets every script and starts a new interpreter. */
  flush(): void {
    this.scripts.clear();
    this.last = null;
    this.bodyBytes = 0;
    if (this.engine !== null) {
      this.engine.close();
      this.engine = null;
    }
  }

  /** EVAL / EVALSHA / EVAL_RO / EVALSHA_RO. */
  eval(ctx: CommandContext, argv: Buffer[], bySha: boolean, readonly: boolean): void {
    const nkeys = parseNumKeys(argv[2], argv.length, 3);
    let script: CachedScript | undefined;
    if (bySha) {
      script = this.bySha(argv[1]);
      if (script === undefined) throw new CommandError(NOSCRIPT);
    } else {
      const sha = sha1hex(argv[1]);
      script = this.scripts.get(sha) ?? this.compile(sha, argv[1]);
    }
    this.runner.run(ctx, {
      engine: this.native,
      ref: script.ref,
      flags: script.flags,
      isEval: true,
      readonly,
      name: script.sha,
      argv,
      firstKey: 3,
      nkeys,
    });
  }

  /** The cached script an EVALSHA argument names, if any (see {@link EvalScripts.last}). */
  private bySha(arg: Buffer): CachedScript | undefined {
    if (arg.length !== SHA_LENGTH) return undefined;
    const last = this.last;
    if (last !== null) {
      const bytes = last.shaBytes;
      let i = 0;
      while (i < SHA_LENGTH && arg[i] === bytes[i]) i++;
      if (i === SHA_LENGTH) return last;
    }
    const script = this.scripts.get(arg.latin1Slice(0, SHA_LENGTH).toLowerCase());
    if (script !== undefined) this.last = script;
    return script;
  }

  private compile(sha: string, body: Buffer): CachedScript {
    const shebang = parseShebang(body);
    // The shebang line is left out but its line feed kept, so line numbers stay the user's.
    const ref = this.native.compile(body.subarray(shebang.length), '@user_script');
    if (typeof ref === 'string') throw new CommandError(`ERR Error compiling script (new function): ${ref}`);
    const script = { ref, flags: shebang.flags, size: body.length, sha, shaBytes: Buffer.from(sha, 'latin1') };
    this.scripts.set(sha, script);
    this.bodyBytes += body.length;
    return script;
  }
}
