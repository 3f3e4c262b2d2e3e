/** A listener of an event without arguments. */
export type Listener = () => void;

/**
 * `on`/`once`/`off` for events that carry no arguments, with the listener table made on the
 * first `on`: most responses never get a listener, so the hot path pays for one null check
 * instead of an EventEmitter per response.
 */
export class LazyEmitter<E extends string> {
  private listeners: Map<E, Listener[]> | null = null;

  /** Calls `listener` each time `event` is emitted. */
  on(event: E, listener: Listener): this {
    const map = (this.listeners ??= new Map());
    const list = map.get(event);
    if (list === undefined) map.set(event, [listener]);
    else list.push(listener);
    return this;
  }

  /** Like `on`, for one call. */
  once(event: E, listener: Listener): this {
    const wrapped = (): void => {
      this.off(event, wrapped);
      listener();
    };
    return this.on(event, wrapped);
  }

  /** Removes a listener added with `on` or `once`. */
  off(event: E, listener: Listener): this {
    const list = this.listeners?.get(event);
    if (list !== undefined) {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    }
    return this;
  }

  /** Whether any listener was ever added: lets callers skip emitting altogether. */
  get listened(): boolean {
    return this.listeners !== null;
  }

  /** Calls the listeners of `event`, in the order they were added. */
  emit(event: E): void {
    const list = this.listeners?.get(event);
    // A copy: a `once` listener removes itself while the list is walked.
    if (list !== undefined) for (const listener of [...list]) listener();
  }
}
