// Random command lines generated from the docs rows' argument specs (src/commands/command-spec.ts),
// shaped as a client would write them: tokens, optional and repeated arguments, oneofs, blocks,
// `numkeys` followed by that many keys. What goes in each slot is the caller's choice.
import type { ArgSpec } from '../../src/commands/command-spec';

/** The value for one argument slot: `a` its spec, `n` its repetition (0 for the first). */
export type ValuePicker = (a: ArgSpec, n: number) => string;

/** A small deterministic generator, so that a failure can be reproduced. */
export function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

/** Appends a random command line for `args` to `out`. */
export function generateArgs(args: readonly ArgSpec[], rnd: () => number, pick: ValuePicker, out: string[]): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.optional && rnd() < 0.4) continue;
    const next = args[i + 1];
    if (a.name === 'numkeys' && next !== undefined && next.type === 'key' && next.multiple) {
      const n = 1 + Math.floor(rnd() * 3);
      out.push(String(n));
      for (let k = 0; k < n; k++) out.push(pick(next, k));
      i++;
      continue;
    }
    const times = a.multiple ? 1 + Math.floor(rnd() * 3) : 1;
    for (let t = 0; t < times; t++) {
      if (a.token !== undefined && (t === 0 || a.multipleToken)) out.push(a.token);
      generateOne(a, rnd, pick, out, t);
    }
  }
}

function generateOne(a: ArgSpec, rnd: () => number, pick: ValuePicker, out: string[], n: number): void {
  switch (a.type) {
    case 'pure-token':
      return;
    case 'oneof': {
      const choice = (a.args ?? [])[Math.floor(rnd() * (a.args?.length ?? 1))];
      if (choice !== undefined) generateArgs([{ ...choice, optional: false }], rnd, pick, out);
      return;
    }
    case 'block':
      generateArgs(a.args ?? [], rnd, pick, out);
      return;
    default:
      out.push(pick(a, n));
  }
}

/** The values of well-formed lines: small integers, plain keys and strings (COMMAND GETKEYS tests). */
export function plainValues(rnd: () => number): ValuePicker {
  return (a, n) => {
    switch (a.type) {
      case 'key':
        return `${a.name}${n}`;
      case 'integer':
        return String(Math.floor(rnd() * 5));
      case 'double':
        return '1.5';
      case 'unix-time':
        return '1700000000';
      case 'pattern':
        return 'p*';
      default:
        return `${a.name}-${n}`;
    }
  };
}
