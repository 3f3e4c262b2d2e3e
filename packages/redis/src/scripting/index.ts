/**
 * The scripting engine of the server: EVAL's script cache and FUNCTION's libraries, each with
 * its own interpreter, over one {@link ScriptRunner} (one script runs at a time), as the
 * {@link Scripting} view commands use.
 *
 * @packageDocumentation
 */
import { CommandError, type ClientState, type CommandContext, type LibraryView, type Scripting } from '../command';
import type { RedisServer } from '../server';
import { EvalScripts } from './eval';
import { FunctionLibraries, type RestorePolicy } from './functions';
import type { NativeEngine } from './native';
import { ScriptRunner } from './runner';

export class ScriptingEngine implements Scripting {
  readonly runner: ScriptRunner;
  private readonly scripts: EvalScripts;
  private readonly functions: FunctionLibraries;
  private readonly engineOf = (isEval: boolean): NativeEngine => (isEval ? this.scripts.native : this.functions.native);

  constructor(private readonly server: RedisServer) {
    this.runner = new ScriptRunner(server);
    this.scripts = new EvalScripts(this.runner);
    this.functions = new FunctionLibraries(this.runner);
  }

  /** The server stops: scripts, libraries and both interpreters are freed now, not at GC. */
  close(): void {
    if (this.runner.running !== null) return;
    this.scripts.flush();
    this.functions.flush();
  }

  eval(ctx: CommandContext, argv: Buffer[], bySha: boolean, readonly: boolean): void {
    this.scripts.eval(ctx, argv, bySha, readonly);
  }

  loadScript(body: Buffer): string {
    return this.scripts.load(body);
  }

  scriptExists(sha: string): boolean {
    return this.scripts.exists(sha);
  }

  evalFlags(argv: readonly Buffer[], bySha: boolean, commandFlags: number): number {
    return this.scripts.callFlags(argv, bySha, commandFlags);
  }

  fcallFlags(argv: readonly Buffer[], commandFlags: number): number {
    return this.functions.callFlags(argv, commandFlags);
  }

  flushScripts(): void {
    this.scripts.flush();
  }

  kill(isEval: boolean): void {
    this.runner.kill(isEval, this.engineOf);
  }

  /** A client disconnected: a busy script it started runs on to its end. */
  clientGone(c: ClientState): void {
    this.runner.callerGone(c, this.engineOf);
  }

  fcall(ctx: CommandContext, argv: Buffer[], readonly: boolean): void {
    this.functions.fcall(ctx, argv, readonly);
  }

  loadLibrary(code: Buffer, replace: boolean): string {
    this.refuseOverMaxmemory();
    return this.functions.load(code, replace);
  }

  deleteLibrary(name: string): void {
    this.functions.delete(name);
  }

  flushLibraries(): void {
    this.functions.flush();
  }

  libraries(pattern: string | null): readonly LibraryView[] {
    return this.functions.matching(pattern);
  }

  dumpLibraries(): Buffer {
    return this.functions.dump();
  }

  restoreLibraries(payload: Buffer, policy: RestorePolicy): void {
    this.refuseOverMaxmemory();
    this.functions.restore(payload, policy);
  }

  loadLibraries(codes: readonly Buffer[], policy: RestorePolicy): void {
    this.functions.restoreCodes(codes, policy);
  }

  /**
   * FUNCTION LOAD and RESTORE are refused over maxmemory, as Redis's DENYOOM subcommands are
   * (the FUNCTION container cannot carry the flag: FLUSH and DELETE must still work then).
   */
  private refuseOverMaxmemory(): void {
    if (this.server.config.maxmemory > 0 && !this.server.memory.ensure()) {
      throw new CommandError("OOM command not allowed when used memory > 'maxmemory'.");
    }
  }

  get busyScript(): { readonly name: string; readonly command: readonly string[]; readonly durationMs: number } | null {
    const run = this.runner.running;
    if (run === null || !run.timedOut) return null;
    return { name: run.name, command: run.command, durationMs: Date.now() - run.startedAt };
  }

  get libraryCount(): number {
    return this.functions.libraryCount;
  }

  get functionCount(): number {
    return this.functions.functionCount;
  }

  get functionsMemory(): number {
    return this.functions.memory;
  }

  get denyScriptsDisabled(): boolean {
    return this.runner.denyScriptsDisabled;
  }

  set denyScriptsDisabled(on: boolean) {
    this.runner.denyScriptsDisabled = on;
  }

  get cachedScripts(): number {
    return this.scripts.count;
  }

  get evalMemory(): number {
    return this.scripts.memory;
  }

  get scriptsMemory(): number {
    return this.scripts.cacheMemory;
  }
}
