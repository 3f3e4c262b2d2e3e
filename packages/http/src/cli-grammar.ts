import { type Grammar, helpColumns, optionGrammar, type OptionTable, type OptionValues, UsageError } from '@nevio/core';

/** A command's positional argument: what it is called in the usage, and what it means. */
export interface Positional {
  readonly arg: string;
  readonly help: string;
}

/** The option values, and the positional argument if one was given. */
export type WithPositional<O extends OptionTable> = OptionValues<O> & { readonly positional: string | undefined };

/**
 * The core's option grammar plus at most one positional argument (`nevio-http ./public -p 8080`),
 * anywhere among the options or after `--`. The core's grammar refuses every argument that is not
 * an option, so the positional is taken out before it reads the rest: an argument is an option's
 * value when it follows an option that takes one and does not itself look like an option.
 */
export function grammarWithPositional<O extends OptionTable>(table: O, positional: Positional): Grammar<WithPositional<O>> {
  const options = optionGrammar(table);
  const takesValue = (arg: string): boolean => {
    if (arg.startsWith('--')) {
      if (arg.includes('=')) return false;
      const option = table[arg.slice(2)] as O[string] | undefined;
      return option?.arg !== undefined;
    }
    const option = Object.values(table).find((o) => o.short === arg.slice(1));
    return option?.arg !== undefined;
  };
  return {
    usage: (command) => `${options.usage(command)} [${positional.arg}]`,
    details: () => `Arguments:\n${helpColumns([[positional.arg, positional.help]])}\n${options.details()}`,
    parse(argv) {
      const rest: string[] = [];
      const found: string[] = [];
      for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--') {
          found.push(...argv.slice(i + 1));
          break;
        }
        if (/^--.|^-[^-]$/.test(arg)) {
          rest.push(arg);
          const next = argv[i + 1];
          if (takesValue(arg) && next !== undefined && !/^-./.test(next)) rest.push(argv[++i]);
        } else {
          found.push(arg);
        }
      }
      const request = options.parse(rest);
      if (request.run !== 'serve') return request;
      if (found.length > 1) throw new UsageError(`one ${positional.arg} at most, got ${found.length}: ${found.join(' ')}`);
      return { run: 'serve', values: { ...request.values, positional: found[0] } };
    },
  };
}
