/**
 * The checks Redis's processCommand makes before a command runs, in its order: unknown command
 * (and the cross-protocol-scripting guard), arity, authentication, a busy script, MULTI-only
 * restrictions, ACL, RESP2 subscriber mode, the replication state, maxmemory. A refused command
 * gets its error here, counted in errorstats (and in commandstats' rejected_calls when it was
 * known), and marks an open transaction as failed, as rejectCommand does.
 */
import { CMD_DENYOOM, CMD_NO_AUTH, CMD_NO_MULTI, arityError, type CommandDef } from './command';
import type { Client } from './client';
import type { RedisServer } from './server';

/** What RESP2 subscribers may still run. */
const PUBSUB_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);
const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";
/** Inside MULTI over maxmemory, every command is refused but these. */
const OOM_EXEMPT_IN_MULTI = new Set(['exec', 'discard', 'quit', 'reset']);
/** The security warning is logged at most this often (Redis: once a minute). */
const SECURITY_LOG_INTERVAL_MS = 60000;
/** Redis quotes at most this many bytes of a command name, and of its arguments together (`%.128s`). */
const QUOTED_BYTES = 128;

/** `POST` or `Host:` in any case: an HTTP request sent to the Redis port. */
function looksLikeHttp(name: Buffer): boolean {
  const n = name.length;
  if (n !== 4 && n !== 5) return false;
  const s = name.latin1Slice(0, n).toLowerCase();
  return s === 'post' || s === 'host:';
}

/** A command name or argument in an error message: as Redis's `%.128s`, cut at NUL. */
function clip(arg: Buffer, room = QUOTED_BYTES): string {
  let s = arg.latin1Slice(0, Math.min(arg.length, room));
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s;
}

/**
 * Whether `def` is refused over `maxmemory`: a denyoom command, EXEC of a transaction holding
 * one, and inside MULTI anything but EXEC/DISCARD/QUIT/RESET (the queue itself takes memory).
 */
function mayGrowMemory(c: Client, def: CommandDef): boolean {
  if ((def.flags & CMD_DENYOOM) !== 0) return true;
  if (c.multi === null) return false;
  if (def.name === 'exec') return c.multi.some((q) => (q.def.flags & CMD_DENYOOM) !== 0);
  return !OOM_EXEMPT_IN_MULTI.has(def.name);
}

export class CommandGate {
  private securityLoggedAt = 0;

  constructor(private readonly server: RedisServer) {}

  /**
   * True when `c` may run `argv` as `def` now; otherwise the refusal has been replied (or, for
   * an HTTP request, the client is being closed).
   */
  admits(c: Client, argv: Buffer[], def: CommandDef | undefined): def is CommandDef {
    const s = this.server;
    if (def === undefined) {
      if (looksLikeHttp(argv[0])) return this.securityWarning(c);
      let args = '';
      for (let i = 1; i < argv.length && args.length < QUOTED_BYTES; i++) args += `'${clip(argv[i], QUOTED_BYTES - args.length)}' `;
      return this.reject(c, `ERR unknown command '${clip(argv[0])}', with args beginning with: ${args}`);
    }
    const arity = def.arity;
    const flags = def.flags;
    if (arity > 0 ? argv.length !== arity : argv.length < -arity) return this.reject(c, arityError(def.name), def.name);
    if (!c.authenticated && (flags & CMD_NO_AUTH) === 0 && s.acl.authRequired) return this.reject(c, 'NOAUTH Authentication required.', def.name);
    if (s.scripting.runner.running !== null) {
      const busy = s.scripting.runner.busyError(def, argv);
      if (busy !== null) return this.reject(c, busy, def.name);
    }
    if (c.multi !== null && (flags & CMD_NO_MULTI) !== 0) return this.reject(c, 'ERR Command not allowed inside a transaction', def.name);
    // One property test for users allowed everything (the default user): no per-command work.
    if (!c.user.unrestricted) {
      const denied = s.acl.denied(c, def, argv);
      if (denied !== null) return this.reject(c, denied, def.name);
    }
    if (c.reply.proto === 2 && c.subscribed && !PUBSUB_ALLOWED.has(def.name)) {
      return this.reject(
        c,
        `ERR Can't execute '${def.name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
      );
    }
    if (s.replication.guarded) {
      const refused = s.replication.refuse(c, def, argv);
      if (refused !== null) return this.reject(c, refused, def.name);
    }
    // Evictions before every command, refusal only of those that may grow memory; the master's
    // stream is never refused (Redis's obey_client).
    if (s.config.maxmemory > 0 && !this.evictBefore() && mayGrowMemory(c, def) && c !== s.replication.masterClient) {
      return this.reject(c, OOM_ERROR, def.name);
    }
    return true;
  }

  /** Measures memory afresh and evicts down to `maxmemory`; false when it cannot. */
  private evictBefore(): boolean {
    this.server.memory.measure();
    return this.server.memory.ensure();
  }

  /**
   * Redis's rejectCommand: a refused EXEC discards the transaction and says why
   * (execCommandAbort), whatever refused it (OOM, a BUSY script, the replication state...); any
   * other refused command inside MULTI makes the EXEC abort. `name` is the command's when it
   * is known (commandstats' rejected_calls).
   */
  private reject(c: Client, msg: string, name?: string): false {
    const s = this.server;
    const error = name === 'exec' ? `EXECABORT Transaction discarded because of: ${msg}` : msg;
    if (name === 'exec') s.multi.discard(c);
    else if (c.multi !== null) c.multiError = true;
    if (name !== undefined) s.commandStats.rejected(name);
    s.commandStats.error(error);
    c.reply.error(error);
    return false;
  }

  /**
   * A client sending `POST` or `Host:` is a browser tricked into talking to the server (cross
   * protocol scripting): it is disconnected, and logged at most once a minute (Redis's
   * securityWarningCommand).
   */
  private securityWarning(c: Client): false {
    const now = Date.now();
    if (now - this.securityLoggedAt > SECURITY_LOG_INTERVAL_MS) {
      this.server.log.warn(
        'Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.',
      );
      this.securityLoggedAt = now;
    }
    // Nothing more is sent: Redis frees the client before writing its pending replies.
    c.out.discard();
    c.closing = true;
    return false;
  }
}
