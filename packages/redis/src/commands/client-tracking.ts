/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: client-side caching as a connection
 * turns it on and inspects it, with Redis 7.0's option checks and error texts (the tracking
 * itself is the server's, `tracking.ts`).
 *
 * @packageDocumentation
 */
import {
  CLIENT_TRACKING,
  CLIENT_TRACKING_BCAST,
  CLIENT_TRACKING_BROKEN_REDIR,
  CLIENT_TRACKING_CACHING,
  CLIENT_TRACKING_NOLOOP,
  CLIENT_TRACKING_OPTIN,
  CLIENT_TRACKING_OPTOUT,
  CommandError,
  SYNTAX,
  argInt,
  argIs,
  keyOf,
  type CommandContext,
} from '../command';

/** True when one prefix starts the other: both would see the same keys. */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Redis's rule: no prefix of one client may start another of its prefixes, old or new. */
function checkPrefixes(existing: ReadonlySet<string> | null, prefixes: readonly string[]): void {
  const suffix = 'Prefixes for a single client must not overlap.';
  for (let i = 0; i < prefixes.length; i++) {
    if (existing !== null) {
      for (const old of existing) {
        if (overlaps(old, prefixes[i])) throw new CommandError(`ERR Prefix '${prefixes[i]}' overlaps with an existing prefix '${old}'. ${suffix}`);
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(prefixes[i], prefixes[j])) {
        throw new CommandError(`ERR Prefix '${prefixes[i]}' overlaps with another provided prefix '${prefixes[j]}'. ${suffix}`);
      }
    }
  }
}

/** CLIENT TRACKING (ON|OFF) [REDIRECT id] [BCAST] [PREFIX p …] [OPTIN] [OPTOUT] [NOLOOP]. */
export function tracking(ctx: CommandContext, argv: Buffer[]): void {
  const c = ctx.client;
  let redirect = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = j + 1 < argv.length;
    const opt = argv[j];
    if (argIs(opt, 'redirect') && more) {
      if (redirect !== 0) throw new CommandError('ERR A client can only redirect to a single other client');
      redirect = argInt(argv[++j]);
      // Checked now even though the client may leave later: a sanity check, as in Redis.
      if (!ctx.server.clients.has(redirect)) throw new CommandError('ERR The client ID you want redirect to does not exist');
    } else if (argIs(opt, 'bcast')) options |= CLIENT_TRACKING_BCAST;
    else if (argIs(opt, 'optin')) options |= CLIENT_TRACKING_OPTIN;
    else if (argIs(opt, 'optout')) options |= CLIENT_TRACKING_OPTOUT;
    else if (argIs(opt, 'noloop')) options |= CLIENT_TRACKING_NOLOOP;
    else if (argIs(opt, 'prefix') && more) prefixes.push(keyOf(argv[++j]));
    else throw new CommandError(SYNTAX);
  }
  if (argIs(argv[2], 'off')) {
    c.disableTracking();
    ctx.reply.ok();
    return;
  }
  if (!argIs(argv[2], 'on')) throw new CommandError(SYNTAX);
  const bcast = (options & CLIENT_TRACKING_BCAST) !== 0;
  const optin = (options & CLIENT_TRACKING_OPTIN) !== 0;
  const optout = (options & CLIENT_TRACKING_OPTOUT) !== 0;
  const current = c.flags;
  if (!bcast && prefixes.length !== 0) throw new CommandError('ERR PREFIX option requires BCAST mode to be enabled');
  if ((current & CLIENT_TRACKING) !== 0 && ((current & CLIENT_TRACKING_BCAST) !== 0) !== bcast) {
    throw new CommandError(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  if (bcast && (optin || optout)) throw new CommandError('ERR OPTIN and OPTOUT are not compatible with BCAST');
  if (optin && optout) throw new CommandError("ERR You can't specify both OPTIN mode and OPTOUT mode");
  if ((optin && (current & CLIENT_TRACKING_OPTOUT) !== 0) || (optout && (current & CLIENT_TRACKING_OPTIN) !== 0)) {
    throw new CommandError(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
    );
  }
  if (bcast) checkPrefixes(c.trackingPrefixes, prefixes);
  c.enableTracking(redirect, options, prefixes);
  ctx.reply.ok();
}

/** CLIENT CACHING YES|NO: applies to the next command (or transaction) only. */
export function caching(ctx: CommandContext, argv: Buffer[]): void {
  const flags = ctx.client.flags;
  if ((flags & CLIENT_TRACKING) === 0) {
    throw new CommandError('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  }
  if (argIs(argv[2], 'yes')) {
    if ((flags & CLIENT_TRACKING_OPTIN) === 0) throw new CommandError('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (argIs(argv[2], 'no')) {
    if ((flags & CLIENT_TRACKING_OPTOUT) === 0) throw new CommandError('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else throw new CommandError(SYNTAX);
  ctx.client.setTrackingCaching();
  ctx.reply.ok();
}

/** CLIENT GETREDIR: the redirect id, 0 without one, -1 when tracking is off. */
export function getRedirect(ctx: CommandContext): void {
  const c = ctx.client;
  ctx.reply.integer((c.flags & CLIENT_TRACKING) !== 0 ? c.trackingRedirect : -1);
}

/** CLIENT TRACKINGINFO: flags (a set), redirect, prefixes. */
export function trackingInfo(ctx: CommandContext): void {
  const c = ctx.client;
  const f = c.flags;
  const on = (f & CLIENT_TRACKING) !== 0;
  const flags = [on ? 'on' : 'off'];
  if ((f & CLIENT_TRACKING_BCAST) !== 0) flags.push('bcast');
  if ((f & CLIENT_TRACKING_OPTIN) !== 0) {
    flags.push('optin');
    if ((f & CLIENT_TRACKING_CACHING) !== 0) flags.push('caching-yes');
  }
  if ((f & CLIENT_TRACKING_OPTOUT) !== 0) {
    flags.push('optout');
    if ((f & CLIENT_TRACKING_CACHING) !== 0) flags.push('caching-no');
  }
  if ((f & CLIENT_TRACKING_NOLOOP) !== 0) flags.push('noloop');
  if ((f & CLIENT_TRACKING_BROKEN_REDIR) !== 0) flags.push('broken_redirect');
  const r = ctx.reply;
  r.map(3);
  r.bulk('flags');
  r.set(flags.length);
  for (const flag of flags) r.bulk(flag);
  r.bulk('redirect');
  r.integer(on ? c.trackingRedirect : -1);
  r.bulk('prefixes');
  const prefixes = [...(c.trackingPrefixes ?? [])].sort();
  r.array(prefixes.length);
  for (const p of prefixes) r.bulkKey(p);
}
