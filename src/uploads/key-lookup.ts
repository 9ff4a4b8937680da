import { asError } from './as-error.js';

/**
 * Looks keys up in the database in the background while a file is being read: keys are gathered
 * into lists of `size` and each list is sent as one query, at most `parallel` at a time (the reader
 * waits when more are pending). On MySQL the queries run while the next rows are parsed; on SQLite
 * they simply take turns with the parsing.
 */
export class KeyLookup {
  private pending: string[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private failure: Error | null = null;

  constructor(
    private readonly query: (keys: string[]) => Promise<void>,
    private readonly size: number,
    private readonly parallel: number,
  ) {}

  /** Queues a key; answers a promise to await when the caller should wait (too many queries pending). */
  add(key: string): Promise<void> | null {
    this.pending.push(key);
    return this.pending.length >= this.size ? this.send() : null;
  }

  /** Sends what is left and waits for every query. */
  async finish(): Promise<void> {
    if (this.pending.length > 0) {
      await this.send();
    }
    await Promise.all([...this.inflight]);
    this.check();
  }

  /** Waits for the queries in flight without sending more (the reader stopped on an error). */
  async abandon(): Promise<void> {
    this.pending = [];
    await Promise.all([...this.inflight]);
  }

  private async send(): Promise<void> {
    while (this.inflight.size >= this.parallel) {
      await Promise.race(this.inflight);
    }
    this.check();
    const keys = this.pending;
    this.pending = [];
    const done: Promise<void> = this.query(keys)
      .catch((error: unknown) => {
        this.failure ??= asError(error);
      })
      .finally(() => this.inflight.delete(done));
    this.inflight.add(done);
  }

  private check(): void {
    if (this.failure) {
      throw this.failure;
    }
  }
}
