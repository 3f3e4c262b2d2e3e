/**
 * An HLL string being changed by a command, in either representation, with Redis's promotion
 * from sparse to dense. A dense HLL is changed in the stored value's own bytes (it never
 * changes length); a sparse one is edited in a private copy (it grows and shrinks), as is the
 * dense string a promotion makes: {@link HllWriter.detached} then tells the caller to store
 * {@link HllWriter.bytes} as the key's new value.
 *
 * @packageDocumentation
 */
import { HLL_DENSE, HLL_ENCODING_AT, HLL_REGISTERS, denseAdd, denseSet, patternIndex, patternLength } from './hyperloglog-dense';
import { SPARSE_PROMOTE, SparseEditor, sparseToDense } from './hyperloglog-sparse';

/** One HLL value under change. */
export class HllWriter {
  private dense: Uint8Array | null;
  private sparse: SparseEditor | null;
  private moved: boolean;

  /**
   * @param stored the key's current bytes, a valid HLL header (`isHll`); a dense one is changed
   *   in place, so it must belong to this key alone (an unshared string).
   * @param maxSparseBytes `hll-sparse-max-bytes`: a sparse string may not grow past it.
   */
  constructor(
    stored: Uint8Array,
    private readonly maxSparseBytes: number,
  ) {
    const isDense = stored[HLL_ENCODING_AT] === HLL_DENSE;
    this.dense = isDense ? stored : null;
    this.sparse = isDense ? null : new SparseEditor(stored);
    this.moved = !isDense;
  }

  /** True when {@link HllWriter.bytes} are not the stored value's memory (store them). */
  get detached(): boolean {
    return this.moved;
  }

  /** True while the representation is sparse. */
  get isSparse(): boolean {
    return this.sparse !== null;
  }

  /** The current bytes (a view, valid until the next change). */
  get bytes(): Uint8Array {
    return this.sparse !== null ? this.sparse.view() : (this.dense as Uint8Array);
  }

  /** hllAdd: 1 when a register changed, 0 when none did, -1 when the HLL is corrupted. */
  add(element: Uint8Array): number {
    if (this.dense !== null) return denseAdd(this.dense, element);
    const count = patternLength(element);
    return this.set(patternIndex, count);
  }

  /** Raises register `index` to `count`: 1 when it changed, 0 when not, -1 when corrupted. */
  set(index: number, count: number): number {
    if (this.dense !== null) return denseSet(this.dense, index, count);
    const sparse = this.sparse as SparseEditor;
    const r = sparse.set(index, count, this.maxSparseBytes);
    if (r !== SPARSE_PROMOTE) return r;
    const dense = this.promote(sparse);
    // The register was below `count` in the sparse form, so the dense one changes too.
    return dense === null ? -1 : denseSet(dense, index, count);
  }

  /** hllSparseToDense: converts to the dense representation; false when the opcodes are corrupted. */
  toDense(): boolean {
    return this.sparse === null || this.promote(this.sparse) !== null;
  }

  private promote(sparse: SparseEditor): Uint8Array | null {
    const dense = sparseToDense(sparse.buf, sparse.len);
    if (dense === null) return null;
    this.dense = dense;
    this.sparse = null;
    this.moved = true;
    return dense;
  }

  /** Raises every register to the merged maxima `max` (PFMERGE's destination). */
  setAll(max: Uint8Array): void {
    for (let i = 0; i < HLL_REGISTERS; i++) if (max[i] !== 0) this.set(i, max[i]);
  }
}
