/**
 * Which arguments of MIGRATE are secrets (Redis's redactClientCommandArgument in
 * migrateCommand): AUTH's password, AUTH2's username and password. MONITOR and SLOWLOG show
 * `(redacted)` for them.
 *
 * @packageDocumentation
 */

function isWord(arg: Buffer, word: string): boolean {
  return arg.length === word.length && arg.latin1Slice(0, arg.length).toLowerCase() === word;
}

/** True when `argv[i]` of a MIGRATE (`argv[0]` any case) is a password or username. */
export function migrateSecret(argv: readonly Buffer[], i: number): boolean {
  if (i < 7 || !isWord(argv[0], 'migrate')) return false;
  for (let j = 6; j < argv.length && j < i; j++) {
    if (isWord(argv[j], 'keys')) return false;
    if (isWord(argv[j], 'auth')) {
      if (i === j + 1) return true;
      j += 1;
    } else if (isWord(argv[j], 'auth2')) {
      if (i === j + 1 || i === j + 2) return true;
      j += 2;
    }
  }
  return false;
}
