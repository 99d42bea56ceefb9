import { StorageError } from "../../core/errors/index.js";

/**
 * An open `MemoryStore.transaction` of a server store (Neo4j, Qdrant): its calls run one at a
 * time, in the order made, and the handle refuses work once the transaction has finished.
 *
 * @example
 * class Neo4jTx extends TransactionScope { constructor(readonly tx: OpenTransaction) { super(); } }
 * await scope.serial(() => scope.tx.run(query));
 */
export class TransactionScope {
  private queue: Promise<unknown> = Promise.resolve();
  open = true;

  /** Run `work` after every call made before it has settled. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Throw when the transaction has already committed or rolled back. */
  assertOpen(): void {
    if (!this.open) {
      throw new StorageError({
        message: "this transaction has already finished",
        hint: "use the `tx` handle only inside the function passed to transaction(), and await every call",
      });
    }
  }
}
