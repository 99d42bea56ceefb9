/**
 * The systems PrefEval compares: our memory (`memos`) and the LoCoMo baselines that make sense
 * without dates (`bm25`, `glove` over single turns). One user, one memory per system; sessions
 * are added and removed so the runner can keep the distractor chats a group of items shares and
 * swap only the host chat that carries each item's preference (see run.ts).
 */
import { type Embedder, embedMany } from "../../src/core/interfaces/embedder.js";
import type { MemoryStore } from "../../src/core/interfaces/store.js";
import { GeneralTextMemory } from "../../src/memory/textual/general.js";
import type { ChatMessage } from "../../src/reader/chat-schema.js";
import { Bm25Index } from "../lib/bm25.js";
import { memoryDiaIds } from "../locomo/memos-system.js";
import type { IngestStats, Retrieved } from "../locomo/systems.js";
import type { PrefSession, SessionTurn } from "./insert.js";

/** Names of the systems `memos bench prefeval` knows, in report order. */
export const PREFEVAL_SYSTEM_NAMES = ["memos", "bm25", "glove"] as const;
export type PrefevalSystemName = (typeof PREFEVAL_SYSTEM_NAMES)[number];

/** One user's memory under test. Turn ids of retrieved memories are PrefEval turn ids. */
export interface PrefevalSystem {
  readonly name: string;
  /** Adds one session (chat) to the memory. */
  add(session: PrefSession): Promise<IngestStats>;
  /** Removes everything `add(session)` stored for this session id. */
  remove(sessionId: string): Promise<void>;
  /** Forgets every session. */
  clear(): Promise<void>;
  /**
   * Finishes indexing what was added (optional). The runner calls it after adds, inside the
   * timed ingest, so work a system defers to its first search is not billed to search latency.
   */
  flush?(): Promise<void>;
  /** The best `k` memories for `question`, best first. */
  search(question: string, k: number): Promise<Retrieved[]>;
  close(): Promise<void>;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A turn as the baselines index it: `User: text` / `Assistant: text`, the same speaker label
 * our reader writes into `memos` memories, so the two see the same words.
 */
export function prefTurnText(turn: SessionTurn): string {
  return `${capitalise(turn.role)}: ${turn.content}`;
}

interface TurnDoc {
  text: string;
  id: string;
}

const docsOf = (s: PrefSession): TurnDoc[] => s.turns.map((t) => ({ text: prefTurnText(t), id: t.id }));

/**
 * Okapi BM25 over single turns. The index is rebuilt by `flush` (or the first search) after a
 * change: its statistics (IDF, mean length) are those of exactly the sessions present.
 */
export function createPrefBm25System(): PrefevalSystem {
  const sessions = new Map<string, TurnDoc[]>();
  let built: { docs: TurnDoc[]; index: Bm25Index } | undefined;
  const build = () => {
    if (!built) {
      const docs = [...sessions.values()].flat();
      built = { docs, index: new Bm25Index(docs.map((d) => d.text)) };
    }
    return built;
  };
  return {
    name: "bm25",
    async add(session) {
      sessions.set(session.id, docsOf(session));
      built = undefined;
      return { items: session.turns.length, memories: session.turns.length };
    },
    async remove(id) {
      sessions.delete(id);
      built = undefined;
    },
    async clear() {
      sessions.clear();
      built = undefined;
    },
    async flush() {
      build();
    },
    async search(question, k) {
      const b = build();
      return b.index.search(question, k).map((h) => {
        const doc = b.docs[h.index] as TurnDoc;
        return { text: doc.text, diaIds: [doc.id], score: h.score };
      });
    },
    async close() {
      sessions.clear();
    },
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/**
 * Dense retrieval over single turns: cosine (dot product of unit vectors), brute force. Vectors
 * are cached by text, since the same distractor turns come back for every item.
 */
export function createPrefDenseSystem(embedder: Embedder, name = "glove"): PrefevalSystem {
  const sessions = new Map<string, { docs: TurnDoc[]; vectors: Float32Array[] }>();
  const cache = new Map<string, Float32Array>();
  return {
    name,
    async add(session) {
      const docs = docsOf(session);
      const missing = [...new Set(docs.map((d) => d.text).filter((t) => !cache.has(t)))];
      const vectors = await embedMany(embedder, missing);
      for (const [i, t] of missing.entries()) cache.set(t, vectors[i] as Float32Array);
      sessions.set(session.id, { docs, vectors: docs.map((d) => cache.get(d.text) as Float32Array) });
      return { items: docs.length, memories: docs.length };
    },
    async remove(id) {
      sessions.delete(id);
    },
    async clear() {
      sessions.clear();
    },
    async search(question, k) {
      const [q] = await embedder.doEmbed([question]);
      if (!q) return [];
      const scored: { doc: TurnDoc; score: number; order: number }[] = [];
      let order = 0;
      for (const { docs, vectors } of sessions.values()) {
        for (const [i, doc] of docs.entries()) {
          scored.push({ doc, score: dot(q, vectors[i] as Float32Array), order: order++ });
        }
      }
      scored.sort((a, b) => b.score - a.score || a.order - b.order);
      return scored.slice(0, k).map((s) => ({ text: s.doc.text, diaIds: [s.doc.id], score: s.score }));
    },
    async close() {
      sessions.clear();
      cache.clear();
    },
  };
}

export interface PrefMemosSystemOptions {
  embedder: Embedder;
  /** A fresh, empty store (the benchmark uses SQLite ":memory:"). */
  makeStore: () => Promise<MemoryStore>;
}

/**
 * Our memory: one GeneralTextMemory (fast reader windows, hybrid vector + BM25 search fused by
 * RRF) holding the user's chats, each added as one session with its time and turn ids as
 * `message_id`, so a memory maps back to turns through its sources.
 */
export function createPrefMemosSystem(options: PrefMemosSystemOptions): PrefevalSystem {
  let store: MemoryStore | undefined;
  let mem: GeneralTextMemory | undefined;
  const ids = new Map<string, string[]>();
  async function memory(): Promise<GeneralTextMemory> {
    if (!mem) {
      store = await options.makeStore();
      mem = new GeneralTextMemory({ store, embedder: options.embedder });
    }
    return mem;
  }
  async function dispose(): Promise<void> {
    ids.clear();
    const s = store;
    store = undefined;
    mem = undefined;
    await s?.close();
  }
  return {
    name: "memos",
    async add(session) {
      const m = await memory();
      const messages: ChatMessage[] = session.turns.map((t) => ({
        role: t.role,
        content: t.content,
        message_id: t.id,
        chat_time: session.time,
      }));
      const added = await m.addMessages(messages, {
        userId: "prefeval-user",
        sessionId: session.id,
        mode: "fast",
      });
      ids.set(session.id, [...(ids.get(session.id) ?? []), ...added.map((a) => a.id)]);
      return { items: messages.length, memories: added.length };
    },
    async remove(id) {
      const gone = ids.get(id);
      ids.delete(id);
      if (gone && gone.length > 0) await (await memory()).delete(gone);
    },
    // A fresh store rather than deleting rows: nothing of the last group (FTS statistics
    // included) can leak into the next.
    clear: dispose,
    async search(question, k) {
      const hits = await (await memory()).search(question, { topK: k });
      return hits.map((h) => ({ text: h.item.memory, diaIds: memoryDiaIds(h.item), score: h.score }));
    },
    close: dispose,
  };
}
