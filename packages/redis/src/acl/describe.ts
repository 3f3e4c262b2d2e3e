/**
 * Rules back from a selector's bits (Redis's ACLDescribeSelectorCommandRules): `+@all` or
 * `-@all`, then the categories that fit best, then single commands, so that ACL GETUSER, ACL
 * LIST and ACL SAVE print rules which rebuild exactly the same bits.
 *
 * @packageDocumentation
 */
import { ACL_CATEGORIES } from '../commands/command-cmd';
import type { AclCommands } from './commands';
import { KEY_ALL, KEY_READ, KEY_WRITE, SELECTOR_ALLCHANNELS, SELECTOR_ALLKEYS, Selector, type KeyPattern } from './selector';

/**
 * `~p`, `%R~p` or `%W~p`. A pattern granting neither (`%` alone adds one) is `%~p`: Redis 7.0
 * aborts describing it; this form reads back as the same pattern.
 */
export function keyPatternText(k: KeyPattern): string {
  if (k.flags === KEY_ALL) return `~${k.pattern}`;
  return `%${(k.flags & KEY_READ) !== 0 ? 'R' : ''}${(k.flags & KEY_WRITE) !== 0 ? 'W' : ''}~${k.pattern}`;
}

/** How many commands of category `bit` (its index) are allowed and how many are not. */
function countCategory(table: AclCommands, s: Selector, index: number): [on: number, off: number] {
  let on = 0;
  let off = 0;
  for (const cmd of table.byCategory[index]) {
    if (s.has(cmd.id)) on++;
    else off++;
  }
  return [on, off];
}

/** The command rules of `s`, as ACL SETUSER takes them. */
export function describeCommandRules(table: AclCommands, s: Selector): string {
  const noop = (): void => {};
  // The rules are applied to a fake selector as they are chosen, so the remaining differences
  // are known at each step; a temp copy of the real bits tracks the categories already used.
  const fake = new Selector(table, 0);
  const additive = !s.has(table.futureId);
  const rules: string[] = [additive ? '-@all' : '+@all'];
  fake.apply(rules[0], noop);
  const temp = new Selector(table, 0);
  temp.allowed.set(s.allowed);
  const applied = new Array<boolean>(ACL_CATEGORIES.length).fill(false);
  for (;;) {
    let best = -1;
    let minDiff = Number.MAX_SAFE_INTEGER;
    let maxSame = 0;
    for (let j = 0; j < ACL_CATEGORIES.length; j++) {
      if (applied[j]) continue;
      const [on, off] = countCategory(table, temp, j);
      const diff = additive ? off : on;
      const same = additive ? on : off;
      // More in common than different, and fewer differences (or as few, more in common).
      if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
        best = j;
        minDiff = diff;
        maxSame = same;
      }
    }
    if (best === -1) break;
    const name = ACL_CATEGORIES[best];
    rules.push(`${additive ? '+' : '-'}@${name}`);
    fake.changeCategory(name, additive);
    temp.changeCategory(name, !additive);
    applied[best] = true;
  }
  // Single commands for what the categories left different, then allowed first arguments.
  for (const cmd of table.all) {
    const userBit = s.has(cmd.id);
    if (userBit !== fake.has(cmd.id)) {
      rules.push(`${userBit ? '+' : '-'}${cmd.fullName}`);
      fake.change(cmd, userBit);
    }
    const firsts = userBit ? undefined : s.firstArgs?.get(cmd.id);
    if (firsts !== undefined) for (const a of firsts) rules.push(`+${cmd.fullName}|${a}`);
  }
  return rules.join(' ');
}

/** The key patterns as ACL GETUSER's `keys` field. */
export function describeKeys(s: Selector): string {
  if ((s.flags & SELECTOR_ALLKEYS) !== 0) return '~*';
  return s.keys.map(keyPatternText).join(' ');
}

/** The channel patterns as ACL GETUSER's `channels` field. */
export function describeChannels(s: Selector): string {
  if ((s.flags & SELECTOR_ALLCHANNELS) !== 0) return '&*';
  return s.channels.map((c) => `&${c}`).join(' ');
}

/** A whole selector as ACL LIST prints it (ACLDescribeSelector): keys, channels, commands. */
export function describeSelector(table: AclCommands, s: Selector): string {
  let out = '';
  if ((s.flags & SELECTOR_ALLKEYS) !== 0) out += '~* ';
  else for (const k of s.keys) out += `${keyPatternText(k)} `;
  if ((s.flags & SELECTOR_ALLCHANNELS) !== 0) out += '&* ';
  else {
    out += 'resetchannels ';
    for (const c of s.channels) out += `&${c} `;
  }
  return out + describeCommandRules(table, s);
}
