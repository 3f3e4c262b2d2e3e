// docs/redis.md's command table is the one generated from the code (src/command-table-doc.ts):
// a command added, removed or given a missing subcommand without regenerating it fails here.
import fs from 'node:fs';
import path from 'node:path';
import { CommandError, def, unknownSubcommand, type CommandDef } from '../src/command';
import { buildCommandTable } from '../src/commands';
import { COMMAND_DOCS } from '../src/commands/command-docs';
import { TABLE_BEGIN, TABLE_END, generateCommandTable, withCommandTable } from '../src/command-table-doc';

const DOC = path.resolve(__dirname, '..', '..', '..', 'docs', 'redis.md');

/** The generated part of a docs/redis.md text. */
function section(doc: string): string {
  return doc.slice(doc.indexOf(TABLE_BEGIN), doc.indexOf(TABLE_END));
}

test('docs/redis.md has the generated command table (else: node packages/redis/scripts/command-table.js)', () => {
  const doc = fs.readFileSync(DOC, 'utf8');
  expect(section(doc)).toBe(section(withCommandTable(doc, generateCommandTable())));
});

test('every Redis 7.0 command is listed once, under supported, partial or missing', () => {
  const table = generateCommandTable();
  for (const name of COMMAND_DOCS.keys()) {
    const shown = name.toUpperCase();
    const hits = table.split(/\s*[|,]\s*/).filter((cell) => cell === shown || cell.startsWith(`${shown} (`));
    expect([name, hits.length]).toEqual([name, 1]);
  }
});

test('a command the table lacks is missing; a container answering unknown subcommand is partial', () => {
  const table = new Map<string, CommandDef>(buildCommandTable());
  table.delete('lpush');
  table.set(
    'object',
    def('object', -2, 0, [2, 2, 1], 'generic', (_ctx, argv) => {
      throw new CommandError(unknownSubcommand(argv[1], 'OBJECT'));
    }),
  );
  const text = generateCommandTable(table);
  const list = text.split('\n').find((l) => l.startsWith('| list |')) ?? '';
  expect(list.split('|')[4]).toContain('LPUSH');
  expect(text).toContain('OBJECT (no ENCODING, FREQ, HELP, IDLETIME, REFCOUNT)');
});
