// Node's Buffer has had these fast latin1 paths since v0.x; they skip the encoding-name lookup of
// toString/write and are what the RESP hot path uses. @types/node does not declare them.
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number, length: number): number;
  }
}
export {};
