/**
 * The manifest of a multi-part AOF (Redis 7's `appendonlydir/<appendfilename>.manifest`): one
 * line per file, `file <name> seq <n> type <b|h|i>`, the base first, then the history files,
 * then the incr files in the order they are replayed. Parsed with Redis's checks and messages
 * (aofLoadManifestFromFile), written atomically (a temporary file, fsync, rename, fsync of the
 * directory), as writeAofManifestFile does.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { quote } from '../monitor';
import { splitArgs } from '../parser';

/** One file the manifest lists. */
export interface AofFileInfo {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

/** A manifest that cannot be used: Redis logs these lines and exits. */
export class AofManifestError extends Error {
  readonly code = 'EAOFLOAD';
  constructor(
    readonly reason: string,
    /** The offending line and its number, when the error is about one line. */
    readonly line?: { readonly number: number; readonly text: string },
  ) {
    super(reason);
  }

  /** The lines Redis logs for it, in its order. */
  logLines(): string[] {
    const out = ['*** FATAL AOF MANIFEST FILE ERROR ***'];
    if (this.line !== undefined) out.push(`Reading the manifest file, at line ${this.line.number}`, `>>> '${this.line.text}'`);
    out.push(this.reason);
    return out;
  }
}

/** Longest manifest line Redis reads (MANIFEST_MAX_LINE). */
const MAX_LINE = 1024;

/** Base, history and incr files, and the last sequence numbers used. */
export class AofManifest {
  base: AofFileInfo | null = null;
  history: AofFileInfo[] = [];
  incr: AofFileInfo[] = [];
  baseSeq = 0;
  incrSeq = 0;

  constructor(readonly appendFilename: string) {}

  /** The manifest's file name in the AOF directory. */
  get fileName(): string {
    return `${this.appendFilename}.manifest`;
  }

  /** Parses a manifest file's text; throws {@link AofManifestError} as Redis's loader fails. */
  static parse(appendFilename: string, text: Buffer): AofManifest {
    const m = new AofManifest(appendFilename);
    if (text.length === 0) throw new AofManifestError('Found an empty AOF manifest');
    let maxSeq = 0;
    let pos = 0;
    let number = 0;
    while (pos < text.length) {
      const nl = text.indexOf(10, pos);
      // fgets reads at most MAX_LINE bytes: a longer line is refused.
      const end = nl < 0 ? text.length : nl;
      number++;
      if (text[pos] === 0x23) {
        pos = nl < 0 ? text.length : nl + 1;
        continue;
      }
      if (nl < 0 || end - pos + 1 > MAX_LINE) throw new AofManifestError('The AOF manifest file contains too long line');
      const line = text.latin1Slice(pos, end).replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      const where = { number, text: line };
      pos = nl + 1;
      const invalid = (): AofManifestError => new AofManifestError('Invalid AOF manifest file format', where);
      if (line.length === 0) throw invalid();
      const args = splitArgs(Buffer.from(line, 'latin1'), 0, line.length);
      // Six or more fields (more are allowed for later versions), in key/value pairs.
      if (args === null || args.length < 6 || args.length % 2 !== 0) throw invalid();
      let name: string | undefined;
      let seq = 0;
      let type = '';
      for (let i = 0; i < args.length; i += 2) {
        const key = args[i].latin1Slice(0, args[i].length).toLowerCase();
        const value = args[i + 1].latin1Slice(0, args[i + 1].length);
        if (key === 'file') {
          name = value;
          if (name.includes('/')) throw new AofManifestError("File can't be a path, just a filename", where);
        } else if (key === 'seq') seq = atoll(value);
        else if (key === 'type') type = value.charAt(0);
      }
      if (name === undefined || name.length === 0 || seq === 0 || type === '') throw invalid();
      if (type === 'b') {
        if (m.base !== null) throw new AofManifestError('Found duplicate base file information', where);
        m.base = { name, seq, type };
        m.baseSeq = seq;
      } else if (type === 'h') m.history.push({ name, seq, type });
      else if (type === 'i') {
        if (seq <= maxSeq) throw new AofManifestError('Found a non-monotonic sequence number', where);
        m.incr.push({ name, seq, type });
        m.incrSeq = maxSeq = seq;
      } else throw new AofManifestError('Unknown AOF file type', where);
    }
    return m;
  }

  /** Reads `dir`/`<appendfilename>.manifest`; null when the directory or the file is not there. */
  static load(dir: string, appendFilename: string): AofManifest | null {
    const file = path.join(dir, `${appendFilename}.manifest`);
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new AofManifestError(`Fatal error: can't open the AOF manifest file ${file} for reading: ${(e as Error).message}`);
    }
    return AofManifest.parse(appendFilename, text);
  }

  /** The manifest as Redis writes it. */
  format(): string {
    const line = (f: AofFileInfo): string => `file ${needsQuoting(f.name) ? quote(Buffer.from(f.name, 'latin1')) : f.name} seq ${f.seq} type ${f.type}\n`;
    return [...(this.base === null ? [] : [this.base]), ...this.history, ...this.incr].map(line).join('');
  }

  /** Writes the manifest into `dir` atomically. */
  persist(dir: string): void {
    const target = path.join(dir, this.fileName);
    const temp = path.join(dir, `temp-${this.fileName}`);
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeSync(fd, this.format(), null, 'latin1');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
    syncDirectory(dir);
  }

  copy(): AofManifest {
    const m = new AofManifest(this.appendFilename);
    m.base = this.base === null ? null : { ...this.base };
    m.history = this.history.map((f) => ({ ...f }));
    m.incr = this.incr.map((f) => ({ ...f }));
    m.baseSeq = this.baseSeq;
    m.incrSeq = this.incrSeq;
    return m;
  }

  /** A new base (`.base.rdb` with the RDB preamble, else `.base.aof`); the old one becomes history. */
  newBase(rdb: boolean): AofFileInfo {
    if (this.base !== null) this.history.unshift({ ...this.base, type: 'h' });
    this.base = { name: `${this.appendFilename}.${++this.baseSeq}.base.${rdb ? 'rdb' : 'aof'}`, seq: this.baseSeq, type: 'b' };
    return this.base;
  }

  /** A new incr file, appended to the list. */
  newIncr(): AofFileInfo {
    const f: AofFileInfo = { name: `${this.appendFilename}.${++this.incrSeq}.incr.aof`, seq: this.incrSeq, type: 'i' };
    this.incr.push(f);
    return f;
  }

  /** After a rewrite: the incr files it covers become history (all but the one written to, `keepLast`). */
  markIncrAsHistory(keepLast: boolean): void {
    const covered = keepLast ? this.incr.slice(0, -1) : this.incr;
    this.incr = keepLast ? this.incr.slice(-1) : [];
    for (let i = covered.length - 1; i >= 0; i--) this.history.unshift({ ...covered[i], type: 'h' });
  }
}

/** atoll: leading digits (with a sign), 0 when there are none. */
function atoll(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/** sdsneedsrepr: a name with blanks, quotes, backslashes or unprintable bytes is written quoted. */
function needsQuoting(name: string): boolean {
  return /[^\x21-\x7e]|["'\\]/.test(name);
}

/** fsync of a directory, so that renames and new files in it are durable. */
export function syncDirectory(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the rename has happened anyway.
  }
}
