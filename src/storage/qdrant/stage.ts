/**
 * Writes on Qdrant, staged and sent as one batch. Qdrant has no multi-request transactions, so
 * every write (one call, or everything inside `MemoryStore.transaction`) is checked first against
 * what the collection holds plus what the batch already wrote, collected as update operations,
 * and sent in a single `points/batch` request with `wait=true`. It is acknowledged only when every
 * operation reports "completed" and every vector it wrote reads back with the cube's dimension.
 */
import { StorageError } from "../../core/errors/index.js";
import type { TextualMemoryItem } from "../../core/schema/memory.js";
import type { PreparedItem } from "../shared/validate.js";
import { type QdrantSchemas, toQdrantError } from "./client.js";
import { type CollectionRef, createCollection } from "./collection.js";
import { itemPayload, PAYLOAD, pointId, VECTOR_NAME } from "./points.js";
import { retrieve, storedVectors } from "./reads.js";

type Operation = QdrantSchemas["UpdateOperation"];

/** What a staged write sees and changes of the store. */
export interface StoreState {
  ref: CollectionRef;
  cube: string;
  /** The collection's vector size, once known. */
  dimensions: number | undefined;
  collectionExists: boolean;
  closed: boolean;
}

/** A staged memory (null: deleted in this batch). */
export type Staged = { item: TextualMemoryItem; vector?: Float32Array } | null;

/** The operations of one batch, and the memories they change (read back by getItem inside a transaction). */
export class Stage {
  ops: Operation[] = [];
  overlay = new Map<string, Staged>();
  /** Memory ids this batch writes with a vector (checked after the batch). */
  vectorIds = new Set<string>();
  dimensions: number | undefined;

  constructor(readonly state: StoreState) {}

  /** A copy to return to when a nested transaction fails (Qdrant batches have savepoints for free). */
  mark(): () => void {
    const ops = this.ops.length;
    const overlay = new Map(this.overlay);
    const vectorIds = new Set(this.vectorIds);
    const dimensions = this.dimensions;
    return () => {
      this.ops.length = ops;
      this.overlay = overlay;
      this.vectorIds = vectorIds;
      this.dimensions = dimensions;
    };
  }

  get cube(): string {
    return this.state.cube;
  }

  /** Which ids exist, counting this batch's own writes and deletes. */
  async existing(ids: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    const ask: string[] = [];
    for (const id of new Set(ids)) {
      const staged = this.overlay.get(id);
      if (staged === undefined) ask.push(id);
      else if (staged !== null) found.add(id);
    }
    if (ask.length > 0 && this.state.collectionExists) {
      for (const p of await retrieve(this.state.ref, this.cube, ask)) found.add(p.item.id);
    }
    return found;
  }

  /** Check the vectors against the collection's size, fixing it with the first one. */
  checkDimensions(items: PreparedItem[]): void {
    for (const item of items) {
      if (!item.vector) continue;
      const dims = this.dimensions ?? this.state.dimensions;
      if (dims === undefined) this.dimensions = item.vector.length;
      else if (item.vector.length !== dims) {
        throw new StorageError({
          message: `memory ${item.id}: its embedding has ${item.vector.length} dimensions, the collection's vectors have ${dims}; nothing was written`,
          hint: "embed with the cube's embedder (or use another collection when changing embedders)",
        });
      }
    }
  }

  /** Write whole points (a point without a vector loses any vector it had). */
  putPoints(items: PreparedItem[]): void {
    if (items.length === 0) return;
    const points = items.map((i) => {
      const item = { id: i.id, memory: i.memory, metadata: i.metadata } as TextualMemoryItem;
      this.overlay.set(i.id, { item, ...(i.vector ? { vector: i.vector } : {}) });
      if (i.vector) this.vectorIds.add(i.id);
      else this.vectorIds.delete(i.id);
      return {
        id: pointId(this.cube, i.id),
        vector: i.vector ? { [VECTOR_NAME]: Array.from(i.vector) } : {},
        payload: itemPayload(item, this.cube, i.vector),
      };
    });
    this.ops.push({ upsert: { points } });
  }

  /** Replace a point's memory, keeping its vector (and the payload's copy of it). */
  setPayload(item: PreparedItem): void {
    const memory = { id: item.id, memory: item.memory, metadata: item.metadata } as TextualMemoryItem;
    const before = this.overlay.get(item.id);
    this.overlay.set(item.id, { item: memory, ...(before?.vector ? { vector: before.vector } : {}) });
    const { [PAYLOAD.vector]: _kept, ...payload } = itemPayload(memory, this.cube);
    this.ops.push({ set_payload: { payload, points: [pointId(this.cube, item.id)] } });
  }

  delete(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) {
      this.overlay.set(id, null);
      this.vectorIds.delete(id);
    }
    this.ops.push({ delete: { points: ids.map((id) => pointId(this.cube, id)) } });
  }

  /** Send the batch; see the module comment for when it counts as written. */
  async commit(): Promise<void> {
    if (this.ops.length === 0) return;
    const { state } = this;
    const { ref } = state;
    const dims = this.dimensions ?? state.dimensions;
    if (!state.collectionExists) {
      if (dims === undefined) {
        throw new StorageError({
          message: `Qdrant collection ${ref.name} does not exist yet, and no vector size is known; nothing was written`,
          hint: "set vector_dimension in the store config, or add a memory with an embedding first",
        });
      }
      await createCollection(ref, dims);
      state.collectionExists = true;
    }
    let results: { status: string }[];
    try {
      results = await ref.client.batchUpdate(ref.name, { wait: true, operations: this.ops });
    } catch (error) {
      throw toQdrantError(error, ref.url, "writing points");
    }
    const pending = results.filter((r) => r.status !== "completed");
    if (results.length !== this.ops.length || pending.length > 0) {
      throw new StorageError({
        message: `Qdrant did not complete ${pending.length || this.ops.length - results.length} of ${this.ops.length} write operations`,
        hint: "check the server's logs; the batch may be partly applied (Qdrant has no rollback)",
      });
    }
    state.dimensions = dims;
    const ids = [...this.vectorIds];
    if (ids.length > 0 && dims !== undefined) {
      const stored = await storedVectors(ref, this.cube, ids, dims);
      if (stored !== ids.length) {
        throw new StorageError({
          message: `Qdrant acknowledged the write but holds ${stored} of its ${ids.length} vectors`,
          hint: "check the server's logs and the collection's vector config; re-add the memories",
        });
      }
    }
  }
}
