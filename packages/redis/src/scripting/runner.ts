/**
 * Running one script or function (Redis's script.c): the checks before the run, the fake
 * client redis.call runs commands as (with the checks of scriptCall), the busy state and
 * SCRIPT KILL / FUNCTION KILL, and the reply.
 *
 * A script runs synchronously on the event loop, as in Redis. Past `busy-reply-threshold` ms
 * the interpreter's hook yields back here (native/engine.cc) and the rest of the script runs as
 * a streamed reply ({@link ClientState.stream}): slices of about a millisecond between other
 * clients' events, which are answered `-BUSY` (except the few commands Redis allows, SCRIPT KILL,
 * FUNCTION KILL and SHUTDOWN among them), while the caller's pipelined commands wait. Nothing
 * else touches the dataset meanwhile, so the script stays atomic; time is frozen for it.
 *
 * @packageDocumentation
 */
import type { Client } from '../client';
import { CMD_DENYOOM, CMD_MAY_REPLICATE, CMD_WRITE, CommandError, type ClientState, type CommandContext, type CommandDef } from '../command';
import type { RedisServer } from '../server';
import { SCRIPT_ALLOW_OOM, SCRIPT_EVAL_COMPAT, SCRIPT_NO_WRITES } from './flags';
import { RUN_FAILED, RUN_YIELDED, type EngineHost, type NativeEngine } from './native';

/** Commands a script may not call (Redis's NOSCRIPT flag; containers count as a whole). */
const NOSCRIPT = new Set([
  'acl', 'auth', 'bgrewriteaof', 'bgsave', 'blmove', 'blpop', 'brpop', 'brpoplpush', 'bzpopmax', 'bzpopmin', 'client', 'cluster',
  'config', 'debug', 'discard', 'eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'exec', 'failover', 'fcall', 'fcall_ro', 'function',
  'hello', 'latency', 'module', 'monitor', 'multi', 'psubscribe', 'psync', 'punsubscribe', 'quit', 'replconf', 'replicaof', 'reset',
  'role', 'save', 'script', 'shutdown', 'slaveof', 'ssubscribe', 'subscribe', 'sunsubscribe', 'sync', 'unsubscribe', 'unwatch',
  'wait', 'watch',
]);
/** Commands that may replicate without being writes (refused in read-only scripts too). */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'pfcount']);
/** What other clients may run while a script is busy (Redis's ALLOW_BUSY commands). */
const ALLOWED_WHILE_BUSY = new Set(['auth', 'discard', 'hello', 'multi', 'quit', 'reset', 'shutdown', 'unwatch', 'watch']);
const ALLOWED_SUBCOMMANDS_WHILE_BUSY: Record<string, readonly string[]> = { script: ['kill'], function: ['kill', 'stats'] };

const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";
/** Replication targets of redis.set_repl. */
const REPL_AOF = 1;
/**
 * Each interpreter's memory cap: a script allocating without bound fails with "not enough
 * memory" past it (Redis has no cap; 256 MiB is far above what scripts hold, and bounds the harm).
 */
export const LUA_MEMORY_LIMIT = 256 * 1024 * 1024;
/** The first size of the buffer redis.call's arguments are handed over in. */
const ARGS_BUFFER_SIZE = 64 * 1024;
/**
 * Views of the shared buffers are kept by (offset, length) and reused: a `subarray` costs about
 * 150 ns (a new FastBuffer), and a script's calls see the same positions again and again (about
 * 6% of an EVALSHA's CPU went to making them). Past this many the cache starts over.
 */
const MAX_CACHED_VIEWS = 1024;

/** What is known about the script that runs. */
export interface RunningScript {
  readonly caller: ClientState;
  readonly isEval: boolean;
  /** The script's SHA1 or the function's name. */
  readonly name: string;
  /** EVAL/FCALL's argv as text, for FUNCTION STATS (taken when the script turns busy). */
  command: readonly string[];
  readonly startedAt: number;
  readonly readonly: boolean;
  readonly allowOom: boolean;
  /** Memory was over maxmemory when the script started. */
  readonly oomAtStart: boolean;
  /** A write command ran: the script can no longer be killed. */
  writeDirty: boolean;
  /** redis.set_repl: writes go to the AOF. */
  logged: boolean;
  /** Past the busy threshold. */
  timedOut: boolean;
  /** The caller disconnected: the script finishes with nowhere to reply. */
  orphaned: boolean;
}

/** How a script is to be run. */
export interface RunSpec {
  readonly engine: NativeEngine;
  readonly ref: number;
  readonly flags: number;
  readonly isEval: boolean;
  readonly readonly: boolean;
  readonly name: string;
  readonly argv: Buffer[];
  readonly firstKey: number;
  readonly nkeys: number;
}

export class ScriptRunner implements EngineHost {
  /** The running script, or null. */
  running: RunningScript | null = null;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call NOSCRIPT commands. */
  denyScriptsDisabled = false;
  private readonly client: Client;
  private args: ArrayBuffer;
  private argBytes: Buffer;
  private argLengths: Uint32Array;
  /**
   * Shared with the interpreters: redis.call's replies are captured here and read by the addon
   * in place, and a run's final reply comes back in it (see {@link NativeEngine.reply}).
   */
  private readonly replies = new ArrayBuffer(ARGS_BUFFER_SIZE);
  private readonly replyBytes = Buffer.from(this.replies);
  /** Where the current call's reply is captured: {@link replyBytes}, or a bigger copy of it. */
  private capture = this.replyBytes;
  /** The running command's argv: valid until the script first yields. */
  private argv: readonly Buffer[] = [];
  private captured = 0;
  /** Views of {@link argBytes} by offset * 65536 + length (both below 64 KiB), see MAX_CACHED_VIEWS. */
  private argViews = new Map<number, Buffer>();
  /** Views of the start of {@link replyBytes} by length. */
  private readonly replyViews: Buffer[] = [];
  /** The name each interpreter was last given, and the arguments' buffer (see NativeEngine.use). */
  private readonly names = new WeakMap<NativeEngine, string>();
  private readonly buffers = new WeakMap<NativeEngine, ArrayBuffer>();

  constructor(private readonly server: RedisServer) {
    this.client = server.newScriptClient((chunk) => this.collect(chunk));
    this.args = new ArrayBuffer(ARGS_BUFFER_SIZE);
    this.argBytes = Buffer.from(this.args);
    this.argLengths = new Uint32Array(this.args);
  }

  /** The arguments' buffer a new interpreter shares with this runner. */
  get argsBuffer(): ArrayBuffer {
    return this.args;
  }

  /** The replies' buffer a new interpreter shares with this runner. */
  get repliesBuffer(): ArrayBuffer {
    return this.replies;
  }

  /** The BUSY error for a command other clients send now, or null when it may run. */
  busyError(def: CommandDef, argv: readonly Buffer[]): string | null {
    const run = this.running;
    if (run === null || !run.timedOut) return null;
    if (ALLOWED_WHILE_BUSY.has(def.name)) return null;
    const subs = ALLOWED_SUBCOMMANDS_WHILE_BUSY[def.name];
    if (subs !== undefined && argv.length > 1 && subs.includes(argv[1].toString().toLowerCase())) return null;
    return run.isEval ? BUSY_EVAL : BUSY_FUNCTION;
  }

  /** SCRIPT KILL (`isEval`) or FUNCTION KILL. */
  kill(isEval: boolean, engine: (isEval: boolean) => NativeEngine): void {
    const run = this.running;
    if (run === null) throw new CommandError('NOTBUSY No scripts in execution right now.');
    if (run.writeDirty) {
      throw new CommandError(
        'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
      );
    }
    if (isEval && !run.isEval) throw new CommandError(BUSY_FUNCTION);
    if (!isEval && run.isEval) throw new CommandError(BUSY_EVAL);
    engine(run.isEval).kill();
  }

  /** Runs a script for `ctx` and replies (now, or in slices once it is busy). */
  run(ctx: CommandContext, spec: RunSpec): void {
    const caller = ctx.client;
    const server = this.server;
    const compat = (spec.flags & SCRIPT_EVAL_COMPAT) !== 0;
    const noWrites = (spec.flags & SCRIPT_NO_WRITES) !== 0;
    const oomAtStart = server.config.maxmemory > 0 && !server.memory.ensure();
    if (!compat && !noWrites) {
      if (spec.readonly) throw new CommandError('ERR Can not execute a script with write flag using *_ro command.');
      if (oomAtStart && (spec.flags & SCRIPT_ALLOW_OOM) === 0) {
        throw new CommandError("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
      }
    }
    const run: RunningScript = {
      caller,
      isEval: spec.isEval,
      name: spec.name,
      command: [],
      startedAt: Date.now(),
      readonly: spec.readonly || (!compat && noWrites),
      allowOom: !compat && (spec.flags & SCRIPT_ALLOW_OOM) !== 0,
      oomAtStart,
      writeDirty: false,
      logged: true,
      timedOut: false,
      orphaned: false,
    };
    this.running = run;
    this.argv = spec.argv;
    this.client.select(ctx.db.index);
    this.client.logsWrites = true;
    this.client.setProtocol(2);
    server.timeFrozen = true;
    // Inside EXEC (or the AOF's replay) the transaction brackets are already there, and the
    // script cannot yield: the commands after it in the transaction must wait for it.
    const inTransaction = !caller.canBlock;
    if (!inTransaction) server.beginTransaction();
    let status: number;
    try {
      this.stage(spec.argv, spec.firstKey);
      const engine = spec.engine;
      // Both interpreters share the buffer: the one that did not see it grow learns of it here.
      if (this.names.get(engine) !== spec.name || this.buffers.get(engine) !== this.args) {
        this.names.delete(engine);
        engine.use(spec.name, this.args);
        this.names.set(engine, spec.name);
        this.buffers.set(engine, this.args);
      }
      status = engine.start(spec.ref, spec.argv.length - spec.firstKey, spec.nkeys, ctx.reply.proto, caller.canBlock, server.config['busy-reply-threshold']);
    } catch (err) {
      this.end(inTransaction);
      throw err;
    }
    if (status !== RUN_YIELDED) {
      this.end(inTransaction);
      return this.reply(ctx, spec.engine, status, true);
    }
    ctx.client.stream(() => {
      const next = spec.engine.resume();
      if (next === RUN_YIELDED) return false;
      this.end(inTransaction);
      if (!run.orphaned) this.reply(ctx, spec.engine, next, false);
      this.serveBlocked();
      return true;
    });
  }

  /** The caller of the running script disconnected: the script still finishes. */
  callerGone(c: ClientState, engine: (isEval: boolean) => NativeEngine): void {
    const run = this.running;
    if (run === null || run.caller !== c || !run.timedOut) return;
    run.orphaned = true;
    const native = engine(run.isEval);
    const step = (): void => {
      if (this.running !== run) return;
      if (native.resume() === RUN_YIELDED) {
        setImmediate(step);
        return;
      }
      this.end(false);
      this.serveBlocked();
      this.server.flush();
    };
    setImmediate(step);
  }

  /** A script that went busy is over: clients blocked on keys it pushed to are served now. */
  private serveBlocked(): void {
    if (this.server.blocking.pending) this.server.blocking.serve();
  }

  private end(inTransaction: boolean): void {
    this.running = null;
    this.argv = [];
    this.server.timeFrozen = false;
    if (!inTransaction) this.server.endTransaction();
  }

  /** Copies argv[first..] into the shared arguments' buffer (made bigger when too small) for the addon's start. */
  private stage(argv: readonly Buffer[], first: number): void {
    const argc = argv.length - first;
    let need = 4 * argc;
    for (let i = first; i < argv.length; i++) need += argv[i].length;
    if (need > this.args.byteLength) this.useArgs(new ArrayBuffer(Math.max(need, 2 * this.args.byteLength)));
    const lengths = this.argLengths;
    const bytes = this.argBytes;
    let offset = 4 * argc;
    for (let i = first; i < argv.length; i++) {
      const a = argv[i];
      const n = a.length;
      lengths[i - first] = n;
      // Keys and numbers are short: a loop is cheaper than TypedArray.set's call for them.
      if (n <= 16) for (let j = 0; j < n; j++) bytes[offset + j] = a[j];
      else bytes.set(a, offset);
      offset += n;
    }
  }

  private useArgs(buffer: ArrayBuffer): void {
    this.args = buffer;
    this.argBytes = Buffer.from(buffer);
    this.argLengths = new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
    this.argViews = new Map();
  }

  /**
   * Writes the finished run's reply. A failed run's top-level error is thrown (the dispatcher
   * then counts the call as failed) when `canThrow`, else written as is.
   */
  private reply(ctx: CommandContext, engine: NativeEngine, status: number, canThrow: boolean): void {
    if (status >= 0) {
      // A view of the shared buffer: the reply writer copies it (it is at most 16 KiB).
      let view = this.replyViews[status];
      if (view === undefined) view = this.replyViews[status] = this.replyBytes.subarray(0, status);
      return ctx.reply.raw(view);
    }
    const bytes = engine.reply();
    // A reply too long for the shared buffer, or a failure.
    if (status !== RUN_FAILED) return ctx.reply.raw(bytes);
    const counted = engine.countedErrors();
    const stats = this.server.commandStats;
    if (canThrow && bytes[0] === 0x2d && bytes.indexOf(0x0d) === bytes.length - 2) {
      const message = bytes.latin1Slice(1, bytes.length - 2);
      throw new CommandError(message, counted.length > 0);
    }
    for (const e of counted) stats.error(e);
    ctx.reply.raw(bytes);
  }

  // --- EngineHost: what the interpreter asks while a script runs ---

  /** The arguments the interpreter put in the shared buffer (`grown` replaces it when given). */
  private takeArgs(argc: number, grown: ArrayBuffer | undefined): Buffer[] {
    if (grown !== undefined) this.useArgs(grown);
    const argv: Buffer[] = new Array(argc);
    const lengths = this.argLengths;
    const views = this.argViews;
    let offset = 4 * argc;
    for (let i = 0; i < argc; i++) {
      const len = lengths[i];
      const end = offset + len;
      if (end > ARGS_BUFFER_SIZE) {
        argv[i] = this.argBytes.subarray(offset, end);
      } else {
        const key = offset * 65536 + len;
        let view = views.get(key);
        if (view === undefined) {
          if (views.size >= MAX_CACHED_VIEWS) views.clear();
          view = this.argBytes.subarray(offset, end);
          views.set(key, view);
        }
        argv[i] = view;
      }
      offset = end;
    }
    return argv;
  }

  aclCheck(argc: number, grown: ArrayBuffer | undefined): number {
    const argv = this.takeArgs(argc, grown);
    const run = this.running;
    return run === null ? -1 : this.server.acl.scriptMayRun(run.caller, argv);
  }

  call(argc: number, grown: ArrayBuffer | undefined): number | Uint8Array {
    const argv = this.takeArgs(argc, grown);
    this.captured = 0;
    // One lookup per redis.call, shared by the checks and the call (it was two, plus a
    // lower-cased copy of the name: ~3% of an EVALSHA's CPU at 16 pipelined).
    const def = this.server.lookup(argv[0]);
    const error = this.check(def, argv);
    if (error !== null) {
      if (def !== undefined) this.server.commandStats.rejected(def.name);
      this.server.commandStats.error(error);
      this.client.reply.error(error);
    } else if (def !== undefined) {
      this.server.call(this.client, def, argv);
    }
    this.client.reply.flush();
    if (this.capture === this.replyBytes) return this.captured;
    // A reply bigger than the shared buffer: handed over as is, and the next call starts over.
    const big = this.capture.subarray(0, this.captured);
    this.capture = this.replyBytes;
    return big;
  }

  log(level: number, message: string): void {
    // Redis's verbosity is notice by default: debug and verbose lines are not shown.
    if (level >= 2) this.server.log.warn(message);
  }

  setResp(version: number): void {
    this.client.setProtocol(version === 3 ? 3 : 2);
  }

  setRepl(flags: number): void {
    if (this.running !== null) this.running.logged = (flags & REPL_AOF) !== 0;
    this.client.logsWrites = (flags & REPL_AOF) !== 0;
  }

  timedOut(): void {
    const run = this.running;
    if (run === null) return;
    run.timedOut = true;
    // Still inside the command's own call (the script yields only after this): argv is valid.
    run.command = this.argv.map((a) => a.toString());
    this.server.log.warn(
      `Slow script detected: still in execution after ${Date.now() - run.startedAt} milliseconds. You can try killing the script using the ${run.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.name}.`,
    );
  }

  /** scriptCall's checks; the error reply, or null when the command may run. */
  private check(def: CommandDef | undefined, argv: readonly Buffer[]): string | null {
    const run = this.running;
    if (run === null) return 'ERR redis.call/pcall can only be called inside a script invocation';
    if (def === undefined) {
      return NOSCRIPT.has(argv[0].toString().toLowerCase()) && !this.denyScriptsDisabled ? 'ERR This Redis command is not allowed from script' : 'ERR Unknown Redis command called from script';
    }
    const arity = def.arity;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) return 'ERR Wrong number of args calling Redis command from script';
    if (NOSCRIPT.has(def.name) && !this.denyScriptsDisabled) return 'ERR This Redis command is not allowed from script';
    // The script runs with its caller's permissions (one test for the default user).
    if (!run.caller.user.unrestricted) {
      const denied = this.server.acl.deniedInScript(run.caller, def, argv);
      if (denied !== null) return denied;
    }
    const write = (def.flags & CMD_WRITE) !== 0;
    if (run.readonly && (write || (def.flags & CMD_MAY_REPLICATE) !== 0 || MAY_REPLICATE.has(def.name))) {
      return 'ERR Write commands are not allowed from read-only scripts.';
    }
    if (!run.allowOom && run.oomAtStart && !run.writeDirty && (def.flags & CMD_DENYOOM) !== 0) return OOM;
    if (write) {
      // Redis's scriptVerifyWriteCommandAllow: a write inside the script meets the same
      // replication checks as one from a client (NOREPLICAS, READONLY).
      const refused = this.server.replication.guarded ? this.server.replication.refuseWrite() : null;
      if (refused !== null) return refused;
      run.writeDirty = true;
    }
    return null;
  }

  /** The script client's reply sink: the bytes of one call's reply, copied. */
  private collect(chunk: Uint8Array): void {
    const need = this.captured + chunk.length;
    if (need > this.capture.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.capture.length * 2));
      this.capture.copy(bigger, 0, 0, this.captured);
      this.capture = bigger;
    }
    this.capture.set(chunk, this.captured);
    this.captured = need;
  }
}
