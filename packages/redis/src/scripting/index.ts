/**
 * The scripting engine of the server: EVAL's script cache and (later) FUNCTION's libraries over
 * one {@link ScriptRunner}, as the {@link Scripting} view commands use.
 *
 * @packageDocumentation
 */
import type { ClientState, CommandContext, Scripting } from '../command';
import type { RedisServer } from '../server';
import { EvalScripts } from './eval';
import { ScriptRunner } from './runner';

export class ScriptingEngine implements Scripting {
  readonly runner: ScriptRunner;
  private readonly scripts: EvalScripts;

  constructor(server: RedisServer) {
    this.runner = new ScriptRunner(server);
    this.scripts = new EvalScripts(this.runner);
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

  flushScripts(): void {
    this.scripts.flush();
  }

  kill(isEval: boolean): void {
    this.runner.kill(isEval, () => this.scripts.native);
  }

  /** A client disconnected: a busy script it started runs on to its end. */
  clientGone(c: ClientState): void {
    this.runner.callerGone(c, () => this.scripts.native);
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
