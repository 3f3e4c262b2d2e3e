/**
 * Finding a command by the name a client sent, on the hot path: without lower-casing and, for
 * the short names most traffic uses, without decoding a string at all.
 *
 * @packageDocumentation
 */
import type { CommandDef } from './command';

/** A command with its name as a Buffer, which replaces argv[0] (see RespParser.nameStart). */
export interface NamedDef {
  readonly def: CommandDef;
  readonly name: Buffer;
}

/** Names up to this long are keyed by their case-folded bytes as one number (6 bytes < 2^53). */
const SHORT_NAME = 6;
/** Spellings as sent (`GET`, `Get`…) remembered for longer names; a client cycling through
 * endless spellings of unknown commands cannot grow the cache past this. */
const SPELLINGS_KEPT = 1024;

/** True when `data` at `start` holds `lower` (a lower-case ASCII name), ignoring case. */
function sameName(data: Buffer, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) if ((data[start + i] | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

export class CommandLookup {
  /** Command names as sent (e.g. `GET`) → definition, so the hot path skips lower-casing. */
  private readonly byRaw = new Map<string, NamedDef>();
  private readonly byCode = new Map<number, NamedDef>();

  constructor(private readonly commands: ReadonlyMap<string, CommandDef>) {
    for (const d of commands.values()) {
      const n = d.name.length;
      if (n > SHORT_NAME) continue;
      let code = n;
      for (let i = 0; i < n; i++) code = code * 256 + (d.name.charCodeAt(i) | 0x20);
      this.byCode.set(code, { def: d, name: Buffer.from(d.name) });
    }
  }

  /** The command named by `data[start, end)`, any case, or undefined. */
  find(data: Buffer, start: number, end: number): NamedDef | undefined {
    const n = end - start;
    if (n <= SHORT_NAME) {
      // Short names (GET, SET, LPUSH…) are looked up by their case-folded bytes as a number,
      // without decoding a string; the match is then checked byte by byte.
      let code = n;
      for (let i = start; i < end; i++) code = code * 256 + (data[i] | 0x20);
      const d = this.byCode.get(code);
      if (d !== undefined && sameName(data, start, d.def.name)) return d;
    }
    const raw = data.latin1Slice(start, end);
    let d = this.byRaw.get(raw);
    if (d === undefined) {
      const def = this.commands.get(raw.toLowerCase());
      if (def === undefined) return undefined;
      d = { def, name: Buffer.from(def.name) };
      if (this.byRaw.size < SPELLINGS_KEPT) this.byRaw.set(raw, d);
    }
    return d;
  }
}
