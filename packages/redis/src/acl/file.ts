/**
 * The text forms of users: rules split into words with selectors merged back
 * (ACLMergeSelectorArguments), the aclfile's lines (ACLLoadFromFile's parsing and its error
 * texts), and ACL SAVE's atomic write.
 *
 * @packageDocumentation
 */
import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';

/**
 * Joins a selector written over several words (`(+get`, `~key)`) into one rule. Returns the
 * index of the word that opens an unmatched parenthesis instead, as a number.
 */
export function mergeSelectorArgs(words: readonly string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let selector = '';
  for (let j = 0; j < words.length; j++) {
    const op = words[j];
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += ` ${op}`;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(selector);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? open : out;
}

/** One `user` line of an aclfile, split (by single spaces, as Redis's sdssplitlen). */
export interface FileLine {
  readonly lineNo: number;
  readonly words: readonly string[];
}

/**
 * Reads the aclfile's lines (latin1): blank lines are skipped, each line split on single spaces
 * after trimming. Throws Redis's message, naming the file as `shown` (the `aclfile` setting),
 * when the file cannot be opened.
 */
export function readAclFile(path: string, shown: string): FileLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`Error loading ACLs, opening file '${shown}': ${describeErrno(err)}`);
  }
  const lines: FileLine[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    lines.push({ lineNo: i + 1, words: line.split(' ') });
  }
  return lines;
}

/** strerror()'s text for the usual errors. */
function describeErrno(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    default:
      return err.message;
  }
}

/** Writes `text` to `path` through a temporary file renamed over it (ACLSaveToFile). */
export function writeAclFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    writeSync(fd, Buffer.from(text, 'latin1'));
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== -1) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temporary file may not exist (open failed): nothing to remove.
    }
    throw e;
  }
}
