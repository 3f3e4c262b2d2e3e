/**
 * Active expiry (Redis's expire.c `activeExpireCycle`): keys with a TTL are also reclaimed when
 * nobody reads them, so that a dataset of expiring keys does not grow without bound.
 *
 * @packageDocumentation
 */
import type { Db } from './command';

/** Keys sampled per round, as Redis's ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP. */
const SAMPLE = 20;

/**
 * One cycle, once per tick: samples keys with a TTL in each database (20 at a time, from where
 * the last cycle stopped) and deletes the expired ones, repeating while more than a tenth of a
 * sample had expired, within `budgetMs` so that a mass expiry cannot stall the loop.
 */
export function activeExpireCycle(dbs: readonly Db[], now: number, budgetMs: number): void {
  const deadline = performance.now() + budgetMs;
  for (const db of dbs) {
    if (db.expires.size === 0) continue;
    for (;;) {
      let sampled = 0;
      let expired = 0;
      let it = db.expireCursor ?? db.expires.entries();
      while (sampled < SAMPLE) {
        let r = it.next();
        if (r.done) {
          it = db.expires.entries();
          r = it.next();
          if (r.done) break;
        }
        sampled++;
        const [key, at] = r.value;
        if (at <= now) {
          db.lookupWrite(key);
          expired++;
        }
      }
      db.expireCursor = it;
      if (sampled === 0 || expired * 10 <= sampled || performance.now() > deadline) break;
    }
    if (performance.now() > deadline) break;
  }
}
