// The option table the commands declare: how argv becomes typed values, and what the help says.
import { choice, flag, integer, loopFlags, loopOptions, optionsHelp, parseOptions, text, texts, usageLine, UsageError } from '@nevio/core';

const table = {
  addr: texts('ADDR', 'where to listen', ['tcp://:1']),
  root: text('DIR', 'a directory'),
  name: text('NAME', 'a name', 'nevio'),
  count: integer('N', 'how many', 0),
  mode: choice('MODE', ['fast', 'slow'] as const, 'how'),
  verbose: flag('say more', 'v'),
};

test('absent options take their initial values', () => {
  expect(parseOptions(table, [])).toEqual({ addr: ['tcp://:1'], root: undefined, name: 'nevio', count: undefined, mode: undefined, verbose: false });
});

test('--name value, --name=value, a short alias, repetition, and the last of a repeated single option', () => {
  const values = parseOptions(table, ['--addr', 'a', '--addr=b', '-v', '--count=0', '--mode', 'slow', '--name', 'x', '--name', 'y', '--root=-dir']);
  expect(values).toEqual({ addr: ['a', 'b'], root: '-dir', name: 'y', count: 0, mode: 'slow', verbose: true });
});

test.each([
  [['--nope'], "Unknown option '--nope'"],
  [['-x'], "Unknown option '-x'"],
  [['--toString'], "Unknown option '--toString'"],
  [['stray'], "unexpected argument 'stray'"],
  [['--root'], '--root needs a value (DIR)'],
  [['--root', '--verbose'], '--root needs a value (DIR)'],
  [['--verbose=1'], '--verbose takes no value'],
  [['--count', '-1'], '--count needs a value (N)'],
  [['--count=-1'], "--count takes a non-negative integer, not '-1'"],
  [['--count', '1.5'], "--count takes a non-negative integer, not '1.5'"],
  [['--count', '1e3'], "--count takes a non-negative integer, not '1e3'"],
  [['--mode', 'medium'], "--mode takes one of fast, slow, not 'medium'"],
])('%j is a UsageError: %s', (argv, message) => {
  let thrown: unknown;
  try {
    parseOptions(table, argv);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(UsageError);
  expect(thrown).toMatchObject({ message, code: 'ERR_NEVIO_USAGE' });
});

test('the usage line and the help come from the table', () => {
  expect(usageLine('cmd', table)).toBe('Usage: cmd [--addr ADDR]... [--root DIR] [--name NAME] [--count N] [--mode MODE] [--verbose]');
  expect(optionsHelp(table)).toBe(
    [
      '  --addr ADDR    where to listen (default tcp://:1)',
      '  --root DIR     a directory',
      '  --name NAME    a name (default nevio)',
      '  --count N      how many',
      '  --mode MODE    how, one of:',
      '                 fast, slow',
      '  -v, --verbose  say more',
      '',
    ].join('\n'),
  );
});

test('the loop flags: alternatives in the usage and when given, serve options otherwise', () => {
  expect(usageLine('cmd', loopFlags)).toBe('Usage: cmd [--multicore | --loops N] [--lb ALGO]');
  expect(() => parseOptions(loopFlags, ['--loops', '2', '--multicore'])).toThrow('--multicore and --loops are alternatives: give one of them');
  expect(loopOptions(parseOptions(loopFlags, ['--loops', '3', '--lb', 'random']))).toEqual({ multicore: false, numEventLoop: 3, lb: 'random' });
  expect(loopOptions(parseOptions(loopFlags, ['--multicore']))).toEqual({ multicore: true, numEventLoop: undefined, lb: undefined });
});
