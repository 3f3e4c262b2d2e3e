/**
 * MIGRATE's connections to target servers (Redis's migrate socket cache in cluster.c): one
 * connection per `host:port` as the command names them, dialed on the server's own reactor
 * (`dial` of @nevio/core: a non-blocking connect, no thread), reused by later MIGRATEs and closed
 * after {@link IDLE_MS} without use. At most {@link MAX_LINKS} are kept; a new one past that
 * closes one at random, as Redis does.
 *
 * An exchange writes its commands at once and reads one line per command (RESTORE, AUTH and
 * SELECT answer one line each). The timeout bounds every wait for progress, as Redis's
 * synchronous connect, write and read calls each take it: the connect, then each stretch
 * without a byte read or sent. Exchanges with one target run one at a time, in order.
 *
 * @packageDocumentation
 */
import { dial, type Conn, type DialEvents } from '@nevio/core';
import type { MigrateLinks, MigrateOutcome, MigrateRequest } from './command';

/** Cached connections (Redis's MIGRATE_SOCKET_CACHE_ITEMS). */
export const MAX_LINKS = 64;
/** A connection unused this long is closed (Redis's MIGRATE_SOCKET_CACHE_TTL, 10 s). */
export const IDLE_MS = 10_000;

/** One exchange waiting for, or using, a link. */
interface Job {
  readonly timeoutMs: number;
  readonly prepare: (selectedDb: string | null) => MigrateRequest;
  readonly done: (outcome: MigrateOutcome) => void;
}

/** The exchange in progress on a link. */
interface Running {
  readonly job: Job;
  readonly expected: number;
  readonly lines: string[];
  /** Bytes of a line not complete yet. */
  partial: Buffer;
  timer: NodeJS.Timeout | null;
}

class Link {
  conn: Conn<Link> | null = null;
  /** The database the target has selected for us, null when unknown. */
  selectedDb: string | null = null;
  readonly queue: Job[] = [];
  running: Running | null = null;
  idleTimer: NodeJS.Timeout | null = null;
  closed = false;

  constructor(
    readonly host: string,
    readonly port: string,
    private readonly owner: MigrateLinkCache,
  ) {}

  get name(): string {
    return `${this.host}:${this.port}`;
  }

  /** True when connected with nothing to do (the one kind of link the cache may evict). */
  get idle(): boolean {
    return this.conn !== null && this.running === null && this.queue.length === 0;
  }

  /** Queues a job; starts it when the link is connected and free. */
  submit(job: Job): void {
    this.queue.push(job);
    this.next();
  }

  next(): void {
    if (this.closed || this.running !== null || this.conn === null) return;
    const job = this.queue.shift();
    if (job === undefined) {
      this.armIdle();
      return;
    }
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const request = job.prepare(this.selectedDb);
    const running: Running = { job, expected: request.replies, lines: [], partial: Buffer.alloc(0), timer: null };
    this.running = running;
    for (const chunk of request.bytes) this.conn.write(chunk);
    if (running.expected === 0) return this.finish(null, false);
    this.progress();
  }

  /** Something was read or sent: the timeout starts again. */
  progress(): void {
    const running = this.running;
    if (running === null) return;
    if (running.timer !== null) clearTimeout(running.timer);
    running.timer = setTimeout(() => this.finish(this.sending() ? 'writing' : 'reading', true), running.job.timeoutMs);
  }

  private sending(): boolean {
    return this.conn !== null && !this.conn.closed && this.conn.outboundBuffered > 0;
  }

  received(data: Buffer): void {
    const running = this.running;
    // Nothing was asked: a target that talks unprompted is not one we understand.
    if (running === null) return this.owner.drop(this, true);
    let buf = running.partial.length === 0 ? data : Buffer.concat([running.partial, data]);
    let nl: number;
    while (running.lines.length < running.expected && (nl = buf.indexOf(0x0a)) >= 0) {
      const end = nl > 0 && buf[nl - 1] === 0x0d ? nl - 1 : nl;
      running.lines.push(buf.latin1Slice(0, end));
      buf = buf.subarray(nl + 1);
    }
    // Copied: `data` is the reactor's read buffer, valid only during this call.
    running.partial = Buffer.from(buf);
    if (running.lines.length === running.expected) this.finish(null, false);
    else this.progress();
  }

  /** Ends the running exchange; `failure` null when every line came. */
  finish(failure: 'writing' | 'reading' | null, timedOut: boolean): void {
    const running = this.running;
    if (running === null) return;
    if (running.timer !== null) clearTimeout(running.timer);
    this.running = null;
    running.job.done({ kind: 'answered', lines: running.lines, failure, timedOut });
    // `done` may have dropped this link (after a failure); the cache took the queue then.
    this.next();
  }

  private armIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.owner.drop(this, false), IDLE_MS);
    // An idle cached connection must not keep a stopping process alive.
    this.idleTimer.unref();
  }

  /** The connection closed under us: the cache forgets it, its waiting jobs dial anew. */
  lost(): void {
    if (!this.closed) this.owner.drop(this, true);
  }

  /** Closes the connection; returns the jobs that were waiting. */
  shut(): Job[] {
    this.closed = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const conn = this.conn;
    this.conn = null;
    if (conn !== null && !conn.closed) conn.close();
    return this.queue.splice(0);
  }
}

const linkEvents: DialEvents<Link> = {
  react(conn, data) {
    conn.context?.received(data);
    return undefined;
  },
  drained(conn) {
    conn.context?.progress();
  },
  closed(conn) {
    const link = conn.context;
    if (link === undefined || link.closed) return;
    // The target went away: the running exchange fails, the waiting ones dial again.
    link.conn = null;
    link.finish('reading', false);
    link.lost();
  },
};

/** The dial address of `host` (as given to MIGRATE) and `port`; null for a port Redis's atoi makes 0. */
function dialAddress(host: string, port: string): string | null {
  const digits = /^\s*\+?(\d+)/.exec(port);
  const n = digits === null ? 0 : Number(digits[1]);
  if (n <= 0 || n > 65535) return null;
  return host.includes(':') ? `tcp6://[${host}]:${n}` : `tcp://${host}:${n}`;
}

/** The server's MIGRATE connections. */
export class MigrateLinkCache implements MigrateLinks {
  private readonly links = new Map<string, Link>();

  get cached(): number {
    return this.links.size;
  }

  exchange(host: string, port: string, timeoutMs: number, prepare: (selectedDb: string | null) => MigrateRequest, done: (outcome: MigrateOutcome) => void): void {
    const job: Job = { timeoutMs, prepare, done };
    const link = this.links.get(`${host}:${port}`);
    if (link !== undefined) link.submit(job);
    else this.open(host, port, [job]);
  }

  selected(host: string, port: string, db: string | null): void {
    const link = this.links.get(`${host}:${port}`);
    if (link !== undefined) link.selectedDb = db;
  }

  close(host: string, port: string): void {
    const link = this.links.get(`${host}:${port}`);
    if (link !== undefined) this.drop(link, true);
  }

  /** Closes every connection (the server stops): waiting exchanges fail. */
  closeAll(): void {
    for (const link of [...this.links.values()]) this.drop(link, false);
  }

  /**
   * Closes and forgets `link`. Its waiting jobs go to a new connection (`redial`), or fail as
   * unreachable.
   */
  drop(link: Link, redial: boolean): void {
    if (this.links.get(link.name) === link) this.links.delete(link.name);
    const waiting = link.shut();
    if (waiting.length === 0) return;
    if (redial) this.open(link.host, link.port, waiting);
    else for (const job of waiting) job.done({ kind: 'unreachable' });
  }

  private open(host: string, port: string, jobs: Job[]): void {
    if (this.links.size >= MAX_LINKS) {
      // As Redis, one goes at random; only an idle one, so that no exchange is cut.
      const idle = [...this.links.values()].filter((l) => l.idle);
      if (idle.length > 0) this.drop(idle[Math.floor(Math.random() * idle.length)], false);
    }
    const link = new Link(host, port, this);
    this.links.set(link.name, link);
    link.queue.push(...jobs);
    const address = dialAddress(host, port);
    const unreachable = (): void => {
      if (this.links.get(link.name) === link) this.links.delete(link.name);
      for (const job of link.shut()) job.done({ kind: 'unreachable' });
    };
    if (address === null) return unreachable();
    dial<Link>(address, linkEvents, { timeout: jobs[0].timeoutMs, context: link }).then((conn) => {
      if (link.closed) {
        conn.close();
        return;
      }
      link.conn = conn;
      link.next();
    }, unreachable);
  }
}
